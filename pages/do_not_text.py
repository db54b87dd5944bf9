"""Do not text: the numbers no send from this console reaches. Everyone may look; senders add a
number, admins import and remove (components/guardrails/do_not_text.py holds the rules)."""

import streamlit as st

from components.ui.identity import require_page
from components.ui.sending import journal
from components.ui.shell import ensure_app_shell
from components.ui.suppression_view import (
    add_one_form,
    done_message,
    import_form,
    list_overview,
    remove_form,
)

ensure_app_shell()
identity = require_page("Do not text")

st.title("Do not text")
st.caption(
    "Every send and test send leaves these numbers out. Each was added with a reason; adding "
    "and removing are recorded in the audit log."
)
done_message()
list_column, change_column = st.columns([3, 2], gap="large")
with list_column:
    list_overview(journal(), actor=identity.actor)
with change_column:
    add_one_form(journal(), identity)
    import_form(journal(), identity)
    remove_form(journal(), identity)

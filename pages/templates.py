"""Templates: the messages a team sends again and again. Everyone may read them; senders save
new versions, approvers approve a version (not their own), admins archive
(components/templates holds the rules)."""

import streamlit as st

from components.ui.identity import require_page
from components.ui.sending import journal
from components.ui.shell import ensure_app_shell
from components.ui.template_panels import preview_panel, transfer_panel, versions_panel
from components.ui.templates_view import done_message, duplicate_button, editor, template_list

ensure_app_shell()
identity = require_page("Templates")

st.title("Templates")
st.caption(
    "Each save is a new version; a send records the version it came from. Compose starts from "
    "one with “Start from a template”."
)
done_message()
list_column, detail_column = st.columns([2, 3], gap="large")
with list_column:
    opened = template_list(journal())
    with st.expander("Move templates between consoles", icon=":material/swap_horiz:"):
        transfer_panel(journal(), identity)
with detail_column:
    if opened is None:
        st.header("New template")
        editor(journal(), identity, None)
    else:
        st.header(opened.label + (" (archived)" if opened.archived else ""))
        if opened.description:
            st.caption(opened.description)
        needed = ", ".join(["phone", *opened.tags])
        st.caption(f"A contact file for it has the columns: {needed}.")
        duplicate_button(opened, identity)
        edit, versions, preview = st.tabs(["Edit", "Versions", "Preview"])
        with edit:
            editor(journal(), identity, opened)
        with versions:
            versions_panel(journal(), identity, opened)
        with preview:
            preview_panel(opened)

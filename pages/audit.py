"""Audit: who did what and when (sign-ins, sends, resumes, resends, exports, changes)."""

import streamlit as st

from components.ui.audit_view import audit_filters, entries_table, export_button
from components.ui.identity import require_page
from components.ui.sending import journal
from components.ui.shell import ensure_app_shell

ensure_app_shell()
identity = require_page("Audit")

st.title("Audit")
st.caption(
    "Every sign-in, test send, send, resume, resend, export and change of a role or setting, "
    "with who did it. Entries are only ever added: none can be changed or removed."
)
query = audit_filters(journal())
if entries_table(journal(), query):
    export_button(journal(), query, actor=identity.actor)

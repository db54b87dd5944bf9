"""Entry point: the page map and the sidebar every page shares."""

import streamlit as st

from components.ui.audit_view import audit_sign_in_once
from components.ui.connection import current_settings
from components.ui.persistence import start_run
from components.ui.sending import who
from components.ui.sidebar import render_mode_badge

st.set_page_config(page_title="SMS Console", page_icon=":material/sms:", layout="wide")

pages = [
    st.Page("pages/compose.py", title="Compose", icon=":material/edit_note:", default=True),
    st.Page("pages/status.py", title="Status", icon=":material/monitoring:"),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    # For approvers and admins once roles exist; everyone's page in local mode until then.
    st.Page("pages/audit.py", title="Audit", icon=":material/policy:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]
navigation = st.navigation(pages)
start_run()
audit_sign_in_once(who())
render_mode_badge(current_settings())
navigation.run()

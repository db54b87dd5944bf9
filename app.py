"""Entry point: who is signed in, the page map their role allows, and the sidebar every page
shares."""

import streamlit as st

from components.auth import Permission
from components.ui.connection import current_settings
from components.ui.identity import sign_in_gate, signed_in_as, visibility
from components.ui.persistence import start_run
from components.ui.sidebar import render_mode_badge

st.set_page_config(page_title="SMS Console", page_icon=":material/sms:", layout="wide")

identity = sign_in_gate()
composes = identity.may(Permission.SEND_TEST)
pages = [
    st.Page(
        "pages/compose.py",
        title="Compose",
        icon=":material/edit_note:",
        default=composes,
        visibility=visibility(identity, Permission.SEND_TEST),
    ),
    st.Page("pages/status.py", title="Status", icon=":material/monitoring:", default=not composes),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    st.Page(
        "pages/settings.py",
        title="Settings",
        icon=":material/settings:",
        visibility=visibility(identity, Permission.ADMINISTER),
    ),
]
navigation = st.navigation(pages)
start_run()
signed_in_as(identity)
render_mode_badge(current_settings())
navigation.run()

"""Entry point: the page map and the sidebar every page shares."""

import streamlit as st

from components.ui.connection import current_settings
from components.ui.persistence import start_run
from components.ui.sidebar import render_mode_badge

st.set_page_config(page_title="SMS Console", page_icon=":material/sms:", layout="wide")

pages = [
    st.Page("pages/compose.py", title="Compose", icon=":material/edit_note:", default=True),
    st.Page("pages/status.py", title="Status", icon=":material/monitoring:"),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]
navigation = st.navigation(pages)
start_run()
render_mode_badge(current_settings())
navigation.run()

import streamlit as st

from components.ui.shell import ensure_app_shell

ensure_app_shell()

st.title("Compose")
st.info(
    "Contacts, message and live preview are coming with the Compose issue.",
    icon=":material/construction:",
)

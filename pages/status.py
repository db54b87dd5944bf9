import streamlit as st

from components.ui.shell import ensure_app_shell

ensure_app_shell()

st.title("Status")
st.info(
    "Status look-ups and charts are coming with the Status issue.", icon=":material/construction:"
)

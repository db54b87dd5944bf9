import streamlit as st

from components.ui.shell import ensure_app_shell

ensure_app_shell()

st.title("History")
st.info("The history of every send is coming with the Send issue.", icon=":material/construction:")

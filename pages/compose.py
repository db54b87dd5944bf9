import streamlit as st

st.title("Compose")
st.info(
    "Contacts, message and live preview are coming with the Compose issue.",
    icon=":material/construction:",
)

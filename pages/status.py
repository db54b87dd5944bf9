import streamlit as st

st.title("Status")
st.info(
    "Status look-ups and charts are coming with the Status issue.", icon=":material/construction:"
)

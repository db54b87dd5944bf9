import streamlit as st

st.title("History")
st.info("The history of every send is coming with the Send issue.", icon=":material/construction:")

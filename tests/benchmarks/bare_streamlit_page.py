"""The floor under the console's page load: a Streamlit page with a title and a line, loaded by
bench_typing.py in the same browsers and sessions as the console (the browsers' own cost)."""

import streamlit as st

st.title("A bare Streamlit page")
st.write("Nothing else.")

"""Streamlit widgets and resources shared by the pages: the only part of components/ that imports
streamlit."""

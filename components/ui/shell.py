"""Makes every page run inside the app's page map, whatever URL the first visitor opened."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_shell() -> None:
    """Call first in every page file.

    Until `app.py` has called `st.navigation` once in a process, Streamlit treats a `pages/`
    folder the old way: a deep link such as `/status?tx=...` as the very first visit runs
    `pages/status.py` on its own, without the page map, the sidebar or the mode badge. Switching
    that mode off and rerunning makes `app.py` run and pick the same page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()

"""Makes every page run inside the app's page map, whatever URL the first visitor opened."""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def ensure_app_shell() -> None:
    """Call first in every page file.

    Until `app.py` has called `st.navigation` in a process, Streamlit treats a `pages/` folder the
    old way: a deep link such as `/status?tx=...` as the very first visit (and every AppTest run
    of a page) executes `pages/status.py` on its own, without the page map, the sidebar or the
    mode badge. Then this runs `app.py` in the same script run, which builds the real page map
    and runs this very page inside it (widget events of the run are kept), and stops the
    stand-alone run.
    """
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()

"""Makes every page run inside the app's page map, whatever URL the first visitor opened."""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def ensure_app_shell() -> None:
    """Call first in every page file.

    A `pages/` folder beside `app.py` (the design keeps it there) makes Streamlit 1.67 run in
    its old pages-directory mode until some session calls `st.navigation`: the switch is one
    process-wide value, `PagesManager.uses_pages_directory`, set when the first session starts.
    In that mode the script runner never runs `app.py`; it runs the requested page file on its
    own: a deep link such as `/status?tx=...` as the first visit to a fresh server, and every
    AppTest run after the first (AppTest resets the value before each run). Streamlit has no
    setting (`client.showSidebarNavigation` only hides the menu) and no `st.App` option to turn
    this off, and its docs say `st.navigation` ignores `pages/` only once it has run; renaming
    the folder is the only supported way out. So this switches the mode off and runs `app.py`
    in the same script run, which builds the real page map and runs this very page inside it
    (widget events of the run are kept), and stops the stand-alone run. Reviewed for Streamlit
    1.67; a later release that detects `st.navigation` up front makes it unnecessary.
    """
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()

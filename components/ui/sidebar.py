"""The sidebar every page shares: which Acoustic the console talks to, always visible."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from components.core.connection import ConnectionSettings
from components.core.states import ConnectionMode
from components.ui.text import md


def render_mode_badge(settings: ConnectionSettings) -> None:
    with st.sidebar:
        if settings.mode is ConnectionMode.SANDBOX:
            st.badge("Sandbox mode", icon=":material/science:", color="violet")
            st.caption(
                "Talking to the built-in sandbox: nothing reaches a phone. Add Acoustic "
                "credentials (see Settings) to send for real."
            )
        elif settings.mode is ConnectionMode.POD:
            st.badge(f"Live · {md(settings.label)}", icon=":material/cell_tower:", color="red")
            host = urlsplit(settings.base_url or "").hostname or ""
            st.caption(f"Sends go to real phones through {md(host)}.")
        else:
            st.badge("Not configured", icon=":material/error:", color="gray")
            st.caption(
                "The Acoustic credentials are incomplete: open Settings to see what is missing."
            )

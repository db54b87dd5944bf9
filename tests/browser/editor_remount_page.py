"""A page whose message editor moves to the other column each time the text the server has
reaches a new block of BLOCK characters, and is off the page for a while (about two seconds) on
the way: the marketer keeps typing meanwhile, as happens in a busy console when a full run and a
fragment run cross and the browser draws the editor anew. For test_editor_remount.

The move is decided in the run that takes the text, so it never waits for a next key."""

from __future__ import annotations

import time

import streamlit as st

from components.ui.message_editor import message_editor

AWAY_SECONDS = 1.8  # longer than a moment: the keys typed meanwhile must still be kept
BLOCK = 18
state = st.session_state
state.setdefault("block", 0)


@st.fragment(run_every=0.3)
def bring_back() -> None:
    away = state.get("away_since")
    if away is not None and time.monotonic() - away >= AWAY_SECONDS:
        del state["away_since"]
        st.rerun(scope="app")


bring_back()
if "away_since" not in state:
    with st.columns(2)[state["block"] % 2]:
        state["taken"] = message_editor(key="editor", text=state.get("taken", ""), version=0)
    if len(state["taken"]) // BLOCK != state["block"]:
        state["block"] = len(state["taken"]) // BLOCK
        state["moves"] = state.get("moves", 0) + 1
        state["away_since"] = time.monotonic()
        st.rerun()
st.text(f"Server has: {state.get('taken', '')}")
st.text(f"Drawn anew: {state.get('moves', 0)}")

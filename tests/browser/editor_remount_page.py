"""A page whose message editor moves to the other column every few words the server takes, and
is off the page for a while (about two seconds) on the way: the marketer keeps typing meanwhile,
as happens in a busy console when a full run and a fragment run cross and the browser draws the
editor anew. For test_editor_remount."""

from __future__ import annotations

import time

import streamlit as st

from components.ui.message_editor import message_editor

AWAY_SECONDS = 1.8  # longer than a moment: the keys typed meanwhile must still be kept
state = st.session_state
taken = state.setdefault("taken", "")
column = len(taken) // 20 % 2
if column != state.setdefault("column", 0):
    state["column"] = column
    state["moves"] = state.get("moves", 0) + 1
    state["away_since"] = time.monotonic()


@st.fragment(run_every=0.3)
def bring_back() -> None:
    away = state.get("away_since")
    if away is not None and time.monotonic() - away >= AWAY_SECONDS:
        del state["away_since"]
        st.rerun(scope="app")


bring_back()
if "away_since" not in state:
    with st.columns(2)[column]:
        taken = message_editor(key="editor", text=taken, version=0)
state["taken"] = taken
st.text(f"Server has: {taken}")
st.text(f"Drawn anew: {state.get('moves', 0)}")

"""A page whose message editor moves to the other column each time the text the server has
reaches a new block of BLOCK characters, and is off the page for a while (about two seconds) on
the way: the marketer keeps typing meanwhile, as happens in a busy console when a full run and a
fragment run cross and the browser draws the editor anew. For test_editor_remount.
With `?pace=SECONDS`, a page slow to answer each run instead (the editor's pace). With
`?streak=MS`, the editor stays away until "Bring the editor back" is clicked, and keys typed
more than MS after the last one are not its own.

The move is decided in the run that takes the text, so it never waits for a next key."""

from __future__ import annotations

import time

import streamlit as st

from components.ui.message_editor import message_editor, message_taken

AWAY_SECONDS = 1.8  # longer than a moment: the keys typed meanwhile must still be kept
BLOCK = 18
state = st.session_state
state.setdefault("block", 0)


STREAK_MS = int(st.query_params.get("streak", 30_000))
BY_HAND = "streak" in st.query_params


@st.fragment(run_every=0.3)
def bring_back() -> None:
    away = state.get("away_since")
    if away is not None and not BY_HAND and time.monotonic() - away >= AWAY_SECONDS:
        del state["away_since"]
        st.rerun(scope="app")


if "pace" in st.query_params:
    # A console slow to answer: each run takes `pace` seconds before it draws the editor, and
    # the page lists the texts its runs took.
    time.sleep(float(st.query_params["pace"]))
    text = message_editor(key="editor", text="", version=0, hold_ms=60_000, taken_at_end=True)
    runs = state.setdefault("runs", [])
    if text and (not runs or runs[-1] != text):
        runs.append(text)
    st.text("Runs took: " + " | ".join(runs))
    message_taken(key="editor")
    st.stop()

if not BY_HAND:  # by hand, no run but the typist's: none crosses another to draw the editor anew
    bring_back()
if "away_since" not in state:
    with st.columns(2)[state["block"] % 2]:
        # The test types each piece once the page shows the move, which a busy machine may
        # show seconds after the last key: the streak is long enough for that wait.
        state["taken"] = message_editor(
            key="editor", text=state.get("taken", ""), version=0, streak_ms=STREAK_MS
        )
    if len(state["taken"]) // BLOCK != state["block"]:
        state["block"] = len(state["taken"]) // BLOCK
        state["moves"] = state.get("moves", 0) + 1
        state["away_since"] = time.monotonic()
        st.rerun()
elif BY_HAND and st.button("Bring the editor back"):
    del state["away_since"]
    st.rerun()
st.text(f"Server has: {state.get('taken', '')}")
st.text(f"Drawn anew: {state.get('moves', 0)}")

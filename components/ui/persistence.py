"""What the marketer typed stays put when they visit another page and come back.

Streamlit deletes the value of every widget a script run did not draw, so leaving Compose for
History would empty the contacts, the program and the defaults: each widget whose value should
stay is drawn with `persist_state=KEEP` (Streamlit's own session-wide persistence, which also holds
across fragment reruns). Uploaders and custom components have no such option; the uploaded file is
kept by compose_widgets itself.
"""

from __future__ import annotations

import streamlit as st

KEEP = "session"  # persist_state of every widget whose value outlives a visit to another page
_THIS_RUN = "persistence.this_run"
_PREVIOUS_RUN = "persistence.previous_run"


def held(key: str, default: object = "") -> object:
    """The value the session holds for a widget, given as the widget's own value.

    When two runs cross in a busy console (a fragment's and the page's), the browser may draw
    a widget anew and, having dropped what it held, show the widget's default: the next rerun
    would then send that default over what was typed. Drawn with `value=held(key)`, the widget
    shows what the console holds instead. (Streamlit logs a warning when a widget has both a
    value and a Session State write in the same run; `.streamlit/config.toml` turns that
    warning off, as this is deliberate.)"""
    return st.session_state.get(key, default)


def start_run() -> None:
    """Call in app.py before the page runs: what this run notes is read by the next one."""
    state = st.session_state
    state[_PREVIOUS_RUN] = state.pop(_THIS_RUN, {})


def note_for_next_run(name: str, value: object) -> None:
    """Records what a widget showed in this run, for `noted_in_previous_run` in the next one."""
    st.session_state.setdefault(_THIS_RUN, {})[name] = value


def noted_in_previous_run(name: str) -> object:
    """What `note_for_next_run` recorded in the run just before this one; None when that run did
    not draw the widget (another page was shown). This tells "the marketer cleared it" apart
    from "the widget is new because the marketer comes back from another page"."""
    return st.session_state.get(_PREVIOUS_RUN, {}).get(name)

"""What the marketer typed stays put when they visit another page and come back.

Streamlit deletes the value of every widget a script run did not draw, so leaving Compose for
History would empty the contacts, the program and the defaults. Re-saving a widget's value in every
run (Streamlit's "interrupt the widget clean-up" pattern, done once in app.py) keeps it. Buttons,
uploaders and custom components cannot be re-saved and are not listed; the uploaded file is kept
by compose_widgets itself.
"""

from __future__ import annotations

import streamlit as st

KEPT_KEYS = frozenset(
    {
        "compose.contacts_source",
        "compose.paste",
        "compose.region",
        "compose.phone_column",
        "compose.sheet",
        "compose.program",
        "compose.source",
        "compose.price",
        "compose.preview",
        "compose.request_batch",
        "compose.test_number",
        "history.search",
        "history.mode",
        "status.input",
    }
)
KEPT_PREFIXES = ("compose.default.", "status.filter.")
_THIS_RUN = "persistence.this_run"
_PREVIOUS_RUN = "persistence.previous_run"


def keep_widget_values() -> None:
    """Call in app.py before the page runs."""
    state = st.session_state
    for key in list(state.keys()):
        if isinstance(key, str) and (key in KEPT_KEYS or key.startswith(KEPT_PREFIXES)):
            state[key] = state[key]
    state[_PREVIOUS_RUN] = state.pop(_THIS_RUN, {})


def note_for_next_run(name: str, value: object) -> None:
    """Records what a widget showed in this run, for `noted_in_previous_run` in the next one."""
    st.session_state.setdefault(_THIS_RUN, {})[name] = value


def noted_in_previous_run(name: str) -> object:
    """What `note_for_next_run` recorded in the run just before this one; None when that run did
    not draw the widget (another page was shown). This tells "the marketer cleared it" apart
    from "the widget is new because the marketer comes back from another page"."""
    return st.session_state.get(_PREVIOUS_RUN, {}).get(name)

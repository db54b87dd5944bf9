"""Expanders whose content is built only while they are open.

A closed `st.expander` still runs its content and sends it to the browser: Compose sent its
request (1,000 contacts as JSON and again as cURL) with every keystroke and the 10,000 recipients
with every full run, to be drawn hidden. Tracked with a key and `on_change="rerun"`, an expander
reruns (its fragment, on Compose's message section) when opened, and its content is built then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st


@contextmanager
def expander_when_open(label: str, *, key: str, icon: str | None = None) -> Iterator[bool]:
    """`with expander_when_open(...) as open_:` then build the content only `if open_`."""
    box = st.expander(label, key=key, icon=icon, on_change="rerun")
    with box:
        yield bool(box.open)

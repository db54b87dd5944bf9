"""The fields below the message: a default for each tag and, where several contact columns have
a tag's name, which of them fills it. Tag names are the marketer's text: shown, never rendered."""

from __future__ import annotations

import streamlit as st

from components.message.mapping import map_tags, tag_key
from components.ui.persistence import KEEP, held
from components.ui.text import inert_label, md

_DEFAULT_KEY = "compose.default."
_COLUMN_KEY = "compose.column."


def default_key(tag: str) -> str:
    """The session-state key of a tag's default (any spelling of the tag gives the same key)."""
    return _DEFAULT_KEY + tag_key(tag)


def tag_fields(content: str, columns: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(tag -> default typed, tag -> column chosen) for the tags of `content`."""
    mapping = map_tags(content, columns)
    defaults: dict[str, str] = {}
    chosen: dict[str, str] = {}
    if not mapping.sources:
        return defaults, chosen
    st.caption("Defaults, used when a recipient has no value for the field:")
    grid = st.columns(min(len(mapping.sources), 3))
    for index, source in enumerate(mapping.sources):
        with grid[index % len(grid)]:
            defaults[source.tag] = st.text_input(
                **_plain_label(f"%%{source.tag}%%"),
                value=str(held(default_key(source.tag))),
                key=default_key(source.tag),
                persist_state=KEEP,
            )
    for source in mapping.ambiguous:
        key = _COLUMN_KEY + tag_key(source.tag)
        if st.session_state.get(key) not in source.candidates:
            st.session_state.pop(key, None)
        chosen[source.tag] = st.selectbox(
            **_plain_label(f"Column that fills %%{source.tag}%%"),
            options=source.candidates,
            index=source.candidates.index(source.column) if source.column else 0,
            key=key,
            persist_state=KEEP,
            format_func=str,
            help="Several columns have this name; the preview and the request both use the "
            "one chosen here.",
        )
    return defaults, chosen


def _plain_label(text: str) -> dict[str, str]:
    """A widget label shown as written: Streamlit renders labels as Markdown, collapsed ones too
    (a tag named `[x](https://…)` would become a live link), so the label shown is escaped text
    above the widget, and the widget's own label, its accessible name, is made inert."""
    st.markdown(md(text))
    return {"label": inert_label(text), "label_visibility": "collapsed"}

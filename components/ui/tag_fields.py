"""The fields below the message: a default for each tag and, where several contact columns have
a tag's name, which of them fills it. Tag names are the marketer's text: shown, never rendered."""

from __future__ import annotations

import streamlit as st

from components.mapping import map_tags, tag_key
from components.ui.text import md

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
        defaults[source.tag] = grid[index % len(grid)].text_input(
            md(f"%%{source.tag}%%"), key=default_key(source.tag)
        )
    for source in mapping.ambiguous:
        key = _COLUMN_KEY + tag_key(source.tag)
        if st.session_state.get(key) not in source.candidates:
            st.session_state.pop(key, None)
        chosen[source.tag] = st.selectbox(
            md(f"Column that fills %%{source.tag}%%"),
            source.candidates,
            index=source.candidates.index(source.column) if source.column else 0,
            key=key,
            format_func=str,
            help="Several columns have this name; the preview and the request both use the "
            "one chosen here.",
        )
    return defaults, chosen

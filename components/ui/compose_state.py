"""The Compose draft's session-state keys, owned here: other pages put a draft into Compose
through `prefill_compose`, never by writing Compose's keys themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from components.ui.tag_fields import default_key

CONTENT = "compose.content"
CONTENT_VERSION = "compose.content_version"
PROGRAM = "compose.program"
PROGRAM_CHOICE = "compose.program_choice"  # the picker over PROGRAM (program_fields)
SOURCE = "compose.source"
CONTACTS_SOURCE = "compose.contacts_source"
PASTE = "compose.paste"
CAMPAIGN = "compose.campaign"
TTL = "compose.ttl"


def set_message(text: str) -> None:
    """Replaces the message; the editor shows the new text (its version changes)."""
    state = st.session_state
    state[CONTENT] = text
    state[CONTENT_VERSION] = state.get(CONTENT_VERSION, 0) + 1


def prefill_compose(
    *,
    contacts_text: str,
    content: str | None = None,
    program: str | None = None,
    source: str | None = None,
    defaults: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Opens Compose with these contacts (as pasted text) and, when given, the message, program,
    source, defaults and send options (an earlier batch's request body: its campaignName and
    ttlInMinutes) of an earlier send, for the marketer to check and send."""
    state = st.session_state
    state[CONTACTS_SOURCE] = "Paste"
    state[PASTE] = contacts_text
    prefill_draft(
        content=content, program=program, source=source, defaults=defaults, options=options
    )


def prefill_draft(
    *,
    content: str | None = None,
    program: str | None = None,
    source: str | None = None,
    defaults: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Puts into Compose's draft, where given, the message, program, source, defaults and send
    options (`campaignName` and `ttlInMinutes`, as a request body has them); the contacts stay."""
    state = st.session_state
    if content is not None:
        set_message(content)
    if program is not None:
        state[PROGRAM] = program
        state.pop(PROGRAM_CHOICE, None)  # the picker shows the new id when next drawn
    if source is not None:
        state[SOURCE] = source
    for name, value in (defaults or {}).items():
        state[default_key(name)] = value
    if options is not None:
        state[CAMPAIGN] = str(options.get("campaignName") or "")
        ttl = options.get("ttlInMinutes")
        state[TTL] = int(ttl) if isinstance(ttl, int) and not isinstance(ttl, bool) else None

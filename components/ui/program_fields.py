"""Compose's program field (a picker of Acoustic's programs over the typed id) and the optional
send fields (campaign name, expiry).

The list is asked for once per connection and kept for LISTING_TTL seconds for every session. It
is fetched in a thread: Compose waits for it at most WAIT_SECONDS, so that a slow or unreachable
pod never holds up typing; the typed id always works, and the key "compose.program" always holds
the id that is sent.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from components.acoustic import AcousticClient, Program
from components.message.payloads import MAX_TTL_MINUTES
from components.message.program_listing import (
    PENDING,
    TYPE_THE_ID,
    ProgramListing,
    fetch_listing,
    program_label,
)
from components.ui.compose_state import CAMPAIGN, PROGRAM, TTL
from components.ui.connection import current_connection
from components.ui.persistence import KEEP
from components.ui.text import md

CHOICE = "compose.program_choice"
LISTING_TTL = 300  # seconds: a program activated in Acoustic shows up within five minutes
WAIT_SECONDS = 3.0
_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sms-programs")


@st.cache_resource(ttl=LISTING_TTL, max_entries=16, show_spinner=False)
def pending_listing(
    base_url: str, client_id: str, _client: AcousticClient
) -> Future[ProgramListing]:
    """One look-up per connection (arguments with `_` are not hashed), shared by sessions."""
    return _EXECUTOR.submit(fetch_listing, _client)


def program_listing(wait: float = WAIT_SECONDS) -> ProgramListing | None:
    """Acoustic's programs as far as known after at most `wait` seconds; None without a
    connection."""
    connection = current_connection()
    if connection.client is None:
        return None
    settings = connection.settings
    future = pending_listing(settings.base_url or "", settings.client_id, connection.client)
    try:
        return future.result(timeout=wait)
    except TimeoutError:
        return ProgramListing(None, PENDING)
    except Exception:  # a fault of the console's own must not take Compose down with it
        return ProgramListing(None, f"The SMS programs could not be listed — {TYPE_THE_ID}.")


def known_programs() -> tuple[Program, ...] | None:
    """The list for preflight, without waiting: None while it is not known."""
    listing = program_listing(wait=0)
    return None if listing is None else listing.programs


def _take_choice() -> None:
    """A program picked fills the id. Only a pick does: the picker is set from the id on every
    run, so a browser that sends a rerun before it has drawn that (a fast typist, a busy
    console) sends the picker's old value, empty, and that must not empty the id just typed."""
    choice = st.session_state.get(CHOICE)
    if choice:
        st.session_state[PROGRAM] = choice


def program_field() -> str:
    """The picker of active programs (when Acoustic lists any) filling the id field below it,
    which may also be typed; returns the id."""
    state = st.session_state
    listing = program_listing()
    active = {program.id: program for program in (listing.active if listing else ())}
    if active:
        current = str(state.get(PROGRAM) or "").strip()
        state[CHOICE] = current if current in active else None  # follows a typed id
        st.selectbox(
            "SMS program",
            list(active),
            index=None,
            key=CHOICE,
            format_func=lambda program_id: program_label(active[program_id]),
            placeholder="Choose one of the organisation's programs…",
            on_change=_take_choice,
            help="The active SMS programs Acoustic lists for this organisation.",
        )
    if listing is not None and listing.note:
        st.caption(md(listing.note))
    return st.text_input(
        "SMS program id",
        key=PROGRAM,
        persist_state=KEEP,
        help="Acoustic's channel qualifier: filled by the choice above, or typed.",
    )


def send_options() -> tuple[str, int | None]:
    """The campaign name and the expiry in minutes (None: not sent)."""
    campaign_column, ttl_column = st.columns(2)
    campaign = campaign_column.text_input(
        "Campaign name (optional)",
        key=CAMPAIGN,
        persist_state=KEEP,
        help="Sent to Acoustic as campaignName with every batch.",
    )
    ttl = ttl_column.number_input(
        "Expire after, minutes (optional)",
        value=None,
        step=1,
        key=TTL,
        persist_state=KEEP,
        placeholder="no expiry",
        help=(
            "Acoustic discards an SMS that has not gone out within this many minutes (a late "
            f"one-time password is useless). 1 to {MAX_TTL_MINUTES:,}; empty: no expiry."
        ),
    )
    return campaign, None if ttl is None else int(ttl)

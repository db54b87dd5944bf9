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
from components.ui.compose_state import CAMPAIGN, PROGRAM, PROGRAM_CHOICE, TTL
from components.ui.connection import current_connection
from components.ui.persistence import KEEP, held
from components.ui.text import md

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
    """A program picked fills the id. Only a pick does (a rerun carrying the picker's empty
    value must not empty the id just typed)."""
    choice = st.session_state.get(PROGRAM_CHOICE)
    if choice:
        st.session_state[PROGRAM] = choice


def _follow_typed_id(active_ids: tuple[str, ...]) -> None:
    """A typed id that Acoustic lists shows as the choice; any other leaves the choice empty."""
    typed = str(st.session_state.get(PROGRAM) or "").strip()
    if active_ids:
        st.session_state[PROGRAM_CHOICE] = typed if typed in active_ids else None
    else:  # no picker yet: it shows the id when the list arrives
        st.session_state.pop(PROGRAM_CHOICE, None)


def program_field() -> str:
    """The picker of active programs (when Acoustic lists any) filling the id field below it,
    which may also be typed; returns the id.

    The two are kept in step only by their callbacks, which run on the marketer's own change
    with the values the browser sent: no run writes either key otherwise, so a run that was
    already under way when something was typed has nothing to send back over it."""
    state = st.session_state
    listing = program_listing()
    active = {program.id: program for program in (listing.active if listing else ())}
    if active:
        if PROGRAM_CHOICE not in state:  # the picker is drawn for the first time: it shows the id
            current = str(state.get(PROGRAM) or "").strip()
            state[PROGRAM_CHOICE] = current if current in active else None
        st.selectbox(
            "SMS program",
            list(active),
            index=None,
            key=PROGRAM_CHOICE,
            format_func=lambda program_id: program_label(active[program_id]),
            placeholder="Choose one of the organisation's programs…",
            on_change=_take_choice,
            help="The active SMS programs Acoustic lists for this organisation.",
        )
    if listing is not None and listing.note:
        st.caption(md(listing.note))
    return st.text_input(
        "SMS program id",
        value=str(held(PROGRAM)),
        key=PROGRAM,
        persist_state=KEEP,
        on_change=_follow_typed_id,
        args=(tuple(active),),
        help="Acoustic's channel qualifier: filled by the choice above, or typed.",
    )


def send_options() -> tuple[str, int | None]:
    """The campaign name and the expiry in minutes (None: not sent)."""
    campaign_column, ttl_column = st.columns(2)
    campaign = campaign_column.text_input(
        "Campaign name (optional)",
        value=str(held(CAMPAIGN)),
        key=CAMPAIGN,
        persist_state=KEEP,
        help="Sent to Acoustic as campaignName with every batch.",
    )
    ttl = ttl_column.number_input(
        "Expire after, minutes (optional)",
        value=held(TTL, None),  # type: ignore[arg-type]
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

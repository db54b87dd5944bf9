"""Scheduling on the pages: "when" in the send's confirmation (in the user's own time zone, with
its UTC offset), and a scheduled send's start, cancel and reschedule where its sender follows it
(Compose's progress panel, History)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from components.journal import SendRecord
from components.sending.schedules import Schedule, at_time, cancel, reschedule
from components.sending.worker import permission_to_send
from components.team.auth import Identity
from components.ui.local_time import local_time, user_zone
from components.ui.text import md

NOW, LATER = "Now", "At a date and time"


def when_to_send(batches: int, key: str = "send.when") -> Schedule | str | None:
    """The confirmation's "when": None to send now, a Schedule, or a message (str) saying what
    is wrong with the chosen time."""
    choice = st.radio("When", [NOW, LATER], horizontal=True, key=key)
    if choice == NOW:
        return None
    return chosen_time(batches, key)


def chosen_time(batches: int, key: str) -> Schedule | str:
    """A date and a time in the user's zone: the Schedule, or what is wrong with it."""
    zone = user_zone()
    soon = datetime.now(zone) + timedelta(hours=1)
    day_column, time_column = st.columns(2)
    day: date = day_column.date_input(
        "Date", value=soon.date(), min_value=soon.date() - timedelta(days=1), key=f"{key}.date"
    )
    clock: time = time_column.time_input(
        "Time", value=time(soon.hour, 0), step=timedelta(minutes=1), key=f"{key}.time"
    )
    chosen = datetime.combine(day, clock, tzinfo=zone)
    st.caption(f"In your time zone: {local_time(chosen.timestamp())}.")
    try:
        return at_time(chosen, batches)
    except ValueError as exc:
        return str(exc)


def schedule_panel(record: SendRecord, identity: Identity) -> None:
    """A send whose batches wait for their time: when it starts, and Cancel / Reschedule."""
    from components.ui.sending import permitted, worker

    if record.cancelled_at is not None:
        st.info(
            f"Cancelled by {md(record.cancelled_by or 'someone')} on "
            f"{local_time(record.cancelled_at)}: what was left of it is not sent.",
            icon=":material/cancel_schedule_send:",
        )
        return
    if not record.held or record.next_start is None:
        return
    st.info(
        f"Scheduled by {md(record.scheduled_by or record.created_by or 'someone')}: starts "
        f"{local_time(record.next_start)}. The console sends it then, whether or not anyone has "
        "it open; until then it can be cancelled or moved.",
        icon=":material/schedule_send:",
    )
    if not identity.may(permission_to_send(record.kind)):
        return
    with st.expander("Cancel or reschedule", icon=":material/edit_calendar:"):
        moved = chosen_time(1, key=f"schedule.{record.id}")
        if isinstance(moved, Schedule) and moved.starts_at is not None:
            target = datetime.fromtimestamp(moved.starts_at, UTC)
            if st.button("Reschedule", key=f"schedule.move.{record.id}") and permitted(
                lambda: reschedule(worker(), record.id, target, by=identity)
            ):
                st.rerun()
        elif isinstance(moved, str):
            st.warning(md(moved), icon=":material/event_busy:")
        if st.button(
            "Cancel the send", icon=":material/cancel:", key=f"schedule.cancel.{record.id}"
        ) and permitted(lambda: cancel(worker(), record.id, by=identity)):
            st.rerun()

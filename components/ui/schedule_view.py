"""Scheduling on the pages: "when" in the send's confirmation (in the user's own time zone, with
its UTC offset), and a waiting send's start, cancel and reschedule where its sender follows it
(Compose's progress panel, History), offered only to those the rule lets change it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from components.core.states import HoursChoice, ScheduleKind
from components.journal import SendRecord
from components.sending.hours import outlook
from components.sending.plan import HoursQuestion, SendChoices
from components.sending.schedules import HoursDecision, cancel, check_start, may_change, reschedule
from components.team.auth import Identity
from components.ui.local_time import local_time, user_zone
from components.ui.quiet_hours_choice import hours_choice
from components.ui.sending import permitted, worker
from components.ui.text import md

NOW, LATER = "Now", "At a date and time"


def when_to_send(key: str = "send.when") -> datetime | str | None:
    """The confirmation's "when": None to send now, the chosen instant, or a message (str)
    saying what is wrong with the chosen time."""
    choice = st.radio("When", [NOW, LATER], horizontal=True, key=key)
    if choice == NOW:
        return None
    return chosen_time(key)


def chosen_time(key: str) -> datetime | str:
    """A date and a time in the user's zone: the instant, or what is wrong with it."""
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
    st.caption(f"In your time zone: {local_time(chosen)}.")
    return check_start(chosen) or chosen


def _starts_words(record: SendRecord) -> str:
    start = local_time(record.next_start or 0)
    if record.scheduled_by:
        words = f"Scheduled by {md(record.scheduled_by)}: starts {start}."
        if record.schedule == ScheduleKind.WINDOWS:
            words += " Recipients outside their allowed hours then wait until their hours begin."
    else:
        words = f"Recipients outside their allowed hours wait for them: the next go out on {start}."
    return words + " The console sends them then, whether or not anyone has it open."


def schedule_panel(record: SendRecord, identity: Identity) -> None:
    """A send whose batches wait for their time: when it starts, and Cancel / Reschedule for
    those who may change it (its sender, an approver, an admin)."""
    if record.cancelled_at is not None:
        st.info(
            f"Cancelled by {md(record.cancelled_by or 'someone')} on "
            f"{local_time(record.cancelled_at)}: what was left of it is not sent.",
            icon=":material/cancel_schedule_send:",
        )
        return
    if not record.held or record.next_start is None:
        return
    st.info(_starts_words(record), icon=":material/schedule_send:")
    if not may_change(identity, record):
        st.caption(
            f"Only {md(record.created_by or 'its sender')}, an approver or an admin can move or "
            "cancel it."
        )
        return
    with st.expander("Cancel or reschedule", icon=":material/edit_calendar:"):
        key = f"schedule.{record.id}"
        moved = chosen_time(key)
        if isinstance(moved, str):
            st.warning(md(moved), icon=":material/event_busy:")
        else:
            _move(record, identity, moved, key)
        if st.button(
            "Cancel the send", icon=":material/cancel:", key=f"schedule.cancel.{record.id}"
        ) and permitted(lambda: cancel(worker().journal, record.id, by=identity)):
            st.rerun()


def _move(record: SendRecord, identity: Identity, when: datetime, key: str) -> None:
    """The hours question at the new time, then Reschedule."""
    send_worker = worker()
    ahead = outlook(send_worker.journal, record, send_worker.quiet_hours, when.astimezone(UTC))
    decision = HoursDecision()
    if ahead.outside:
        start, end = send_worker.quiet_hours.window(record.program)
        question = HoursQuestion(
            outside=ahead.outside,
            total=ahead.total,
            start=start,
            end=end,
            at=ahead.at,
            opening=ahead.opening,
            never_opens=ahead.never_opens,
        )
        answer = hours_choice(question, SendChoices(starts_at=when), key=f"{key}.hours")
        decision = HoursDecision(answer.hours, answer.hours_reason)
        if answer.hours is HoursChoice.ANYWAY and not answer.hours_reason.strip():
            st.caption("Reschedule appears once you say why it cannot wait.")
            return
    if st.button("Reschedule", key=f"schedule.move.{record.id}") and permitted(
        lambda: reschedule(
            send_worker.journal,
            record.id,
            when,
            by=identity,
            rule=send_worker.approval_rule,
            hours=decision,
        )
    ):
        st.rerun()

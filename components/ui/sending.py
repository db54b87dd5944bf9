"""Sending from the pages: the shared worker and journal, the confirmation, the test send and the
progress that refreshes itself while a job runs."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st

from components.acoustic import AcousticClient
from components.contacts.phone import normalize_phone
from components.core.connection import ConnectionSettings, configured_max_in_flight
from components.core.database_url import DatabaseURLError
from components.core.settings import console_settings
from components.core.states import ApprovalState
from components.guardrails.do_not_text import ListedRecipients, screen
from components.journal import DuplicateSendError, Journal, JournalUnavailable
from components.message.draft import Draft, Summary, payloads_for, summarize
from components.sending.background import ensure_scheduler, process_worker
from components.sending.confirmation import Confirmation, target_of
from components.sending.schedules import Schedule, ScheduleError
from components.sending.worker import SendCancelled, SendWorker, submit_send
from components.team.approvals import ApprovalError
from components.team.auth import Identity, PermissionDenied
from components.ui.connection import Connection, current_connection, journal_database
from components.ui.identity import current_approval_rule, current_identity
from components.ui.local_time import local_time
from components.ui.quiet_hours_choice import quiet_hours_choice
from components.ui.schedule_view import when_to_send
from components.ui.send_confirmation import (
    approval_reasons_note,
    show_confirmation,
)
from components.ui.text import md


def max_in_flight() -> int:
    return configured_max_in_flight(os.environ)


def confirm_above() -> int:
    """Sends to more recipients need the count typed (SMS_CONSOLE_CONFIRM_ABOVE)."""
    return console_settings(os.environ).confirm_above


def _connection_now() -> tuple[str, AcousticClient] | None:
    """The scheduler's connection: the console's, as the configuration says at this moment."""
    connection = current_connection()
    if connection.client is None:
        return None
    return connection.settings.mode, connection.client


def journal_location() -> str:
    """Where the journal is, as Settings shows it (the password masked), or why it is not."""
    try:
        return journal_database().shown
    except DatabaseURLError as exc:
        return str(exc)


def _shared_worker() -> SendWorker:
    """The process's worker; a journal that cannot be opened stops the page with the reason
    (nothing can be sent or looked up without it)."""
    try:
        settings = console_settings(os.environ)
        return process_worker(journal_database(), settings.max_in_flight, settings.lease_seconds)
    except (DatabaseURLError, JournalUnavailable) as exc:
        st.error(str(exc), icon=":material/database:")
        st.stop()


def worker() -> SendWorker:
    """The process's worker (one per journal file, shared by every session) with the approval
    rule in force, its scheduler running."""
    shared = _shared_worker()
    shared.approval_rule = current_approval_rule()  # the configuration's, as it is now
    ensure_scheduler(shared, _connection_now)
    return shared


def start_background_work() -> SendWorker:
    """The worker and its scheduler running: at the server's start (console.py), and at the top
    of every run of app.py (served without console.py, the first visit starts them)."""
    return worker()


def journal() -> Journal:
    """The journal alone: pages read it many times a run, and reading needs neither the
    approval rule (secrets) nor the scheduler."""
    return _shared_worker().journal


def acting_identity() -> Identity:
    """The session's identity, for the worker's own permission check (no identity: no role)."""
    return current_identity() or Identity(email="")


def permitted(action: Callable[[], object]) -> bool:
    """Runs `action` (a start of a send, a decision on one): True when it ran, False when the
    worker refused it for the role or for approval, which is then said on the page instead of
    crashing it."""
    try:
        action()
    except (PermissionDenied, ApprovalError, ScheduleError, SendCancelled) as exc:
        st.error(md(exc), icon=":material/block:")
        return False
    return True


@dataclass(frozen=True)
class SendPlan:
    """Everything the confirmation shows and the send needs."""

    settings: ConnectionSettings
    client: AcousticClient
    payloads: list[dict[str, Any]]
    content: str
    program: str
    defaults: dict[str, str]
    source: str
    recipients: int
    total_segments: int
    estimated_cost: float
    first_number: str
    first_text: str
    kind: str = "bulk"
    warnings: tuple[str, ...] = ()
    earlier_failures: int = 0
    schedule: Schedule | None = None  # chosen in the confirmation; None: now
    hours_override: str | None = None  # why it goes to recipients outside their hours anyway
    outside_hours: int = 0  # recipients outside their allowed hours when it starts
    frame: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    draft: Draft | None = field(default=None, compare=False, repr=False)
    left_out: int = 0  # recipients on the do-not-text list, left out before the plan was made

    @property
    def approval_reasons(self) -> list[str]:
        """Why this send needs a second person; empty when it does not."""
        return worker().approval_rule.reasons(
            kind=self.kind,
            mode=self.settings.mode,
            recipients=self.recipients,
            estimated_cost=self.estimated_cost,
        )

    def confirmation(self) -> Confirmation:
        return Confirmation(
            live=self.settings.is_real,
            target=target_of(
                live=self.settings.is_real, label=self.settings.label, base_url=self.client.base_url
            ),
            program=self.program,
            recipients=self.recipients,
            batches=len(self.payloads),
            segments=self.total_segments,
            estimated_cost=self.estimated_cost,
            sample_number=self.first_number,
            sample_text=self.first_text,
            kind=self.kind,
            warnings=self.warnings,
            earlier_failures=self.earlier_failures,
            approval_reasons=tuple(self.approval_reasons),
            starts_at=local_time(self.schedule.starts_at)
            if self.schedule and self.schedule.starts_at
            else None,
            left_out=self.left_out,
        )


def start_plan(plan: SendPlan, repeat_of: int | None) -> int | None:
    """Journals and starts (or asks approval for) the plan; None when the page said why not."""
    replaces = active_send_id()  # this session's earlier request, dropped if still pending
    try:
        send_id = submit_send(
            worker(),
            plan.client,
            kind=plan.kind,
            mode=plan.settings.mode,
            payloads=plan.payloads,
            content=plan.content,
            program=plan.program,
            defaults=plan.defaults,
            source=plan.source,
            by=acting_identity(),
            segments=plan.total_segments,
            estimated_cost=plan.estimated_cost,
            repeat_of=repeat_of,
            confirmation=plan.confirmation().to_json(),
            replaces=replaces,
            schedule=plan.schedule,
            hours_override=(plan.outside_hours, plan.hours_override)
            if plan.hours_override
            else None,
            left_out=plan.left_out,
        )
    except DuplicateSendError as exc:
        st.session_state["send.duplicate"] = exc.existing.id
        st.error(md(exc), icon=":material/content_copy:")
        return None
    except (PermissionDenied, ApprovalError, ListedRecipients) as exc:
        st.error(md(exc), icon=":material/block:")
        return None
    st.session_state[_ACTIVE] = send_id
    st.session_state.pop("send.duplicate", None)
    return send_id


DIALOG_FLAG = "send.dialog_open"
_ACTIVE = "send.active_id"


def active_send_id() -> int | None:
    """The send this session started last, whose progress Compose shows."""
    active = st.session_state.get(_ACTIVE)
    return None if active is None else int(active)


def open_confirmation() -> None:
    st.session_state[DIALOG_FLAG] = True


def close_confirmation() -> None:
    st.session_state[DIALOG_FLAG] = False


def confirmation_open() -> bool:
    return bool(st.session_state.get(DIALOG_FLAG))


@st.dialog("Confirm the send", width="large", on_dismiss=close_confirmation)
def confirm_send(plan: SendPlan) -> None:
    when = when_to_send(len(plan.payloads))
    if isinstance(when, Schedule):
        plan = replace(plan, schedule=when)
    hours = quiet_hours_choice(plan) if not isinstance(when, str) else plan
    if isinstance(hours, SendPlan):
        plan = hours
    confirmation = plan.confirmation()
    show_confirmation(confirmation)
    if confirmation.approval_reasons:
        approval_reasons_note(
            confirmation.approval_reasons, worker().approval_rule.expires_after_hours
        )

    previous = journal().find_duplicate(
        kind=plan.kind,
        mode=plan.settings.mode,
        base_url=plan.client.base_url,
        payloads=plan.payloads,
    )
    repeat_of = None
    if previous is not None and previous.approval is ApprovalState.PENDING:
        st.info(
            f"This exact send is already waiting for approval (send #{previous.id}): it goes out "
            "once an approver approves it. Nothing more to do here.",
            icon=":material/pending_actions:",
        )
        _open_in_history(previous.id)
        return
    if previous is not None:
        st.warning(
            f"This exact send (same message, program and recipients) was already started on "
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(previous.created_at))} "
            f"(send #{previous.id}, {previous.state(running=worker().is_running(previous.id))}). "
            "Sending it again delivers every SMS twice.",
            icon=":material/content_copy:",
        )
        if not st.checkbox("Send it again anyway", key="send.repeat_ok"):
            _open_in_history(previous.id)
            return
        repeat_of = previous.id
    if plan.recipients > confirm_above():
        typed = st.text_input(
            f"This is a large send. Type {plan.recipients} to confirm",
            key="send.typed_confirmation",
        )
        if typed.strip().replace(",", "") != str(plan.recipients):
            st.caption("The Send button appears once the number matches.")
            return
    if isinstance(when, str):
        st.warning(md(when), icon=":material/event_busy:")
        return
    if isinstance(hours, str):
        st.caption(md(hours))
        return
    verb = "Schedule" if plan.schedule else "Send"
    label = f"{verb} {plan.recipients:,} SMS" + ("" if plan.settings.is_real else " (sandbox)")
    if confirmation.approval_reasons:
        label = f"Ask for approval to send {plan.recipients:,} SMS"
    left, right = st.columns(2)
    confirmed = left.button(label, type="primary", icon=":material/send:", key="send.confirm")
    if confirmed and start_plan(plan, repeat_of) is not None:
        close_confirmation()
        st.rerun()
    if right.button("Cancel", key="send.cancel"):
        close_confirmation()
        st.rerun()


def _open_in_history(send_id: int) -> None:
    st.page_link(
        "pages/history.py",
        label=f"Open send #{send_id} in History",
        icon=":material/history:",
        query_params={"send": str(send_id)},
    )


def bulk_send_plan(
    connection: Connection,
    draft: Draft,
    recipients: pd.DataFrame,
    summary: Summary,
    *,
    kind: str = "bulk",
    left_out: int = 0,
) -> SendPlan:
    """`recipients` as `suppression.screen` left them; `left_out` how many it took out."""
    assert connection.client is not None
    failures = journal().earlier_failures() if kind != "test" else {}
    return SendPlan(
        settings=connection.settings,
        client=connection.client,
        payloads=payloads_for(recipients, draft),
        content=draft.content,
        program=draft.program.strip(),
        defaults=draft.used_defaults(),
        source=draft.source,
        recipients=len(recipients),
        total_segments=summary.statistics.total_segments,
        estimated_cost=summary.estimated_cost,
        first_number=str(recipients["phoneNumber"].iloc[0]),
        first_text=str(summary.rendered.texts.iloc[0]),
        kind=kind,
        warnings=tuple(
            f"{issue.message} {issue.fix}" for issue in summary.issues if issue.level != "error"
        ),
        earlier_failures=int(recipients["phoneNumber"].isin(failures.keys()).sum())
        if failures
        else 0,
        frame=recipients,
        draft=draft,
        left_out=left_out,
    )


def test_send_plan(
    connection: Connection, draft: Draft, raw_number: str, region: str, price: float = 0.0
) -> SendPlan:
    """A one-contact send with the same content and defaults; ValueError says what is missing
    (or that the number is on the do-not-text list: then nothing is sent)."""
    number = normalize_phone(raw_number, region)
    frame = pd.DataFrame({"phoneNumber": pd.Series([number], dtype="str")})
    if screen(journal(), frame).everyone_listed:
        raise ValueError(
            f"+{number} is on the do-not-text list, so no test goes to it and nothing was sent. "
            "Use another test number, or ask an admin to remove it from the list (Do not text)."
        )
    summary = summarize(frame, draft, price)
    if summary.blocking:
        first = summary.blocking[0]
        raise ValueError(f"The test cannot be sent: {first.message} {first.fix}")
    return bulk_send_plan(connection, draft, frame, summary, kind="test")

"""Sending from the pages: the process's worker and journal with the rules in force, the plan of
a send as the planner makes it from what the page has, and starting it. What a send will do is the
planner's (components/sending/plan.py); the widgets only ask the choices and show the plan."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from components.acoustic import AcousticClient
from components.core.database_url import DatabaseURLError
from components.core.settings import console_settings
from components.core.states import SendKind
from components.guardrails.do_not_text import ListedRecipients, listed_set
from components.journal import DuplicateSendError, Journal, JournalUnavailable
from components.message.draft import Draft, Summary
from components.notifications import Audience, NotificationSettings, parse_notifications
from components.sending.background import ensure_notifier, ensure_scheduler, process_worker
from components.sending.plan import Destination, Guardrails, SendChoices, SendPlan, plan_send
from components.sending.schedules import ScheduleError
from components.sending.submit import PlanNotReady, submit_send
from components.sending.worker import SendCancelled, SendWorker
from components.team.approvals import ApprovalError
from components.team.auth import Identity, PermissionDenied
from components.templates import TemplateVersion
from components.ui.connection import (
    Connection,
    current_connection,
    current_quiet_hours,
    journal_database,
    read_secrets,
)
from components.ui.identity import (
    auth_configured,
    current_approval_rule,
    current_identity,
    role_rules,
)
from components.ui.text import md


def confirm_above() -> int:
    """Sends to more recipients need the count typed (SMS_CONSOLE_CONFIRM_ABOVE)."""
    return console_settings(os.environ).confirm_above


def _connection_now() -> tuple[str, AcousticClient] | None:
    """The scheduler's connection: the console's, as the configuration says at this moment."""
    connection = current_connection()
    if connection.client is None:
        return None
    return connection.settings.mode, connection.client


def notification_settings() -> NotificationSettings | None:
    """`[console.notifications]` as the configuration says at this moment; None while a secrets
    file exists but cannot be read (being edited, say): the notifier then waits rather than take
    "nothing configured" for an answer."""
    secrets = read_secrets()
    if secrets is None and any(Path(f).is_file() for f in st.config.get_option("secrets.files")):
        return None
    return parse_notifications((secrets or {}).get("console"))


def _audience_now() -> Audience:
    secrets = read_secrets()
    return Audience.of(role_rules(secrets), local=not auth_configured(secrets))


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
    """The process's worker (one per journal, shared by every session) with the rules in force
    (approval, allowed hours) as the configuration says now, its scheduler running."""
    shared = _shared_worker()
    shared.approval_rule = current_approval_rule()
    shared.quiet_hours = current_quiet_hours()
    ensure_scheduler(
        shared, _connection_now, follow_hours=console_settings(os.environ).follow_hours
    )
    ensure_notifier(shared, notification_settings, _audience_now)
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
    worker refused it for the role, approval or schedule, which is then said on the page
    instead of crashing it."""
    try:
        action()
    except (PermissionDenied, ApprovalError, ScheduleError, SendCancelled) as exc:
        st.error(md(exc), icon=":material/block:")
        return False
    return True


# -- the plan ------------------------------------------------------------------------------------


def guardrails() -> Guardrails:
    """The rules a plan is made under, as they are now."""
    return Guardrails(
        listed=listed_set(journal()),
        quiet_hours=current_quiet_hours(),
        approval_rule=current_approval_rule(),
    )


def destination(connection: Connection) -> Destination:
    settings = connection.settings
    base_url = connection.client.base_url if connection.client else (settings.base_url or "")
    return Destination(mode=settings.mode, label=settings.label, base_url=base_url)


def make_plan(
    connection: Connection,
    recipients: pd.DataFrame,
    draft: Draft,
    choices: SendChoices,
    *,
    kind: SendKind = SendKind.BULK,
    price: float = 0.0,
    summary: Summary | None = None,
    template: TemplateVersion | None = None,
    language_column: str | None = None,
) -> SendPlan:
    """The planner's plan of this send, from what the page has and the rules in force;
    `template`, the version the draft started from."""
    failures = journal().earlier_failures() if kind is SendKind.BULK else None
    return plan_send(
        recipients,
        draft,
        actor=acting_identity(),
        destination=destination(connection),
        guardrails=guardrails(),
        choices=replace(choices, language_column=language_column),
        kind=kind,
        price_per_segment=price,
        earlier_failures=failures,
        summary=summary,
        template=template,
    )


def start_plan(plan: SendPlan, client: AcousticClient) -> int | None:
    """Journals and starts (or asks approval for) the plan; None when the page said why not."""
    replaces = active_send_id()  # this session's earlier request, dropped if still pending
    try:
        send_id = submit_send(worker(), client, plan, replaces=replaces)
    except DuplicateSendError as exc:
        st.session_state["send.duplicate"] = exc.existing.id
        st.error(md(exc), icon=":material/content_copy:")
        return None
    except (PermissionDenied, ApprovalError, ListedRecipients, PlanNotReady) as exc:
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

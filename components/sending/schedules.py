"""Scheduled sends: batches journaled with the instant before which they must not go out, and the
rule for changing a send that has not started.

Moving or cancelling a planned send is a decision of its own: only its sender, an approver or an
admin may take it. Moving an approved send asks for approval again unless an approver (other than
its sender) moves it, and the new time meets the recipients' hours as the send chose, or as the
mover chooses then. Every change is in the audit log with who made it. The scheduler
(components/sending/scheduler.py) starts what has come due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from components.core.states import ApprovalState, HoursChoice, ScheduleKind
from components.core.times import utc_text
from components.core.unicode_text import has_words
from components.journal import AuditAction, Journal, SendRecord
from components.team.approval_rules import ApprovalRule
from components.team.approvals import ask_again, asked_by
from components.team.auth import Identity, Permission, is_author, permission_to_send

MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class Schedule:
    """When each batch of a send may go out: `not_before[i]` for batch i (None: at once)."""

    kind: ScheduleKind
    not_before: tuple[float | None, ...]

    @property
    def starts_at(self) -> float | None:
        held = [t for t in self.not_before if t is not None]
        return min(held) if held else None

    def details(self) -> dict[str, object]:
        """For the audit log: how, from when, and how many batches wait."""
        start = self.starts_at
        return {
            "schedule": str(self.kind),
            "starts_at": utc_text(start) if start is not None else None,
            "held_batches": sum(1 for t in self.not_before if t is not None),
        }


def check_start(when: datetime, *, now: datetime | None = None) -> str | None:
    """What is wrong with `when` as a send's start, in words for the page; None when it will do
    (aware, in the future, within a year)."""
    if when.tzinfo is None:
        return "The time of a scheduled send needs its time zone."
    now = now or datetime.now(UTC)
    if when <= now:
        return "That time has passed: choose a time in the future, or send now instead."
    if (when - now).days > MAX_DAYS_AHEAD:
        return "A send can be scheduled at most a year ahead."
    return None


def at_time(when: datetime, batches: int, *, now: datetime | None = None) -> Schedule:
    """Every batch at `when` (aware). ValueError, in words for the page, when it will not do."""
    problem = check_start(when, now=now)
    if problem:
        raise ValueError(problem)
    return Schedule(ScheduleKind.AT, (when.timestamp(),) * batches)


# -- changing a send that waits ---------------------------------------------------------------


class ScheduleError(Exception):
    """A schedule that cannot be changed; the message says why."""


def may_change(by: Identity, record: SendRecord) -> bool:
    """Its sender (who may still send), an approver or an admin: the one rule the pages follow
    to offer Reschedule and Cancel, and the one these functions check."""
    if by.may(Permission.APPROVE):
        return True
    return by.may(permission_to_send(record.kind)) and is_author(by, record.created_by)


def _changeable(journal: Journal, send_id: int, by: Identity) -> SendRecord:
    record = journal.get_send(send_id)
    if record is None:
        raise ScheduleError(f"There is no send #{send_id} in the journal.")
    if not may_change(by, record):
        raise ScheduleError(
            f"Only {record.created_by or 'its sender'}, who made send #{send_id}, an approver "
            "or an admin may move or cancel it."
        )
    if record.cancelled_at is not None:
        raise ScheduleError(f"Send #{send_id} is cancelled already.")
    if not record.held:
        raise ScheduleError(
            f"Nothing of send #{send_id} is waiting for its time any more: it has started."
        )
    return record


def cancel(journal: Journal, send_id: int, *, by: Identity) -> int:
    """Cancels what of a waiting send has not gone out (a request for its approval that still
    waits is withdrawn with it). Returns how many batches it held."""
    record = _changeable(journal, send_id, by)
    held = journal.cancel_send(send_id, by=by.actor)
    if not held:
        return 0
    approval = journal.latest_approval(send_id)
    if approval is not None and approval.state is ApprovalState.PENDING:
        journal.decide_approval(
            approval.id, ApprovalState.WITHDRAWN, by=by.actor, note="the send was cancelled"
        )
    journal.record_audit(
        by.actor,
        AuditAction.SEND_CANCELLED,
        send_id=record.id,
        details={"batches": held, "scheduled_by": record.scheduled_by or record.created_by},
    )
    return held


@dataclass(frozen=True)
class HoursDecision:
    """What a move chose for the recipients outside their hours at the new time (None: as the
    send chose before), and why it cannot wait when it goes anyway."""

    choice: HoursChoice | None = None
    reason: str = ""


def reschedule(
    journal: Journal,
    send_id: int,
    when: datetime,
    *,
    by: Identity,
    rule: ApprovalRule,
    hours: HoursDecision = HoursDecision(),
) -> int:
    """Moves every waiting batch of a send to `when`. Returns how many moved.

    An approved send moved by anyone but an approver other than its sender waits for approval
    again (under `rule`, the approval rule in force). `hours` is the mover's answer
    to the hours question at the new time; the worker holds whoever is outside then as it says.
    """
    record = _changeable(journal, send_id, by)
    moved = at_time(when, 1).not_before[0]
    assert moved is not None
    if hours.choice is HoursChoice.ANYWAY and not has_words(hours.reason):
        raise ScheduleError("Say why it cannot wait for the recipients' hours.")
    count = journal.reschedule_send(send_id, moved)
    if not count:
        return 0
    details: dict[str, object] = {"starts_at": utc_text(moved), "batches": count}
    approval = journal.latest_approval(send_id)
    if approval is not None and approval.state in (ApprovalState.APPROVED, ApprovalState.PENDING):
        approver = by.may(Permission.APPROVE) and not asked_by(by, approval)
        if approval.state is ApprovalState.PENDING or not approver:
            shown = dict(approval.confirmation) | {"starts_at": moved}
            ask_again(
                journal,
                record,
                by=by,
                rule=rule,
                why=f"moved by {by.actor}",
                confirmation=shown,
            )
            details["approval"] = "asked again"
        else:
            details["approval"] = "kept: moved by an approver"
    if hours.choice is not None:
        reason = " ".join(hours.reason.split()) if hours.choice is HoursChoice.ANYWAY else None
        journal.set_hours_choice(send_id, hours.choice, reason=reason, by=by.actor)
        details["hours"] = str(hours.choice)
        if reason:
            journal.record_audit(
                by.actor,
                AuditAction.QUIET_HOURS_OVERRIDDEN,
                send_id=send_id,
                details={"reason": reason, "moved": True},
            )
    journal.record_audit(by.actor, AuditAction.SEND_RESCHEDULED, send_id=send_id, details=details)
    return count

"""What the journal gives back, and the one query that reads sends with their batches counted."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from components.core.states import (
    ApprovalState,
    BatchState,
    Cause,
    HoursChoice,
    SendState,
    send_state,
)
from components.core.times import utc_text
from components.journal.tables import approvals, batches, sends


@dataclass(frozen=True)
class SendRecord:
    id: int
    fingerprint: str
    kind: str
    mode: str
    base_url: str
    program: str
    content: str
    defaults: dict[str, str]
    source: str | None
    created_by: str | None
    created_at: float
    recipients: int
    segments: int | None
    estimated_cost: float | None
    repeat_of: int | None
    batch_states: dict[BatchState, int] = field(default_factory=dict)
    interrupted: int = 0  # unknown batches cut off by a stop of the console
    approval: ApprovalState | None = None  # its latest request for approval, if it needed one
    schedule: str | None = None  # "at" (a chosen time) or "windows" (each recipient's window)
    scheduled_by: str | None = None
    cancelled_at: float | None = None
    cancelled_by: str | None = None
    next_start: float | None = None  # the earliest planned batch's time, when it is held
    hours_choice: HoursChoice | None = None  # None: each recipient waits for their hours
    hours_reason: str | None = None  # why it goes outside the hours anyway
    hours_by: str | None = None  # who said so
    template_id: int | None = None  # the template version it came from, unchanged
    template_name: str | None = None
    template_version: int | None = None

    @property
    def template_label(self) -> str | None:
        """ "One-time code v3" for a send from that version, unchanged; None otherwise."""
        if self.template_name is None or self.template_version is None:
            return None
        return f"{self.template_name} v{self.template_version}"

    @property
    def hours(self) -> HoursChoice:
        """What the worker does with recipients outside their allowed hours."""
        return self.hours_choice or HoursChoice.EACH_WHEN_OPEN

    @property
    def held(self) -> bool:
        """Planned batches wait for their time (the scheduler starts them)."""
        return self.next_start is not None and self.cancelled_at is None

    def state(self, *, running: bool) -> SendState:
        """One word for the send; only the worker knows whether it is `running`."""
        return send_state(
            self.batch_states,
            running=running,
            interrupted=self.interrupted,
            approval=self.approval,
            scheduled=self.held,
            cancelled=self.cancelled_at is not None,
        )


@dataclass(frozen=True)
class BatchRecord:
    id: int
    send_id: int
    index: int
    state: BatchState
    contacts: int
    transaction_id: str | None
    status_code: int | None
    error: str | None  # the client's message, safe to show
    attempts: int
    updated_at: float
    not_before: float | None = None  # not sent before this instant (a scheduled send)
    cause: Cause | None = None  # None in batches journaled before causes were kept
    api_messages: tuple[str, ...] = ()  # Acoustic's own words, as it sent them
    owner: str | None = None  # the replica (host:pid:start) that claimed it last
    # Numbers (the API's form) left out of its request: on the do-not-text list when it went out.
    left_out: tuple[str, ...] = ()
    # Numbers kept back for their allowed hours (they went into batches of their own).
    held_out: tuple[str, ...] = ()
    split_from: int | None = None  # the batch whose recipients this one holds, if any


@dataclass(frozen=True)
class Snapshot:
    transaction_id: str
    taken_at: float
    found: bool
    total: int
    processed: int
    contacts: list[dict[str, Any]]
    errors: list[str]


class DuplicateSendError(Exception):
    """The same content to the same recipients was already journaled: never a second job."""

    def __init__(self, existing: SendRecord) -> None:
        super().__init__(
            f"This exact send (same message, program and recipients) was already started on "
            f"{utc_text(existing.created_at)} (send #{existing.id}). Open it in History instead "
            "of sending it again."
        )
        self.existing = existing


def _batch_counts(send_ids: sa.Select[Any]) -> sa.Subquery:
    """The batches of the chosen sends counted by state, with the earliest held start."""
    b = batches.c
    counted = [
        sa.func.count(sa.case((b.state == state.value, 1))).label(f"n_{state.value}")
        for state in BatchState
    ]
    interrupted = sa.and_(b.state == BatchState.UNKNOWN.value, b.cause == Cause.INTERRUPTED.value)
    return (
        sa.select(
            b.send_id,
            *counted,
            sa.func.count(sa.case((interrupted, 1))).label("n_interrupted"),
            sa.func.min(sa.case((b.state == BatchState.PLANNED.value, b.not_before))).label(
                "next_start"
            ),
        )
        .where(b.send_id.in_(send_ids))
        .group_by(b.send_id)
        .subquery("n")
    )


def effective_approval_state(
    state: sa.ColumnElement[Any], expires_at: sa.ColumnElement[Any], now: float
) -> sa.ColumnElement[Any]:
    """A pending request past its time reads as expired at once, before anything marks it so."""
    return sa.case(
        (
            sa.and_(state == ApprovalState.PENDING.value, expires_at <= now),
            ApprovalState.EXPIRED.value,
        ),
        else_=state,
    )


def select_sends(
    conn: sa.Connection,
    where: sa.ColumnElement[bool] | None = None,
    *,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[SendRecord]:
    """Sends matching `where` (on the sends table) with their batches counted by state, in one
    statement however many sends there are."""
    s = sends.c
    order = (s.created_at.desc(), s.id.desc()) if newest_first else (s.id,)
    chosen = sa.select(sends)
    if where is not None:
        chosen = chosen.where(where)
    # A CTE, read twice (the rows and their batches' counts) but evaluated once: as a subquery
    # PostgreSQL ran its filter twice, a search's scan of every payload included.
    picked = chosen.order_by(*order).limit(limit).cte("s")
    counts = _batch_counts(sa.select(picked.c.id))
    a = approvals.c
    latest_approval = (
        sa.select(effective_approval_state(a.state, a.expires_at, time.time()))
        .where(a.send_id == picked.c.id)
        .order_by(a.id.desc())
        .limit(1)
        .scalar_subquery()
        .label("approval_state")
    )
    count_columns = [c for c in counts.c if c.key != "send_id"]
    query = (
        sa.select(picked, *count_columns, latest_approval)
        .select_from(picked.outerjoin(counts, counts.c.send_id == picked.c.id))
        .order_by(
            *((picked.c.created_at.desc(), picked.c.id.desc()) if newest_first else (picked.c.id,))
        )
    )
    return [_send(row) for row in conn.execute(query).mappings()]


_SEND_COLUMNS = (
    "id",
    "fingerprint",
    "kind",
    "mode",
    "base_url",
    "program",
    "content",
    "source",
    "created_by",
    "created_at",
    "recipients",
    "segments",
    "estimated_cost",
    "repeat_of",
    "schedule",
    "scheduled_by",
    "cancelled_at",
    "cancelled_by",
    "next_start",
    "hours_reason",
    "hours_by",
    "template_id",
    "template_name",
    "template_version",
)
_BATCH_COLUMNS = (
    "id",
    "send_id",
    "contacts",
    "transaction_id",
    "status_code",
    "error",
    "attempts",
    "updated_at",
    "not_before",
    "owner",
    "split_from",
)


def _send(row: sa.RowMapping) -> SendRecord:
    return SendRecord(
        **{name: row[name] for name in _SEND_COLUMNS},
        defaults=json.loads(row["defaults_json"] or "{}"),
        batch_states={s: row[f"n_{s.value}"] for s in BatchState if row[f"n_{s.value}"]},
        interrupted=row["n_interrupted"] or 0,
        approval=ApprovalState(row["approval_state"]) if row["approval_state"] else None,
        hours_choice=_hours_choice(row["hours_choice"]),
    )


def _hours_choice(value: str | None) -> HoursChoice | None:
    try:
        return HoursChoice(value) if value else None
    except ValueError:  # a newer console's choice: the safe reading
        return None


def select_batch_records() -> sa.Select[Any]:
    """The columns a BatchRecord holds: not the payload (up to 1,000 contacts, ~80 kB), which
    only batch_payload reads, when a batch is sent or its contacts are shown."""
    return sa.select(*(column for column in batches.c if column.key != "payload_json"))


def batch_from_row(row: sa.RowMapping) -> BatchRecord:
    return BatchRecord(
        **{name: row[name] for name in _BATCH_COLUMNS},
        index=row["idx"],
        state=BatchState(row["state"]),
        cause=_cause(row["cause"]),
        api_messages=tuple(json.loads(row["api_messages_json"] or "[]")),
        left_out=tuple(json.loads(row["left_out_json"] or "[]")),
        held_out=tuple(json.loads(row["held_out_json"] or "[]")),
    )


def _cause(value: str | None) -> Cause | None:
    """A cause this version knows; a newer console's, or none, reads as None."""
    try:
        return Cause(value) if value else None
    except ValueError:
        return None

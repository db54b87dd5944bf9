"""What the journal gives back, and the one query that reads sends with their batches counted."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from components.states import ApprovalState, BatchState, Cause, SendState, send_state


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
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(existing.created_at))} "
            f"(send #{existing.id}). Open it in History instead of sending it again."
        )
        self.existing = existing


_COUNTS = ", ".join(
    f"COUNT(CASE WHEN b.state = '{state.value}' THEN 1 END) AS n_{state.value}"
    for state in BatchState
)
_INTERRUPTED = (
    f"COUNT(CASE WHEN b.state = '{BatchState.UNKNOWN.value}' "
    f"AND b.cause = '{Cause.INTERRUPTED.value}' THEN 1 END) AS n_interrupted"
)
# The now of SQLite in Unix seconds, as time.time() gives it in Python.
NOW_SQL = "((julianday('now') - 2440587.5) * 86400.0)"
# A pending request past its time reads as expired at once, before anything marks it so.
_APPROVAL = f"""(SELECT CASE WHEN a.state = '{ApprovalState.PENDING.value}'
        AND a.expires_at <= {NOW_SQL} THEN '{ApprovalState.EXPIRED.value}' ELSE a.state END
    FROM approvals a WHERE a.send_id = s.id ORDER BY a.id DESC LIMIT 1) AS approval_state"""
_NEXT_START = (
    f"MIN(CASE WHEN b.state = '{BatchState.PLANNED.value}' THEN b.not_before END) AS next_start"
)


def select_sends(
    conn: sqlite3.Connection,
    where: str = "",
    params: Sequence[Any] = (),
    *,
    newest_first: bool = False,
    limit: int = -1,
) -> list[SendRecord]:
    """Sends matching `where` (on `s`, the sends table) with their batches counted by state, in
    one statement however many sends there are."""
    order = "ORDER BY s.created_at DESC, s.id DESC" if newest_first else "ORDER BY s.id"
    rows = conn.execute(
        f"""SELECT s.*, {_COUNTS}, {_INTERRUPTED}, {_APPROVAL}, {_NEXT_START}
            FROM (SELECT * FROM sends s {f"WHERE {where}" if where else ""} {order} LIMIT ?) s
            LEFT JOIN batches b ON b.send_id = s.id
            GROUP BY s.id {order}""",
        (*params, limit),
    ).fetchall()
    return [_send(row) for row in rows]


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
)


def _send(row: sqlite3.Row) -> SendRecord:
    return SendRecord(
        **{name: row[name] for name in _SEND_COLUMNS},
        defaults=json.loads(row["defaults_json"] or "{}"),
        batch_states={s: row[f"n_{s.value}"] for s in BatchState if row[f"n_{s.value}"]},
        interrupted=row["n_interrupted"],
        approval=ApprovalState(row["approval_state"]) if row["approval_state"] else None,
    )


def batch_from_row(row: sqlite3.Row) -> BatchRecord:
    return BatchRecord(
        **{name: row[name] for name in _BATCH_COLUMNS},
        index=row["idx"],
        state=BatchState(row["state"]),
        cause=_cause(row["cause"]),
        api_messages=tuple(json.loads(row["api_messages_json"] or "[]")),
    )


def _cause(value: str | None) -> Cause | None:
    """A cause this version knows; a newer console's, or none, reads as None."""
    try:
        return Cause(value) if value else None
    except ValueError:
        return None

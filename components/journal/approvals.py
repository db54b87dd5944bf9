"""Requests for approval of sends: asked for, then approved, rejected, withdrawn or expired, each
step one conditional UPDATE so that two approvers clicking at once decide it once."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.journal.base import JournalBase
from components.journal.records import NOW_SQL
from components.states import ApprovalState

_EFFECTIVE_STATE = f"""CASE WHEN state = '{ApprovalState.PENDING.value}' AND expires_at <= {NOW_SQL}
    THEN '{ApprovalState.EXPIRED.value}' ELSE state END"""


@dataclass(frozen=True)
class ApprovalRecord:
    """One request. `state` reads "expired" as soon as a pending request's time is over."""

    id: int
    send_id: int
    state: ApprovalState
    requested_by: str
    requested_at: float
    expires_at: float
    digest: str
    reasons: list[str] = field(default_factory=list)
    confirmation: dict[str, Any] = field(default_factory=dict)
    decided_by: str | None = None
    decided_at: float | None = None
    note: str | None = None


def _approval(row: sqlite3.Row) -> ApprovalRecord:
    return ApprovalRecord(
        id=row["id"],
        send_id=row["send_id"],
        state=ApprovalState(row["effective_state"]),
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        expires_at=row["expires_at"],
        digest=row["digest"],
        reasons=json.loads(row["reasons_json"] or "[]"),
        confirmation=json.loads(row["confirmation_json"] or "{}"),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        note=row["note"],
    )


_SELECT = f"SELECT *, {_EFFECTIVE_STATE} AS effective_state FROM approvals"


def _digest(conn: sqlite3.Connection, send_id: int) -> str:
    digest = hashlib.sha256()
    for (text,) in conn.execute(
        "SELECT payload_json FROM batches WHERE send_id = ? ORDER BY idx", (send_id,)
    ):
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class ApprovalRequests(JournalBase):
    def request_approval(
        self,
        send_id: int,
        *,
        requested_by: str,
        expires_at: float,
        reasons: Sequence[str],
        confirmation: Mapping[str, Any],
    ) -> ApprovalRecord:
        """A new pending request for a journaled send, with the digest of its request bodies."""
        with self._write() as conn:
            cursor = conn.execute(
                """INSERT INTO approvals (send_id, state, requested_by, requested_at,
                       expires_at, digest, reasons_json, confirmation_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    send_id,
                    ApprovalState.PENDING,
                    requested_by,
                    time.time(),
                    expires_at,
                    _digest(conn, send_id),
                    json.dumps(list(reasons), ensure_ascii=False),
                    json.dumps(dict(confirmation), ensure_ascii=False),
                ),
            )
            row = conn.execute(f"{_SELECT} WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _approval(row)

    def payload_digest(self, send_id: int) -> str:
        """The digest of the send's request bodies as the journal holds them now."""
        with self._connection() as conn:
            return _digest(conn, send_id)

    def latest_approval(self, send_id: int) -> ApprovalRecord | None:
        with self._connection() as conn:
            row = conn.execute(
                f"{_SELECT} WHERE send_id = ? ORDER BY id DESC LIMIT 1", (send_id,)
            ).fetchone()
        return _approval(row) if row else None

    def get_approval(self, approval_id: int) -> ApprovalRecord | None:
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (approval_id,)).fetchone()
        return _approval(row) if row else None

    def approvals(
        self, states: Sequence[ApprovalState] | None = None, *, limit: int = 200
    ) -> list[ApprovalRecord]:
        """Requests, newest first; `states` as they read now (a request past its time is
        expired)."""
        where = ""
        params: list[object] = []
        if states is not None:
            where = f"WHERE {_EFFECTIVE_STATE} IN ({','.join('?' for _ in states)})"
            params = [str(state) for state in states]
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT} {where} ORDER BY requested_at DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [_approval(row) for row in rows]

    def pending_approval_count(self, *, not_requested_by: str = "") -> int:
        """Requests waiting now; those of `not_requested_by` left out (nobody decides their
        own)."""
        with self._connection() as conn:
            row = conn.execute(
                f"""SELECT COUNT(*) FROM approvals WHERE {_EFFECTIVE_STATE} = ?
                    AND lower(requested_by) <> lower(?)""",
                (ApprovalState.PENDING, not_requested_by),
            ).fetchone()
        return int(row[0])

    def decide_approval(
        self,
        approval_id: int,
        state: ApprovalState,
        *,
        by: str | None,
        note: str | None = None,
        now: float | None = None,
    ) -> bool:
        """pending -> `state`, only while it is pending and not past its time (an expiry is
        written after it). False when another decision came first. A request that will never be
        approved frees its send's fingerprint: the same send may be asked for again."""
        if state is ApprovalState.PENDING:
            raise ValueError("A decision moves a request out of pending.")
        now = time.time() if now is None else now
        still_open = "expires_at <= ?" if state is ApprovalState.EXPIRED else "expires_at > ?"
        with self._write() as conn:
            cursor = conn.execute(
                f"""UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, note = ?
                    WHERE id = ? AND state = ? AND {still_open}""",
                (state, by, now, note, approval_id, ApprovalState.PENDING, now),
            )
            if cursor.rowcount != 1:
                return False
            if state.closed:
                conn.execute(
                    """UPDATE sends SET fingerprint = fingerprint || ':closed:' || ?
                       WHERE id = (SELECT send_id FROM approvals WHERE id = ?)""",
                    (approval_id, approval_id),
                )
            return True

    def due_expiries(self, now: float | None = None) -> list[ApprovalRecord]:
        """Pending requests whose time is over and that are not yet marked expired."""
        now = time.time() if now is None else now
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE state = ? AND expires_at <= ? ORDER BY id",
                (ApprovalState.PENDING, now),
            ).fetchall()
        return [_approval(row) for row in rows]

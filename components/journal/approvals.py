"""Requests for approval of sends: asked for, then approved, rejected, withdrawn or expired, each
step one conditional UPDATE so that two approvers clicking at once decide it once."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from components.core.states import ApprovalState
from components.journal.base import JournalBase
from components.journal.records import effective_approval_state
from components.journal.tables import approvals, batches, sends


def _effective_state() -> sa.ColumnElement[Any]:
    """The state as it reads now: a pending request past its time is expired."""
    return effective_approval_state(approvals.c.state, approvals.c.expires_at, time.time())


def _select() -> sa.Select[Any]:
    return sa.select(approvals, _effective_state().label("effective_state"))


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
    requested_subject: str | None = None  # the sign-in provider's subject claim, if any


def _approval(row: sa.RowMapping) -> ApprovalRecord:
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
        requested_subject=row["requested_subject"],
    )


def _digest(conn: sa.Connection, send_id: int) -> str:
    digest = hashlib.sha256()
    for text in conn.execute(
        sa.select(batches.c.payload_json)
        .where(batches.c.send_id == send_id, batches.c.split_from.is_(None))
        .order_by(batches.c.idx)
    ).scalars():
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
        requested_subject: str | None = None,
    ) -> ApprovalRecord:
        """A new pending request for a journaled send, with the digest of its request bodies."""
        with self._write() as conn:
            approval_id = conn.execute(
                sa.insert(approvals)
                .values(
                    send_id=send_id,
                    state=ApprovalState.PENDING.value,
                    requested_by=requested_by,
                    requested_subject=requested_subject or None,
                    requested_at=time.time(),
                    expires_at=expires_at,
                    digest=_digest(conn, send_id),
                    reasons_json=json.dumps(list(reasons), ensure_ascii=False),
                    confirmation_json=json.dumps(dict(confirmation), ensure_ascii=False),
                )
                .returning(approvals.c.id)
            ).scalar_one()
            row = conn.execute(_select().where(approvals.c.id == approval_id)).mappings().one()
        return _approval(row)

    def payload_digest(self, send_id: int) -> str:
        """The digest of the send's request bodies as the journal holds them now."""
        with self._connection() as conn:
            return _digest(conn, send_id)

    def latest_approval(self, send_id: int) -> ApprovalRecord | None:
        with self._connection() as conn:
            row = (
                conn.execute(
                    _select()
                    .where(approvals.c.send_id == send_id)
                    .order_by(approvals.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return _approval(row) if row else None

    def get_approval(self, approval_id: int) -> ApprovalRecord | None:
        with self._connection() as conn:
            row = conn.execute(_select().where(approvals.c.id == approval_id)).mappings().first()
        return _approval(row) if row else None

    def approvals(
        self, states: Sequence[ApprovalState] | None = None, *, limit: int = 200
    ) -> list[ApprovalRecord]:
        """Requests, newest first; `states` as they read now (a request past its time is
        expired)."""
        query = _select()
        if states is not None:
            query = query.where(_effective_state().in_([str(state) for state in states]))
        query = query.order_by(approvals.c.requested_at.desc(), approvals.c.id.desc()).limit(limit)
        with self._connection() as conn:
            rows = conn.execute(query).mappings().all()
        return [_approval(row) for row in rows]

    def decide_approval(
        self,
        approval_id: int,
        state: ApprovalState,
        *,
        by: str | None,
        note: str | None = None,
        now: float | None = None,
        superseded: bool = False,
    ) -> bool:
        """pending -> `state`, only while it is pending and not past its time (an expiry is
        written after it). False when another decision came first. A request that will never be
        approved frees its send's fingerprint: the same send may be asked for again; one
        `superseded` by a new request for the same send does not (the send stays)."""
        if state is ApprovalState.PENDING:
            raise ValueError("A decision moves a request out of pending.")
        now = time.time() if now is None else now
        a = approvals.c
        still_open = a.expires_at <= now if state is ApprovalState.EXPIRED else a.expires_at > now
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(approvals)
                .where(a.id == approval_id, a.state == ApprovalState.PENDING.value, still_open)
                .values(state=state.value, decided_by=by, decided_at=now, note=note)
            )
            if cursor.rowcount != 1:
                return False
            if state.closed and not superseded:
                of_request = sa.select(a.send_id).where(a.id == approval_id).scalar_subquery()
                conn.execute(
                    sa.update(sends)
                    .where(sends.c.id == of_request)
                    .values(fingerprint=sends.c.fingerprint + f":closed:{approval_id}")
                )
            return True

    def due_expiries(self, now: float | None = None) -> list[ApprovalRecord]:
        """Pending requests whose time is over and that are not yet marked expired."""
        now = time.time() if now is None else now
        with self._connection() as conn:
            rows = (
                conn.execute(
                    _select()
                    .where(
                        approvals.c.state == ApprovalState.PENDING.value,
                        approvals.c.expires_at <= now,
                    )
                    .order_by(approvals.c.id)
                )
                .mappings()
                .all()
            )
        return [_approval(row) for row in rows]

"""Scheduled sends in the journal: which sends have batches due, cancelling what has not gone out
and moving what waits to another time. The scheduler (components/sending/schedules.py) asks
these."""

from __future__ import annotations

import time

import sqlalchemy as sa

from components.core.states import BatchState
from components.journal.base import JournalBase
from components.journal.tables import batches, sends


def _held() -> sa.ColumnElement[bool]:
    return sa.and_(
        batches.c.state == BatchState.PLANNED.value,
        batches.c.not_before.is_not(None),
        sends.c.cancelled_at.is_(None),
    )


class ScheduledSends(JournalBase):
    def due_sends(self, now: float | None = None) -> list[int]:
        """Sends, not cancelled, with a held batch whose time has come, oldest time first."""
        now = time.time() if now is None else now
        b = batches.c
        due = sa.func.min(b.not_before).label("due")
        query = (
            sa.select(b.send_id, due)
            .join(sends, sends.c.id == b.send_id)
            .where(_held(), b.not_before <= now)
            .group_by(b.send_id)
            .order_by(due, b.send_id)
        )
        with self._connection() as conn:
            return [int(row.send_id) for row in conn.execute(query)]

    def next_due_at(self) -> float | None:
        """When the earliest held batch of a send that is not cancelled comes due."""
        query = (
            sa.select(sa.func.min(batches.c.not_before))
            .join(sends, sends.c.id == batches.c.send_id)
            .where(_held())
        )
        with self._connection() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else float(found)

    def cancel_send(self, send_id: int, *, by: str) -> int:
        """Cancels what of the send has not gone out: its planned batches are never sent.
        Returns how many were held back (0: nothing was left, or it was cancelled already)."""
        b = batches.c
        with self._write() as conn:
            planned = conn.execute(
                sa.select(sa.func.count())
                .select_from(batches)
                .where(b.send_id == send_id, b.state == BatchState.PLANNED.value)
            ).scalar_one()
            if not planned:
                return 0
            cursor = conn.execute(
                sa.update(sends)
                .where(sends.c.id == send_id, sends.c.cancelled_at.is_(None))
                .values(cancelled_at=time.time(), cancelled_by=by)
            )
            return int(planned) if cursor.rowcount else 0

    def reschedule_send(self, send_id: int, at: float) -> int:
        """Moves every held batch of a send that is not cancelled to `at`. Returns how many."""
        b = batches.c
        not_cancelled = (
            sa.select(sends.c.cancelled_at).where(sends.c.id == send_id).scalar_subquery()
        )
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(batches)
                .where(
                    b.send_id == send_id,
                    b.state == BatchState.PLANNED.value,
                    b.not_before.is_not(None),
                    not_cancelled.is_(None),
                )
                .values(not_before=at, updated_at=time.time())
            )
            return cursor.rowcount

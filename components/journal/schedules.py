"""Scheduled sends in the journal: which sends have batches due, cancelling what has not gone out
and moving what waits to another time. The scheduler (components/schedules.py) asks these."""

from __future__ import annotations

import time

from components.journal.base import JournalBase
from components.states import BatchState

_HELD = f"""b.state = '{BatchState.PLANNED.value}' AND b.not_before IS NOT NULL"""


class ScheduledSends(JournalBase):
    def due_sends(self, now: float | None = None) -> list[int]:
        """Sends, not cancelled, with a held batch whose time has come, oldest time first."""
        now = time.time() if now is None else now
        with self._connection() as conn:
            rows = conn.execute(
                f"""SELECT b.send_id, MIN(b.not_before) AS due FROM batches b
                    JOIN sends s ON s.id = b.send_id
                    WHERE {_HELD} AND b.not_before <= ? AND s.cancelled_at IS NULL
                    GROUP BY b.send_id ORDER BY due, b.send_id""",
                (now,),
            ).fetchall()
        return [int(row[0]) for row in rows]

    def next_due_at(self) -> float | None:
        """When the earliest held batch of a send that is not cancelled comes due."""
        with self._connection() as conn:
            row = conn.execute(
                f"""SELECT MIN(b.not_before) FROM batches b JOIN sends s ON s.id = b.send_id
                    WHERE {_HELD} AND s.cancelled_at IS NULL"""
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def cancel_send(self, send_id: int, *, by: str) -> int:
        """Cancels what of the send has not gone out: its planned batches are never sent.
        Returns how many were held back (0: nothing was left, or it was cancelled already)."""
        with self._write() as conn:
            planned = conn.execute(
                "SELECT COUNT(*) FROM batches WHERE send_id = ? AND state = ?",
                (send_id, BatchState.PLANNED),
            ).fetchone()[0]
            if not planned:
                return 0
            cursor = conn.execute(
                """UPDATE sends SET cancelled_at = ?, cancelled_by = ?
                   WHERE id = ? AND cancelled_at IS NULL""",
                (time.time(), by, send_id),
            )
            return int(planned) if cursor.rowcount else 0

    def reschedule_send(self, send_id: int, at: float) -> int:
        """Moves every held batch of a send that is not cancelled to `at`. Returns how many."""
        with self._write() as conn:
            cursor = conn.execute(
                """UPDATE batches SET not_before = ?, updated_at = ?
                    WHERE send_id = ? AND state = ? AND not_before IS NOT NULL
                      AND (SELECT cancelled_at FROM sends WHERE id = ?) IS NULL""",
                (at, time.time(), send_id, BatchState.PLANNED, send_id),
            )
            return cursor.rowcount

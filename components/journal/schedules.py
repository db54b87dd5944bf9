"""Scheduled and held sends in the journal: which sends have batches due, cancelling what has not
gone out, moving what waits to another time, and holding a batch's recipients for their allowed
hours as it goes out. The scheduler and the worker (components/sending/) ask these."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from components.core.states import BatchState, Cause, HoursChoice
from components.journal.base import JournalBase
from components.journal.tables import batches, sends

_NO_HOURS_ERROR = (
    "Left out: none of these recipients' allowed hours begin within 48 hours (their time zone "
    "is unknown, or the hours never fall together in all the zones they may be in)."
)


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

    def set_hours_choice(
        self, send_id: int, choice: HoursChoice, *, reason: str | None, by: str | None
    ) -> None:
        """What the worker does with the send's recipients outside their hours from now on."""
        with self._write() as conn:
            conn.execute(
                sa.update(sends)
                .where(sends.c.id == send_id)
                .values(hours_choice=choice.value, hours_reason=reason, hours_by=by)
            )

    def hold_batches(self, batch_ids: Sequence[int], until: float) -> int:
        """Planned batches wait until `until` (their recipients' hours). Returns how many."""
        if not batch_ids:
            return 0
        b = batches.c
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(batches)
                .where(b.id.in_(list(batch_ids)), b.state == BatchState.PLANNED.value)
                .values(not_before=until, updated_at=time.time())
            )
            return cursor.rowcount

    def split_batch(
        self,
        batch_id: int,
        *,
        later: Sequence[tuple[float, Mapping[str, Any]]],
        never: Mapping[str, Any] | None = None,
        wait_until: float | None = None,
    ) -> bool:
        """A planned batch hands recipients outside their hours on to batches of their own: one
        planned batch per instant their hours begin (`later`: the instant and the body), and the
        ones whose hours do not begin within 48 hours (`never`) to a batch left out. It keeps
        their numbers (held_out_json) and goes without them; `wait_until`, when the recipients it
        keeps are outside their hours too, is when it goes. False when it is no longer planned."""
        b = batches.c
        now = time.time()
        moved = [
            str(contact.get("phoneNumber", ""))
            for _, body in [*later, *([(0.0, never)] if never else [])]
            for contact in body.get("contacts", [])
        ]
        with self._write() as conn:
            row = conn.execute(
                sa.select(b.send_id, b.contacts, b.held_out_json).where(
                    b.id == batch_id, b.state == BatchState.PLANNED.value
                )
            ).first()
            if row is None:
                return False
            last = conn.execute(
                sa.select(sa.func.max(b.idx)).where(b.send_id == row.send_id)
            ).scalar_one()
            rows = [
                _split_row(row.send_id, last + i + 1, batch_id, body, now, not_before=at)
                for i, (at, body) in enumerate(later)
            ]
            if never:
                rows.append(_split_row(row.send_id, last + len(rows) + 1, batch_id, never, now))
                rows[-1] |= {
                    "state": BatchState.LEFT_OUT.value,
                    "cause": Cause.NO_HOURS.value,
                    "error": _NO_HOURS_ERROR,
                    "left_out_json": json.dumps(
                        [str(c.get("phoneNumber", "")) for c in never.get("contacts", [])]
                    ),
                }
            if rows:
                conn.execute(sa.insert(batches), rows)
            held = json.loads(row.held_out_json or "[]") + moved
            conn.execute(
                sa.update(batches)
                .where(b.id == batch_id)
                .values(
                    held_out_json=json.dumps(held) if held else None,
                    contacts=row.contacts - len(moved),
                    not_before=wait_until if wait_until is not None else b.not_before,
                    updated_at=now,
                )
            )
            return True


def _split_row(
    send_id: int,
    index: int,
    split_from: int,
    body: Mapping[str, Any],
    now: float,
    *,
    not_before: float | None = None,
) -> dict[str, Any]:
    return {
        "send_id": send_id,
        "idx": index,
        "state": BatchState.PLANNED.value,
        "contacts": len(body.get("contacts", [])),
        "payload_json": json.dumps(dict(body), ensure_ascii=False),
        "attempts": 0,
        "updated_at": now,
        "not_before": not_before,
        "split_from": split_from,
    }

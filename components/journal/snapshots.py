"""Snapshots: every status answer Acoustic gave, kept to chart progress and to warn Compose about
recipients that failed before."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from components.journal.base import JournalBase, in_chunks
from components.journal.records import Snapshot
from components.journal.tables import snapshots


class Snapshots(JournalBase):
    def add_snapshot(
        self,
        transaction_id: str,
        *,
        found: bool,
        total: int,
        processed: int,
        contacts: Sequence[Mapping[str, Any]],
        errors: Sequence[str] = (),
        taken_at: float | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                sa.insert(snapshots).values(
                    transaction_id=transaction_id,
                    taken_at=taken_at if taken_at is not None else time.time(),
                    found=int(found),
                    total=total,
                    processed=processed,
                    contacts_json=json.dumps(list(contacts), ensure_ascii=False),
                    errors_json=json.dumps(list(errors), ensure_ascii=False),
                )
            )

    def snapshots(self, transaction_id: str) -> list[Snapshot]:
        with self._connection() as conn:
            rows = (
                conn.execute(
                    sa.select(snapshots)
                    .where(snapshots.c.transaction_id == transaction_id)
                    .order_by(snapshots.c.taken_at, snapshots.c.id)
                )
                .mappings()
                .all()
            )
        return [
            Snapshot(
                transaction_id=row["transaction_id"],
                taken_at=row["taken_at"],
                found=bool(row["found"]),
                total=row["total"],
                processed=row["processed"],
                contacts=json.loads(row["contacts_json"]),
                errors=json.loads(row["errors_json"]),
            )
            for row in rows
        ]

    def progress(self, transaction_ids: Sequence[str]) -> list[tuple[str, float, int, int]]:
        """(transaction id, taken at, processed, total) of every snapshot of these ids, oldest
        first: the progress chart's points, without the contacts each answer listed."""
        snap = snapshots.c
        points: list[tuple[str, float, int, int]] = []
        with self._connection() as conn:
            for chunk in in_chunks(transaction_ids):
                rows = conn.execute(
                    sa.select(snap.transaction_id, snap.taken_at, snap.processed, snap.total)
                    .where(snap.transaction_id.in_(chunk))
                    .order_by(snap.taken_at, snap.id)
                )
                points += [tuple(row) for row in rows]
        return sorted(points, key=lambda point: point[1])

    def snapshot_count(self) -> int:
        with self._connection() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar_one())

    def earlier_failures(self, *, transactions: int = 500) -> dict[str, tuple[str, float]]:
        """Phone number -> (Acoustic's message, when) for contacts that failed in the latest
        status answer of the most recent transactions."""
        with self._connection() as conn:
            snap = snapshots.c
            latest = sa.func.max(snap.taken_at).label("latest")
            last = (
                sa.select(snap.transaction_id, latest)
                .group_by(snap.transaction_id)
                .order_by(latest.desc())
                .limit(transactions)
                .subquery("last")
            )
            rows = (
                conn.execute(
                    sa.select(snap.contacts_json, snap.taken_at).join(
                        last,
                        sa.and_(
                            snap.transaction_id == last.c.transaction_id,
                            snap.taken_at == last.c.latest,
                        ),
                    )
                )
                .mappings()
                .all()
            )
        failures: dict[str, tuple[str, float]] = {}
        for row in rows:
            for contact in json.loads(row["contacts_json"]):
                if contact.get("smsSent") is False:
                    number = str(contact.get("phoneNumber") or "")
                    known = failures.get(number)
                    if known is None or known[1] < row["taken_at"]:
                        failures[number] = (str(contact.get("message") or ""), row["taken_at"])
        return failures

"""Snapshots: every status answer Acoustic gave, kept to chart progress and to warn Compose about
recipients that failed before."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from components.journal.base import JournalBase
from components.journal.records import Snapshot


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
                """INSERT INTO snapshots (transaction_id, taken_at, found, total, processed,
                       contacts_json, errors_json) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    transaction_id,
                    taken_at if taken_at is not None else time.time(),
                    int(found),
                    total,
                    processed,
                    json.dumps(list(contacts), ensure_ascii=False),
                    json.dumps(list(errors), ensure_ascii=False),
                ),
            )

    def snapshots(self, transaction_id: str) -> list[Snapshot]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM snapshots WHERE transaction_id = ? ORDER BY taken_at",
                (transaction_id,),
            ).fetchall()
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

    def snapshot_count(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0])

    def earlier_failures(self, *, transactions: int = 500) -> dict[str, tuple[str, float]]:
        """Phone number -> (Acoustic's message, when) for contacts that failed in the latest
        status answer of the most recent transactions."""
        with self._connection() as conn:
            rows = conn.execute(
                """SELECT s.contacts_json, s.taken_at FROM snapshots s
                   JOIN (SELECT transaction_id, MAX(taken_at) AS latest FROM snapshots
                         GROUP BY transaction_id ORDER BY latest DESC LIMIT ?) last
                     ON s.transaction_id = last.transaction_id AND s.taken_at = last.latest""",
                (transactions,),
            ).fetchall()
        failures: dict[str, tuple[str, float]] = {}
        for row in rows:
            for contact in json.loads(row["contacts_json"]):
                if contact.get("smsSent") is False:
                    number = str(contact.get("phoneNumber") or "")
                    known = failures.get(number)
                    if known is None or known[1] < row["taken_at"]:
                        failures[number] = (str(contact.get("message") or ""), row["taken_at"])
        return failures

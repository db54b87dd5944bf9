"""The audit log's table: entries are appended and read, never changed (components/audit.py)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Collection
from typing import Any

from components.audit import AuditAction, AuditEntry, clean_actor, clean_details
from components.journal.base import JournalBase


def _any_of(value: str | Collection[str] | None) -> list[str] | None:
    """One value or several; None (or nothing chosen) filters nothing."""
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    return [str(v) for v in values] or None


class AuditTrail(JournalBase):
    def record_audit(
        self,
        actor: str,
        action: AuditAction,
        *,
        send_id: int | None = None,
        details: dict[str, object] | None = None,
    ) -> AuditEntry:
        """Appends one entry, at this moment. Details are cleaned first (audit.clean_details):
        no secrets, no contact data."""
        entry = AuditEntry(
            id=0,
            at=time.time(),
            actor=clean_actor(actor),
            action=AuditAction(action),
            send_id=None if send_id is None else int(send_id),
            details=clean_details(details),
        )
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, actor, action, send_id, details_json) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.send_id,
                    json.dumps(entry.details, ensure_ascii=False),
                ),
            )
        return AuditEntry(
            int(cursor.lastrowid or 0),
            entry.at,
            entry.actor,
            entry.action,
            entry.send_id,
            entry.details,
        )

    def audit_entries(
        self,
        *,
        actor: str | Collection[str] | None = None,
        action: str | Collection[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        send_id: int | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries newest first; `since` inclusive, `until` exclusive (epoch seconds)."""
        where: list[str] = []
        params: list[Any] = []
        for column, values in (("actor", _any_of(actor)), ("action", _any_of(action))):
            if values is not None:
                where.append(f"{column} IN ({','.join('?' for _ in values)})")
                params.extend(values)
        for clause, value in (("at >= ?", since), ("at < ?", until), ("send_id = ?", send_id)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = "SELECT * FROM audit" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY at DESC, id DESC LIMIT ?"
        with self._connection() as conn:
            rows = conn.execute(sql, (*params, -1 if limit is None else limit)).fetchall()
        return [_entry(row) for row in rows]

    def audit_actors(self) -> list[str]:
        """Everyone who has an entry, in alphabetical order (the Audit page's person filter)."""
        with self._connection() as conn:
            rows = conn.execute("SELECT DISTINCT actor FROM audit ORDER BY actor").fetchall()
        return [row[0] for row in rows]

    def audit_first_at(self) -> float | None:
        """When the oldest entry was written, None before the first."""
        with self._connection() as conn:
            return conn.execute("SELECT MIN(at) FROM audit").fetchone()[0]


def _entry(row: sqlite3.Row) -> AuditEntry:
    try:
        action: AuditAction | str = AuditAction(row["action"])
    except ValueError:
        action = row["action"]
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        action=action,
        send_id=row["send_id"],
        details=json.loads(row["details_json"] or "{}"),
    )

"""The audit log's table: entries are appended and read, never changed (what an entry may hold:
audit_entries.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Collection

import sqlalchemy as sa

from components.journal.audit_entries import AuditAction, AuditEntry, clean_actor, clean_details
from components.journal.base import JournalBase
from components.journal.outbox import notify_for_audit
from components.journal.tables import audit


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
            entry_id = conn.execute(
                sa.insert(audit)
                .values(
                    at=entry.at,
                    actor=entry.actor,
                    action=str(entry.action),
                    send_id=entry.send_id,
                    details_json=json.dumps(entry.details, ensure_ascii=False),
                )
                .returning(audit.c.id)
            ).scalar_one()
            notify_for_audit(conn, entry)  # the people this event needs hear of it
        return AuditEntry(
            int(entry_id),
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
        log = audit.c
        query = sa.select(audit)
        for column, values in ((log.actor, _any_of(actor)), (log.action, _any_of(action))):
            if values is not None:
                query = query.where(column.in_(values))
        if since is not None:
            query = query.where(log.at >= since)
        if until is not None:
            query = query.where(log.at < until)
        if send_id is not None:
            query = query.where(log.send_id == send_id)
        query = query.order_by(log.at.desc(), log.id.desc()).limit(limit)
        with self._connection() as conn:
            rows = conn.execute(query).mappings().all()
        return [_entry(row) for row in rows]

    def audit_actors(self) -> list[str]:
        """Everyone who has an entry, in alphabetical order (the Audit page's person filter)."""
        with self._connection() as conn:
            return list(
                conn.execute(sa.select(audit.c.actor).distinct().order_by(audit.c.actor)).scalars()
            )

    def audit_first_at(self) -> float | None:
        """When the oldest entry was written, None before the first."""
        with self._connection() as conn:
            return conn.execute(sa.select(sa.func.min(audit.c.at))).scalar()


def _entry(row: sa.RowMapping) -> AuditEntry:
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

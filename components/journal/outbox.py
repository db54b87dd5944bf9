"""The outbox of notifications: each written in the same transaction as its event (an audit
entry, a follow-up finished), then claimed and delivered by one replica at a time, each channel
once (components/notifications decides who hears of what, and how). A notification holds ids,
counts and team members' addresses: never a phone number, a message or a secret."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from components.core.states import ApprovalState, BatchState, ContactState, NotificationEvent
from components.journal.audit_entries import AuditAction, AuditEntry
from components.journal.base import JournalBase, insert_for
from components.journal.tables import (
    approvals,
    batches,
    follows,
    outbox,
    send_outcomes,
    sends,
    template_versions,
    templates,
)

MAX_IDS = 50  # transaction ids a link to Status carries at most (the rest: History)

# The audit entries that are events someone is told about, and the event each is.
_DECISIONS = {
    AuditAction.SEND_APPROVED: ApprovalState.APPROVED,
    AuditAction.SEND_REJECTED: ApprovalState.REJECTED,
    AuditAction.SEND_EXPIRED: ApprovalState.EXPIRED,
}


@dataclass(frozen=True)
class Notification:
    id: int
    event: NotificationEvent
    facts: Mapping[str, Any]
    created_at: float
    attempts: int
    delivered: tuple[str, ...]  # the channels that have it
    next_at: float | None
    finished_at: float | None
    gave_up_at: float | None
    last_error: str | None


def add_notification(
    conn: sa.Connection,
    event: NotificationEvent,
    facts: Mapping[str, Any],
    *,
    dedupe: str,
    now: float | None = None,
) -> None:
    """Within the caller's transaction: one notification of `event`, once per `dedupe`."""
    now = time.time() if now is None else now
    insert = insert_for(conn.dialect.name)
    conn.execute(
        insert(outbox)
        .values(
            event=str(event),
            dedupe=dedupe,
            facts_json=json.dumps(dict(facts), ensure_ascii=False),
            created_at=now,
            next_at=now,
            attempts=0,
            delivered_json="[]",
        )
        .on_conflict_do_nothing(index_elements=["dedupe"])
    )


def _send_facts(conn: sa.Connection, send_id: int | None) -> dict[str, Any]:
    if send_id is None:
        return {}
    row = conn.execute(
        sa.select(sends.c.created_by, sends.c.mode, sends.c.program, sends.c.recipients).where(
            sends.c.id == send_id
        )
    ).first()
    if row is None:
        return {"send_id": send_id}
    return {
        "send_id": send_id,
        "author": row.created_by,
        "mode": row.mode,
        "program": row.program,
        "recipients": row.recipients,
    }


def _template_facts(conn: sa.Connection, details: Mapping[str, Any]) -> dict[str, Any]:
    """A template version's name, number and who saved it (its author)."""
    name, version = str(details.get("template") or ""), details.get("version")
    row = conn.execute(
        sa.select(template_versions.c.saved_by)
        .select_from(template_versions.join(templates))
        .where(templates.c.name == name, template_versions.c.version == version)
    ).first()
    return {"template": name, "version": version, "author": row.saved_by if row else None}


def notify_for_audit(conn: sa.Connection, entry: AuditEntry) -> None:
    """The notification an audit entry is the event of, if any, in the entry's transaction."""
    details = entry.details or {}
    facts = _send_facts(conn, entry.send_id)
    at = f"{entry.send_id}:{entry.at}"
    if entry.action is AuditAction.SEND_REQUESTED and details.get("awaiting_approval"):
        add_notification(
            conn, NotificationEvent.APPROVAL_REQUESTED, facts, dedupe=f"requested:{at}"
        )
    elif entry.action in _DECISIONS:
        decided = {
            **facts,
            "author": details.get("requested_by") or facts.get("author"),
            "decision": str(_DECISIONS[entry.action]),
            "decided_by": entry.actor,
            "note": details.get("note") or "",
        }
        add_notification(conn, NotificationEvent.APPROVAL_DECIDED, decided, dedupe=f"decided:{at}")
    elif entry.action is AuditAction.SEND_STARTED and details.get("on_schedule_of"):
        started = {
            **facts,
            "batches": details.get("batches"),
            "starting": details.get("recipients"),
        }
        add_notification(conn, NotificationEvent.SEND_STARTED, started, dedupe=f"started:{at}")
    elif entry.action is AuditAction.TEMPLATE_SAVED:
        version = {**_template_facts(conn, details), "author": entry.actor}
        add_notification(
            conn, NotificationEvent.APPROVAL_REQUESTED, version, dedupe=f"template:{at}"
        )
    elif entry.action is AuditAction.TEMPLATE_APPROVED:
        approved = {
            **_template_facts(conn, details),
            "decision": "approved",
            "decided_by": entry.actor,
        }
        add_notification(
            conn, NotificationEvent.APPROVAL_DECIDED, approved, dedupe=f"template_approved:{at}"
        )
    elif entry.action is AuditAction.SEND_TAKEN_OVER:
        stopped = {**facts, "unknown_batches": details.get("unknown_batches", 0)}
        add_notification(
            conn, NotificationEvent.SEND_INTERRUPTED, stopped, dedupe=f"interrupted:{at}"
        )


def notify_if_send_followed(conn: sa.Connection, send_id: int, now: float) -> None:
    """When the last follow-up of a send ends: its figures, for the sender to hear of it when
    too many failed (the share is the configuration's, judged when delivered)."""
    open_follows = conn.execute(
        sa.select(sa.func.count())
        .select_from(follows)
        .where(follows.c.send_id == send_id, follows.c.next_at.is_not(None))
    ).scalar_one()
    unsent = conn.execute(
        sa.select(sa.func.count())
        .select_from(batches)
        .where(
            batches.c.send_id == send_id,
            batches.c.state.in_([BatchState.PLANNED.value, BatchState.IN_FLIGHT.value]),
        )
    ).scalar_one()
    if open_follows or unsent:  # batches still to go (held for their hours, say): not yet
        return
    counts = {
        state: int(count)
        for state, count in conn.execute(
            sa.select(send_outcomes.c.state, send_outcomes.c.count).where(
                send_outcomes.c.send_id == send_id
            )
        )
    }
    figures = {str(state): counts.get(str(state), 0) for state in ContactState}
    transactions = conn.execute(
        sa.select(follows.c.transaction_id)
        .where(follows.c.send_id == send_id)
        .order_by(follows.c.batch_id)
        .limit(MAX_IDS)
    ).scalars()
    facts = {**_send_facts(conn, send_id), **figures, "transactions": sorted(transactions)}
    add_notification(
        conn, NotificationEvent.SEND_FINISHED, facts, dedupe=f"finished:{send_id}", now=now
    )


def _notification(row: sa.RowMapping) -> Notification:
    return Notification(
        id=row["id"],
        event=NotificationEvent(row["event"]),
        facts=json.loads(row["facts_json"]),
        created_at=row["created_at"],
        attempts=row["attempts"],
        delivered=tuple(json.loads(row["delivered_json"])),
        next_at=row["next_at"],
        finished_at=row["finished_at"],
        gave_up_at=row["gave_up_at"],
        last_error=row["last_error"],
    )


class Outbox(JournalBase):
    def notify(self, event: NotificationEvent, facts: Mapping[str, Any], *, dedupe: str) -> None:
        """A notification whose event is not otherwise written to the journal (an approval
        about to expire)."""
        with self._write() as conn:
            add_notification(conn, event, facts, dedupe=dedupe)

    def claim_due_notifications(
        self, owner: str, *, now: float | None = None, limit: int = 10, lease: float = 120.0
    ) -> list[Notification]:
        """Up to `limit` notifications due, claimed for `owner` for `lease` seconds: no other
        replica delivers them meanwhile (a replica that dies lets its claim run out)."""
        now = time.time() if now is None else now
        o = outbox.c
        free = sa.or_(o.claimed_until.is_(None), o.claimed_until < now)
        due = sa.select(o.id).where(o.next_at.is_not(None), o.next_at <= now, free).limit(1)
        with self._connection() as conn:  # a read first: most rounds find nothing to claim
            if conn.execute(due).first() is None:
                return []
        with self._write() as conn:
            rows = (
                conn.execute(
                    sa.select(outbox)
                    .where(o.next_at.is_not(None), o.next_at <= now, free)
                    .order_by(o.next_at, o.id)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
            if rows:
                conn.execute(
                    sa.update(outbox)
                    .where(o.id.in_([r["id"] for r in rows]))
                    .values(owner=owner, claimed_until=now + lease)
                )
        return [_notification(row) for row in rows]

    def record_delivery(
        self,
        notification_id: int,
        *,
        delivered: Sequence[str],
        next_at: float | None,
        error: str | None = None,
        gave_up: bool = False,
        now: float | None = None,
        owner: str | None = None,
    ) -> None:
        """After one attempt by `owner` (the claim's holder; None: whoever): the channels that
        have it now, when to try the others again (None: never), and what the last failure's
        server said."""
        now = time.time() if now is None else now
        mine = outbox.c.owner == owner if owner is not None else sa.true()
        with self._write() as conn:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == notification_id, mine)
                .values(
                    delivered_json=json.dumps(sorted(set(delivered))),
                    attempts=outbox.c.attempts + 1,
                    next_at=next_at,
                    last_error=error,
                    owner=None,
                    claimed_until=None,
                    finished_at=now if next_at is None and not gave_up else None,
                    gave_up_at=now if gave_up else None,
                )
            )

    def notifications(self, *, limit: int = 50) -> list[Notification]:
        """The newest notifications, for Settings."""
        with self._connection() as conn:
            rows = (
                conn.execute(sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit))
                .mappings()
                .all()
            )
        return [_notification(row) for row in rows]

    def expiring_approvals(self, within: float, *, now: float | None = None) -> list[int]:
        """Pending approval requests (their ids) that expire within `within` seconds and whose
        reminder (dedupe "expiring:<id>") is not queued yet."""
        now = time.time() if now is None else now
        a = approvals.c
        with self._connection() as conn:
            return [
                int(row[0])
                for row in conn.execute(
                    sa.select(a.id).where(
                        a.state == ApprovalState.PENDING.value,
                        a.expires_at > now,
                        a.expires_at <= now + within,
                        ~sa.exists().where(
                            outbox.c.dedupe
                            == sa.literal("expiring:").concat(sa.cast(a.id, sa.Text))
                        ),
                    )
                )
            ]

    def approval_facts(self, approval_id: int) -> dict[str, Any]:
        """What a notification about an approval request says of it."""
        with self._connection() as conn:
            row = conn.execute(
                sa.select(approvals.c.send_id, approvals.c.expires_at).where(
                    approvals.c.id == approval_id
                )
            ).first()
            if row is None:
                return {}
            return {
                **_send_facts(conn, row.send_id),
                "approval_id": approval_id,
                "expires_at": row.expires_at,
            }

"""Leases on running sends, in the journal: one replica runs a send at a time, and says so with a
heartbeat. The rule (how long, how often, what a takeover does) is components/sending/leases.py."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from components.core.states import BatchState, Cause
from components.journal.base import JournalBase
from components.journal.tables import batches, send_leases

_TAKEN_OVER_ERROR = (
    "The console replica sending this batch stopped answering while it was in flight: it may or "
    "may not have been processed."
)


@dataclass(frozen=True)
class LeaseGrant:
    """Whether the lease was granted; `taken_from` names the owner whose lease had run out."""

    granted: bool
    holder: str
    taken_from: str | None = None


class SendLeases(JournalBase):
    def acquire_lease(
        self,
        send_id: int,
        owner: str,
        *,
        seconds: float,
        now: float | None = None,
        steal_from: str | None = None,
    ) -> LeaseGrant:
        """The send's lease for `owner` unless another owner's lease is still running (that of
        `steal_from`, known dead, is taken however long it had to run)."""
        now = time.time() if now is None else now
        lease = send_leases.c
        with self._write() as conn:
            row = conn.execute(
                sa.select(lease.owner, lease.expires_at).where(lease.send_id == send_id)
            ).first()
            if row is None:
                conn.execute(
                    sa.insert(send_leases).values(
                        send_id=send_id,
                        owner=owner,
                        acquired_at=now,
                        heartbeat_at=now,
                        expires_at=now + seconds,
                    )
                )
                return LeaseGrant(True, owner)
            if row.owner not in (owner, steal_from) and row.expires_at > now:
                return LeaseGrant(False, row.owner)
            conn.execute(
                sa.update(send_leases)
                .where(lease.send_id == send_id)
                .values(owner=owner, acquired_at=now, heartbeat_at=now, expires_at=now + seconds)
            )
            return LeaseGrant(True, owner, None if row.owner == owner else row.owner)

    def renew_leases(
        self, owner: str, send_ids: Collection[int], *, seconds: float, now: float | None = None
    ) -> set[int]:
        """The heartbeat: extends `owner`'s leases on these sends; returns those it still holds."""
        if not send_ids:
            return set()
        now = time.time() if now is None else now
        lease = send_leases.c
        mine = sa.and_(lease.owner == owner, lease.send_id.in_(list(send_ids)))
        with self._write() as conn:
            conn.execute(
                sa.update(send_leases)
                .where(mine)
                .values(heartbeat_at=now, expires_at=now + seconds)
            )
            return set(conn.execute(sa.select(lease.send_id).where(mine)).scalars())

    def release_lease(self, send_id: int, owner: str) -> None:
        with self._write() as conn:
            conn.execute(
                sa.delete(send_leases).where(
                    send_leases.c.send_id == send_id, send_leases.c.owner == owner
                )
            )

    def live_leases(self, now: float | None = None) -> dict[int, str]:
        """Send -> the owner running it now, on any replica."""
        now = time.time() if now is None else now
        lease = send_leases.c
        with self._connection() as conn:
            rows = conn.execute(sa.select(lease.send_id, lease.owner).where(lease.expires_at > now))
            return {int(row.send_id): str(row.owner) for row in rows}

    def expired_leases(self, now: float | None = None) -> dict[int, str]:
        """Send -> the owner whose lease ran out: it died or stalled while sending it."""
        now = time.time() if now is None else now
        lease = send_leases.c
        with self._connection() as conn:
            rows = conn.execute(
                sa.select(lease.send_id, lease.owner)
                .where(lease.expires_at <= now)
                .order_by(lease.expires_at)
            )
            return {int(row.send_id): str(row.owner) for row in rows}

    def interrupt_batches_of(self, send_id: int, owner: str) -> int:
        """The send's batches `owner` had in flight become unknown (it may have sent them)."""
        b = batches.c
        with self._write() as conn:
            return conn.execute(
                sa.update(batches)
                .where(
                    b.send_id == send_id,
                    b.state == BatchState.IN_FLIGHT.value,
                    sa.func.coalesce(b.owner, "") == owner,
                )
                .values(
                    state=BatchState.UNKNOWN.value,
                    cause=Cause.INTERRUPTED.value,
                    error=_TAKEN_OVER_ERROR,
                    updated_at=time.time(),
                )
            ).rowcount

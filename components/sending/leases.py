"""One replica runs a send at a time: it holds the send's lease in the journal and renews it with
a heartbeat. A replica that dies stops renewing; once its lease has run out another replica takes
the send over: the batches it had in flight become unknown (exactly as after a crash: they may
have been sent) and only the batches still planned are sent. A batch is claimed atomically, and
only by the lease's holder (Journal.claim_batch checks both in one statement): a replica that
only stalled finishes what it had in flight and claims nothing more, and no batch goes twice.

The lease lasts SMS_CONSOLE_LEASE_SECONDS (30 by default); the heartbeat renews it every third
of that, so a replica must miss two heartbeats in a row to lose a send.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from components.journal import AuditAction, Journal
from components.journal.leases import LeaseGrant

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 30.0

PROCESS_OWNER = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"


def owner_alive(owner: str) -> bool:
    """False only for an owner known dead: a process of this machine that is gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if owner == PROCESS_OWNER:
        return True
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's worker: not ours to judge
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid_text) != os.getpid()


class LeaseKeeper:
    """This process's leases on the sends it runs, renewed by a heartbeat thread of its own."""

    def __init__(self, journal: Journal, owner: str, seconds: float = DEFAULT_LEASE_SECONDS):
        if seconds <= 0:
            raise ValueError("A lease must last a while.")
        self.journal = journal
        self.owner = owner
        self.seconds = seconds
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, send_id: int) -> LeaseGrant:
        grant = self.journal.acquire_lease(send_id, self.owner, seconds=self.seconds)
        if not grant.granted and not owner_alive(grant.holder):
            # A process of this machine that is gone (a restart): no need to wait for its lease.
            grant = self.journal.acquire_lease(
                send_id, self.owner, seconds=self.seconds, steal_from=grant.holder
            )
        if grant.granted:
            with self._lock:
                self._held.add(send_id)
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._beat, name="sms-lease-heartbeat", daemon=True
                    )
                    self._thread.start()
        return grant

    def release(self, send_id: int) -> None:
        with self._lock:
            self._held.discard(send_id)
        self.journal.release_lease(send_id, self.owner)

    def held(self) -> set[int]:
        with self._lock:
            return set(self._held)

    def _beat(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            held = self.held()
            try:
                kept = self.journal.renew_leases(self.owner, held, seconds=self.seconds)
            except Exception:  # a database hiccup: the next beat tries again
                logger.exception("the leases of the running sends could not be renewed")
                continue
            for send_id in held - kept:
                # Another replica took it over while this one stalled: this one's claims now
                # fail (the journal checks the lease), so it says what happened.
                logger.warning("send #%d was taken over by another console replica", send_id)

    def stop(self) -> None:
        self._stop.set()


def record_takeover(journal: Journal, send_id: int, dead_owner: str, actor: str) -> int:
    """The replica that ran the send stopped renewing its lease: the batches it had in flight
    become unknown, and the audit log says the send was taken over. Returns how many."""
    unknown = journal.interrupt_batches_of(send_id, dead_owner)
    journal.record_audit(
        actor, AuditAction.SEND_TAKEN_OVER, send_id=send_id, details={"unknown_batches": unknown}
    )
    logger.warning(
        "send #%d taken over from a console replica that stopped (%d batch(es) now unknown)",
        send_id,
        unknown,
    )
    return unknown

"""Scheduled sends: batches journaled with the instant before which they must not go out, and the
scheduler, a thread of the console process that starts what has come due, whatever any browser
does. Because the schedule is in the journal, a restart loses nothing: the scheduler of the next
process starts what came due meanwhile, and the journal's atomic claim of each batch means none
goes out twice. A schedule can be cancelled or moved until its batches start; approval, when the
send needs it, comes first (an unapproved send is never started, see SendWorker.launch).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from components.team.audit import AuditAction
from components.team.auth import Identity, Permission, require

if TYPE_CHECKING:
    from components.acoustic import AcousticClient
    from components.journal import Journal
    from components.sending.worker import SendWorker

logger = logging.getLogger(__name__)

AT = "at"  # every batch at one chosen instant
WINDOWS = "windows"  # each recipient when their allowed hours begin (quiet hours)


@dataclass(frozen=True)
class Schedule:
    """When each batch of a send may go out: `not_before[i]` for batch i (None: at once)."""

    kind: str
    not_before: tuple[float | None, ...]

    @property
    def starts_at(self) -> float | None:
        held = [t for t in self.not_before if t is not None]
        return min(held) if held else None

    def details(self) -> dict[str, object]:
        """For the audit log: how, from when, and how many batches wait."""
        start = self.starts_at
        return {
            "schedule": self.kind,
            "starts_at": iso(start) if start is not None else None,
            "held_batches": sum(1 for t in self.not_before if t is not None),
        }


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def at_time(when: datetime, batches: int, *, now: datetime | None = None) -> Schedule:
    """Every batch at `when` (aware). ValueError, in words for the page, when it is not in the
    future or not within a year."""
    if when.tzinfo is None:
        raise ValueError("The time of a scheduled send needs its time zone.")
    now = now or datetime.now(UTC)
    if when <= now:
        raise ValueError("That time has passed: choose a time in the future, or send now instead.")
    if (when - now).days > 366:
        raise ValueError("A send can be scheduled at most a year ahead.")
    return Schedule(AT, (when.timestamp(),) * batches)


def per_batch(times: Sequence[float | None]) -> Schedule:
    """Each batch at its own time (the recipients of a batch share their window's opening)."""
    return Schedule(WINDOWS, tuple(times))


# -- changing a schedule ----------------------------------------------------------------------


class ScheduleError(Exception):
    """A schedule that cannot be changed; the message says why."""


def _held(journal: Journal, send_id: int) -> None:
    record = journal.get_send(send_id)
    if record is None:
        raise ScheduleError(f"There is no send #{send_id} in the journal.")
    if record.cancelled_at is not None:
        raise ScheduleError(f"Send #{send_id} is cancelled already.")
    if not record.held:
        raise ScheduleError(
            f"Nothing of send #{send_id} is waiting for its time any more: it has started."
        )


def cancel(worker: SendWorker, send_id: int, *, by: Identity) -> int:
    """Cancels what of a scheduled send has not gone out. Returns how many batches it held."""
    _may_change(worker, send_id, by)
    _held(worker.journal, send_id)
    held = worker.journal.cancel_send(send_id, by=by.actor)
    if held:
        worker.journal.record_audit(
            by.actor, AuditAction.SEND_CANCELLED, send_id=send_id, details={"batches": held}
        )
    return held


def reschedule(worker: SendWorker, send_id: int, when: datetime, *, by: Identity) -> int:
    """Moves every waiting batch of a send to `when`. Returns how many moved."""
    _may_change(worker, send_id, by)
    _held(worker.journal, send_id)
    moved = at_time(when, 1).not_before[0]
    assert moved is not None
    count = worker.journal.reschedule_send(send_id, moved)
    if count:
        worker.journal.record_audit(
            by.actor,
            AuditAction.SEND_RESCHEDULED,
            send_id=send_id,
            details={"starts_at": iso(moved), "batches": count},
        )
    return count


def _may_change(worker: SendWorker, send_id: int, by: Identity) -> None:
    from components.sending.worker import permission_to_send

    record = worker.journal.get_send(send_id)
    require(by, permission_to_send(record.kind) if record else Permission.SEND)


# -- the scheduler ----------------------------------------------------------------------------

Connect = Callable[[], "tuple[str, AcousticClient] | None"]


class Scheduler:
    """Starts the due batches of scheduled sends through the worker, once a second at most, sleeping
    until the next due time when it is sooner, and takes over the sends of a replica whose lease ran
    out (components/sending/leases.py). `connect()` gives the console's connection now (mode and
    client), or None while it is misconfigured."""

    def __init__(self, worker: SendWorker, connect: Connect, *, poll: float = 1.0) -> None:
        self.worker = worker
        self.connect = connect
        self.poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Scheduler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sms-scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.poll
            try:
                self.run_due()
                next_due = self.worker.journal.next_due_at()
                if next_due is not None:
                    wait = min(self.poll, max(0.05, next_due - time.time()))
            except Exception:  # the scheduler must outlive a bad send and a database restart
                logger.exception("the scheduler could not start the due sends")
            self._stop.wait(wait)

    def _mine(self, send_id: int) -> bool:
        return send_id in self.worker.leases.held()

    def run_due(self, now: float | None = None) -> list[int]:
        """Starts every send with batches due at `now`; returns the ids started."""
        from components.journal import destination_of

        started: list[int] = []
        # Held batches whose time has come, then sends whose replica died while sending them.
        orphans = [i for i in self.worker.journal.expired_leases(now) if not self._mine(i)]
        for send_id in dict.fromkeys([*self.worker.journal.due_sends(now), *orphans]):
            if send_id not in orphans and self.worker.is_running(send_id):
                continue
            record = self.worker.journal.get_send(send_id)
            connection = self.connect()
            if record is None or connection is None:
                continue
            mode, client = connection
            if destination_of(mode, client.base_url) != destination_of(
                record.mode, record.base_url
            ):
                logger.warning("send #%d is due but was made for another connection", send_id)
                continue
            actor = record.scheduled_by or record.created_by or "scheduler"
            try:
                if self.worker.launch(send_id, client, actor=actor):
                    started.append(send_id)
            except Exception as exc:  # not approved, cancelled meanwhile: it waits, or never goes
                logger.info("send #%d is due and was not started: %s", send_id, exc)
        return started

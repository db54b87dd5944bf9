"""The console process's background work: one send worker per journal database, its scheduler and
its notifier,
shared by every session and by the server's start-up (console.py), so that scheduled sends start
after a restart even before anyone opens a page."""

from __future__ import annotations

import threading
from collections.abc import Callable

from components.core.database_url import DatabaseURL
from components.journal import Journal
from components.notifications import Audience, NotificationSettings, Notifier
from components.sending.leases import DEFAULT_LEASE_SECONDS, PROCESS_OWNER
from components.sending.scheduler import Connect, Scheduler
from components.sending.worker import SendWorker
from components.status.follow import GIVE_UP_AFTER

_lock = threading.Lock()
_workers: dict[tuple[DatabaseURL, int, float], SendWorker] = {}
_schedulers: dict[int, Scheduler] = {}
_notifiers: dict[int, Notifier] = {}


def process_worker(
    where: DatabaseURL, max_in_flight: int, lease_seconds: float = DEFAULT_LEASE_SECONDS
) -> SendWorker:
    """The one worker of this process for the journal in the database `where`."""
    with _lock:
        key = (where, max_in_flight, lease_seconds)
        if key not in _workers:
            _workers[key] = SendWorker(
                Journal(where), max_in_flight=max_in_flight, lease_seconds=lease_seconds
            )
        return _workers[key]


def ensure_scheduler(
    worker: SendWorker, connect: Connect, *, follow_hours: float = GIVE_UP_AFTER / 3600
) -> Scheduler:
    """Starts the worker's scheduler once; later calls give it the connection as it is now."""
    with _lock:
        scheduler = _schedulers.get(id(worker))
        if scheduler is None:
            scheduler = _schedulers[id(worker)] = Scheduler(
                worker, connect, follow_hours=follow_hours
            ).start()
        else:
            scheduler.connect = connect
        return scheduler


def ensure_notifier(
    worker: SendWorker,
    settings: Callable[[], NotificationSettings | None],
    audience: Callable[[], Audience],
) -> Notifier:
    """Starts the worker's notifier once (a thread of its own: a slow mail server or webhook
    never holds up the scheduler); later calls give it the configuration's readers as they are."""
    with _lock:
        notifier = _notifiers.get(id(worker))
        if notifier is None:
            notifier = _notifiers[id(worker)] = Notifier(
                worker.journal, settings, audience, owner=PROCESS_OWNER
            ).start()
        else:
            notifier.settings, notifier.audience = settings, audience
        return notifier


def stop_background_work() -> None:
    """Stops every worker's scheduler and closes their journals (a test or a benchmark whose
    database goes away; a console process simply ends)."""
    with _lock:
        workers = list(_workers.values())
        schedulers = [_schedulers.pop(id(worker), None) for worker in workers]
        notifiers = [_notifiers.pop(id(worker), None) for worker in workers]
        _workers.clear()
    for worker, scheduler, notifier in zip(workers, schedulers, notifiers, strict=True):
        if scheduler is not None:
            scheduler.stop()
        if notifier is not None:
            notifier.stop()
        worker.leases.stop()
        worker.journal.close()

"""The scheduler: a thread of the console process that starts what has come due, and follows the
outcomes of accepted sends (components/status/follow.py), whatever any browser does. Because the
schedule is in the journal, a restart loses nothing: the scheduler of the next process starts
what came due meanwhile, and the journal's atomic claim of each batch means none goes out twice.
A start is the scheduler's own, on the schedule of whoever scheduled the send (the audit log says
both); approval comes first (SendWorker.launch refuses an unapproved send), and the worker holds
recipients outside their hours as the send chose.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from components.acoustic import AcousticClient
from components.journal import destination_of
from components.sending.leases import PROCESS_OWNER
from components.sending.worker import SCHEDULER_ACTOR, SendWorker
from components.status.follow import GIVE_UP_AFTER, follow_due

logger = logging.getLogger(__name__)

Connect = Callable[[], "tuple[str, AcousticClient] | None"]


class Scheduler:
    """Starts the due batches of scheduled sends through the worker, once a second at most,
    sleeping until the next due time when it is sooner, and takes over the sends of a replica
    whose lease ran out (components/sending/leases.py). `connect()` gives the console's
    connection now (mode and client), or None while it is misconfigured."""

    def __init__(
        self,
        worker: SendWorker,
        connect: Connect,
        *,
        poll: float = 1.0,
        follow_hours: float = GIVE_UP_AFTER / 3600,
    ) -> None:
        self.worker = worker
        self.connect = connect
        self.poll = poll
        self.follow_hours = follow_hours
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
                self.follow_outcomes()
                next_due = self.worker.journal.next_due_at()
                if next_due is not None:
                    wait = min(self.poll, max(0.05, next_due - time.time()))
            except Exception:  # the scheduler must outlive a bad send and a database restart
                logger.exception("the scheduler could not start the due sends")
            self._stop.wait(wait)

    def follow_outcomes(self, now: float | None = None) -> int:
        """One round of following accepted sends' outcomes (components/status/follow.py)."""
        connection = self.connect()
        if connection is None:
            return 0
        mode, client = connection
        return follow_due(
            self.worker.journal,
            client,
            mode=mode,
            owner=PROCESS_OWNER,
            now=now,
            give_up_after=self.follow_hours * 3600,
        )

    def _mine(self, send_id: int) -> bool:
        return send_id in self.worker.leases.held()

    def run_due(self, now: float | None = None) -> list[int]:
        """Starts every send with batches due at `now`; returns the ids started."""
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
            try:
                if self.worker.launch(
                    send_id,
                    client,
                    actor=SCHEDULER_ACTOR,
                    on_schedule_of=record.scheduled_by or record.created_by,
                ):
                    started.append(send_id)
            except Exception as exc:  # not approved, cancelled meanwhile: it waits, or never goes
                logger.info("send #%d is due and was not started: %s", send_id, exc)
        return started

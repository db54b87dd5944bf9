"""The process-wide background worker that runs journaled sends outside any Streamlit script run.

It is where every rule of a send is checked again, each time batches go out (now, scheduled,
approved after a wait, resumed, resent, taken over from another replica): the role of whoever
starts it, its approval and cancellation (before anything goes), and, batch by batch as each
goes out, the do-not-text list and the recipients' allowed hours (components/sending/
stored_payloads.py). A batch is marked in flight only once its request holds one of the
organisation's places, so after a crash "unknown" means "may have gone out".
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from components.acoustic import ACOUSTIC_MAX_IN_FLIGHT, AcousticClient
from components.core.states import BatchState, HoursChoice
from components.core.times import utc_text
from components.guardrails.quiet_hours_plan import common_opening
from components.guardrails.quiet_hours_settings import QuietHours
from components.journal import AuditAction, BatchRecord, Journal, SendRecord
from components.sending.batches import BatchResult, send_payloads
from components.sending.from_template import sends_approved_template
from components.sending.hours import due_numbers, window_summary
from components.sending.leases import (
    DEFAULT_LEASE_SECONDS,
    PROCESS_OWNER,
    LeaseKeeper,
    owner_alive,
    record_takeover,
)
from components.sending.stored_payloads import StoredPayloads
from components.team.approval_rules import ApprovalRule
from components.team.approvals import ApprovalRequired, approval_block
from components.team.auth import Identity, permission_to_send, require

logger = logging.getLogger(__name__)

SCHEDULER_ACTOR = "scheduler"  # who starts a send at its time: the console, on someone's schedule


def recover_interrupted(journal: Journal) -> int:
    """Batches left in flight by a process that is gone become unknown. Returns how many."""
    alive = [owner for owner in journal.in_flight_owners() if owner and owner_alive(owner)]
    return journal.mark_interrupted(alive_owners=alive)


class SendCancelled(Exception):
    """The rest of the send was cancelled: nothing more of it is sent."""


@dataclass
class SendRules:
    """The rules in force, from the configuration as it is now (the pages and the console's
    start keep them up to date): which sends need approval, and the allowed hours."""

    approval_rule: ApprovalRule = field(default_factory=ApprovalRule)
    quiet_hours: QuietHours = field(default_factory=QuietHours)


class SendWorker:
    """Runs journaled sends in background threads of this process.

    A Streamlit script is stopped whenever the user clicks something; a send must not be. Pages
    only start jobs here and read progress from the journal.

    Whether a send is running is the journal's word: a job of this worker, or a live lease of
    another replica on the same journal (components/sending/leases.py). A send whose replica died
    is taken over once its lease runs out (`launch` does it; the scheduler calls it).
    """

    def __init__(
        self,
        journal: Journal,
        *,
        max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
        max_jobs: int = 4,
        approval_rule: ApprovalRule | None = None,
        quiet_hours: QuietHours | None = None,
        owner: str = PROCESS_OWNER,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.journal = journal
        self.owner = owner
        self.leases = LeaseKeeper(journal, owner, lease_seconds)
        self.max_in_flight = max_in_flight
        self.rules = SendRules(approval_rule or ApprovalRule(), quiet_hours or QuietHours())
        self._pool = ThreadPoolExecutor(max_workers=max_jobs, thread_name_prefix="sms-job")
        self._lock = threading.Lock()
        self._jobs: dict[int, Future[None]] = {}
        recovered = recover_interrupted(journal)
        if recovered:
            logger.warning("%d batch(es) were in flight when the console stopped", recovered)

    @property
    def approval_rule(self) -> ApprovalRule:
        return self.rules.approval_rule

    @approval_rule.setter
    def approval_rule(self, rule: ApprovalRule) -> None:
        self.rules.approval_rule = rule

    @property
    def quiet_hours(self) -> QuietHours:
        return self.rules.quiet_hours

    @quiet_hours.setter
    def quiet_hours(self, hours: QuietHours) -> None:
        self.rules.quiet_hours = hours

    def start(self, send_id: int, client: AcousticClient, *, by: Identity) -> bool:
        """Starts sending the planned batches of a send on behalf of `by` (who clicked, in the
        audit log); False when it is already running or nothing of it is due. Raises
        auth.PermissionDenied when `by` may not send it: the check is here, where the sending
        happens, not only in the page."""
        self.authorize(send_id, by)
        return self.launch(send_id, client, actor=by.actor)

    def launch(
        self,
        send_id: int,
        client: AcousticClient,
        *,
        actor: str,
        on_schedule_of: str | None = None,
    ) -> bool:
        """Starts the batches of a send that are due now, for `actor` (a person, or the
        scheduler on `on_schedule_of`'s schedule). The roles were checked when it was asked
        for; approval and cancellation are checked here, every time, and the do-not-text list
        and the hours as each batch goes out. False when it is already running or nothing of it
        is due."""
        record = self._record(send_id)
        blocked = self._approval_block(record)
        if blocked:
            raise ApprovalRequired(blocked)
        if record.cancelled_at is not None:
            raise SendCancelled(
                f"Send #{send_id} was cancelled by {record.cancelled_by or 'someone'}: what was "
                "left of it is not sent."
            )
        with self._lock:
            running = self._jobs.get(send_id)
            if running is not None and not running.done():
                return False
            grant = self.leases.acquire(send_id)
            if not grant.granted:
                return False  # another replica is sending it
            if grant.taken_from is not None:
                record_takeover(self.journal, send_id, grant.taken_from, actor)
            if not _due(self.journal.batches(send_id), time.time()):
                self.leases.release(send_id)
                return False
            self._jobs[send_id] = self._pool.submit(
                self._run, record, client, actor, on_schedule_of
            )
            return True

    def authorize(self, send_id: int, by: Identity) -> None:
        """Raises auth.PermissionDenied unless `by` may send this send (a test needs less than
        a send), approvals.ApprovalRequired while it needs an approval it does not have, and
        LookupError for a send the journal does not hold."""
        record = self._record(send_id)
        require(by, permission_to_send(record.kind))
        blocked = self._approval_block(record)
        if blocked:
            raise ApprovalRequired(blocked)

    def _approval_block(self, record: SendRecord) -> str | None:
        preapproved = self.approval_rule.approved_templates_up_to > 0 and sends_approved_template(
            self.journal, record
        )
        return approval_block(
            self.journal, record, self.approval_rule, approved_template=preapproved
        )

    def _record(self, send_id: int) -> SendRecord:
        record = self.journal.get_send(send_id)
        if record is None:
            raise LookupError(f"There is no send #{send_id} in the journal.")
        return record

    def is_running(self, send_id: int) -> bool:
        with self._lock:
            job = self._jobs.get(send_id)
            if job is not None and not job.done():
                return True
        return send_id in self._running_elsewhere()

    def running_sends(self) -> set[int]:
        """The sends being sent now by any replica (History's list asks once, not per send)."""
        with self._lock:
            mine = {send_id for send_id, job in self._jobs.items() if not job.done()}
        return mine | self._running_elsewhere()

    def _running_elsewhere(self) -> set[int]:
        """Sends under a live lease of a replica that may be alive: one of this machine whose
        process is gone (a crash, a restart) runs nothing, whatever its lease says."""
        return {i for i, owner in self.journal.live_leases().items() if owner_alive(owner)}

    def wait(self, send_id: int, timeout: float | None = None) -> None:
        with self._lock:
            job = self._jobs.get(send_id)
        if job is not None:
            job.result(timeout=timeout)

    def _run(
        self, record: SendRecord, client: AcousticClient, actor: str, on_schedule_of: str | None
    ) -> None:
        send_id = record.id
        planned: list[BatchRecord] = []
        finished: list[BatchResult] = []
        payloads = StoredPayloads(self.journal, [])
        left_out_batches: list[int] = []  # indexes of batches not sent: everyone listed
        stopped = False
        try:
            planned = _due(self.journal.batches(send_id), time.time())
            started = {"batches": len(planned), "recipients": sum(b.contacts for b in planned)}
            if on_schedule_of:
                started["on_schedule_of"] = on_schedule_of
            self.journal.record_audit(
                actor, AuditAction.SEND_STARTED, send_id=send_id, details=started
            )
            if record.hours is HoursChoice.HOLD_ALL and self._hold_all(record, planned, actor):
                planned = []
            payloads = StoredPayloads(
                self.journal,
                [b.id for b in planned],
                program=record.program,
                quiet_hours=self.quiet_hours,
                hours=record.hours,
                clock=lambda: datetime.now(UTC),
            )

            def claim(index: int) -> bool:
                # Its body was read (and screened) by this thread just before: send_payloads.
                batch_id, left_out = planned[index].id, payloads.left_out.get(index, [])
                if payloads.everyone_listed(index):
                    if self.journal.leave_out_batch(batch_id, self.owner, left_out):
                        left_out_batches.append(index)
                    return False
                if payloads.waits(index):
                    return False
                return self.journal.claim_batch(
                    batch_id, self.owner, left_out=left_out, lease_of=send_id
                )

            def finished_batch(result: BatchResult) -> None:
                finished.append(result)
                self.journal.finish_batch(
                    planned[result.index].id,
                    result.state,
                    transaction_id=result.transaction_id,
                    status_code=result.status_code,
                    error=result.error,
                    cause=result.cause,
                    api_messages=result.api_messages,
                    owner=self.owner,
                    unclaimed=not result.claimed,
                )

            send_payloads(
                client,
                payloads,
                max_in_flight=self.max_in_flight,
                on_result=finished_batch,
                claim=claim,
            )
        except Exception:
            # Its batches stay as the journal has them: planned ones can be resumed from History.
            logger.exception("send #%d stopped", send_id)
            stopped = True
        self._after_run(send_id, actor, planned, finished, payloads, left_out_batches, stopped)

    def _hold_all(self, record: SendRecord, planned: Sequence[BatchRecord], actor: str) -> bool:
        """ "Hold everything": when anyone due now is outside their hours, every due batch waits
        until all are inside at once. False when nobody is outside (or there is no such moment
        within 48 hours: then each waits for their own hours)."""
        now = datetime.now(UTC)
        numbers = due_numbers(self.journal, [b.id for b in planned])
        summary = window_summary(numbers, record.program, self.quiet_hours, now)
        opening = common_opening(summary) if summary.outside else None
        if opening is None:
            return False
        held = self.journal.hold_batches([b.id for b in planned], opening.timestamp())
        self.journal.record_audit(
            actor,
            AuditAction.SEND_HELD,
            send_id=record.id,
            details={
                "recipients": len(numbers),
                "outside": summary.outside,
                "batches": held,
                "until": utc_text(opening),
                "hours": str(HoursChoice.HOLD_ALL),
            },
        )
        return True

    def _after_run(
        self,
        send_id: int,
        actor: str,
        planned: Sequence[BatchRecord],
        finished: Sequence[BatchResult],
        payloads: StoredPayloads,
        left_out_batches: Sequence[int],
        stopped: bool,
    ) -> None:
        """The audit of what the run did (held recipients, then the outcome), and the lease
        given back."""
        try:
            held = [h for h in payloads.held.values() if h.held]
            if held:
                last = max(max((t for t, _ in h.later), default=0.0) for h in held)
                waits = max((h.wait_until or 0.0) for h in held)
                self.journal.record_audit(
                    actor,
                    AuditAction.SEND_HELD,
                    send_id=send_id,
                    details={
                        "recipients": sum(h.held for h in held),
                        "batches": len(held),
                        "until": utc_text(max(last, waits)),
                        "hours": str(HoursChoice.EACH_WHEN_OPEN),
                    },
                )
            self.journal.record_audit(
                actor,
                AuditAction.SEND_FINISHED,
                send_id=send_id,
                details=_run_outcome(finished, payloads, left_out_batches, stopped=stopped),
            )
        except Exception:
            logger.exception("the end of send #%d could not be written to the audit log", send_id)
        try:
            self.leases.release(send_id)
        except Exception:  # it runs out by itself; another replica then finds nothing to do
            logger.exception("the lease of send #%d could not be released", send_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
        self.leases.stop()


def _due(batches: Sequence[BatchRecord], now: float) -> list[BatchRecord]:
    """The planned batches that may go out now (a held one waits for its time)."""
    return [
        b
        for b in batches
        if b.state is BatchState.PLANNED and (b.not_before is None or b.not_before <= now)
    ]


def _run_outcome(
    finished: Sequence[BatchResult],
    payloads: StoredPayloads,
    left_out_batches: Sequence[int],
    *,
    stopped: bool,
) -> dict[str, object]:
    """What one run of the worker did, in recipients by outcome (the audit's "send finished");
    "left_out" counts every recipient left out for the do-not-text list as the batches went
    out, of the batches sent and of those not sent at all."""
    recipients: Counter[BatchState] = Counter()
    for result in finished:
        recipients[result.state] += payloads.sizes.get(result.index, 0)
    handled = [result.index for result in finished] + list(left_out_batches)
    outcome: dict[str, object] = {"batches": len(handled)}
    outcome |= {str(state): recipients[state] for state in BatchState if state.final}
    outcome[str(BatchState.LEFT_OUT)] = sum(
        len(payloads.left_out.get(index, ())) for index in handled
    )
    if stopped:
        outcome["stopped"] = "an unexpected error stopped the send; see the console's log"
    return outcome

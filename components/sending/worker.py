"""Sending: the process-wide background worker that runs journaled sends outside any Streamlit
script run, and `submit_send`, how a page starts one. The batches themselves go out through
`send_payloads` (components/sending/batches.py, re-exported here): at most `max_in_flight` requests
at a time, and the client's organisation gate caps the whole process at Acoustic's 10.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from components.acoustic import ACOUSTIC_MAX_IN_FLIGHT, AcousticClient
from components.core.states import BatchState
from components.guardrails.do_not_text import refuse_listed
from components.journal import BatchRecord, Journal
from components.sending.batches import BatchResult, result_for_error, send_payloads
from components.sending.leases import (
    DEFAULT_LEASE_SECONDS,
    PROCESS_OWNER,
    LeaseKeeper,
    owner_alive,
    record_takeover,
)
from components.sending.schedules import Schedule
from components.sending.stored_payloads import StoredPayloads
from components.team.approval_rules import ApprovalRule
from components.team.approvals import ApprovalRequired, approval_block, request_approval
from components.team.audit import AuditAction
from components.team.auth import Identity, Permission, require

__all__ = [
    "BatchResult",
    "SendWorker",
    "recover_interrupted",
    "result_for_error",
    "send_payloads",
    "submit_send",
]

logger = logging.getLogger(__name__)


# -- the background worker ------------------------------------------------------------------------


def recover_interrupted(journal: Journal) -> int:
    """Batches left in flight by a process that is gone become unknown. Returns how many."""
    alive = [owner for owner in journal.in_flight_owners() if owner and owner_alive(owner)]
    return journal.mark_interrupted(alive_owners=alive)


class SendWorker:
    """Runs journaled sends in background threads of this process.

    A Streamlit script is stopped whenever the user clicks something; a send must not be. Pages
    only start jobs here and read progress from the journal.

    Whether a send is running is the journal's word: a job of this worker, or a live lease of
    another replica on the same journal (components/sending/leases.py). A send whose replica died is
    taken over once its lease runs out (`launch` does it; the scheduler calls it).
    """

    def __init__(
        self,
        journal: Journal,
        *,
        max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
        max_jobs: int = 4,
        approval_rule: ApprovalRule | None = None,
        owner: str = PROCESS_OWNER,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.journal = journal
        self.owner = owner
        self.leases = LeaseKeeper(journal, owner, lease_seconds)
        self.max_in_flight = max_in_flight
        # Which sends need a second person (the pages keep it to the configuration's).
        self.approval_rule = approval_rule or ApprovalRule()
        self._pool = ThreadPoolExecutor(max_workers=max_jobs, thread_name_prefix="sms-job")
        self._lock = threading.Lock()
        self._jobs: dict[int, Future[None]] = {}
        recovered = recover_interrupted(journal)
        if recovered:
            logger.warning("%d batch(es) were in flight when the console stopped", recovered)

    def start(self, send_id: int, client: AcousticClient, *, by: Identity) -> bool:
        """Starts sending the planned batches of a send on behalf of `by` (who clicked, in the
        audit log); False when it is already running. Raises auth.PermissionDenied when `by`
        may not send it: the check is here, where the sending happens, not only in the page."""
        self.authorize(send_id, by)
        return self.launch(send_id, client, actor=by.actor)

    def launch(self, send_id: int, client: AcousticClient, *, actor: str) -> bool:
        """Starts the batches of a send that are due now, for `actor` (a person, or the one who
        scheduled it when the scheduler starts it). The roles were checked when it was asked
        for; approval and cancellation are checked here, every time. False when it is already
        running or nothing of it is due."""
        record = self.journal.get_send(send_id)
        if record is None:
            raise LookupError(f"There is no send #{send_id} in the journal.")
        blocked = approval_block(self.journal, record, self.approval_rule)
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
            self._jobs[send_id] = self._pool.submit(self._run, send_id, client, actor)
            return True

    def authorize(self, send_id: int, by: Identity) -> None:
        """Raises auth.PermissionDenied unless `by` may send this send (a test needs less than
        a send), approvals.ApprovalRequired while it needs an approval it does not have, and
        LookupError for a send the journal does not hold."""
        record = self.journal.get_send(send_id)
        if record is None:
            raise LookupError(f"There is no send #{send_id} in the journal.")
        require(by, permission_to_send(record.kind))
        blocked = approval_block(self.journal, record, self.approval_rule)
        if blocked:
            raise ApprovalRequired(blocked)

    def is_running(self, send_id: int) -> bool:
        with self._lock:
            job = self._jobs.get(send_id)
            if job is not None and not job.done():
                return True
        return send_id in self.journal.live_leases()

    def running_sends(self) -> set[int]:
        """The sends being sent now by any replica (History's list asks once, not per send)."""
        with self._lock:
            mine = {send_id for send_id, job in self._jobs.items() if not job.done()}
        return mine | set(self.journal.live_leases())

    def wait(self, send_id: int, timeout: float | None = None) -> None:
        with self._lock:
            job = self._jobs.get(send_id)
        if job is not None:
            job.result(timeout=timeout)

    def _run(self, send_id: int, client: AcousticClient, actor: str) -> None:
        planned: list[BatchRecord] = []
        finished: list[BatchResult] = []
        payloads = StoredPayloads(self.journal, [])
        left_out_batches: list[int] = []  # indexes of batches not sent: everyone listed
        stopped = False
        try:
            planned = _due(self.journal.batches(send_id), time.time())
            payloads = StoredPayloads(self.journal, [b.id for b in planned])
            self.journal.record_audit(
                actor,
                AuditAction.SEND_STARTED,
                send_id=send_id,
                details={"batches": len(planned), "recipients": sum(b.contacts for b in planned)},
            )

            def claim(index: int) -> bool:
                # Its body was read (and screened) by this thread just before: send_payloads.
                batch_id, left_out = planned[index].id, payloads.left_out.get(index, [])
                if payloads.everyone_listed(index):
                    if self.journal.leave_out_batch(batch_id, self.owner, left_out):
                        left_out_batches.append(index)
                    return False
                return self.journal.claim_batch(batch_id, self.owner, left_out=left_out)

            def record(result: BatchResult) -> None:
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
                )

            send_payloads(
                client, payloads, max_in_flight=self.max_in_flight, on_result=record, claim=claim
            )
        except Exception:
            # Its batches stay as the journal has them: planned ones can be resumed from History.
            logger.exception("send #%d stopped", send_id)
            stopped = True
        try:
            self.journal.record_audit(
                actor,
                AuditAction.SEND_FINISHED,
                send_id=send_id,
                details=_run_outcome(
                    planned, finished, payloads.left_out, left_out_batches, stopped=stopped
                ),
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


class SendCancelled(Exception):
    """The rest of the send was cancelled: nothing more of it is sent."""


def _run_outcome(
    planned: Sequence[BatchRecord],
    finished: Sequence[BatchResult],
    left_out: Mapping[int, Sequence[str]],
    left_out_batches: Sequence[int],
    *,
    stopped: bool,
) -> dict[str, object]:
    """What one run of the worker did, in recipients by outcome (the audit's "send finished");
    "left_out" counts every recipient left out for the do-not-text list as the batches went
    out, of the batches sent and of those not sent at all."""
    recipients: Counter[BatchState] = Counter()
    for result in finished:
        recipients[result.state] += planned[result.index].contacts - len(
            left_out.get(result.index, ())
        )
    handled = [result.index for result in finished] + list(left_out_batches)
    outcome: dict[str, object] = {"batches": len(handled)}
    outcome |= {str(state): recipients[state] for state in BatchState if state.final}
    outcome[str(BatchState.LEFT_OUT)] = sum(len(left_out.get(index, ())) for index in handled)
    if stopped:
        outcome["stopped"] = "an unexpected error stopped the send; see the console's log"
    return outcome


# -- starting a send and reading its progress -------------------------------------------------


def permission_to_send(kind: str) -> Permission:
    return Permission.SEND_TEST if kind == "test" else Permission.SEND


def submit_send(
    worker: SendWorker,
    client: AcousticClient,
    *,
    kind: str,
    mode: str,
    payloads: list[dict[str, Any]],
    content: str,
    program: str,
    defaults: Mapping[str, str],
    source: str | None,
    by: Identity,
    segments: int | None = None,
    estimated_cost: float | None = None,
    repeat_of: int | None = None,
    confirmation: Mapping[str, Any] | None = None,
    replaces: int | None = None,
    schedule: Schedule | None = None,
    hours_override: tuple[int, str] | None = None,
    left_out: int = 0,
) -> int:
    """Journals the send (all batches planned) and hands it to the background worker, or, when
    the worker's approval rule names it, journals a request for approval instead (with the
    `confirmation` the sender saw, shown to the approver; `replaces` the sender's earlier
    request from the same draft, which is withdrawn). With a `schedule`, batches wait for their
    time and the scheduler starts them (after approval, when it needs one). `hours_override`
    (how many recipients are outside their allowed hours, and why it goes to them anyway) is
    recorded in the audit log.

    `left_out`: how many recipients Compose left out for the do-not-text list (audited).

    Raises auth.PermissionDenied, before anything is journaled, when `by` may not send it,
    suppression.ListedRecipients when a request would reach a listed number, and
    journal.DuplicateSendError when the same send exists: a double click, a second Send or a
    browser refresh never makes a second job. Returns the send id.
    """
    require(by, permission_to_send(kind))
    refuse_listed(worker.journal, payloads)
    reasons = worker.approval_rule.reasons(
        kind=kind,
        mode=mode,
        recipients=sum(len(p.get("contacts", [])) for p in payloads),
        estimated_cost=estimated_cost,
    )
    record = worker.journal.create_send(
        kind=kind,
        mode=mode,
        base_url=client.base_url,
        program=program,
        content=content,
        payloads=payloads,
        defaults=defaults,
        source=source or None,
        created_by=by.actor,
        segments=segments,
        estimated_cost=estimated_cost,
        repeat_of=repeat_of,
        not_before=schedule.not_before if schedule else None,
        schedule=schedule.kind if schedule else None,
        scheduled_by=by.actor if schedule else None,
    )
    actor = by.actor
    worker.journal.record_audit(
        actor,
        AuditAction.TEST_SEND if kind == "test" else AuditAction.SEND_REQUESTED,
        send_id=record.id,
        details={
            "kind": kind,
            "mode": mode,
            "program": program,
            "recipients": record.recipients,
            "batches": len(payloads),
            "repeat_of": repeat_of,
            "awaiting_approval": bool(reasons),
            "left_out": left_out,
        },
    )
    if hours_override is not None:
        outside, reason = hours_override
        worker.journal.record_audit(
            actor,
            AuditAction.QUIET_HOURS_OVERRIDDEN,
            send_id=record.id,
            details={"recipients_outside": outside, "reason": reason},
        )
    if schedule is not None:
        worker.journal.record_audit(
            actor, AuditAction.SEND_SCHEDULED, send_id=record.id, details=schedule.details()
        )
    if reasons:
        request_approval(
            worker.journal,
            record,
            by=by,
            rule=worker.approval_rule,
            reasons=reasons,
            confirmation=confirmation or {},
            replaces=replaces,
        )
    else:
        worker.start(record.id, client, by=by)
    return record.id

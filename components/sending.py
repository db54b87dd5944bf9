"""Sending: batches through the client with a bounded number of requests in flight, and the
process-wide background worker that runs journaled sends outside any Streamlit script run.

The in-flight limit is enforced twice on purpose: `send_payloads` never starts more than
`max_in_flight` requests, and the client's organisation gate (components.acoustic.limits) caps the
whole process, all sessions and jobs together, at Acoustic's 10.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from components.acoustic import (
    ACOUSTIC_MAX_IN_FLIGHT,
    AcousticClient,
    AcousticError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    EncodedPayload,
    ForbiddenError,
    NetworkError,
    OutcomeUnknownError,
    ServerError,
    encode_payload,
)
from components.approval_rules import ApprovalRule
from components.approvals import ApprovalRequired, approval_block, request_approval
from components.audit import AuditAction
from components.auth import Identity, Permission, require
from components.journal import BatchRecord, Journal
from components.states import BatchState, Cause

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchResult:
    """What became of one batch. `error` is a message safe to show (secrets redacted);
    `api_messages` are Acoustic's own words, each as it sent them."""

    index: int
    state: BatchState
    transaction_id: str | None = None
    error: str | None = None
    status_code: int | None = None
    cause: Cause | None = None
    api_messages: tuple[str, ...] = ()


_CAUSES: tuple[tuple[type[AcousticError], Cause], ...] = (
    (BadRequestError, Cause.REFUSED),
    (AuthenticationError, Cause.CREDENTIALS),
    (ForbiddenError, Cause.FORBIDDEN),
    (ConcurrencyLimitError, Cause.BUSY),
    (ServerError, Cause.SERVER),
    (NetworkError, Cause.UNREACHABLE),
    (OutcomeUnknownError, Cause.ANSWER_LOST),
)


def result_for_error(index: int, exc: AcousticError, cause: Cause | None = None) -> BatchResult:
    """An error becomes "unknown" when Acoustic may have processed the batch, else "rejected"
    (it certainly was not processed: validation, credentials, limit, or never reached)."""
    if cause is None:
        cause = next((c for kind, c in _CAUSES if isinstance(exc, kind)), Cause.UNEXPECTED)
    return BatchResult(
        index=index,
        state=BatchState.UNKNOWN if exc.outcome_unknown else BatchState.REJECTED,
        error=exc.message,
        status_code=exc.status_code,
        cause=cause,
        api_messages=exc.api_messages,
    )


def send_payloads(
    client: AcousticClient,
    payloads: Sequence[Mapping[str, Any]],
    *,
    max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
    on_result: Callable[[BatchResult], None] | None = None,
    claim: Callable[[int], bool] | None = None,
) -> list[BatchResult]:
    """Sends every payload once, at most `max_in_flight` at a time; results in payload order.

    `claim(index)` runs just before a batch's request (the journal marks it in flight there);
    when it returns False the batch is skipped: someone else has it. `on_result` is called from
    the worker threads as each batch finishes.
    """
    if not 1 <= max_in_flight <= ACOUSTIC_MAX_IN_FLIGHT:
        raise ValueError(f"max_in_flight must be between 1 and {ACOUSTIC_MAX_IN_FLIGHT}.")
    results: list[BatchResult | None] = [None] * len(payloads)
    # Serializing 1000 contacts is CPU work: it happens before a batch takes one of the
    # `max_in_flight` places, so that the places are only ever held by requests on the wire.
    window = threading.BoundedSemaphore(max_in_flight)

    def run(index: int) -> None:
        try:
            prepared: EncodedPayload | AcousticError = encode_payload(payloads[index])
        except AcousticError as exc:
            prepared = exc
        with window:
            if claim is not None and not claim(index):
                return
            result = _send_one(client, index, prepared)
        results[index] = result
        if on_result is not None:
            on_result(result)

    if payloads:
        workers = min(2 * max_in_flight, len(payloads))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sms-send") as pool:
            for future in [pool.submit(run, i) for i in range(len(payloads))]:
                future.result()
    return [r for r in results if r is not None]


def _send_one(
    client: AcousticClient, index: int, prepared: EncodedPayload | AcousticError
) -> BatchResult:
    if isinstance(prepared, AcousticError):
        # It could not be written: nothing was sent.
        return result_for_error(index, prepared, Cause.UNWRITABLE)
    try:
        accepted = client.send(prepared)
        return BatchResult(index, BatchState.ACCEPTED, transaction_id=accepted.transaction_id)
    except AcousticError as exc:
        return result_for_error(index, exc)
    except Exception as exc:  # a bug must not leave a batch looking unsent
        logger.exception("unexpected failure while sending batch %d", index)
        return BatchResult(
            index,
            BatchState.UNKNOWN,
            error=f"An unexpected error interrupted this batch ({type(exc).__name__}); it may "
            "or may not have been processed.",
            cause=Cause.FAULT,
        )


# -- the background worker ------------------------------------------------------------------------

PROCESS_OWNER = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"


def _owner_alive(owner: str) -> bool:
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


def recover_interrupted(journal: Journal) -> int:
    """Batches left in flight by a process that is gone become unknown. Returns how many."""
    alive = [owner for owner in journal.in_flight_owners() if owner and _owner_alive(owner)]
    return journal.mark_interrupted(alive_owners=alive)


class StoredPayloads(Sequence[dict[str, Any]]):
    """A send's request bodies, each read from the journal by the thread about to send it, so
    the first request does not wait for all of them to be read."""

    def __init__(self, journal: Journal, batch_ids: Sequence[int]) -> None:
        self.journal = journal
        self.batch_ids = list(batch_ids)

    def __len__(self) -> int:
        return len(self.batch_ids)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        batch_id = self.batch_ids[index]
        try:
            return self.journal.batch_payload(batch_id)
        except (LookupError, ValueError) as exc:
            raise AcousticError(
                f"This batch could not be read back from the journal ({exc}); nothing was sent."
            ) from None


class SendWorker:
    """Runs journaled sends in background threads of this process.

    A Streamlit script is stopped whenever the user clicks something; a send must not be. Pages
    only start jobs here and read progress from the journal.

    Whether a send is running is this worker's word (`is_running`, `running_sends`): the jobs it
    holds in this process. With one console process that is the whole truth; a planned or
    in-flight batch in the journal is not. (Issue 12, several replicas on one journal, will need
    a journal-wide answer: a lease per owner.)
    """

    def __init__(
        self,
        journal: Journal,
        *,
        max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
        max_jobs: int = 4,
        approval_rule: ApprovalRule | None = None,
    ) -> None:
        self.journal = journal
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
        actor = by.actor
        with self._lock:
            running = self._jobs.get(send_id)
            if running is not None and not running.done():
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
            return job is not None and not job.done()

    def running_sends(self) -> set[int]:
        """The sends this worker is sending now (History's list asks once, not per send)."""
        with self._lock:
            return {send_id for send_id, job in self._jobs.items() if not job.done()}

    def wait(self, send_id: int, timeout: float | None = None) -> None:
        with self._lock:
            job = self._jobs.get(send_id)
        if job is not None:
            job.result(timeout=timeout)

    def _run(self, send_id: int, client: AcousticClient, actor: str) -> None:
        planned: list[BatchRecord] = []
        finished: list[BatchResult] = []
        stopped = False
        try:
            planned = [b for b in self.journal.batches(send_id) if b.state is BatchState.PLANNED]
            payloads = StoredPayloads(self.journal, [b.id for b in planned])
            self.journal.record_audit(
                actor,
                AuditAction.SEND_STARTED,
                send_id=send_id,
                details={"batches": len(planned), "recipients": sum(b.contacts for b in planned)},
            )

            def claim(index: int) -> bool:
                return self.journal.claim_batch(planned[index].id, PROCESS_OWNER)

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
                details=_run_outcome(planned, finished, stopped=stopped),
            )
        except Exception:
            logger.exception("the end of send #%d could not be written to the audit log", send_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def _run_outcome(
    planned: Sequence[BatchRecord], finished: Sequence[BatchResult], *, stopped: bool
) -> dict[str, object]:
    """What one run of the worker did, in recipients by outcome (the audit's "send finished")."""
    recipients: Counter[BatchState] = Counter()
    for result in finished:
        recipients[result.state] += planned[result.index].contacts
    outcome: dict[str, object] = {"batches": len(finished)}
    outcome |= {str(state): recipients[state] for state in BatchState if state.final}
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
) -> int:
    """Journals the send (all batches planned) and hands it to the background worker, or, when
    the worker's approval rule names it, journals a request for approval instead (with the
    `confirmation` the sender saw, shown to the approver; `replaces` the sender's earlier
    request from the same draft, which is withdrawn).

    Raises auth.PermissionDenied, before anything is journaled, when `by` may not send it, and
    journal.DuplicateSendError when the same send exists: a double click, a second Send or a
    browser refresh never makes a second job. Returns the send id.
    """
    require(by, permission_to_send(kind))
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
        },
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

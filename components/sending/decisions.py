"""What people decide about a journaled send: an approver approves it (and it starts), or its
sender resumes its planned batches, resends rejected ones, or resends those with an unknown
outcome after accepting that they may deliver twice. Each decision is recorded in the audit log
with who made it."""

from __future__ import annotations

from collections.abc import Sequence

from components.acoustic import AcousticClient
from components.core.states import BatchState
from components.journal import AuditAction
from components.journal.approvals import ApprovalRecord
from components.sending.worker import SendWorker
from components.team.approvals import approve
from components.team.auth import Identity


def resume_send(worker: SendWorker, client: AcousticClient, send_id: int, *, by: Identity) -> bool:
    """Sends the planned batches of a send that stopped; False when it is already running.
    Raises auth.PermissionDenied, before anything changes, when `by` may not send it."""
    worker.authorize(send_id, by)
    if worker.is_running(send_id):
        return False
    planned = [b for b in worker.journal.batches(send_id) if b.state is BatchState.PLANNED]
    worker.journal.record_audit(
        by.actor, AuditAction.RESUME, send_id=send_id, details={"batches": len(planned)}
    )
    return worker.start(send_id, client, by=by)


def resend_batches(
    worker: SendWorker,
    client: AcousticClient,
    send_id: int,
    batch_ids: Sequence[int],
    *,
    may_deliver_twice: bool,
    by: Identity,
) -> int:
    """Sends rejected batches again, and batches with an unknown outcome only when the user
    accepted that they may deliver twice (the choice is in the audit log). Returns how many.
    Raises auth.PermissionDenied, before the journal changes, when `by` may not send it."""
    worker.authorize(send_id, by)
    requeued = worker.journal.requeue(send_id, batch_ids, include_unknown=may_deliver_twice)
    if requeued:  # none: another session resent them a moment ago
        worker.journal.record_audit(
            by.actor,
            AuditAction.RESEND,
            send_id=send_id,
            details={"batches": requeued, "may_deliver_twice": may_deliver_twice},
        )
        worker.start(send_id, client, by=by)
    return requeued


def approve_and_send(
    worker: SendWorker,
    client: AcousticClient,
    send_id: int,
    *,
    by: Identity,
    mode: str,
    note: str = "",
) -> ApprovalRecord:
    """An approver approves a waiting send and it starts through `client` (the console's connection
    now, whose mode is `mode`). Its batches go out as the worker's checks allow: a recipient outside
    their allowed hours waits for them, unless the send was confirmed to go anyway."""
    decided = approve(
        worker.journal,
        send_id,
        by=by,
        mode=mode,
        base_url=client.base_url,
        note=note,
    )
    worker.start(send_id, client, by=by)
    return decided

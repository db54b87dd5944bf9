"""Maker/checker: a send the approval rule names is journaled with its exact requests and waits
for another person with the approver role. Approval sends exactly what was journaled (the digest
of its request bodies is checked); nobody approves their own send; a request nobody decides on
expires. Every step is in the audit log with who took it.

The checks are here and in the worker (`approval_block`, which SendWorker.authorize calls before
any batch leaves), never only in a page.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from components.core.states import ApprovalState
from components.journal import Journal, SendRecord, destination_of
from components.journal.approvals import ApprovalRecord
from components.team.approval_rules import ApprovalRule
from components.team.audit import AuditAction
from components.team.auth import Identity, Permission, require

if TYPE_CHECKING:
    from components.acoustic import AcousticClient
    from components.sending.worker import SendWorker

CONSOLE_ACTOR = "console"  # who expires a request: nobody, the clock
MAX_NOTE = 300


class ApprovalError(Exception):
    """A step of approval that cannot be taken; the message says why and what to do."""


class ApprovalRequired(ApprovalError):
    """The worker refuses to send: the send needs an approval it does not have."""


class SelfApprovalError(ApprovalError):
    """Nobody approves (or rejects) their own send."""


class ApprovalClosedError(ApprovalError):
    """The request was decided already, withdrawn, or expired."""


class ApprovalChangedError(ApprovalError):
    """The journaled requests are not the ones that were asked to be approved."""


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def closed_words(approval: ApprovalRecord) -> str:
    """What became of a request that is no longer pending, in one sentence."""
    who = approval.decided_by or "someone"
    at = _when(approval.decided_at or approval.expires_at)
    note = f' ("{approval.note}")' if approval.note else ""
    return {
        ApprovalState.APPROVED: f"{who} approved it on {at}{note}.",
        ApprovalState.REJECTED: f"{who} rejected it on {at}{note}.",
        ApprovalState.WITHDRAWN: f"{who} withdrew it on {at}{note}.",
        ApprovalState.EXPIRED: f"Nobody approved it before it expired on "
        f"{_when(approval.expires_at)}.",
        ApprovalState.PENDING: f"It waits for an approver until {_when(approval.expires_at)}.",
    }[approval.state]


def approval_block(journal: Journal, record: SendRecord, rule: ApprovalRule) -> str | None:
    """Why the worker must not send `record` now; None when it may."""
    approval = journal.latest_approval(record.id)
    if approval is None:
        reasons = rule.reasons(
            kind=record.kind,
            mode=record.mode,
            recipients=record.recipients,
            estimated_cost=record.estimated_cost,
        )
        if not reasons:
            return None
        return (
            f"Send #{record.id} needs approval ({'; '.join(reasons)}) and nobody has approved "
            "it. Ask for approval from Compose."
        )
    if approval.state is ApprovalState.PENDING:
        return (
            f"Send #{record.id} is waiting for approval: it goes out once an approver approves it."
        )
    if approval.state is not ApprovalState.APPROVED:
        return f"Send #{record.id} will not be sent: {closed_words(approval)}"
    if journal.payload_digest(record.id) != approval.digest:
        return (
            f"The requests of send #{record.id} changed after they were approved, so nothing is "
            "sent. Ask for approval again."
        )
    return None


def request_approval(
    journal: Journal,
    record: SendRecord,
    *,
    by: Identity,
    rule: ApprovalRule,
    reasons: Sequence[str],
    confirmation: Mapping[str, Any],
    replaces: int | None = None,
) -> ApprovalRecord:
    """Journals a pending request for `record` (its batches are already planned). `replaces`,
    the sender's earlier pending request from the same draft, is withdrawn: a change makes a new
    request and drops the old one."""
    expire_due(journal)
    if replaces is not None and replaces != record.id:
        previous = journal.latest_approval(replaces)
        if previous is not None and previous.state is ApprovalState.PENDING:
            withdraw(journal, replaces, by=by, reason=f"replaced by send #{record.id}")
    approval = journal.request_approval(
        record.id,
        requested_by=by.actor,
        expires_at=time.time() + rule.expires_after_seconds,
        reasons=reasons,
        confirmation=confirmation,
    )
    return approval


def _pending(journal: Journal, send_id: int) -> ApprovalRecord:
    expire_due(journal)
    approval = journal.latest_approval(send_id)
    if approval is None:
        raise ApprovalClosedError(f"Send #{send_id} has no request for approval.")
    if approval.state is not ApprovalState.PENDING:
        raise ApprovalClosedError(f"Send #{send_id} is no longer waiting: {closed_words(approval)}")
    return approval


def _same_person(by: Identity, approval: ApprovalRecord) -> bool:
    return by.actor.strip().casefold() == approval.requested_by.strip().casefold()


def _decider(by: Identity, approval: ApprovalRecord, verb: str) -> None:
    require(by, Permission.APPROVE)
    if by.local:
        raise ApprovalError(
            f"Approval needs sign-in: in local mode nobody can {verb} a send, because nobody "
            "can be told apart. Configure `[auth]` (see the README)."
        )
    if _same_person(by, approval):
        raise SelfApprovalError(
            f"You asked for send #{approval.send_id} yourself, and nobody may {verb} their own "
            "send: another approver has to decide it. You can withdraw it instead."
        )


def _clean_note(note: str) -> str:
    text = " ".join(str(note or "").split())
    return text if len(text) <= MAX_NOTE else text[: MAX_NOTE - 1] + "…"


def approve(
    worker: SendWorker,
    client: AcousticClient,
    send_id: int,
    *,
    by: Identity,
    mode: str,
    note: str = "",
) -> ApprovalRecord:
    """Approves a pending request and starts the send through `client` (`mode` is the
    connection's). Raises PermissionDenied, SelfApprovalError, ApprovalClosedError or
    ApprovalChangedError before anything is sent."""
    journal = worker.journal
    approval = _pending(journal, send_id)
    _decider(by, approval, "approve")
    record = journal.get_send(send_id)
    assert record is not None
    if destination_of(mode, client.base_url) != destination_of(record.mode, record.base_url):
        raise ApprovalError(
            f"Send #{send_id} was made for {destination_of(record.mode, record.base_url)}, and "
            f"this console now talks to {destination_of(mode, client.base_url)}: switch back to "
            "that connection to approve it, or reject it."
        )
    if journal.payload_digest(send_id) != approval.digest:
        raise ApprovalChangedError(
            f"The requests of send #{send_id} are not the ones that were asked to be approved, "
            "so it cannot be approved. Reject it and ask the sender to send it again."
        )
    note = _clean_note(note)
    decided = _decide(
        journal,
        approval,
        ApprovalState.APPROVED,
        AuditAction.SEND_APPROVED,
        by=by,
        note=note,
        details={"requested_by": approval.requested_by, "note": note or None},
    )
    worker.start(send_id, client, by=by)
    return decided


def reject(journal: Journal, send_id: int, *, by: Identity, note: str) -> ApprovalRecord:
    """Rejects a pending request: nothing is sent. The note (required) tells the sender why."""
    approval = _pending(journal, send_id)
    _decider(by, approval, "reject")
    note = _clean_note(note)
    if not note:
        raise ApprovalError("Say why you reject it: the sender reads your note.")
    return _decide(
        journal,
        approval,
        ApprovalState.REJECTED,
        AuditAction.SEND_REJECTED,
        by=by,
        note=note,
        details={"requested_by": approval.requested_by, "note": note},
    )


def withdraw(
    journal: Journal, send_id: int, *, by: Identity, reason: str = "withdrawn by its sender"
) -> ApprovalRecord:
    """The sender takes back a pending request (or a new request replaces it): nothing is sent."""
    approval = _pending(journal, send_id)
    if not _same_person(by, approval):
        raise ApprovalError(
            f"Only {approval.requested_by}, who asked for send #{send_id}, can withdraw it; "
            "an approver rejects it instead."
        )
    reason = _clean_note(reason)
    return _decide(
        journal,
        approval,
        ApprovalState.WITHDRAWN,
        AuditAction.SEND_WITHDRAWN,
        by=by,
        note=reason,
        details={"reason": reason},
    )


def _decide(
    journal: Journal,
    approval: ApprovalRecord,
    state: ApprovalState,
    action: AuditAction,
    *,
    by: Identity,
    note: str,
    details: Mapping[str, object],
) -> ApprovalRecord:
    """One decision, written once (another that came first wins) and audited."""
    if not journal.decide_approval(approval.id, state, by=by.actor, note=note):
        raise ApprovalClosedError(_decided_meanwhile(journal, approval.send_id))
    journal.record_audit(by.actor, action, send_id=approval.send_id, details=details)
    return journal.get_approval(approval.id) or approval


def expire_due(journal: Journal, now: float | None = None) -> int:
    """Marks the requests whose time is over as expired (each in the audit log). Returns how
    many."""
    expired = 0
    for approval in journal.due_expiries(now):
        if journal.decide_approval(approval.id, ApprovalState.EXPIRED, by=None, now=now):
            expired += 1
            journal.record_audit(
                CONSOLE_ACTOR,
                AuditAction.SEND_EXPIRED,
                send_id=approval.send_id,
                details={"requested_by": approval.requested_by},
            )
    return expired


def _decided_meanwhile(journal: Journal, send_id: int) -> str:
    latest = journal.latest_approval(send_id)
    what = closed_words(latest) if latest is not None else "it is gone."
    return f"Send #{send_id} was decided a moment ago: {what}"


def awaiting(journal: Journal) -> list[ApprovalRecord]:
    """The requests waiting for a decision, newest first."""
    expire_due(journal)
    return journal.approvals([ApprovalState.PENDING])

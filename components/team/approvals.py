"""Maker/checker: a send the approval rule names is journaled with its exact requests and waits
for another person with the approver role. Approval sends exactly what was journaled (the digest
of its request bodies is checked); nobody approves their own send (`auth.same_person`); a request
nobody decides on expires. Every step is in the audit log with who took it.

The checks are here and in the worker (`approval_block`, which the worker calls before any batch
leaves), never only in a page. Starting the send once it is approved is the sending package's
(components/sending/decisions.py).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from typing import Any

from components.core.states import ApprovalState
from components.core.times import shown_time
from components.core.unicode_text import has_words
from components.journal import AuditAction, Journal, SendRecord, destination_of
from components.journal.approvals import ApprovalRecord
from components.team.approval_rules import ApprovalRule
from components.team.auth import Identity, Permission, is_author, require

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


def closed_words(approval: ApprovalRecord, zone: tzinfo = UTC) -> str:
    """What became of a request, in one sentence, its times in the reader's `zone`."""
    who = approval.decided_by or "someone"
    at = shown_time(approval.decided_at or approval.expires_at, zone)
    expiry = shown_time(approval.expires_at, zone)
    note = f' ("{approval.note}")' if approval.note else ""
    return {
        ApprovalState.APPROVED: f"{who} approved it on {at}{note}.",
        ApprovalState.SCHEDULED: f"{who} approved it on {at}{note}.",
        ApprovalState.REJECTED: f"{who} rejected it on {at}{note}.",
        ApprovalState.WITHDRAWN: f"{who} withdrew it on {at}{note}.",
        ApprovalState.EXPIRED: f"Nobody approved it before it expired on {expiry}.",
        ApprovalState.PENDING: f"It waits for an approver until {expiry}.",
    }[approval.state]


def approval_block(
    journal: Journal, record: SendRecord, rule: ApprovalRule, *, approved_template: bool = False
) -> str | None:
    """Why the worker must not send `record` now; None when it may. `approved_template`: the
    worker found the send to be an approved template version, unchanged (the worker checks it
    against the journal; the rule decides what that allows)."""
    approval = journal.latest_approval(record.id)
    if approval is None:
        reasons = rule.reasons(
            kind=record.kind,
            mode=record.mode,
            recipients=record.recipients,
            estimated_cost=record.estimated_cost,
            approved_template=approved_template,
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
        requested_subject=by.subject,
        expires_at=time.time() + rule.expires_after_seconds,
        reasons=reasons,
        confirmation=confirmation,
    )
    return approval


def ask_again(
    journal: Journal,
    record: SendRecord,
    *,
    by: Identity,
    rule: ApprovalRule,
    why: str,
    confirmation: Mapping[str, Any] | None = None,
) -> ApprovalRecord:
    """A changed send (moved to another time) needs approval anew: its latest request is
    closed as superseded when it still waits, and a new one is asked for by `by`, with the same
    reasons and the confirmation as it reads now."""
    latest = journal.latest_approval(record.id)
    if latest is not None and latest.state is ApprovalState.PENDING:
        journal.decide_approval(
            latest.id, ApprovalState.WITHDRAWN, by=by.actor, note=_clean_note(why), superseded=True
        )
    reasons = latest.reasons if latest is not None else []
    shown = confirmation if confirmation is not None else (latest.confirmation if latest else {})
    return request_approval(
        journal, record, by=by, rule=rule, reasons=reasons or [why], confirmation=shown
    )


def _pending(journal: Journal, send_id: int) -> ApprovalRecord:
    expire_due(journal)
    approval = journal.latest_approval(send_id)
    if approval is None:
        raise ApprovalClosedError(f"Send #{send_id} has no request for approval.")
    if approval.state is not ApprovalState.PENDING:
        raise ApprovalClosedError(f"Send #{send_id} is no longer waiting: {closed_words(approval)}")
    return approval


def asked_by(by: Identity, approval: ApprovalRecord) -> bool:
    """`by` is the person who asked for it (the one "same person" rule)."""
    return is_author(by, approval.requested_by, approval.requested_subject)


def _decider(by: Identity, approval: ApprovalRecord, verb: str) -> None:
    require(by, Permission.APPROVE)
    if by.local:
        raise ApprovalError(
            f"Approval needs sign-in: in local mode nobody can {verb} a send, because nobody "
            "can be told apart. Configure `[auth]` (see the README)."
        )
    if asked_by(by, approval):
        raise SelfApprovalError(
            f"You asked for send #{approval.send_id} yourself, and nobody may {verb} their own "
            "send: another approver has to decide it. You can withdraw it instead."
        )


def _clean_note(note: str) -> str:
    text = " ".join(str(note or "").split())
    return text if len(text) <= MAX_NOTE else text[: MAX_NOTE - 1] + "…"


def approve(
    journal: Journal,
    send_id: int,
    *,
    by: Identity,
    mode: str,
    base_url: str,
    note: str = "",
) -> ApprovalRecord:
    """Approves a pending request for the connection `mode` / `base_url` (the console's now).
    Raises PermissionDenied, SelfApprovalError, ApprovalClosedError or ApprovalChangedError
    before anything is decided; sending it is the caller's (sending.decisions.approve_and_send)."""
    approval = _pending(journal, send_id)
    _decider(by, approval, "approve")
    record = journal.get_send(send_id)
    assert record is not None
    if destination_of(mode, base_url) != destination_of(record.mode, record.base_url):
        raise ApprovalError(
            f"Send #{send_id} was made for {destination_of(record.mode, record.base_url)}, and "
            f"this console now talks to {destination_of(mode, base_url)}: switch back to "
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
    return decided


def reject(journal: Journal, send_id: int, *, by: Identity, note: str) -> ApprovalRecord:
    """Rejects a pending request: nothing is sent. The note (required) tells the sender why."""
    approval = _pending(journal, send_id)
    _decider(by, approval, "reject")
    note = _clean_note(note)
    if not has_words(note):
        raise ApprovalError("Say why you reject it, in words: the sender reads your note.")
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
    if not asked_by(by, approval):
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


def waiting_for(journal: Journal, identity: Identity) -> list[ApprovalRecord]:
    """The requests `identity` may decide: waiting, and asked for by somebody else."""
    return [a for a in journal.approvals([ApprovalState.PENDING]) if not asked_by(identity, a)]

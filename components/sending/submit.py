"""How a send begins: its plan is journaled (every batch planned, before the first request) and
handed to the worker, or, when the approval rule names it, journaled as a request for approval
with the confirmation its sender saw. Nothing of the plan is trusted blindly: the role, the
do-not-text list as it is now and the approval rule are checked again here, and the worker checks
each batch again as it goes out."""

from __future__ import annotations

from components.acoustic import AcousticClient
from components.core.states import HoursChoice, SendKind
from components.core.unicode_text import has_words
from components.guardrails.do_not_text import refuse_listed
from components.journal import AuditAction
from components.sending.plan import SendPlan
from components.sending.worker import SendWorker
from components.team.approvals import request_approval
from components.team.auth import permission_to_send, require


class PlanNotReady(ValueError):
    """The plan cannot be sent as it is; the message says what is missing."""


def submit_send(
    worker: SendWorker, client: AcousticClient, plan: SendPlan, *, replaces: int | None = None
) -> int:
    """Journals `plan` and starts it (or asks for approval), on behalf of `plan.actor`, through
    `client`; `replaces`, the sender's earlier request from the same draft, is withdrawn when a
    request for approval replaces it. Returns the send id.

    Raises auth.PermissionDenied before anything is journaled when the actor may not send it,
    PlanNotReady when the plan says what is still missing, do_not_text.ListedRecipients when a
    request would reach a number listed meanwhile, and journal.DuplicateSendError when the same
    send exists (a double click, a second Send or a refresh never makes a second job)."""
    by = plan.actor
    require(by, permission_to_send(plan.kind))
    if not plan.confirmable:
        raise PlanNotReady(" ".join((*plan.blocking, *plan.needs)) or "The send has no batches.")
    anyway = plan.hours is not None and plan.choices.hours is HoursChoice.ANYWAY
    if anyway and not has_words(plan.choices.hours_reason):
        raise PlanNotReady("Say why it cannot wait for the recipients' hours.")
    refuse_listed(worker.journal, plan.payloads)
    reasons = worker.approval_rule.reasons(
        kind=str(plan.kind),
        mode=plan.destination.mode,
        recipients=plan.recipients,
        estimated_cost=plan.estimated_cost,
        # The plan's word; the worker checks the journaled send against the version again.
        approved_template=plan.template is not None and plan.template.approved,
    )
    schedule = plan.schedule
    reason = " ".join(plan.choices.hours_reason.split()) if anyway else None
    record = worker.journal.create_send(
        kind=str(plan.kind),
        mode=plan.destination.mode,
        base_url=client.base_url,
        program=plan.draft.program.strip(),
        content=plan.draft.content,
        payloads=plan.payloads,
        defaults=plan.draft.used_defaults(),
        source=plan.draft.source or None,
        created_by=by.actor,
        segments=plan.segments,
        estimated_cost=plan.estimated_cost,
        repeat_of=plan.choices.repeat_of,
        not_before=schedule.not_before if schedule else None,
        schedule=str(schedule.kind) if schedule else None,
        scheduled_by=by.actor if plan.choices.starts_at is not None else None,
        hours_choice=str(plan.hours_choice) if plan.hours_choice else None,
        hours_reason=reason,
        hours_by=by.actor if anyway else None,
        template=(
            (plan.template.template_id, plan.template.name, plan.template.version)
            if plan.template
            else None
        ),
    )
    journal = worker.journal
    journal.record_audit(
        by.actor,
        AuditAction.TEST_SEND if plan.kind is SendKind.TEST else AuditAction.SEND_REQUESTED,
        send_id=record.id,
        details={
            "kind": str(plan.kind),
            "mode": plan.destination.mode,
            "program": record.program,
            "recipients": record.recipients,
            "batches": len(plan.batches),
            "repeat_of": plan.choices.repeat_of,
            "awaiting_approval": bool(reasons),
            "left_out": len(plan.listed),
            "held": plan.held,
            "no_hours": len(plan.no_hours),
            **({"template": plan.template.label} if plan.template else {}),
            **({"preapproved": True} if plan.preapproved else {}),
        },
    )
    if anyway and plan.hours is not None:
        journal.record_audit(
            by.actor,
            AuditAction.QUIET_HOURS_OVERRIDDEN,
            send_id=record.id,
            details={"recipients_outside": plan.hours.outside, "reason": reason},
        )
    if schedule is not None:
        journal.record_audit(
            by.actor, AuditAction.SEND_SCHEDULED, send_id=record.id, details=schedule.details()
        )
    if reasons:
        request_approval(
            journal,
            record,
            by=by,
            rule=worker.approval_rule,
            reasons=reasons,
            confirmation=plan.confirmation().to_json(),
            replaces=replaces,
        )
    else:
        worker.start(record.id, client, by=by)
    return record.id

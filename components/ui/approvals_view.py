"""The approvers' side of maker/checker: the sidebar badge of requests waiting for them, and each
request with the confirmation its sender saw and the Approve / Reject decision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.core.states import ApprovalState, HoursChoice, is_live
from components.guardrails.quiet_hours_settings import describe
from components.journal import ApprovalRecord, SendRecord
from components.sending.confirmation import Confirmation, target_of
from components.sending.decisions import approve_and_send
from components.sending.hours import HoursOutlook, outlook
from components.status.history import excerpt
from components.team.approvals import asked_by, awaiting, reject, waiting_for
from components.team.auth import Identity, Permission
from components.ui.connection import current_connection
from components.ui.identity import current_approval_rule
from components.ui.local_time import local_time
from components.ui.progress_panel import withdraw_button
from components.ui.send_confirmation import APPROVALS_ICON, show_confirmation
from components.ui.sending import journal, permitted, worker
from components.ui.text import md

_DONE = "approvals.done"  # what the last decision did, said once after its rerun


def approvals_badge(identity: Identity) -> None:
    """In every approver's sidebar: how many requests wait for them (not their own)."""
    if not identity.may(Permission.APPROVE):
        return
    waiting = len(waiting_for(journal(), identity))
    if waiting:
        with st.sidebar:
            st.page_link(
                "pages/approvals.py",
                label=f"{waiting} send{'s' if waiting != 1 else ''} awaiting your approval",
                icon=APPROVALS_ICON,
            )


def approval_rule() -> None:
    """The rule in force, in sentences, with what is wrong in `[console.approval]`."""
    rule = current_approval_rule()
    for problem in rule.problems:
        st.warning(md(problem), icon=":material/rule:")
    st.markdown("\n".join(f"- {line}" for line in rule.describe()))


def _when(at: float | None) -> str:
    return local_time(at) if at else ""


def _confirmation(approval: ApprovalRecord, record: SendRecord) -> Confirmation:
    """The confirmation the sender saw; for a request journaled without one, what the journal
    knows of the send."""
    shown = Confirmation.from_json(approval.confirmation)
    if shown is not None:
        return shown
    first = journal().batch_payload(journal().batches(record.id)[0].id)
    contact = (first.get("contacts") or [{}])[0]
    return Confirmation(
        live=is_live(record.mode),
        target=target_of(live=is_live(record.mode), label=record.mode, base_url=record.base_url),
        program=record.program,
        recipients=record.recipients,
        batches=sum(record.batch_states.values()),
        segments=record.segments or 0,
        estimated_cost=record.estimated_cost or 0.0,
        sample_number=str(contact.get("phoneNumber", "")),
        sample_text=record.content,
        kind=record.kind,
    )


def decision_done() -> None:
    said = st.session_state.pop(_DONE, None)
    if said:
        st.success(md(said), icon=":material/task_alt:")


def waiting_requests(identity: Identity) -> None:
    """Every request waiting for a decision, newest first; the first one open."""
    requests = awaiting(journal())
    if not requests:
        st.info(
            "Nothing is waiting for approval. When a sender asks for approval of a send, it is "
            "listed here with the confirmation they saw.",
            icon=APPROVALS_ICON,
        )
        return
    for position, approval in enumerate(requests):
        record = journal().get_send(approval.send_id)
        if record is None:
            continue
        # md(): an address in a label is a link, focusable inside the expander's toggle.
        label = (
            f"Send #{record.id} · {record.recipients:,} recipients · asked by "
            f"{md(approval.requested_by)} on {_when(approval.requested_at)}"
        )
        with st.expander(label, expanded=position == 0, icon=":material/pending_actions:"):
            _request(approval, record, identity)


def _request(approval: ApprovalRecord, record: SendRecord, identity: Identity) -> None:
    st.caption(
        f"Needs approval because {md('; '.join(approval.reasons) or 'the rule names it')}. "
        f"Expires on {_when(approval.expires_at)}."
    )
    show_confirmation(_confirmation(approval, record))
    hours_notice(record)
    st.caption("The message as written (before personalization):")
    st.text(excerpt(record.content, 500))
    if asked_by(identity, approval):
        st.info(
            "You asked for this send, and nobody approves their own: another approver decides "
            "it. You can withdraw it.",
            icon=":material/person:",
        )
        withdraw_button(approval)
        return
    note = st.text_area(
        "Note to the sender (required to reject)",
        key=f"approvals.note.{record.id}",
        max_chars=300,
        height=80,
    )
    approve_column, reject_column = st.columns(2)
    connection = current_connection()
    if approve_column.button(
        f"Approve and send {record.recipients:,} SMS",
        type="primary",
        icon=":material/verified:",
        key=f"approvals.approve.{record.id}",
        width="stretch",
        disabled=connection.client is None,
    ):
        client = connection.client
        assert client is not None
        if permitted(
            lambda: approve_and_send(
                worker(), client, record.id, by=identity, mode=connection.settings.mode, note=note
            )
        ):
            st.session_state[_DONE] = (
                f"Send #{record.id} is approved and sending. Follow it in History."
            )
            st.rerun()
    if reject_column.button(
        "Reject",
        icon=":material/thumb_down:",
        key=f"approvals.reject.{record.id}",
        width="stretch",
    ) and permitted(lambda: reject(journal(), record.id, by=identity, note=note)):
        st.session_state[_DONE] = f"Send #{record.id} is rejected; nothing was sent."
        st.rerun()


def hours_notice(record: SendRecord) -> HoursOutlook:
    """What the recipients' hours do to the send if it is approved now: the approver is told
    before approving that it will wait, and until when."""
    send_worker = worker()
    ahead = outlook(send_worker.journal, record, send_worker.quiet_hours)
    if not ahead.outside:
        return ahead
    start, end = send_worker.quiet_hours.window(record.program)
    outside = (
        f"{ahead.outside:,} of its {ahead.total:,} recipients are outside their allowed hours "
        f"({describe(start, end)}, their local time) now."
    )
    if ahead.choice is HoursChoice.ANYWAY:
        st.warning(
            f"{outside} Its sender chose to send to them anyway: “{md(record.hours_reason or '')}”"
            f" ({md(record.hours_by or 'its sender')}).",
            icon=":material/bedtime:",
        )
    elif ahead.choice is HoursChoice.HOLD_ALL and ahead.opening is not None:
        st.info(
            f"{outside} Approved now, nothing goes out before all of them are inside their hours: "
            f"{local_time(ahead.opening)}.",
            icon=":material/bedtime:",
        )
    else:
        last = f" (the last on {local_time(ahead.last_opens_at)})" if ahead.last_opens_at else ""
        never = (
            f" {ahead.never_opens:,} have no allowed hour within 48 hours and are left out."
            if ahead.never_opens
            else ""
        )
        st.info(
            f"{outside} Approved now, those inside go at once and each of the others waits "
            f"until their hours begin{last}.{never}",
            icon=":material/bedtime:",
        )
    return ahead


def recent_decisions() -> None:
    """The requests decided lately, for whoever looks back at who approved what."""
    closed = [
        a
        for a in journal().approvals(
            [s for s in ApprovalState if s is not ApprovalState.PENDING], limit=50
        )
    ]
    if not closed:
        return
    st.header("Decided lately")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Send": a.send_id,
                    "Asked by": a.requested_by,
                    "Asked on": _when(a.requested_at),
                    "Outcome": str(a.state),
                    "Decided by": a.decided_by or "",
                    "Decided on": _when(a.decided_at or a.expires_at),
                    "Note": a.note or "",
                }
                for a in closed
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"Send": st.column_config.NumberColumn(format="#%d")},
    )

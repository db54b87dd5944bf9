"""The send's confirmation dialog: it asks the choices (when; what to do with recipients outside
their hours), shows the plan the planner makes of them, and starts it. What a send will do is the
plan's; this only asks and shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from components.acoustic import AcousticClient
from components.core.states import ApprovalState
from components.sending.plan import SendChoices, SendPlan
from components.ui.local_time import local_time
from components.ui.quiet_hours_choice import hours_choice
from components.ui.schedule_view import when_to_send
from components.ui.send_confirmation import approval_reasons_note, show_confirmation
from components.ui.sending import (
    close_confirmation,
    confirm_above,
    journal,
    start_plan,
    worker,
)
from components.ui.text import md

PlanFor = Callable[[SendChoices], SendPlan]


def planned_with_choices(plan_for: PlanFor, starts_at: datetime | None, key: str) -> SendPlan:
    """The plan for the chosen start, asked again with the hours choice when some recipients
    are outside their hours then."""
    choices = SendChoices(starts_at=starts_at)
    plan = plan_for(choices)
    if plan.hours is None:
        return plan
    answered = hours_choice(plan.hours, choices, key=key)
    return plan if answered == plan.choices else plan_for(answered)


@st.dialog("Confirm the send", width="large", on_dismiss=close_confirmation)
def confirm_send(plan_for: PlanFor, client: AcousticClient) -> None:
    when = when_to_send()
    if isinstance(when, str):
        st.warning(md(when), icon=":material/event_busy:")
        return
    plan = planned_with_choices(plan_for, when, "send.hours")
    confirmation = plan.confirmation()
    show_confirmation(confirmation)
    for problem in plan.blocking:
        st.error(md(problem), icon=":material/block:")
    if plan.blocking:
        return
    if plan.needs_approval:
        approval_reasons_note(plan.approval_reasons, worker().approval_rule.expires_after_hours)
    elif plan.preapproved:
        st.success(
            f"No second person needed: {md(plan.confirmation().preapproved.split(': ', 1)[-1])}.",
            icon=":material/verified:",
        )
    repeat_of = _repeat_of(plan)
    if repeat_of is False:
        return
    if plan.recipients > confirm_above():
        typed = st.text_input(
            f"This is a large send. Type {plan.recipients} to confirm",
            key="send.typed_confirmation",
        )
        if typed.strip().replace(",", "") != str(plan.recipients):
            st.caption("The Send button appears once the number matches.")
            return
    for need in plan.needs:
        st.caption(md(need))
    if plan.needs:
        return
    verb = "Schedule" if plan.schedule else "Send"
    label = f"{verb} {plan.recipients:,} SMS" + ("" if plan.destination.live else " (sandbox)")
    if plan.needs_approval:
        label = f"Ask for approval to send {plan.recipients:,} SMS"
    left, right = st.columns(2)
    if left.button(label, type="primary", icon=":material/send:", key="send.confirm"):
        final = plan if repeat_of is None else plan_for(_repeated(plan.choices, repeat_of))
        if start_plan(final, client) is not None:
            close_confirmation()
            st.rerun()
    if right.button("Cancel", key="send.cancel"):
        close_confirmation()
        st.rerun()


def _repeated(choices: SendChoices, repeat_of: int) -> SendChoices:
    return SendChoices(choices.starts_at, choices.hours, choices.hours_reason, repeat_of)


def _repeat_of(plan: SendPlan) -> int | bool | None:
    """The earlier identical send this one repeats once the person confirmed it (None: there is
    none; False: the person has not confirmed, or it still waits for approval)."""
    previous = journal().find_duplicate(
        kind=str(plan.kind),
        mode=plan.destination.mode,
        base_url=plan.destination.base_url,
        payloads=plan.payloads,
    )
    if previous is None:
        return None
    if previous.approval is ApprovalState.PENDING:
        st.info(
            f"This exact send is already waiting for approval (send #{previous.id}): it goes out "
            "once an approver approves it. Nothing more to do here.",
            icon=":material/pending_actions:",
        )
        _open_in_history(previous.id)
        return False
    st.warning(
        f"This exact send (same message, program and recipients) was already started on "
        f"{local_time(previous.created_at)} "
        f"(send #{previous.id}, {previous.state(running=worker().is_running(previous.id))}). "
        "Sending it again delivers every SMS twice.",
        icon=":material/content_copy:",
    )
    if not st.checkbox("Send it again anyway", key="send.repeat_ok"):
        _open_in_history(previous.id)
        return False
    return previous.id


def _open_in_history(send_id: int) -> None:
    st.page_link(
        "pages/history.py",
        label=f"Open send #{send_id} in History",
        icon=":material/history:",
        query_params={"send": str(send_id)},
    )

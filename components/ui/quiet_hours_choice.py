"""The confirmation's question when some recipients are outside their allowed hours at the time
the send starts: send to those inside and hold the others until their hours begin (the default),
hold everything until all of them are inside at once, or send to everyone anyway with a reason
(recorded in the audit log). The answer becomes the plan's batches and their times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import streamlit as st

from components.guardrails.quiet_hours_bulk import WindowSummary, outside_window
from components.guardrails.quiet_hours_plan import (
    HoursChoice,
    common_opening,
    each_when_open,
    hold_all,
)
from components.guardrails.quiet_hours_settings import describe
from components.sending.schedules import AT, WINDOWS, Schedule
from components.ui.local_time import user_zone, when
from components.ui.quiet_hours_view import current_quiet_hours

if TYPE_CHECKING:
    from components.ui.sending import SendPlan

KEY = "send.hours"


def _summary(plan: SendPlan) -> WindowSummary | None:
    if plan.frame is None or plan.draft is None or not len(plan.frame):
        return None
    start, end = current_quiet_hours().window(plan.program)
    starts_at = plan.schedule.starts_at if plan.schedule else None
    at = datetime.fromtimestamp(starts_at, UTC) if starts_at else datetime.now(UTC)
    return outside_window(plan.frame["phoneNumber"], at, start=start, end=end)


def outside_hours(plan: SendPlan) -> int:
    """How many of the plan's recipients are outside their allowed hours when it starts."""
    summary = _summary(plan)
    return summary.outside if summary is not None else 0


def quiet_hours_choice(plan: SendPlan, key: str = KEY) -> SendPlan | str:
    """The plan as the answer makes it, or what is still needed before it can be confirmed."""
    summary = _summary(plan)
    if summary is None or not summary.outside:
        return plan
    start, end = summary.start, summary.end
    starts_at = plan.schedule.starts_at if plan.schedule else None
    zone = user_zone()
    opening = common_opening(summary)
    inside = summary.total - summary.outside
    moment = "then" if starts_at else "now"
    options = {
        HoursChoice.EACH_WHEN_OPEN: (
            f"Send to the {inside:,} inside their hours {moment}; each of the others when "
            "their hours begin"
            if inside
            else "Send to each recipient when their hours begin"
        ),
        HoursChoice.ANYWAY: f"Send to all {summary.total:,} {moment} anyway (give a reason)",
    }
    if opening is not None:
        options[HoursChoice.HOLD_ALL] = (
            f"Hold everything until all of them are inside their hours ({when(opening, zone)})"
        )
    st.warning(
        f"{summary.outside:,} of {summary.total:,} recipients are outside the allowed hours "
        f"({describe(start, end)}, their local time) {moment}.",
        icon=":material/bedtime:",
    )
    choice = st.radio(
        "Recipients outside their hours",
        list(options),
        format_func=options.__getitem__,
        key=key,
    )
    if choice is HoursChoice.ANYWAY:
        reason = st.text_input(
            "Why it cannot wait (recorded in the audit log)",
            key=f"{key}.reason",
            placeholder="e.g. one-time passwords: a code that arrives tomorrow is useless",
        ).strip()
        if not reason:
            return "The Send button appears once you say why it cannot wait."
        return replace(plan, hours_override=reason, outside_hours=summary.outside)
    if choice is HoursChoice.HOLD_ALL and opening is not None:
        times = hold_all(len(plan.payloads), opening)
        return replace(plan, schedule=Schedule(AT, times), outside_hours=summary.outside)
    planned = each_when_open(plan.frame, plan.draft, summary, start_at=starts_at)
    if planned.left_out:
        st.warning(
            f"{planned.left_out:,} recipient(s) are left out: their hours do not begin within 48 "
            "hours (their time zone is unknown, or the hours never fall together in all the "
            "zones they may be in). Send to all anyway to include them.",
            icon=":material/person_remove:",
        )
    if not planned.payloads:
        return "Nobody can be sent to this way: choose another option."
    return replace(
        plan,
        payloads=planned.payloads,
        recipients=sum(len(p.get("contacts", [])) for p in planned.payloads),
        schedule=Schedule(WINDOWS, planned.not_before)
        if any(t is not None for t in planned.not_before)
        else plan.schedule,
        outside_hours=summary.outside,
    )

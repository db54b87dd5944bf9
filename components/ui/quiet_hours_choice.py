"""The confirmation's question when some recipients are outside their allowed hours at the time
the send starts: send to those inside and hold the others until their hours begin (the default),
hold everything until all of them are inside at once, or send to everyone anyway with a reason
(recorded in the audit log). The planner asks it (`SendPlan.hours`); this only asks the person."""

from __future__ import annotations

import streamlit as st

from components.core.states import HoursChoice
from components.guardrails.quiet_hours_settings import describe
from components.sending.plan import HoursQuestion, SendChoices
from components.ui.local_time import local_time

KEY = "send.hours"


def _labels(question: HoursQuestion, *, later: bool) -> dict[HoursChoice, str]:
    inside = question.total - question.outside
    moment = "then" if later else "now"
    labels = {
        HoursChoice.EACH_WHEN_OPEN: (
            f"Send to the {inside:,} inside their hours {moment}; each of the others when "
            "their hours begin"
            if inside
            else "Send to each recipient when their hours begin"
        ),
        HoursChoice.ANYWAY: f"Send to all {question.total:,} {moment} anyway (give a reason)",
    }
    if question.opening is not None:
        labels[HoursChoice.HOLD_ALL] = (
            "Hold everything until all of them are inside their hours "
            f"({local_time(question.opening)})"
        )
    return {choice: labels[choice] for choice in question.options}


def hours_choice(question: HoursQuestion, choices: SendChoices, key: str = KEY) -> SendChoices:
    """Asks what to do with the recipients outside their hours; the choices with the answer."""
    later = choices.starts_at is not None
    st.warning(
        f"{question.outside:,} of {question.total:,} recipients are outside the allowed hours "
        f"({describe(question.start, question.end)}, their local time) "
        f"{'then' if later else 'now'}.",
        icon=":material/bedtime:",
    )
    labels = _labels(question, later=later)
    choice = st.radio(
        "Recipients outside their hours", list(labels), format_func=labels.__getitem__, key=key
    )
    reason = ""
    if choice is HoursChoice.ANYWAY:
        reason = st.text_input(
            "Why it cannot wait (recorded in the audit log)",
            key=f"{key}.reason",
            placeholder="e.g. one-time passwords: a code that arrives tomorrow is useless",
        )
    elif choice is HoursChoice.EACH_WHEN_OPEN and question.never_opens:
        st.warning(
            f"{question.never_opens:,} recipient(s) are left out: their hours do not begin within "
            "48 hours (their time zone is unknown, or the hours never fall together in all the "
            "zones they may be in). Send to all anyway to include them.",
            icon=":material/person_remove:",
        )
    return SendChoices(
        starts_at=choices.starts_at,
        hours=HoursChoice(choice),
        hours_reason=reason,
        repeat_of=choices.repeat_of,
    )

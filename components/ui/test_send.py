"""The test send: one SMS to the marketer's own phone, never twice by accident, and subject to
the quiet hours like any send."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from components.journal import SendRecord
from components.ui.quiet_hours_choice import outside_hours, quiet_hours_choice
from components.ui.sending import SendPlan, journal, start_plan
from components.ui.text import md

REPEAT_TEST = "send.test_repeat"


def send_test(plan: SendPlan) -> None:
    """One SMS to the marketer's own phone, journaled as a test. The same test again needs its
    own button ("Send it again", see `repeat_test_prompt`): clicking "Send a test" twice, or
    three times in a hurry, never sends it twice."""
    previous = _previous_test(plan)
    if previous is not None:
        st.session_state[REPEAT_TEST] = previous.id
        return
    if outside_hours(plan):
        st.session_state[TEST_HOURS] = plan.first_number  # the same question as a send's
        return
    start_plan(plan, None)


TEST_HOURS = "send.test_hours"


def _armed(key: str, build_plan: Callable[[], SendPlan]) -> tuple[object, SendPlan | None]:
    """The question a test is waiting on (None: none) and the test as the page has it now
    (None when it can no longer be built: the question is then dropped)."""
    armed = st.session_state.get(key)
    if armed is None:
        return None, None
    try:
        return armed, build_plan()
    except ValueError:
        return armed, None


def test_hours_prompt(build_plan: Callable[[], SendPlan]) -> None:
    """A test to a number outside its allowed hours: when it should go, as for any send. The
    question holds for that number only."""
    state = st.session_state
    armed, plan = _armed(TEST_HOURS, build_plan)
    if plan is None or plan.first_number != armed or not outside_hours(plan):
        state.pop(TEST_HOURS, None)
        return
    decided = quiet_hours_choice(plan, key="send.test_hours_choice")
    send, cancel = st.columns(2)
    if cancel.button("Cancel", key="send.test_hours_cancel", width="stretch"):
        state.pop(TEST_HOURS, None)
        st.rerun()
    if isinstance(decided, str):
        st.caption(md(decided))
        return
    if send.button("Send the test", key="send.test_hours_confirm", width="stretch"):
        state.pop(TEST_HOURS, None)
        start_plan(decided, None)
        st.rerun()


def repeat_test_prompt(build_plan: Callable[[], SendPlan]) -> None:
    """While a repeated test waits for its confirmation: the warning and its own buttons. The
    question holds only for the test it was asked about: once the message or the number
    changes, it is a new test and the question is dropped."""
    state = st.session_state
    armed, plan = _armed(REPEAT_TEST, build_plan)
    if armed is None:
        return
    previous = _previous_test(plan) if plan is not None else None
    if plan is None or previous is None or previous.id != armed:
        state.pop(REPEAT_TEST, None)
        return
    when = time.strftime("%H:%M:%S", time.localtime(previous.created_at))
    st.warning(
        f"This exact test already went to +{plan.first_number} at {when} (send #{previous.id}). "
        "Send it once more?",
        icon=":material/content_copy:",
    )
    again, cancel = st.columns(2)
    if cancel.button("Cancel", key="send.test_repeat_cancel", width="stretch"):
        state.pop(REPEAT_TEST, None)
        st.rerun()
    if again.button("Send it again", key="send.test_repeat_confirm", width="stretch"):
        state.pop(REPEAT_TEST, None)
        start_plan(plan, previous.id)
        st.rerun()


def _previous_test(plan: SendPlan) -> SendRecord | None:
    return journal().find_duplicate(
        kind="test",
        mode=plan.settings.mode,
        base_url=plan.client.base_url,
        payloads=plan.payloads,
    )

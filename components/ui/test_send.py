"""The test send: one SMS to the marketer's own phone, planned like any send (the do-not-text list,
the hours, the approval rule), never twice by accident."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.acoustic import AcousticClient
from components.contacts.phone import InvalidPhoneNumber, normalize_phone
from components.core.states import SendKind
from components.journal import SendRecord
from components.message.draft import Draft
from components.sending.plan import SendChoices, SendPlan
from components.ui.connection import Connection
from components.ui.local_time import local_clock
from components.ui.send_dialog import planned_with_choices
from components.ui.sending import journal, make_plan, start_plan
from components.ui.text import md

REPEAT_TEST = "send.test_repeat"
TEST_HOURS = "send.test_hours"

TestPlanFor = Callable[[SendChoices], SendPlan]


def test_plan_for(
    connection: Connection, draft: Draft, raw_number: str, region: str
) -> TestPlanFor:
    """The planner's test of `draft` to the number as typed; InvalidPhoneNumber says what is
    wrong with the number."""
    number = normalize_phone(raw_number, region)
    frame = pd.DataFrame({"phoneNumber": pd.Series([number], dtype="str")})
    return lambda choices: make_plan(connection, frame, draft, choices, kind=SendKind.TEST)


def send_test(plan_for: TestPlanFor, client: AcousticClient) -> None:
    """One SMS to the marketer's own phone, journaled as a test. The same test again needs its
    own button ("Send it again", see `repeat_test_prompt`): clicking "Send a test" twice, or
    three times in a hurry, never sends it twice. A number outside its hours asks the same
    question as a send's."""
    plan = plan_for(SendChoices())
    if plan.blocking:
        st.error(md("The test cannot be sent: " + " ".join(plan.blocking)), icon=":material/error:")
        return
    previous = _previous_test(plan)
    if previous is not None:
        st.session_state[REPEAT_TEST] = previous.id
        return
    if plan.hours is not None:
        st.session_state[TEST_HOURS] = plan.first_number
        return
    start_plan(plan, client)


def _armed(key: str, plan_for: Callable[[], TestPlanFor]) -> tuple[object, TestPlanFor | None]:
    """The question a test is waiting on (None: none) and the test as the page has it now
    (None when it can no longer be made: the question is then dropped)."""
    armed = st.session_state.get(key)
    if armed is None:
        return None, None
    try:
        return armed, plan_for()
    except InvalidPhoneNumber:
        return armed, None


def test_hours_prompt(plan_for: Callable[[], TestPlanFor], client: AcousticClient) -> None:
    """A test to a number outside its allowed hours: when it should go, as for any send. The
    question holds for that number only."""
    state = st.session_state
    armed, make = _armed(TEST_HOURS, plan_for)
    if make is None:
        state.pop(TEST_HOURS, None)
        return
    first = make(SendChoices())
    if first.first_number != armed or first.hours is None:
        state.pop(TEST_HOURS, None)
        return
    plan = planned_with_choices(make, None, "send.test_hours_choice")
    send, cancel = st.columns(2)
    if cancel.button("Cancel", key="send.test_hours_cancel", width="stretch"):
        state.pop(TEST_HOURS, None)
        st.rerun()
    for need in plan.needs:
        st.caption(md(need))
    if plan.needs:
        return
    if send.button("Send the test", key="send.test_hours_confirm", width="stretch"):
        state.pop(TEST_HOURS, None)
        start_plan(plan, client)
        st.rerun()


def repeat_test_prompt(plan_for: Callable[[], TestPlanFor], client: AcousticClient) -> None:
    """While a repeated test waits for its confirmation: the warning and its own buttons. The
    question holds only for the test it was asked about: once the message or the number
    changes, it is a new test and the question is dropped."""
    state = st.session_state
    armed, make = _armed(REPEAT_TEST, plan_for)
    if armed is None:
        return
    plan = make(SendChoices()) if make is not None else None
    previous = _previous_test(plan) if plan is not None else None
    if plan is None or previous is None or previous.id != armed:
        state.pop(REPEAT_TEST, None)
        return
    st.warning(
        f"This exact test already went to +{plan.first_number} at "
        f"{local_clock(previous.created_at)} (send #{previous.id}). Send it once more?",
        icon=":material/content_copy:",
    )
    again, cancel = st.columns(2)
    if cancel.button("Cancel", key="send.test_repeat_cancel", width="stretch"):
        state.pop(REPEAT_TEST, None)
        st.rerun()
    if again.button("Send it again", key="send.test_repeat_confirm", width="stretch"):
        state.pop(REPEAT_TEST, None)
        assert make is not None
        start_plan(make(SendChoices(repeat_of=previous.id)), client)
        st.rerun()


def _previous_test(plan: SendPlan) -> SendRecord | None:
    return journal().find_duplicate(
        kind=str(plan.kind),
        mode=plan.destination.mode,
        base_url=plan.destination.base_url,
        payloads=plan.payloads,
    )

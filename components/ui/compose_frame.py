"""The parts of Compose's preview and send sections that do not change with the text: the
recipient picker, Previous and Next, the price, the test number and its button.

The page draws them, outside the message's fragment, with an empty container (a slot) for each
part the fragment fills in between. So a keystroke redraws only what follows the text (each
browser draws a quarter fewer elements per key), and a field typed into here is never drawn
anew mid-typing by a fragment's run. Every slot gets something from the fragment on every run:
Streamlit keeps a fragment's place in a container outside it only if the fragment wrote there
in the page's last full run."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.message.draft import DEFAULT_PRICE_PER_SEGMENT
from components.ui.persistence import KEEP, held

PRICE = "compose.price"
PREVIEW = "compose.preview"
TEST_NUMBER = "compose.test_number"
SEND_TEST = "compose.send_test"


@dataclass(frozen=True)
class PreviewSlots:
    """Where the fragment draws the SMS with its counts and distribution, and the cost."""

    sms: DeltaGenerator
    cost: DeltaGenerator


@dataclass(frozen=True)
class SendSlots:
    """Where the fragment draws the checks and the request, the send button (None: nothing can
    be sent, the checks say why) and what follows a click (a test's answer, a question, the
    confirmation)."""

    checks: DeltaGenerator
    send: DeltaGenerator | None
    after: DeltaGenerator


def price_per_segment() -> float:
    return float(st.session_state.setdefault(PRICE, DEFAULT_PRICE_PER_SEGMENT))


def preview_row(count: int) -> int:
    """The row (from 0) of the recipient the preview shows, among `count`."""
    return min(max(int(st.session_state.get(PREVIEW, 1)), 1), max(count, 1)) - 1


def _step_preview(by: int) -> None:
    st.session_state[PREVIEW] = st.session_state[PREVIEW] + by


def preview_frame(count: int) -> PreviewSlots:
    """The preview's heading and, with recipients, the picker of whose SMS is shown and the
    price per segment; the slots between them are the fragment's."""
    state = st.session_state
    st.header("3 · Preview")
    if count:
        state[PREVIEW] = preview_row(count) + 1
        picker = st.container()
        previous, following = st.columns(2)
        previous.button(
            "Previous",
            icon=":material/chevron_left:",
            disabled=state[PREVIEW] <= 1,
            on_click=_step_preview,
            args=(-1,),
            width="stretch",
        )
        following.button(
            "Next",
            icon=":material/chevron_right:",
            disabled=state[PREVIEW] >= count,
            on_click=_step_preview,
            args=(1,),
            width="stretch",
        )
        picker.number_input(
            f"Recipient (1 to {count:,})",
            min_value=1,
            max_value=count,
            key=PREVIEW,
            persist_state=KEEP,
        )
    sms = st.container()
    if count:
        price_per_segment()  # the field starts at the default price
        st.number_input(
            "Price per segment (USD)",
            min_value=0.0,
            step=0.0005,
            format="%.4f",
            key=PRICE,
            persist_state=KEEP,
        )
    return PreviewSlots(sms=sms, cost=st.container())


def send_frame(can_send: bool) -> SendSlots:
    """The heading, and when something can be sent, the test number with its button beside the
    slot of the send button."""
    st.header("4 · Check and send")
    checks = st.container()
    send = None
    if can_send:
        test_column, send = st.columns([3, 2], vertical_alignment="bottom")
        with test_column:
            number_column, button_column = st.columns([3, 2], vertical_alignment="bottom")
            number_column.text_input(
                "Test number",
                value=str(held(TEST_NUMBER)),
                key=TEST_NUMBER,
                placeholder="+1 949 500 1234",
                persist_state=KEEP,
            )
            button_column.button(
                "Send a test", icon=":material/science:", key=SEND_TEST, width="stretch"
            )
    return SendSlots(checks=checks, send=send, after=st.container())


def test_clicked() -> bool:
    """Whether this run follows a click on "Send a test". Read from the session, never passed
    to the fragment: a fragment's later runs reuse the arguments of the page's run, and would
    take the click again with each keystroke."""
    return bool(st.session_state.get(SEND_TEST))


def test_number() -> str:
    return str(st.session_state.get(TEST_NUMBER, ""))

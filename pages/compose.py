"""Compose: contacts in, message written, every recipient's SMS previewed live."""

import pandas as pd
import streamlit as st

from components.message.draft import summarize
from components.ui.compose_sections import (
    check_and_send,
    message_feedback,
    message_inputs,
    preview,
    price_per_segment,
)
from components.ui.compose_widgets import contacts_summary, earlier_failures_warning
from components.ui.contacts_input import contacts_input
from components.ui.identity import require_page
from components.ui.program_fields import known_programs
from components.ui.progress_panel import progress_panel
from components.ui.sending import active_send_id, journal
from components.ui.shell import ensure_app_shell
from components.ui.suppression_view import left_out_notice, screened_recipients

ensure_app_shell()
identity = require_page("Compose")
st.title("Compose")

st.header("1 · Recipients")
input_column, summary_column = st.columns([5, 6], gap="large")
with input_column:
    loaded = contacts_input()
screened = None
if loaded is not None:
    screened = screened_recipients(journal(), loaded)  # the do-not-text list's numbers left out
    with summary_column:
        contacts_summary(loaded.contacts)
        left_out_notice(journal(), screened, actor=identity.actor)
        earlier_failures_warning(loaded)
nobody = pd.DataFrame({"phoneNumber": pd.Series([], dtype="str")})
recipients = screened.recipients if screened is not None else nobody
everyone = loaded.contacts.recipients if loaded is not None else nobody


def message_area(recipients: pd.DataFrame, everyone: pd.DataFrame) -> None:
    """Everything that depends on the message. `recipients`: `everyone` but those on the
    do-not-text list (the planner leaves them out again when it plans the send).

    Not a fragment: a keystroke reruns the whole page, which costs little (the contacts are read
    once, closed expanders build nothing). A fragment's reruns crossed the page's full runs, and
    the browser then drew this section anew with each widget's default, mid-typing."""
    st.divider()
    message_column, preview_column = st.columns([6, 5], gap="large")
    with message_column:
        st.header("2 · Message")
        draft = message_inputs(recipients)
    summary = summarize(recipients, draft, price_per_segment(), programs=known_programs())
    with message_column:
        message_feedback(summary, draft.content)
    with preview_column:
        st.header("3 · Preview")
        preview(summary, recipients, draft.content)
    st.divider()
    st.header("4 · Check and send")
    check_and_send(summary, draft, recipients, everyone)
    active = active_send_id()
    if active is not None:
        progress_panel(active)


message_area(recipients, everyone)

"""Compose: contacts in, message written, every recipient's SMS previewed live."""

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.message.draft import summarize
from components.ui.compose_frame import (
    PreviewSlots,
    SendSlots,
    preview_frame,
    price_per_segment,
    send_frame,
)
from components.ui.compose_sections import (
    EDITOR,
    SendFields,
    check_and_send,
    message_feedback,
    message_inputs,
    preview,
    send_fields,
)
from components.ui.compose_widgets import contacts_summary, earlier_failures_warning
from components.ui.connection import current_connection
from components.ui.contacts_input import contacts_input
from components.ui.identity import require_page
from components.ui.message_editor import message_taken
from components.ui.program_fields import known_programs
from components.ui.progress_panel import progress_panel
from components.ui.sending import active_send_id, journal
from components.ui.shell import ensure_app_shell
from components.ui.suppression_view import left_out_notice, screened_recipients
from components.ui.template_start import (
    in_their_languages,
    language_column_picker,
    template_note,
    template_picker,
)

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


st.divider()
fields_column, _ = st.columns([6, 5], gap="large")
with fields_column:
    st.header("2 · Message")
    template_picker()
    language_column_picker(list(recipients.columns))
    fields = send_fields()


message_column, preview_column = st.columns([6, 5], gap="large")
with preview_column:
    preview_slots = preview_frame(len(recipients))
st.divider()
send_slots = send_frame(can_send=current_connection().client is not None)


@st.fragment
def message_area(
    recipients: pd.DataFrame,
    everyone: pd.DataFrame,
    fields: SendFields,
    message_column: DeltaGenerator,
    preview_slots: PreviewSlots,
    send_slots: SendSlots,
) -> None:
    """Everything that follows the message as it is typed: a keystroke reruns this fragment, not
    the page. `recipients`: `everyone` but those on the do-not-text list (the planner leaves them
    out again when it plans the send).

    The fragment draws into the page's columns and slots (compose_frame): the fields typed
    beside the message (`fields`), the preview's picker and price, the test number are the
    page's. When a fragment rerun and a full run cross in a busy console, the browser may draw
    the fragment's elements anew, and a field being typed in it would lose its text; and what
    does not change with the text is not drawn again with each key. The editor, which sends
    while the marketer types, survives being drawn anew (message_editor keeps its text, caret
    and focus)."""
    with message_column:
        draft = message_inputs(recipients, fields)
        template_note(draft, recipients)
        recipients = in_their_languages(recipients, draft)
    summary = summarize(recipients, draft, price_per_segment(), programs=known_programs())
    with message_column:
        message_feedback(summary, draft.content)
    preview(summary, recipients, draft.content, preview_slots)
    check_and_send(summary, draft, recipients, everyone, send_slots)
    active = active_send_id()
    if active is not None:
        progress_panel(active)
    message_taken(key=EDITOR)


message_area(recipients, everyone, fields, message_column, preview_slots, send_slots)

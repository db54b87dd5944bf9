"""Compose: contacts in, message written, every recipient's SMS previewed live."""

import pandas as pd
import streamlit as st

from components.compose import DEFAULT_PRICE_PER_SEGMENT, Draft, payloads_for, summarize
from components.payloads import curl_command, payload_json
from components.segments import count_segments, smart_fix
from components.ui.compose_state import CONTENT, CONTENT_VERSION, set_message
from components.ui.compose_widgets import (
    contacts_input,
    contacts_summary,
    counts_line,
    distribution,
    earlier_failures_warning,
    issues_list,
    phone_bubble,
)
from components.ui.connection import current_connection
from components.ui.message_editor import message_editor, repaired_message
from components.ui.sending import (
    SendPlan,
    bulk_send_plan,
    confirm_send,
    confirmation_open,
    open_confirmation,
    progress_panel,
    repeat_test_prompt,
    send_test,
    test_send_plan,
)
from components.ui.shell import ensure_app_shell
from components.ui.tag_fields import tag_fields
from components.ui.text import md

ensure_app_shell()

state = st.session_state
state.setdefault(CONTENT, "")
state.setdefault(CONTENT_VERSION, 0)
state.setdefault("compose.price", DEFAULT_PRICE_PER_SEGMENT)

st.title("Compose")
contacts_column, message_column = st.columns([5, 6], gap="large")

with contacts_column:
    st.subheader("1 · Recipients")
    loaded = contacts_input()
    if loaded is not None:
        contacts_summary(loaded.contacts)
        earlier_failures_warning(loaded)
recipients = (
    loaded.contacts.recipients
    if loaded is not None
    else pd.DataFrame({"phoneNumber": pd.Series([], dtype="str")})
)

with message_column:
    st.subheader("2 · Message")
    program_column, source_column = st.columns(2)
    program = program_column.text_input(
        "SMS program id", key="compose.program", help="Acoustic's channel qualifier."
    )
    source = source_column.text_input(
        "Source (optional)",
        key="compose.source",
        help="Echoed in Acoustic's Universal Behavior event, e.g. your own reference.",
    )
    content = message_editor(
        key="compose.editor",
        text=state[CONTENT],
        version=state[CONTENT_VERSION],
        highlight_for=lambda text: count_segments(text).non_gsm,
        placeholder="Hi %%FIRST NAME%%, your code is %%PIN%%.",
    )
    content = repaired_message(content, CONTENT, CONTENT_VERSION)
    state[CONTENT] = content
    defaults, chosen_columns = tag_fields(content, list(recipients.columns))

draft = Draft(
    content=content, program=program, source=source, defaults=defaults, columns=chosen_columns
)
summary = summarize(recipients, draft, state["compose.price"])

with message_column:
    counts_line(summary.template, content)
    if not summary.template.is_gsm:
        fix = smart_fix(content)
        shown = " ".join(
            repr(ch)[1:-1] if not ch.isprintable() else ch for ch in summary.template.non_gsm
        )
        st.warning(
            f"UCS-2: these characters make the whole message 16-bit, so a segment holds 70 "
            f"characters instead of 160: {md(shown)}",
            icon=":material/translate:",
        )
        if fix.changed:

            def replace_lookalikes(fixed: str = fix.text) -> None:
                set_message(fixed)

            st.button(
                "Replace look-alikes" + (" (back to GSM-7)" if fix.encoding == "GSM-7" else ""),
                icon=":material/auto_fix_high:",
                help="Curly quotes, dashes, ellipses, special spaces… become their GSM twins.",
                key="compose.smart_fix",
                on_click=replace_lookalikes,
            )
    for item in summary.rendered.coverage:
        source_text = f"column {item.column!r}" if item.column else "no column of that name"
        st.caption(
            f"{md(f'%%{item.tag}%% ({source_text})')}: {item.own:,} own value · "
            f"{item.default:,} default · {item.missing:,} nothing"
        )

st.divider()
st.subheader("3 · Preview")
if len(recipients) and not content.strip():
    st.info(
        "Write the message to see each recipient's SMS, the segments and the cost.",
        icon=":material/sms:",
    )
elif len(recipients):
    count = len(recipients)
    state.setdefault("compose.preview", 1)
    state["compose.preview"] = min(max(int(state["compose.preview"]), 1), count)
    picker, previous, following = st.columns([4, 1, 1], vertical_alignment="bottom")
    previous.button(
        "Previous",
        icon=":material/chevron_left:",
        disabled=state["compose.preview"] <= 1,
        on_click=lambda: state.update({"compose.preview": state["compose.preview"] - 1}),
        width="stretch",
    )
    following.button(
        "Next",
        icon=":material/chevron_right:",
        disabled=state["compose.preview"] >= count,
        on_click=lambda: state.update({"compose.preview": state["compose.preview"] + 1}),
        width="stretch",
    )
    position = picker.number_input(
        f"Recipient (1 to {count:,})", min_value=1, max_value=count, key="compose.preview"
    )
    row = position - 1
    text = summary.rendered.texts.iloc[row]
    bubble, numbers = st.columns([2, 3], gap="large")
    with bubble:
        phone_bubble(text, "+" + recipients["phoneNumber"].iloc[row], f"{position} of {count:,}")
        stats = summary.statistics
        characters, units = stats.characters.iloc[row], stats.units.iloc[row]
        unit = "UTF-16 units" if stats.ucs2.iloc[row] else "septets"
        segments = stats.segments.iloc[row]
        st.caption(
            f"This SMS: {characters:,} characters ({units:,} {unit}), {segments} "
            f"segment{'s' if segments != 1 else ''}."
        )
    with numbers:
        distribution(summary.statistics)
        price = st.number_input(
            "Price per segment (USD)",
            min_value=0.0,
            step=0.0005,
            format="%.4f",
            key="compose.price",
        )
        st.metric(
            "Estimated cost",
            f"${summary.statistics.total_segments * price:,.2f}",
            help=f"{summary.statistics.total_segments:,} segments × ${price:.4f}",
        )
else:
    st.info("Paste or upload contacts to see each recipient's SMS.", icon=":material/sms:")

connection = current_connection()
st.divider()
st.subheader("4 · Check and send")
if summary.issues:
    issues_list(summary.issues)
else:
    st.success(
        f"Ready: {len(recipients):,} recipient{'s' if len(recipients) != 1 else ''} in "
        f"{summary.batches} batch(es).",
        icon=":material/check_circle:",
    )
if len(recipients) and content:
    with st.expander("Show request", icon=":material/data_object:"):
        payloads = payloads_for(recipients, draft)
        st.caption(
            f"{len(payloads)} request(s) of at most 1000 contacts each, POSTed to "
            "/rest/channels/sms/externalconsentsends."
        )
        batch = 1
        if len(payloads) > 1:
            batch = st.number_input(
                "Batch", min_value=1, max_value=len(payloads), key="compose.request_batch"
            )
        st.code(payload_json(payloads[batch - 1]), language="json")
        st.caption("As cURL (the access token is a placeholder):")
        st.code(
            curl_command(connection.settings.base_url or "", payloads[batch - 1]), language="bash"
        )

if connection.client is None:
    st.error(
        "Nothing can be sent until the Acoustic connection is complete: see Settings.",
        icon=":material/error:",
    )
else:
    test_column, send_column = st.columns([3, 2], vertical_alignment="bottom")
    with test_column:
        number_column, button_column = st.columns([3, 2], vertical_alignment="bottom")
        test_number = number_column.text_input(
            "Test number", key="compose.test_number", placeholder="+1 949 500 1234"
        )

        def build_test_plan() -> SendPlan:
            return test_send_plan(connection, draft, test_number, state["compose.region"])

        if button_column.button(
            "Send a test", icon=":material/science:", key="compose.send_test", width="stretch"
        ):
            try:
                test_plan = build_test_plan()
            except ValueError as exc:
                st.error(md(exc), icon=":material/error:")
            else:
                send_test(test_plan)
    with send_column:
        st.button(
            f"Send to {len(recipients):,} recipient{'s' if len(recipients) != 1 else ''}…",
            type="primary",
            icon=":material/send:",
            disabled=not summary.sendable,
            key="compose.send",
            width="stretch",
            on_click=open_confirmation,
        )
    repeat_test_prompt(build_test_plan)
    if confirmation_open() and summary.sendable:
        confirm_send(bulk_send_plan(connection, draft, recipients, summary), phone_bubble)

active = state.get("send.active_id")
if active is not None:
    progress_panel(int(active))

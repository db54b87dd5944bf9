"""The parts of the Compose page that follow the message as it is typed: the message and its
fields, the per-recipient preview, and the checks and send buttons."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components.contacts.phone import InvalidPhoneNumber
from components.message.draft import (
    Draft,
    Summary,
    payloads_for,
    renderable_part,
)
from components.message.payloads import (
    MAX_CONTACTS_PER_SEND,
    curl_command,
    payload_json,
    ttl_problem,
)
from components.message.segments import count_segments, smart_fix
from components.ui.compose_frame import (
    PreviewSlots,
    SendSlots,
    preview_row,
    price_per_segment,
    test_clicked,
    test_number,
)
from components.ui.compose_state import CONTENT, CONTENT_VERSION, set_message
from components.ui.compose_widgets import counts_line, distribution, issues_list, phone_bubble
from components.ui.connection import current_connection
from components.ui.contacts_input import REGION
from components.ui.expanders import expander_when_open
from components.ui.message_editor import message_editor, repaired_message
from components.ui.persistence import KEEP, held
from components.ui.program_fields import program_field, send_options
from components.ui.quiet_hours_view import quiet_hours_notice
from components.ui.send_dialog import confirm_send
from components.ui.sending import confirmation_open, make_plan, open_confirmation
from components.ui.suppression_view import everyone_listed_reason
from components.ui.tag_fields import tag_fields
from components.ui.template_start import chosen_language_column, picked_template
from components.ui.test_send import (
    TestPlanFor,
    repeat_test_prompt,
    send_test,
    test_hours_prompt,
    test_plan_for,
)
from components.ui.text import md

EDITOR = "compose.editor"


@dataclass(frozen=True)
class SendFields:
    """What the marketer types beside the message: drawn by the page, outside the message's
    fragment, so that the fragment's reruns never draw these fields anew mid-typing."""

    program: str
    source: str
    campaign: str
    ttl_minutes: int | None


def send_fields() -> SendFields:
    """Program (picked or typed), source, campaign and expiry."""
    program_column, source_column = st.columns(2)
    with program_column:
        program = program_field()
    source = source_column.text_input(
        "Source (optional)",
        value=str(held("compose.source")),
        key="compose.source",
        persist_state=KEEP,
        help="Echoed in Acoustic's Universal Behavior event, e.g. your own reference.",
    )
    campaign, ttl = send_options()
    return SendFields(program, source, campaign, ttl)


def message_inputs(recipients: pd.DataFrame, fields: SendFields) -> Draft:
    """The message and each tag's default (and column, where several fit), with `fields`."""
    state = st.session_state
    state.setdefault(CONTENT, "")
    state.setdefault(CONTENT_VERSION, 0)
    content = message_editor(
        key=EDITOR,
        taken_at_end=True,  # pages/compose.py draws message_taken last
        text=state[CONTENT],
        version=state[CONTENT_VERSION],
        highlight_for=lambda text: count_segments(text).non_gsm,
        placeholder="Hi %%FIRST NAME%%, your code is %%PIN%%.",
    )
    content = repaired_message(content, CONTENT, CONTENT_VERSION)
    state[CONTENT] = content
    # Right under the box and before any work on the recipients: in a busy console the numbers
    # a marketer watches while typing reach the browser first, and the preview follows.
    counts_line(count_segments(content), content)
    # A message over the limit cannot be sent: only the tags of what could be get a field.
    defaults, columns = tag_fields(renderable_part(content), list(recipients.columns))
    return Draft(
        content=content,
        program=fields.program,
        source=fields.source,
        defaults=defaults,
        columns=columns,
        ttl_minutes=fields.ttl_minutes,
        campaign_name=fields.campaign,
    )


def message_feedback(summary: Summary, content: str) -> None:
    """What forces UCS-2 (with the one-click fix), and where each tag's value comes from (the
    counts line is message_inputs')."""
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
            st.button(
                "Replace look-alikes" + (" (back to GSM-7)" if fix.encoding == "GSM-7" else ""),
                icon=":material/auto_fix_high:",
                help="Curly quotes, dashes, ellipses, special spaces… become their GSM twins.",
                key="compose.smart_fix",
                on_click=set_message,
                args=(fix.text,),
            )
    for item in summary.rendered.coverage:
        source_text = f"column {item.column!r}" if item.column else "no column of that name"
        st.caption(
            f"{md(f'%%{item.tag}%% ({source_text})')}: {item.own:,} own value · "
            f"{item.default:,} default · {item.missing:,} nothing"
        )


def preview(summary: Summary, recipients: pd.DataFrame, content: str, slots: PreviewSlots) -> None:
    """One recipient's SMS as a phone shows it, with the distribution over all and the cost
    (the picker and the price are the page's, compose_frame)."""
    with slots.sms:
        _sms(summary, recipients, content)
    with slots.cost:
        if not len(recipients) or not content.strip():
            st.empty()
            return
        price = price_per_segment()
        total = summary.statistics.total_segments
        st.metric(
            "Estimated cost",
            f"${total * price:,.2f}",
            help=f"{total:,} segments × ${price:.4f}",
        )


def _sms(summary: Summary, recipients: pd.DataFrame, content: str) -> None:
    if not len(recipients):
        st.info("Paste or upload contacts to see each recipient's SMS.", icon=":material/sms:")
        return
    if not content.strip():
        st.info(
            "Write the message to see each recipient's SMS, the segments and the cost.",
            icon=":material/sms:",
        )
        return
    count = len(recipients)
    row = preview_row(count)
    phone_bubble(
        summary.rendered.texts.iloc[row],
        "+" + recipients["phoneNumber"].iloc[row],
        f"{row + 1} of {count:,}",
    )
    stats = summary.statistics
    characters, units = stats.characters.iloc[row], stats.units.iloc[row]
    unit = "UTF-16 units" if stats.ucs2.iloc[row] else "septets"
    segments = stats.segments.iloc[row]
    note = " Only the first 800 characters are shown." if summary.truncated else ""
    st.caption(
        f"This SMS: {characters:,} characters ({units:,} {unit}), {segments} "
        f"segment{'s' if segments != 1 else ''}.{note}"
    )
    distribution(stats)


def check_and_send(
    summary: Summary,
    draft: Draft,
    recipients: pd.DataFrame,
    everyone: pd.DataFrame,
    slots: SendSlots,
) -> None:
    """What blocks or deserves a look, the request itself, the test send and the send (the test
    number and its button are the page's, compose_frame). `recipients`: `everyone` but those on
    the do-not-text list (do_not_text.screen), whom the preview and `summary` show; the planner
    plans from `everyone`."""
    connection = current_connection()
    left_out = len(everyone) - len(recipients)
    all_listed = everyone_listed_reason(left_out) if left_out and not len(recipients) else None
    client = connection.client if slots.send is not None else None
    with slots.checks:
        if summary.issues:
            issues_list(summary.issues)
        else:
            st.success(
                f"Ready: {len(recipients):,} recipient{'s' if len(recipients) != 1 else ''} in "
                f"{summary.batches} batch(es).",
                icon=":material/check_circle:",
            )
        quiet_hours_notice(recipients, draft.program)
        if len(recipients) and draft.content and ttl_problem(draft.ttl_minutes) is None:
            _request(summary, draft, recipients, connection.settings.base_url or "")
        if client is None:
            st.error(
                "Nothing can be sent until the Acoustic connection is complete: see Settings.",
                icon=":material/error:",
            )
    with slots.after:
        st.empty()  # the slot is written on every run (see compose_frame)
    if client is None or slots.send is None:
        return
    with slots.send:
        st.button(
            f"Send to {len(recipients):,} recipient{'s' if len(recipients) != 1 else ''}…",
            type="primary",
            icon=":material/send:",
            disabled=not summary.sendable,
            key="compose.send",
            width="stretch",
            on_click=open_confirmation,
            help=all_listed,
        )
        if all_listed:
            st.caption(all_listed)

    def test_plans() -> TestPlanFor:
        return test_plan_for(connection, draft, test_number(), st.session_state[REGION])

    with slots.after:
        if test_clicked():
            try:
                plans = test_plans()
            except InvalidPhoneNumber as exc:
                st.error(md(f"The test cannot be sent: {exc}"), icon=":material/error:")
            else:
                send_test(plans, client)
        repeat_test_prompt(test_plans, client)
        test_hours_prompt(test_plans, client)
        if confirmation_open() and summary.sendable:
            price = price_per_segment()
            confirm_send(
                lambda choices: make_plan(
                    connection,
                    everyone,
                    draft,
                    choices,
                    price=price,
                    summary=summary,
                    template=picked_template(),
                    language_column=chosen_language_column(),
                ),
                client,
            )


def _request(summary: Summary, draft: Draft, recipients: pd.DataFrame, base_url: str) -> None:
    """The exact request of one batch (only that batch is built), as JSON and as cURL."""
    with expander_when_open(
        "Show request", key="compose.request_open", icon=":material/data_object:"
    ) as open_:
        if not open_:
            return
        st.caption(
            f"{summary.batches} request(s) of at most {MAX_CONTACTS_PER_SEND} contacts each, "
            "POSTed to /rest/channels/sms/externalconsentsends."
        )
        batch = 1
        if summary.batches > 1:
            batch = st.number_input(
                "Batch",
                min_value=1,
                max_value=summary.batches,
                key="compose.request_batch",
                persist_state=KEEP,
            )
        start = (batch - 1) * MAX_CONTACTS_PER_SEND
        [payload] = payloads_for(recipients.iloc[start : start + MAX_CONTACTS_PER_SEND], draft)
        # Plain text: Streamlit's syntax colours draw strings in a green below WCAG AA contrast.
        st.code(payload_json(payload), language=None)
        st.caption("As cURL (the access token is a placeholder):")
        st.code(curl_command(base_url, payload), language=None)

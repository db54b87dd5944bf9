"""The Overview page's widgets: the period and filters, the figures, the line per day, the
failures by reason (each chart with its figures in words beneath it), and one number's story.
The figures are components/status's (period_figures.py); this only draws them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.contacts.phone import InvalidPhoneNumber, normalize_phone
from components.core.csv_files import to_csv
from components.core.shares import share_text
from components.guardrails.do_not_text import records_of
from components.journal import Journal
from components.status import Overview, charts, number_story
from components.status.history_filter import HistoryFilter
from components.team.auth import Identity, Permission
from components.ui.chart_picks import picked_values
from components.ui.exports import audited_csv_download
from components.ui.local_time import local_time, user_zone
from components.ui.text import md

PERIODS = {"Today": 0, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Dates": None}
MODES = {"Live sends": "pod", "Sandbox sends": "sandbox", "Live and sandbox": None}
ANY = "(any)"
STORY_NUMBER = "overview.number"


def period() -> tuple[datetime, datetime, str]:
    """[since, until) in the reader's zone, from the chosen period, and its words."""
    zone = user_zone()
    today = datetime.now(zone).date()
    chosen = (
        st.segmented_control("Period", list(PERIODS), default="Last 7 days", key="overview.period")
        or "Last 7 days"
    )
    days = PERIODS[chosen]
    if days is None:
        picked = st.date_input(
            "From – to", value=(today - timedelta(days=6), today), key="overview.dates"
        )
        first, last = picked if isinstance(picked, tuple) and len(picked) == 2 else (today, today)
    else:
        first, last = today - timedelta(days=max(days - 1, 0)), today
    since = datetime.combine(first, time(), zone)
    until = datetime.combine(last + timedelta(days=1), time(), zone)
    return since, until, chosen if days is not None else f"{first} to {last}"


def filters(journal: Journal) -> dict[str, str | None]:
    values = journal.outcome_filter_values()
    columns = st.columns(4)
    mode = columns[0].selectbox("Sends", list(MODES), key="overview.mode")
    chosen: dict[str, str | None] = {"mode": MODES[mode]}
    for column, (key, label) in zip(
        columns[1:],
        (("program", "Program"), ("template", "Template"), ("sender", "Sender")),
        strict=True,
    ):
        picked = column.selectbox(label, [ANY, *values[key]], key=f"overview.{key}")
        chosen[key] = None if picked == ANY else picked
    return chosen


def figures(result: Overview) -> None:
    rate = result.success_rate
    sent, failed, pending, success, segments, cost = st.columns(6)
    sent.metric("SMS sent", f"{result.sent:,}")
    failed.metric("Failed", f"{result.failed:,}")
    pending.metric("Pending", f"{result.pending:,}", help="Acoustic has not said yet")
    success.metric("Success rate", "–" if rate is None else f"{rate:.1%}", help="Sent / known")
    segments.metric("Segments", f"{result.segments:,}", help="As estimated when each was sent")
    cost.metric("Estimated cost", f"${result.estimated_cost:,.2f}")
    if not result.recipients:
        st.info(
            "No SMS in this period with these filters. Outcomes appear once a send's batches "
            "are accepted; the console follows them by itself.",
            icon=":material/insights:",
        )


def by_day_chart(result: Overview) -> None:
    frame = result.by_day
    figure = go.Figure()
    for state, color in (("sent", "#0b6e4f"), ("failed", "#b3261e"), ("pending", "#8a6d00")):
        figure.add_trace(
            go.Scatter(
                x=frame["day"],
                y=frame[state],
                name=state,
                mode="lines+markers",
                line={"color": color},
            )
        )
    figure.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis_title="SMS",
        legend={"orientation": "h"},
    )
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    st.plotly_chart(figure, config={"displayModeBar": False}, key="overview.by_day")
    busiest = frame.loc[(frame["sent"] + frame["failed"] + frame["pending"]).idxmax()]
    st.caption(
        f"A line per day: {result.sent:,} sent, {result.failed:,} failed and {result.pending:,} "
        f"pending over {len(frame)} day(s); the busiest was {busiest['day']:%a %-d %b} with "
        f"{int(busiest['sent'] + busiest['failed'] + busiest['pending']):,} SMS."
    )


def by_reason(result: Overview) -> None:
    if result.by_reason.empty:
        st.caption("No failures in this period.")
        return
    st.dataframe(result.by_reason, hide_index=True, width="stretch")
    words = ", ".join(
        f"{row.reason}: {row.count:,} ({share_text(row.count, result.failed)})"
        for row in result.by_reason.itertuples()
    )
    st.caption(f"Failures by reason: {words}.")


BREAKDOWNS = (  # (the Overview's table, its column, History's filter, the chart's title)
    ("by_program", "program", "program", "By program"),
    ("by_template", "template", "template", "By template"),
    ("by_country", "country", "country", "By country"),
)


def breakdowns(result: Overview, narrowed: HistoryFilter) -> None:
    """By program, template and country (a click on a bar opens History narrowed to it, within
    the period and filters shown), and the sends with most failures (each opens in History)."""
    for attribute, by, filter_name, title in BREAKDOWNS:
        frame: pd.DataFrame = getattr(result, attribute)
        if frame.empty:
            continue
        st.subheader(title)
        key = "code" if by == "country" else by
        event = st.plotly_chart(
            charts.breakdown_bars(frame, by, f"{title} (click a bar for its sends)", key),
            width="stretch",
            on_select="rerun",
            selection_mode="points",
            key=f"overview.{attribute}",
            config={"displayModeBar": False},
        )
        st.caption(_in_words(frame, by))
        picked = picked_values(event)
        if picked:
            value = None if picked[0] == "(none)" and by == "template" else picked[0]
            chosen = narrowed.with_picked(**{filter_name: "" if value is None else value})
            st.switch_page("pages/history.py", query_params=chosen.params())
    if result.most_failed.empty:
        return
    st.subheader("Sends with the most failures")
    for row in result.most_failed.itertuples():
        st.page_link(
            "pages/history.py",
            label=f"Send #{row.send}: {row.failed:,} of {row.recipients:,} failed",
            icon=":material/history:",
            query_params={"send": str(row.send)},
        )


def _in_words(frame: pd.DataFrame, by: str) -> str:
    if frame.empty:
        return ""
    parts = [
        f"{getattr(row, by)}: {row.sent:,} sent, {row.failed:,} failed, {row.pending:,} pending"
        for row in frame.itertuples()
    ]
    return "; ".join(parts) + "."


def the_sends_link(narrowed: HistoryFilter) -> None:
    """The period's sends, with the Overview's filters, in History."""
    st.page_link(
        "pages/history.py",
        label="These sends in History",
        icon=":material/history:",
        query_params=narrowed.params(),
    )


def overview_export(result: Overview, label: str) -> None:
    st.download_button(
        "Export the figures per day (CSV)",
        lambda: to_csv(result.by_day),
        file_name=f"sms-overview {label}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="overview.export",
    )


def story(journal: Journal, identity: Identity) -> None:
    """Every SMS this console sent to one number: the customer who says the code never came."""
    number = st.text_input(
        "Look up a number",
        key=STORY_NUMBER,
        placeholder="+1 949 500 1234, in any spelling",
        help="Every SMS this console sent to it: when, the exact text, the outcome.",
    )
    if not number.strip():
        return
    do_not_text_line(journal, number)
    entries = number_story(journal, number)
    if not entries:
        st.info(f"This console sent nothing to {md(number.strip())}.", icon=":material/search_off:")
        return
    table = pd.DataFrame(
        {
            "When": [local_time(e.sent_at) for e in entries],
            "Send": [e.send_id for e in entries],
            "By": [e.sent_by or "" for e in entries],
            "Outcome": [e.outcome for e in entries],
            "What it means": [e.reason or "" for e in entries],
            "Acoustic said": [e.message or "" for e in entries],
            "Text": [e.text for e in entries],
            "Template": [e.template or "" for e in entries],
        }
    )
    later = next((e for e in entries if e.outcome == "sent"), None)
    st.caption(
        f"{len(entries)} SMS to this number; the latest went out {local_time(entries[0].sent_at)}"
        + (
            f"; the latest that reached it: send #{later.send_id}."
            if later
            else "; none reached it."
        )
    )
    st.dataframe(table, hide_index=True, width="stretch")
    audited_csv_download(
        lambda: (to_csv(table), len(table)),
        journal=journal,
        actor=identity.actor,
        what="one number's SMS (Overview)",
        file_stem="sms-number",
        key="overview.story_export",
    )


def do_not_text_line(journal: Journal, number: str) -> None:
    """Whether the number is on the do-not-text list: the first thing to know about a customer
    who says nothing came."""
    try:
        normalized = normalize_phone(number, "US")
    except InvalidPhoneNumber:
        st.warning(
            f"{md(number.strip())} is not a phone number: check the digits (with the country "
            "code for a number outside the US, e.g. +44 7400 123456).",
            icon=":material/dialpad:",
        )
        return
    listed = records_of(journal, [normalized])
    if listed:
        entry = listed[0]
        st.warning(
            f"On the do-not-text list since {local_time(entry.added_at)} "
            f"({md(entry.reason or entry.source)}): no send reaches it.",
            icon=":material/block:",
        )
    else:
        st.caption("Not on the do-not-text list.")


def story_button(number: str, *, key: str) -> None:
    """From a page where a number was typed (History's search, Status's number filter) to its
    story on the Overview. The number goes through the session, not the address: an address
    reaches server logs, a phone number must not."""
    try:
        normalize_phone(number, "US")
    except InvalidPhoneNumber:
        return
    if st.button("Every SMS to this number", key=key, icon=":material/person_search:"):
        st.session_state[STORY_NUMBER] = number.strip()
        st.switch_page("pages/overview.py")


def since_words(since: datetime, until: datetime) -> str:
    zone = user_zone()
    last: date = (until - timedelta(seconds=1)).astimezone(zone).date()
    return f"{since.astimezone(zone):%a %-d %b %Y} to {last:%a %-d %b %Y}"


def number_lookup_link(identity: Identity) -> None:
    """In every sidebar: the way to one number's story ("the customer says the code never
    came"), on the Overview."""
    if identity.may(Permission.VIEW):
        st.sidebar.page_link(
            "pages/overview.py", label="Look up a number", icon=":material/person_search:"
        )

"""The widgets of the Compose page: contacts in, counts, the phone bubble, the distribution."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import phonenumbers
import plotly.graph_objects as go
import streamlit as st

from components.contacts.reading import (
    ContactList,
)
from components.core.phone_regions import region_name
from components.core.shares import share_text
from components.core.states import IssueLevel
from components.message.preflight import Issue
from components.message.rendering import MAX_CONTENT_CHARACTERS, MessageStatistics
from components.message.segments import SegmentCount
from components.ui.expanders import expander_when_open
from components.ui.local_time import local_time
from components.ui.sending import journal
from components.ui.text import md

AUTOMATIC = "(automatic)"


@dataclass(frozen=True)
class LoadedContacts:
    key: str
    contacts: ContactList


@st.cache_data(show_spinner=False)
def region_choices() -> list[str]:
    """Every region phonenumbers knows, by country name."""
    return sorted(phonenumbers.SUPPORTED_REGIONS, key=region_name)


def region_label(code: str) -> str:
    return f"{region_name(code)} (+{phonenumbers.country_code_for_region(code)})"


def browser_region() -> str:
    """The country of the browser's locale (en-GB -> GB), else US."""
    locale = getattr(st.context, "locale", None) or ""
    part = locale.replace("_", "-").split("-")[-1].upper() if "-" in locale else ""
    return part if part in phonenumbers.SUPPORTED_REGIONS else "US"


def contacts_summary(contacts: ContactList) -> None:
    valid, rejected, duplicates, flagged = st.columns(4)
    valid.metric("Recipients", f"{len(contacts.recipients):,}")
    rejected.metric("Rejected", f"{len(contacts.rejected):,}")
    duplicates.metric("Merged", f"{contacts.duplicates:,}")
    flagged.metric("Flagged", f"{len(contacts.flagged):,}")
    for note in contacts.notes:
        if len(contacts.recipients):
            st.caption(md(note))
        else:  # the note says why nothing was read
            st.warning(md(note), icon=":material/warning:")
    if contacts.phone_column:
        st.caption(f"Phone numbers from the column **{md(contacts.phone_column)}**.")
    rejected_rows(contacts.rejected, key="compose.rejected_open")
    if len(contacts.flagged):
        _table_when_open(
            contacts.flagged, f"Flagged numbers ({len(contacts.flagged):,})", "flagged", "flag"
        )
    if contacts.duplicates:
        _table_when_open(
            contacts.duplicate_rows,
            f"Duplicates ({contacts.duplicates:,}): the first row of each number is kept",
            "duplicates",
            "content_copy",
        )
    if len(contacts.recipients):
        label = f"Recipients ({len(contacts.recipients):,})"
        _table_when_open(contacts.recipients, label, "recipients", "group", height=260)


def _table_when_open(
    table: pd.DataFrame, label: str, name: str, icon: str, height: int | str = "auto"
) -> None:
    """A table of the contacts read, in an expander that builds it only while open."""
    with expander_when_open(label, key=f"compose.{name}_open", icon=f":material/{icon}:") as open_:
        if open_:
            st.dataframe(table, hide_index=True, width="stretch", height=height)  # type: ignore[arg-type]


def rejected_rows(rejected: pd.DataFrame, *, key: str) -> None:
    """The rows that could not be read, by row (as in the file) with the value and why."""
    if not len(rejected):
        return
    label = f"Rejected rows ({len(rejected):,})"
    with expander_when_open(label, key=key, icon=":material/block:") as open_:
        if open_:
            st.dataframe(
                rejected,
                hide_index=True,
                width="stretch",
                column_config={"row": st.column_config.NumberColumn("Row", format="%d")},
            )


def counts_line(count: SegmentCount, content: str) -> None:
    """Characters of 800, encoding, segments: the numbers a marketer watches while typing."""
    length = len(content)
    over = length > MAX_CONTENT_CHARACTERS
    parts = [
        f"{'❌ ' if over else ''}**{length:,} / {MAX_CONTENT_CHARACTERS}** characters",
        f"**{count.encoding}**",
        f"**{count.segments}** segment{'s' if count.segments != 1 else ''} "
        f"({count.units} of {count.segments * count.per_segment} "
        f"{'septets' if count.is_gsm else 'UTF-16 units'})",
    ]
    st.markdown(" · ".join(parts), help="Counted on the template; the preview counts each SMS.")


def phone_bubble(text: str, number: str, position: str) -> None:
    """The SMS as the recipient's phone shows it. Contact values are escaped, never HTML; a
    screen reader hears it as a figure named by whose SMS it is."""
    heading = f"{html.escape(number)} · {html.escape(position)}"
    st.html(
        f"""
<div role="figure" aria-label="SMS preview: {heading}"
     style="max-width:360px;border:1px solid #d5ddd9;border-radius:28px;padding:18px 14px 22px;
            background:#f7f9f8;font-family:sans-serif">
  <div style="text-align:center;color:#4f5c57;font-size:12px;margin-bottom:10px">{heading}</div>
  <div data-testid="sms-bubble" style="background:#e4e9e6;color:#0a1410;border-radius:18px;
       padding:10px 14px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:15px;
       line-height:1.4">{html.escape(text) or "&nbsp;"}</div>
</div>"""
    )


def distribution(stats: MessageStatistics) -> None:
    left, middle = st.columns(2)
    right, total = st.columns(2)
    left.metric("Shortest SMS", f"{stats.min_characters:,}", help="characters")
    middle.metric("Median SMS", f"{stats.median_characters:,.0f}", help="characters")
    right.metric("Longest SMS", f"{stats.max_characters:,}", help="characters")
    total.metric("Segments", f"{stats.total_segments:,}", help="in total, all recipients")
    if not stats.segments_histogram:
        return
    st.caption(segments_in_words(stats.segments_histogram, stats.recipients))
    # The chart is drawn only when asked for: redrawn with every keystroke, it was a quarter of
    # the browser's work per keystroke, to show what the line above already says.
    with expander_when_open(
        "Chart of segments per SMS", key="compose.segments_chart_open", icon=":material/bar_chart:"
    ) as open_:
        if open_:
            st.plotly_chart(segments_chart(stats.segments_histogram), config=_STATIC_CHART)


_STATIC_CHART = {"displayModeBar": False}


def segments_in_words(histogram: dict[int, int], recipients: int) -> str:
    """E.g. "Segments per SMS: 1 segment for 9,812 recipients (98%), 2 segments for 188 (1.9%)."."""
    parts = [
        f"{segments} segment{'s' if segments != 1 else ''} for {count:,}"
        + ((" recipient" if count == 1 else " recipients") if position == 0 else "")
        + f" ({share_text(count, recipients)})"
        for position, (segments, count) in enumerate(histogram.items())
    ]
    return "Segments per SMS: " + ", ".join(parts) + "."


def segments_chart(histogram: dict[int, int]) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=[f"{k} segment{'s' if k != 1 else ''}" for k in histogram],
            y=list(histogram.values()),
            marker_color="#0b6e4f",
            hovertemplate="%{y:,} recipients: %{x}<extra></extra>",
        )
    )
    figure.update_layout(
        height=200,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis_title="recipients",
        bargap=0.4,
    )
    return figure


def issues_list(issues: list[Issue]) -> None:
    for issue in issues:
        text = f"{md(issue.message)}  \n**Fix:** {md(issue.fix)}"
        if issue.level is IssueLevel.ERROR:
            st.error(text, icon=":material/error:")
        else:
            st.warning(text, icon=":material/warning:")


def earlier_failures_warning(loaded: LoadedContacts) -> None:
    """Recipients whose SMS failed in an earlier send (from the journal's status answers)."""
    store = journal()
    key = (loaded.key, store.snapshot_count())
    memo = st.session_state.setdefault("compose.failures_memo", {})
    if key not in memo:
        memo.clear()
        failures = store.earlier_failures()
        numbers = loaded.contacts.recipients["phoneNumber"]
        hits = numbers[numbers.isin(failures.keys())] if failures else numbers.iloc[0:0]
        memo[key] = [
            {
                "phoneNumber": number,
                "reason": failures[number][0],
                "when": local_time(failures[number][1]),
            }
            for number in hits
        ]
    rows = memo[key]
    if rows:
        st.warning(
            f"{len(rows):,} recipient(s) failed in an earlier send. They are kept; check the "
            "reasons before sending to them again.",
            icon=":material/history:",
        )
        with st.expander("Recipients that failed before", icon=":material/history:"):
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

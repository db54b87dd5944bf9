"""The widgets of the Compose page: contacts in, counts, the phone bubble, the distribution."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

import pandas as pd
import phonenumbers
import plotly.graph_objects as go
import streamlit as st

from components.contacts.phone_regions import region_name
from components.contacts.reading import (
    ContactFileError,
    ContactList,
    UnknownColumnError,
    UnknownSheetError,
    read_contacts,
)
from components.core.states import IssueLevel
from components.message.preflight import Issue
from components.message.rendering import MAX_CONTENT_CHARACTERS, MessageStatistics
from components.message.segments import SegmentCount
from components.ui.local_time import local_time
from components.ui.persistence import KEEP, note_for_next_run, noted_in_previous_run
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


def _memo(name: str) -> dict:
    return st.session_state.setdefault(name, {})


def _digest(data: bytes) -> str:
    """What identifies contacts, whoever pasted or uploaded them: their bytes."""
    return hashlib.sha256(data).hexdigest()


@st.cache_resource(max_entries=8, show_spinner="Reading the contacts…")
def _shared_reading(
    key: str,
    _data: bytes | str,
    filename: str | None,
    region: str,
    column: str | None,
    sheet: str | None,
) -> ContactList:
    """One reading of the same contacts for every session of the process (five marketers with
    the same file, or a tab reopened): keyed by their digest and the reading's choices. The
    ContactList is shared, so nothing may change it after reading."""
    return read_contacts(
        _data, filename=filename, default_region=region, phone_column=column, sheet=sheet
    )


def _kept_upload(upload: object) -> tuple[bytes, str, str] | None:
    """The uploaded file, kept in the session: the uploader forgets it when the marketer switches
    to Paste or to another page, and a file that was chosen must not silently disappear. A file
    removed with the uploader's own x (it held the file in the run before) is forgotten."""
    state = st.session_state
    held_before = bool(noted_in_previous_run("compose.upload"))
    note_for_next_run("compose.upload", upload is not None)
    if upload is not None:
        data = upload.getvalue()  # type: ignore[attr-defined]
        kept = (data, upload.name, _digest(data))  # type: ignore[attr-defined]
        state["compose.upload_kept"] = kept
    elif held_before:
        state.pop("compose.upload_kept", None)
    return state.get("compose.upload_kept")


def forget_upload() -> None:
    st.session_state.pop("compose.upload_kept", None)


def _sheet_choice() -> str | None:
    """The sheet to read, offered when the workbook read last has several; None lets the reader
    take the first sheet with data (and say which one it took)."""
    state = st.session_state
    sheets = state.get("compose.sheets", [])
    if "compose.sheet_read" in state:  # what the reader took, shown as the choice
        state["compose.sheet"] = state.pop("compose.sheet_read")
    if len(sheets) < 2:
        return None
    return st.selectbox(
        "Sheet",
        sheets,
        key="compose.sheet",
        persist_state=KEEP,
        help="The workbook has several sheets; the contacts are read from this one.",
    )


def _follow_sheets(contacts: ContactList) -> None:
    """The sheet list above was drawn for the previous file: draw it again for this one."""
    state = st.session_state
    if contacts.sheets != state.get("compose.sheets", []):
        state["compose.sheets"] = contacts.sheets
        state["compose.sheet_read"] = contacts.sheet
        st.rerun()


def contacts_input() -> LoadedContacts | None:
    """Paste or upload; parsed once per input (kept in the session), errors shown, never raised."""
    state = st.session_state
    state.setdefault("compose.contacts_source", "Paste")
    source = st.segmented_control(
        "Contacts",
        ["Paste", "Upload a file"],
        key="compose.contacts_source",
        persist_state=KEEP,
        label_visibility="collapsed",
    )
    data: bytes | str | None = None
    filename = None
    identity = ""
    sheet = None
    if source == "Upload a file":
        upload = st.file_uploader(
            "CSV, TSV, TXT or XLSX",
            type=["csv", "tsv", "txt", "xlsx", "xls"],  # an old .xls is told what to do
            key="compose.upload",
            help="Excel exports in any encoding and with ; , or tab separators are fine.",
        )
        kept = _kept_upload(upload)
        if kept is not None:
            data, filename, identity = kept
            if upload is None:
                note, remove = st.columns([4, 1], vertical_alignment="center")
                note.caption(
                    f"Using {md(filename)}, uploaded earlier. Upload another file to replace it."
                )
                remove.button("Remove", key="compose.forget_upload", on_click=forget_upload)
            sheet = _sheet_choice()
    else:
        text = st.text_area(
            "Phone numbers, one a line, or CSV text with a header row",
            key="compose.paste",
            persist_state=KEEP,
            height=160,
            placeholder="+1 949 500 1234\n+44 7911 123456\n\nor\n\nphone,FIRST NAME,PIN\n"
            "+1 949 500 1234,Ann,4821",
        )
        if text.strip():
            data, identity = text, _digest(text.encode("utf-8", "surrogatepass"))
    if "compose.region" not in st.session_state:
        st.session_state["compose.region"] = browser_region()
    left, right = st.columns(2)
    region = left.selectbox(
        "Default country",
        region_choices(),
        key="compose.region",
        persist_state=KEEP,
        format_func=region_label,
        help="For numbers written without a country code.",
    )
    known_columns = st.session_state.get("compose.columns", [])
    if st.session_state.pop("compose.reset_phone_column", False):
        st.session_state["compose.phone_column"] = AUTOMATIC
    column_choice = right.selectbox(
        "Phone column",
        [AUTOMATIC, *known_columns],
        key="compose.phone_column",
        persist_state=KEEP,
        help="Guessed from the header and the values; change it if the guess is wrong.",
    )
    if data is None:
        return None
    column = None if column_choice == AUTOMATIC else column_choice

    def key_for(sheet: str | None) -> str:
        return f"{source}:{identity}:{region}:{column}:{sheet}"

    key = key_for(sheet)
    memo = _memo("compose.contacts_memo")
    if key not in memo:
        memo.clear()
        try:
            memo[key] = _shared_reading(key, data, filename, region, column, sheet)
        except UnknownColumnError:
            # The column was chosen for other contacts (a paste, an earlier file): guess anew.
            st.session_state["compose.reset_phone_column"] = True
            st.rerun()
        except UnknownSheetError:
            # The sheet was chosen in another workbook: take this one's first sheet with data.
            st.session_state["compose.sheets"] = []
            st.rerun()
        except ContactFileError as exc:
            memo[key] = exc  # a file refused late is not read again on every rerun
        else:
            # The sheet the reader took is the one the choice will show: no second reading.
            memo[key_for(memo[key].sheet)] = memo[key]
    if isinstance(memo[key], ContactFileError):
        st.error(md(memo[key]), icon=":material/error:")
        return None
    contacts: ContactList = memo[key]
    if source == "Upload a file":
        _follow_sheets(contacts)
    if contacts.columns != known_columns:
        # The phone column list above was drawn for the previous contacts: draw it again.
        st.session_state["compose.columns"] = contacts.columns
        st.rerun()
    return LoadedContacts(key, contacts)


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
    rejected_rows(contacts.rejected)
    if len(contacts.flagged):
        with st.expander(f"Flagged numbers ({len(contacts.flagged):,})", icon=":material/flag:"):
            st.dataframe(contacts.flagged, hide_index=True, width="stretch")
    if contacts.duplicates:
        with st.expander(
            f"Duplicates ({contacts.duplicates:,}): the first row of each number is kept",
            icon=":material/content_copy:",
        ):
            st.dataframe(contacts.duplicate_rows, hide_index=True, width="stretch")
    if len(contacts.recipients):
        with st.expander(f"Recipients ({len(contacts.recipients):,})", icon=":material/group:"):
            st.dataframe(contacts.recipients, hide_index=True, width="stretch", height=260)


def rejected_rows(rejected: pd.DataFrame) -> None:
    """The rows that could not be read, by row (as in the file) with the value and why."""
    if len(rejected):
        with st.expander(f"Rejected rows ({len(rejected):,})", icon=":material/block:"):
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
    if stats.segments_histogram:
        figure = go.Figure(
            go.Bar(
                x=[f"{k} segment{'s' if k != 1 else ''}" for k in stats.segments_histogram],
                y=list(stats.segments_histogram.values()),
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
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})


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
    memo = _memo("compose.failures_memo")
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

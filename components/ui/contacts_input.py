"""Compose's contacts: pasted or uploaded, read once per input, and the reading's choices (sheet,
default country, phone column).

The contacts are read before their choices are drawn, with the values those choices hold: the
sheet and column lists are then drawn for the contacts just read, in the same run. Drawing them
first and rerunning the whole page when the lists changed (as this did) put a second full run
right where a marketer moves on to type the program, and a full run in flight is what a commit
has to wait behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from components.contacts.reading import (
    ContactFileError,
    ContactList,
    UnknownColumnError,
    UnknownSheetError,
    read_contacts,
)
from components.ui.compose_state import CONTACTS_SOURCE, PASTE
from components.ui.compose_widgets import (
    AUTOMATIC,
    LoadedContacts,
    browser_region,
    region_choices,
    region_label,
)
from components.ui.persistence import KEEP, note_for_next_run, noted_in_previous_run
from components.ui.text import md

REGION = "compose.region"
PHONE_COLUMN = "compose.phone_column"
SHEET = "compose.sheet"
UPLOAD = "compose.upload"
_KEPT_UPLOAD = "compose.upload_kept"
_COLUMNS = "compose.columns"  # the columns of the contacts read last: the choice's options
_MEMO = "compose.contacts_memo"


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
    held_before = bool(noted_in_previous_run(UPLOAD))
    note_for_next_run(UPLOAD, upload is not None)
    if upload is not None:
        data = upload.getvalue()  # type: ignore[attr-defined]
        kept = (data, upload.name, _digest(data))  # type: ignore[attr-defined]
        state[_KEPT_UPLOAD] = kept
    elif held_before:
        state.pop(_KEPT_UPLOAD, None)
    return state.get(_KEPT_UPLOAD)


def forget_upload() -> None:
    st.session_state.pop(_KEPT_UPLOAD, None)


@dataclass(frozen=True)
class _Input:
    """What was pasted or uploaded, and how to name it."""

    source: str
    data: bytes | str
    identity: str  # the digest of the bytes
    filename: str | None = None


def _input_widgets() -> _Input | None:
    """The Paste / Upload choice and its widget; None while there is nothing to read."""
    state = st.session_state
    state.setdefault(CONTACTS_SOURCE, "Paste")
    source = st.segmented_control(
        "Contacts",
        ["Paste", "Upload a file"],
        key=CONTACTS_SOURCE,
        persist_state=KEEP,
        label_visibility="collapsed",
    )
    if source == "Upload a file":
        upload = st.file_uploader(
            "CSV, TSV, TXT or XLSX",
            type=["csv", "tsv", "txt", "xlsx", "xls"],  # an old .xls is told what to do
            key=UPLOAD,
            help="Excel exports in any encoding and with ; , or tab separators are fine.",
        )
        kept = _kept_upload(upload)
        if kept is None:
            return None
        data, filename, identity = kept
        if upload is None:
            note, remove = st.columns([4, 1], vertical_alignment="center")
            note.caption(
                f"Using {md(filename)}, uploaded earlier. Upload another file to replace it."
            )
            remove.button("Remove", key="compose.forget_upload", on_click=forget_upload)
        return _Input("Upload a file", data, identity, filename)
    text = st.text_area(
        "Phone numbers, one a line, or CSV text with a header row",
        key=PASTE,
        persist_state=KEEP,
        height=160,
        placeholder="+1 949 500 1234\n+44 7911 123456\n\nor\n\nphone,FIRST NAME,PIN\n"
        "+1 949 500 1234,Ann,4821",
    )
    if not text.strip():
        return None
    return _Input("Paste", text, _digest(text.encode("utf-8", "surrogatepass")))


def _reading(given: _Input, region: str) -> tuple[str, ContactList | ContactFileError]:
    """The contacts read with the choices the session holds, and the key naming that reading
    (kept per input and choices). A column or sheet chosen for other contacts is dropped: the
    choice then shows the reader's guess."""
    state = st.session_state
    memo = state.setdefault(_MEMO, {})
    choice = state.get(PHONE_COLUMN, AUTOMATIC)
    column = None if choice == AUTOMATIC else choice
    sheet = state.get(SHEET) if given.source == "Upload a file" else None

    def key_for(sheet: str | None) -> str:
        return f"{given.source}:{given.identity}:{region}:{column}:{sheet}"

    while True:
        key = key_for(sheet)
        if key in memo:
            return key, memo[key]
        try:
            contacts = _shared_reading(key, given.data, given.filename, region, column, sheet)
        except UnknownColumnError:  # chosen for other contacts (a paste, an earlier file)
            state[PHONE_COLUMN], column = AUTOMATIC, None
            continue
        except UnknownSheetError:  # chosen in another workbook: the first sheet with data
            state.pop(SHEET, None)
            sheet = None
            continue
        except ContactFileError as exc:
            contacts = exc  # a file refused late is not read again on every rerun
        memo.clear()
        memo[key] = contacts
        if isinstance(contacts, ContactList) and sheet is None and contacts.sheet is not None:
            # The sheet the reader took is the one the choice shows: no second reading.
            key = key_for(contacts.sheet)
            memo[key] = contacts
        return key, contacts


def _sheet_choice(contacts: ContactList) -> None:
    """The sheet to read, offered when the workbook has several; shows the one read."""
    if len(contacts.sheets) < 2:
        return
    state = st.session_state
    if state.get(SHEET) not in contacts.sheets:
        state[SHEET] = contacts.sheet
    st.selectbox(
        "Sheet",
        contacts.sheets,
        key=SHEET,
        persist_state=KEEP,
        help="The workbook has several sheets; the contacts are read from this one.",
    )


def contacts_input() -> LoadedContacts | None:
    """Paste or upload; parsed once per input (kept in the session), errors shown, never raised."""
    state = st.session_state
    given = _input_widgets()
    if REGION not in state:
        state[REGION] = browser_region()
    key, read = _reading(given, state[REGION]) if given is not None else ("", None)
    if isinstance(read, ContactList):
        if given is not None and given.source == "Upload a file":
            _sheet_choice(read)
        state[_COLUMNS] = read.columns
    left, right = st.columns(2)
    left.selectbox(
        "Default country",
        region_choices(),
        key=REGION,
        persist_state=KEEP,
        format_func=region_label,
        help="For numbers written without a country code.",
    )
    right.selectbox(
        "Phone column",
        [AUTOMATIC, *state.get(_COLUMNS, [])],
        key=PHONE_COLUMN,
        persist_state=KEEP,
        help="Guessed from the header and the values; change it if the guess is wrong.",
    )
    if read is None:
        return None
    if isinstance(read, ContactFileError):
        st.error(md(read), icon=":material/error:")
        return None
    return LoadedContacts(key, read)

"""Contacts in: pasted text or an uploaded CSV/TSV/XLSX -> normalized, deduplicated recipients.

Real files are messy (Excel's encodings and separators, numbers turned into floats or scientific
notation, empty rows). Every row that cannot be used is rejected with its row number, as the user
sees it in the file, and a reason; the rest is kept. Values of the other columns stay text exactly
(leading zeros, long ids) and become personalization fields named after their headers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from components.contacts.files import ContactFileError, Grid, UnknownSheetError, read_grid
from components.contacts.phone import InvalidPhoneNumber, PhoneNumber, normalize_phone, parse_phone
from components.core.unicode_text import (
    clean_number_text,
    without_format_characters,
)

__all__ = [
    "ContactFileError",
    "ContactList",
    "InvalidPhoneNumber",
    "UnknownColumnError",
    "UnknownSheetError",
    "normalize_phone",
    "read_contacts",
]

# Words (or word beginnings: "Telefonnummer", "Mobiltelefon") of a header that names a phone
# column. Matched against the header's words, so that "Hotel" or "Cellar" do not count.
PHONE_HEADER_WORDS = (
    "phone",
    "mobil",
    "móvil",
    "movil",
    "cell",
    "msisdn",
    "tel",
    "téléphone",
    "teléfono",
    "handy",
    "natel",
    "portable",
    "sms",
    "gsm",
)
# Words that end like this name a phone too ("homephone", "Smartphone").
_PHONE_WORD_ENDINGS = ("phone", "natel")
# "Number" alone is weak: "Order number" or "Kundennummer" hold ids that look like numbers.
_WEAK_PHONE_WORDS = ("number", "nummer", "numéro", "numero")
_NOT_PHONE_WORDS = ("cellar", "telling", "television", "telegram")
_HEADER_WORD = re.compile(r"[^\W\d_]+")
_PHONEISH = re.compile(r"^[\s+()\-./\d\u00a0]{7,}(?:\s*(?:ext\.?|x|#)\s*\d+)?$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SAMPLE_CELLS = 5_000  # of a file, looked at to guess its phone column


class UnknownColumnError(ContactFileError):
    """The phone column asked for is not in this input (another file was chosen meanwhile)."""


@dataclass
class ContactList:
    recipients: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: int
    phone_column: str | None = None
    columns: list[str] = field(default_factory=list)
    flagged: pd.DataFrame = field(
        default_factory=lambda: _frame([], ["row", "phoneNumber", "note"])
    )
    duplicate_rows: pd.DataFrame = field(
        default_factory=lambda: _frame([], ["row", "phoneNumber", "kept_row"])
    )
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    regions: pd.Series | None = None  # ISO country of each recipient, same index
    sheets: list[str] = field(default_factory=list)  # of a workbook, to choose from
    sheet: str | None = None  # the sheet read


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# -- the table ------------------------------------------------------------------------------------


def _looks_like_phone(value: str) -> bool:
    value = clean_number_text(value).strip()
    if value[:4].lower() == "tel:":
        value = value[4:]
    return bool(_PHONEISH.match(value)) and len(_DIGIT.findall(value)) >= 6


def _header_names(cells: list[str], width: int) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()  # thousands of columns: a set, not the list, says what is taken
    for index in range(width):
        # Invisible marks are not part of a name: "\u200ePhone" is the Phone column, %%Phone%%.
        name = without_format_characters(cells[index]).strip() if index < len(cells) else ""
        name = name or f"Column {index + 1}"
        base, suffix = name, 2
        while name in taken:
            name = f"{base} ({suffix})"
            suffix += 1
        names.append(name)
        taken.add(name)
    return names


def _free_name(name: str, taken: Iterable[str]) -> str:
    names, candidate, suffix = set(taken), name, 2
    while candidate in names:
        candidate, suffix = f"{name} ({suffix})", suffix + 1
    return candidate


def _guess_phone_column(frame: pd.DataFrame, has_header: bool) -> str | None:
    if frame.empty and not len(frame.columns):
        return None
    # A sample of rows, fewer when there are many columns: a few thousand cells tell the column.
    sample = frame.head(min(500, max(10, _SAMPLE_CELLS // max(frame.shape[1], 1))))
    scores: dict[str, float] = {}
    for column, cells in zip(frame.columns, sample.to_numpy(dtype=object).T, strict=True):
        values = [v for v in cells if isinstance(v, str) and v.strip()]
        share = sum(map(_looks_like_phone, values)) / len(values) if values else 0.0
        scores[column] = share
    strength = {c: _phone_name_strength(str(c)) if has_header else 0 for c in frame.columns}
    named = [c for c in frame.columns if strength[c]]
    # A header wins only when its column holds numbers ("Order number" full of "A-1001" must not
    # beat a "Contact" column full of phone numbers), and "Mobile" beats "Customer number".
    good = [c for c in named if scores[c] >= 0.3]
    if good:
        return max(good, key=lambda c: (strength[c], scores[c]))
    best = max(scores, key=lambda c: scores[c]) if scores else None
    if best is not None and scores[best] >= 0.3:
        return best
    # Nothing looks like phone numbers: a phone-like header is still the best guess, so that its
    # rows are rejected with their reasons instead of the file being refused.
    return max(named, key=lambda c: (strength[c], scores[c])) if named else None


def _phone_name_strength(header: str) -> int:
    """2: the header names a phone ("Mobile", "homephone", "Telefonnummer"); 1: only a number
    ("Order number"); 0: neither. Matched by words, so that "Hotel" or "Cellar" do not count.
    Read as NFKC (full-width "ＰＨＯＮＥ" is "PHONE") for this guess only: names stay as written,
    since users type them as %%TAGS%% (NFKC would also turn half-width katakana full-width)."""
    if not header.isascii():
        header = unicodedata.normalize("NFKC", header)
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", header)  # phoneNumber -> phone Number
    words = [
        w for w in _HEADER_WORD.findall(spaced.casefold()) if not w.startswith(_NOT_PHONE_WORDS)
    ]
    if any(w.startswith(PHONE_HEADER_WORDS) or w.endswith(_PHONE_WORD_ENDINGS) for w in words):
        return 2
    return 1 if any(w.startswith(_WEAK_PHONE_WORDS) for w in words) else 0


def _table(grid: Grid, notes: list[str]) -> tuple[pd.DataFrame, list[int], bool]:
    cells, lines = grid.cells, grid.lines
    if cells.empty:
        return pd.DataFrame(), [], False
    if _title_above_header(cells):
        title = next(v for v in cells.iloc[0].tolist() if isinstance(v, str) and v.strip())
        notes.append(
            f"Row {lines[0]:,} ({title.strip()!r}) looks like a title above the header: it was "
            f"skipped, and row {lines[1]:,} was read as the header."
        )
        cells, lines = cells.iloc[1:], lines[1:]
    width = cells.shape[1]
    first = [v if isinstance(v, str) else "" for v in cells.iloc[0].tolist()]
    has_header = not any(_looks_like_phone(cell) for cell in first) and len(cells) > 1
    if width == 1 and has_header:
        # One column: a header only when the first line has no digits at all ("Mobile").
        has_header = not _DIGIT.search(first[0])
    if (
        len(cells) == 1
        and not any(map(_looks_like_phone, first))
        and _HEADER_WORD.search(" ".join(first))
    ):
        shown = ", ".join(cell.strip() for cell in first if cell.strip())
        notes.append(
            f"There is only one row ({shown}), and it looks like a header: there are no contacts "
            "below it. Add the contacts under the header, one a row."
        )
        return pd.DataFrame(), [], False
    body = cells.iloc[1:] if has_header else cells
    body = body.set_axis(_header_names(first if has_header else [], width), axis=1)
    return body.reset_index(drop=True), lines[1:] if has_header else lines, has_header


def _title_above_header(cells: pd.DataFrame) -> bool:
    """A title row ("Customer export December", often merged over the columns) above the header:
    one filled cell, then a row of several header names."""
    if len(cells) < 2 or cells.shape[1] < 2:
        return False
    first, second = (
        [v for v in row if isinstance(v, str) and v.strip()]
        for row in cells.iloc[:2].to_numpy(dtype=object)
    )
    return (
        len(first) == 1
        and len(second) >= 2
        and not _looks_like_phone(first[0])
        and not any(map(_looks_like_phone, second))
    )


def read_contacts(
    data: bytes | str,
    *,
    filename: str | None = None,
    default_region: str = "US",
    phone_column: str | None = None,
    sheet: str | None = None,
) -> ContactList:
    """Reads pasted text or a file's bytes (of a workbook, the first sheet with data unless
    `sheet` names one); never raises for bad rows, only for unreadable files."""
    grid = read_grid(data, filename=filename, sheet=sheet)
    notes = grid.notes
    frame, line_numbers, has_header = _table(grid, notes)
    columns = [str(c) for c in frame.columns]
    empty = ContactList(
        recipients=pd.DataFrame({"phoneNumber": pd.Series([], dtype="str")}),
        rejected=_frame([], ["row", "value", "reason"]),
        duplicates=0,
        columns=columns,
        notes=notes,
        sheets=grid.sheets,
        sheet=grid.sheet,
    )
    if frame.empty:
        return empty
    if phone_column is not None:
        wanted = without_format_characters(phone_column).strip().casefold()
        match = [c for c in columns if c.strip().casefold() == wanted]
        if not match:
            raise UnknownColumnError(
                f"There is no column {phone_column!r}. The columns are: {', '.join(columns)}."
            )
        column = match[0]
    else:
        column = _guess_phone_column(frame, has_header)
        if column is None:
            empty.notes.append(
                "No column looks like phone numbers. Choose the phone column, or check that the "
                "file has a header row and numbers in one column."
            )
            return empty
    contacts = _normalize(frame, line_numbers, column, default_region, columns, notes, grid.flags)
    contacts.sheets, contacts.sheet = grid.sheets, grid.sheet
    return contacts


def _field_texts(frame: pd.DataFrame, rows: list[int], columns: list[int]) -> list[Any]:
    """The cells of these rows and columns as text, column by column, empty ones missing. One
    pass over all the columns at once: column by column, pandas' overhead per column made a file
    of 500 columns take seconds."""
    cells = frame.to_numpy(dtype=object)[np.asarray(rows, dtype=np.intp)][:, columns]
    flat = pd.Series(cells.ravel(order="F"), dtype=object)
    text = flat.astype("str")
    text = text.where(text.str.strip().ne("") & flat.notna()).array
    return [text[i * len(rows) : (i + 1) * len(rows)] for i in range(len(columns))]


def _normalize(
    frame: pd.DataFrame,
    line_numbers: list[int],
    column: str,
    region: str,
    columns: list[str],
    notes: list[str],
    row_flags: dict[int, str],
) -> ContactList:
    raw = frame[column].tolist()
    results: dict[str, PhoneNumber | str] = {}
    for value in set(raw):
        try:
            results[value] = parse_phone(value, region)
        except InvalidPhoneNumber as exc:
            results[value] = str(exc)
    parsed = [results[value] for value in raw]

    keep: list[int] = []
    first_row: dict[str, int] = {}
    rejected: list[tuple[int, str, str]] = []
    flagged: list[tuple[int, str, str]] = []
    merged: list[tuple[int, str, int]] = []
    for position, result in enumerate(parsed):
        line = line_numbers[position]
        if isinstance(result, str):
            rejected.append((line, raw[position], result))
            continue
        earlier = first_row.get(result.digits)
        if earlier is not None:
            merged.append((line, result.digits, earlier))
            continue
        first_row[result.digits] = line
        keep.append(position)
        note = "; ".join(n for n in (row_flags.get(line), result.note) if n)
        if note:
            flagged.append((line, result.digits, note))

    others = [i for i, c in enumerate(columns) if c != column]
    fields = {"phoneNumber": pd.array([parsed[i].digits for i in keep], dtype="str")}  # type: ignore[union-attr]
    for position, values in zip(others, _field_texts(frame, keep, others), strict=True):
        # Another column called "phoneNumber" must never replace the checked numbers.
        fields[_free_name(columns[position], fields)] = values
    recipients = pd.DataFrame(fields)
    regions = pd.Series([parsed[i].region for i in keep], dtype="str")  # type: ignore[union-attr]
    return ContactList(
        recipients=recipients,
        rejected=_frame(rejected, ["row", "value", "reason"]),
        duplicates=len(merged),
        phone_column=column,
        columns=columns,
        flagged=_frame(flagged, ["row", "phoneNumber", "note"]),
        duplicate_rows=_frame(merged, ["row", "phoneNumber", "kept_row"]),
        notes=notes,
        rows=len(raw),
        regions=regions,
    )

"""Contacts in: pasted text or an uploaded CSV/TSV/XLSX -> normalized, deduplicated recipients.

Real files are messy (Excel's encodings and separators, numbers turned into floats or scientific
notation, empty rows). Every row that cannot be used is rejected with its row number, as the user
sees it in the file, and a reason; the rest is kept. Values of the other columns stay text exactly
(leading zeros, long ids) and become personalization fields named after their headers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from components.phone import InvalidPhoneNumber, PhoneNumber, normalize_phone, parse_phone
from components.unicode_text import (
    broken_characters_note,
    clean_number_text,
    without_format_characters,
    without_lone_surrogates,
)

__all__ = [
    "ContactFileError",
    "ContactList",
    "InvalidPhoneNumber",
    "UnknownColumnError",
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


class ContactFileError(ValueError):
    """The input cannot be read at all (the message says why and what to do)."""


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

    @property
    def personalization_columns(self) -> list[str]:
        return [c for c in self.recipients.columns if c != "phoneNumber"]


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# -- decoding -------------------------------------------------------------------------------------


def _decode(data: bytes, notes: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append('Read as UTF-16 (Excel\'s "Unicode text").')
        return data.decode("utf-16", errors="replace")
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        even_nuls = sample[0::2].count(b"\x00")
        odd_nuls = sample[1::2].count(b"\x00")
        notes.append("Read as UTF-16 without a byte-order mark.")
        return data.decode("utf-16-le" if odd_nuls > even_nuls else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("The file is not UTF-8: read as Windows-1252 (Excel's default on Windows).")
        return data.decode("cp1252", errors="replace")


def _is_xlsx(data: bytes, filename: str | None) -> bool:
    name = (filename or "").lower()
    return data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm"))


def _xlsx_rows(data: bytes, notes: list[str]) -> list[tuple[int, list[str]]]:
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ContactFileError(
            "This Excel file could not be opened. Save it again as .xlsx (or as CSV) and "
            f"upload that. ({type(exc).__name__})"
        ) from None
    try:
        chosen = None
        for sheet in book.worksheets:
            rows = [
                (index, [_cell_text(v) for v in values])
                for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            rows = [(i, r) for i, r in rows if any(cell.strip() for cell in r)]
            if rows:
                chosen = (sheet.title, rows)
                break
        if chosen is None:
            return []
        if len(book.worksheets) > 1:
            notes.append(f"Read the sheet {chosen[0]!r} (the first one with data).")
        return chosen[1]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """Excel cells as text, without the damage: 19495001234.0 -> 19495001234."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _sniff_separator(lines: list[str]) -> str | None:
    sample = [line for line in lines[:50] if line.strip()]
    if not sample:
        return None
    best, best_score = None, 0.0
    for separator in ("\t", ";", ","):
        counts = [_count_outside_quotes(line, separator) for line in sample]
        with_it = [c for c in counts if c > 0]
        if not with_it:
            continue
        share = len(with_it) / len(counts)
        steady = max(set(with_it), key=with_it.count)
        consistency = with_it.count(steady) / len(counts)
        score = share + consistency + (0.5 if separator == "\t" else 0)
        # A comma inside a single number column ("1,234") is not a separator.
        if separator == "," and share < 0.5:
            continue
        if score > best_score:
            best, best_score = separator, score
    return best


def _count_outside_quotes(line: str, separator: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def _text_rows(text: str, notes: list[str]) -> list[tuple[int, list[str]]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    separator = _sniff_separator(lines)
    if separator is None:
        return [(i, [line.strip()]) for i, line in enumerate(lines, start=1) if line.strip()]
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"', strict=False)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            if record and (len(record) > 1 or record[0].strip()):
                if len(record) > 1 and not "".join(record).strip():
                    line = reader.line_num + 1
                    continue
                rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        notes.append(f"Stopped reading at line {line}: {exc}.")
    return rows


# -- the table ------------------------------------------------------------------------------------


def _looks_like_phone(value: str) -> bool:
    value = clean_number_text(value).strip()
    if value[:4].lower() == "tel:":
        value = value[4:]
    return bool(_PHONEISH.match(value)) and len(_DIGIT.findall(value)) >= 6


def _header_names(cells: list[str], width: int) -> list[str]:
    names: list[str] = []
    for index in range(width):
        # Invisible marks are not part of a name: "\u200ePhone" is the Phone column, %%Phone%%.
        name = without_format_characters(cells[index]).strip() if index < len(cells) else ""
        name = name or f"Column {index + 1}"
        base, suffix = name, 2
        while name in names:
            name = f"{base} ({suffix})"
            suffix += 1
        names.append(name)
    return names


def _free_name(name: str, taken: Iterable[str]) -> str:
    names, candidate, suffix = set(taken), name, 2
    while candidate in names:
        candidate, suffix = f"{name} ({suffix})", suffix + 1
    return candidate


def _guess_phone_column(frame: pd.DataFrame, has_header: bool) -> str | None:
    if frame.empty and not len(frame.columns):
        return None
    sample = frame.head(500)
    scores: dict[str, float] = {}
    for column in frame.columns:
        values = [v for v in sample[column].tolist() if isinstance(v, str) and v.strip()]
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


def _table(
    rows: list[tuple[int, list[str]]], notes: list[str]
) -> tuple[pd.DataFrame, list[int], bool]:
    if not rows:
        return pd.DataFrame(), [], False
    width = max(len(cells) for _, cells in rows)
    first = rows[0][1]
    has_header = not any(_looks_like_phone(cell) for cell in first) and len(rows) > 1
    if width == 1 and has_header:
        # One column: a header only when the first line has no digits at all ("Mobile").
        has_header = not _DIGIT.search(first[0])
    body = rows[1:] if has_header else rows
    names = _header_names(first if has_header else [], width)
    padded = [cells if len(cells) == width else (cells + [""] * width)[:width] for _, cells in body]
    columns = list(zip(*padded, strict=True)) if padded else [() for _ in names]
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in zip(names, columns, strict=True)}
    )
    if any(len(cells) > width for _, cells in body):
        notes.append("Some rows had more cells than the header; the extra cells were ignored.")
    return frame, [line for line, _ in body], has_header


def _fast_table(text: str) -> tuple[pd.DataFrame, list[int], bool] | None:
    """pandas' C parser for the common, regular file: one record a line, no blank lines, every
    line as wide as the header. Anything else takes the careful path, which keeps row numbers."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff").rstrip("\n")
    if not text or "\r" in text or "\n\n" in text:
        return None
    lines = text.split("\n", 60)
    separator = _sniff_separator(lines[:50])
    if separator is None:
        return None
    width = _count_outside_quotes(lines[0], separator) + 1
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            quotechar='"',
            skip_blank_lines=False,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if frame.shape[1] != width or len(frame) != text.count("\n") + 1 or width < 2:
        return None  # quoted line breaks or ragged rows: row numbers would drift
    first = [str(v) for v in frame.iloc[0].tolist()]
    if any(_looks_like_phone(cell) for cell in first) or len(frame) < 2:
        return None
    frame = frame.iloc[1:]
    frame.columns = _header_names(first, width)
    if re.search(f'^[ \t"{re.escape(separator)}]*$', text, re.MULTILINE):  # rare: skip the scan
        blank = frame.apply(lambda column: column.astype(str).str.strip().eq("")).all(axis=1)
        frame = frame[~blank]
    line_numbers = [int(i) + 1 for i in frame.index]
    return frame.reset_index(drop=True), line_numbers, True


def read_contacts(
    data: bytes | str,
    *,
    filename: str | None = None,
    default_region: str = "US",
    phone_column: str | None = None,
) -> ContactList:
    """Reads pasted text or a file's bytes; never raises for bad rows, only for unreadable files."""
    notes: list[str] = []
    if isinstance(data, bytes) and _is_xlsx(data, filename):
        frame, line_numbers, has_header = _table(_xlsx_rows(data, notes), notes)
    else:
        text = data if isinstance(data, str) else _decode(data, notes)
        repaired = without_lone_surrogates(text)
        if repaired.removed:
            notes.append(broken_characters_note(repaired, "the contacts"))
            text = repaired.text
        table = _fast_table(text)
        if table is None:
            table = _table(_text_rows(text, notes), notes)
        frame, line_numbers, has_header = table
    columns = [str(c) for c in frame.columns]
    empty = ContactList(
        recipients=pd.DataFrame({"phoneNumber": pd.Series([], dtype="str")}),
        rejected=_frame([], ["row", "value", "reason"]),
        duplicates=0,
        columns=columns,
        notes=notes,
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
    return _normalize(frame, line_numbers, column, default_region, columns, notes)


def _normalize(
    frame: pd.DataFrame,
    line_numbers: list[int],
    column: str,
    region: str,
    columns: list[str],
    notes: list[str],
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
        if result.note:
            flagged.append((line, result.digits, result.note))

    others = [c for c in columns if c != column]
    kept = frame.iloc[keep]
    recipients = pd.DataFrame(
        {"phoneNumber": pd.array([parsed[i].digits for i in keep], dtype="str")},  # type: ignore[union-attr]
    )
    for name in others:
        values = kept[name].astype("str").str.strip()
        # Another column called "phoneNumber" must never replace the checked numbers.
        target = _free_name(name, recipients.columns)
        recipients[target] = (
            kept[name].where(values.ne("") & kept[name].notna()).astype("str").values
        )
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

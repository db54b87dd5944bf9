"""A contact file's bytes -> a grid of text cells, before any header or phone logic.

Tells the file kinds apart (an XLSX, read by xlsx.py; an old .xls or a password-protected
workbook, which say so; text in Excel's encodings and separators) and reads text within the limits
of limits.py, refused early and at C speed: a 50 MB line or 10 million cells must not take the
console down for everybody. Blank cells at the end of the rows are not data and cost nothing. A
quote left open is reported by row, and the rows it swallowed come back as their own rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from operator import methodcaller

import pandas as pd

from components.contacts import limits
from components.contacts.limits import ContactFileError, Grid, UnknownSheetError
from components.contacts.xlsx import xlsx_grid
from components.core.unicode_text import broken_characters_note, without_lone_surrogates

# Python's csv module refuses fields over 131,072 characters with its own error; the console's
# limits (the file's size, then a cell's length) are the ones that speak to the marketer.
csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_FILE_BYTES + 1))

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SEPARATORS = ("\t", ";", ",")

__all__ = ["ContactFileError", "Grid", "UnknownSheetError", "read_grid"]


def read_grid(data: bytes | str, *, filename: str | None = None, sheet: str | None = None) -> Grid:
    notes: list[str] = []
    if isinstance(data, str):
        if len(data) > limits.MAX_FILE_BYTES:
            raise limits.too_large(len(data.encode("utf-8", errors="replace")))
        repaired = without_lone_surrogates(data)  # only text can hold them: bytes are decoded
        if repaired.removed:
            notes.append(broken_characters_note(repaired, "the contacts"))
        return _text_grid(repaired.text, notes)
    if len(data) > limits.MAX_FILE_BYTES:
        raise limits.too_large(len(data))
    if data.startswith(OLE2_MAGIC):
        raise ContactFileError(_ole2_message(data))
    if _is_xlsx(data, filename):
        return xlsx_grid(data, sheet, notes)
    return _text_grid(_decode(data, notes), notes)


def _ole2_message(data: bytes) -> str:
    if _ENCRYPTED_PACKAGE in data:
        return (
            "This Excel file is protected with a password, so it cannot be read. Open it in "
            "Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, "
            "then clear it) and save, or save it as CSV, and upload that."
        )
    return (
        "This is an old Excel file (.xls, Excel 97-2003), whatever its name says; the console "
        "reads .xlsx and CSV. Open it in Excel and save it as an Excel Workbook (.xlsx) or as "
        "CSV UTF-8 (File > Save As), then upload that."
    )


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


# -- text: CSV, TSV, one number a line ------------------------------------------------------------


def _sniff_separator(lines: list[str]) -> str | None:
    sample = [line for line in lines[:50] if line.strip()]
    if not sample:
        return None
    best, best_score = None, 0.0
    for separator in _SEPARATORS:
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


def _trailing_separators(lines: list[str], separator: str) -> bool:
    """Many separators end the lines (an export padded to a wide sheet): cells of nothing that
    would cost as much to read as data. Counted at C speed."""
    ends = " \t" + separator
    trailing = sum(len(line) - len(line.rstrip(ends)) for line in lines)
    return trailing > 1000 and trailing * 2 > sum(map(len, lines))


def _without_trailing_separators(line: str, separator: str) -> str:
    """The line without the separators (and spaces) at its end, unless a quote is open there (a
    cell that goes on over the next line keeps its text)."""
    return line if line.count('"') % 2 else line.rstrip(" \t" + separator)


def _count_outside_quotes(line: str, separator: str) -> int:
    """Separators between quoted stretches (every quote opens or closes one, as "" does twice)."""
    return sum(part.count(separator) for part in line.split('"')[::2])


def _text_grid(text: str, notes: list[str]) -> Grid:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    if not text or text.isspace():
        notes.append("The file is empty: there is nothing to read.")
        return limits.rows_grid([], notes)
    lines = text.split("\n")
    separator = _sniff_separator(text[: limits.SNIFF_CHARACTERS].split("\n", 50)[:50])
    if separator is not None and _trailing_separators(lines, separator):
        lines = [_without_trailing_separators(line, separator) for line in lines]
        text = "\n".join(lines)
    _check_text_limits(lines, separator)
    if separator is None:
        rows = [(i, [line.strip()]) for i, line in enumerate(lines, start=1) if line.strip()]
        limits.check_rows(len(rows))
        return limits.rows_grid(rows, notes)
    fast = _fast_grid(text, lines, separator, notes)
    if fast is not None:
        return fast
    return _careful_grid(text, lines, separator, notes)


def _check_text_limits(lines: list[str], separator: str | None) -> None:
    """Before any parsing: too many cells, or a line too long, is refused at C speed. The cells
    are counted row by row up to the last one that holds anything (separators and spaces at the
    end of a line are not cells of data)."""
    if separator is not None:
        counts = list(map(methodcaller("count", separator), lines))
        if len(lines) * (max(counts) + 1) > limits.MAX_CELLS:
            ends = " \t\r" + separator
            kept = [line.rstrip(ends) for line in lines]
            widths = [line.count(separator) + 1 for line in kept if line]
            limits.check_cells(len(widths), max(widths, default=0))
    if max(map(len, lines)) > limits.MAX_CELL_CHARACTERS:
        for number, line in enumerate(lines, start=1):
            if len(line) > limits.MAX_CELL_CHARACTERS:
                cells = next(csv.reader([line], delimiter=separator)) if separator else [line]
                for column, cell in enumerate(cells, start=1):
                    limits.check_cell(len(cell), number, column)


def _fast_grid(text: str, lines: list[str], separator: str, notes: list[str]) -> Grid | None:
    """pandas' C parser for the common, regular file: one record a line, no blank lines, every
    line as wide as the first. Anything else takes the careful path, which keeps row numbers."""
    text = text.rstrip("\n")
    if "\n\n" in text:
        return None
    records = text.count("\n") + 1
    width = _count_outside_quotes(lines[0], separator) + 1
    if width < 2:
        return None
    try:
        cells = pd.read_csv(
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
    if cells.shape[1] != width or len(cells) != records:
        return None  # quoted line breaks or ragged rows: row numbers would drift
    limits.check_rows(len(cells))
    if re.search(f'^[ \t"{re.escape(separator)}]*$', text, re.MULTILINE):  # rare: skip the scan
        blank = cells.apply(lambda column: column.astype(str).str.strip().eq("")).all(axis=1)
        cells = cells[~blank]
    cells = _without_blank_last_columns(cells)
    numbers = [int(i) + 1 for i in cells.index]
    return Grid(cells.reset_index(drop=True), numbers, notes)


def _without_blank_last_columns(cells: pd.DataFrame) -> pd.DataFrame:
    """Columns at the right end that hold nothing in any row (trailing separators) are not data."""
    keep = cells.shape[1]
    while keep > 1 and cells.iloc[:, keep - 1].astype(str).str.strip().eq("").all():
        keep -= 1
    return cells if keep == cells.shape[1] else cells.iloc[:, :keep]


def _careful_grid(text: str, lines: list[str], separator: str, notes: list[str]) -> Grid:
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"', strict=False)
    rows: list[tuple[int, list[str]]] = []
    flags: dict[int, str] = {}
    spanning: list[int] = []
    start = 1
    try:
        for record in reader:
            end = reader.line_num
            width = len(rows[0][1]) if rows else 0
            if end > start and _quote_left_open(lines, start, end, separator, width):
                rows.extend(_recovered_rows(lines, start, end, separator, flags))
            elif not limits.blank(record):
                if end > start:
                    spanning.append(start)
                rows.append((start, record))
            limits.check_rows(len(rows))
            start = end + 1
    except csv.Error as exc:
        notes.append(f"Stopped reading at line {start}: {exc}.")
    if flags:
        first = min(flags)
        column = len(next(csv.reader([lines[first - 1]], delimiter=separator)))
        more = f" ({len(flags) - 1:,} more such row(s) are flagged)" if len(flags) > 1 else ""
        notes.append(
            f"{_open_quote(first, column)}, which would make the rows after it one cell{more}: "
            "they were read as their own rows instead. Remove the quote or close it."
        )
    if spanning:
        shown = ", ".join(f"{n:,}" for n in spanning[:5]) + (", ..." if len(spanning) > 5 else "")
        rows_with = f"Row {shown} has" if len(spanning) == 1 else f"Rows {shown} have"
        notes.append(
            f"{rows_with} a quoted cell over several lines: check that each is one contact."
        )
    return limits.rows_grid(rows, notes, flags=flags)


def _quote_left_open(lines: list[str], start: int, end: int, separator: str, width: int) -> bool:
    """A record over lines start..end that is a quote opened by mistake rather than a cell with
    line breaks: still open at the end of the file (read alone, it does not close), over many
    lines, or holding lines that are as wide as the header (rows swallowed into one cell)."""
    if end - start + 1 > limits.MAX_LINES_IN_A_CELL:
        return True
    if _opens_a_quote(lines[start - 1 : end], separator):
        return True
    return width >= 2 and any(
        _count_outside_quotes(line, separator) + 1 >= width for line in lines[start:end]
    )


def _opens_a_quote(lines: list[str], separator: str) -> bool:
    """True when the record of `lines` ends inside a quoted cell: an empty line after it is
    swallowed into that cell instead of being read as a record of its own."""
    return len(list(csv.reader([*lines, ""], delimiter=separator))) == 1


def _recovered_rows(
    lines: list[str], start: int, end: int, separator: str, flags: dict[int, str]
) -> list[tuple[int, list[str]]]:
    """Each line of the region read on its own; the lines that open a quote are flagged."""
    rows = []
    for number in range(start, end + 1):
        line = lines[number - 1]
        cells = next(csv.reader([line], delimiter=separator), [])
        if _opens_a_quote([line], separator):
            flags[number] = f"{_open_quote(number, len(cells))}. Remove the quote or close it."
        if not limits.blank(cells):
            rows.append((number, cells))
    return rows


def _open_quote(row: int, column: int) -> str:
    return f'Row {row:,}, column {column:,}: a quote (") opens here and is not closed on this row'

"""A contact file's bytes -> a grid of text cells, before any header or phone logic.

Knows the file kinds (XLSX, an old .xls or a password-protected workbook, text in Excel's encodings
and separators), reads only the cells that hold data, and refuses early, by name of the limit, what
would cost minutes or gigabytes: a workbook that claims a sheet up to XFD1048576 or a 50 MB line
must not take the console down for everybody. A quote left open is reported by row, and the rows it
swallowed come back as their own rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from operator import methodcaller
from typing import Any

import pandas as pd

# -- limits: real contact files never reach them; each bounds the time and memory of one read ------

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for a cell
MAX_UNPACKED_PART_BYTES = 300 * 1024 * 1024  # one XML part of a workbook, unzipped
MAX_EMPTY_ROWS_IN_A_RUN = 10_000  # formatted but empty sheet rows: stop reading after so many
EXCEL_MAX_ROWS = 1_048_576
MAX_LINES_IN_A_CELL = 5  # a quoted cell over more lines is taken for a quote left open
SNIFF_CHARACTERS = 64 * 1024  # the separator is guessed from the beginning only

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SEPARATORS = ("\t", ";", ",")


class ContactFileError(ValueError):
    """The input cannot be read at all (the message says why and what to do)."""


class UnknownSheetError(ContactFileError):
    """The sheet asked for is not in this workbook (another file was chosen meanwhile)."""


@dataclass
class Grid:
    """The cells of a file as text, columns 0..n-1, rows of empty cells left out."""

    cells: pd.DataFrame
    lines: list[int]  # each row's number as the user sees it in the file
    notes: list[str] = field(default_factory=list)
    flags: dict[int, str] = field(default_factory=dict)  # row -> what is wrong with it (kept)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None


def read_grid(data: bytes | str, *, filename: str | None = None, sheet: str | None = None) -> Grid:
    notes: list[str] = []
    if isinstance(data, str):
        if len(data) > MAX_FILE_BYTES:
            raise _too_large(len(data.encode("utf-8", errors="replace")))
        return _text_grid(data, notes)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    if data.startswith(OLE2_MAGIC):
        raise ContactFileError(_ole2_message(data))
    if _is_xlsx(data, filename):
        return _xlsx_grid(data, sheet, notes)
    return _text_grid(_decode(data, notes), notes)


def _too_large(size: int) -> ContactFileError:
    return ContactFileError(
        f"The file is {size / 1024 / 1024:,.1f} MB; the console reads files of at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Save only the phone and personalization columns, "
        "or split the contacts into several files."
    )


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


# -- grids ----------------------------------------------------------------------------------------


def _rows_grid(
    rows: list[tuple[int, list[str]]],
    notes: list[str],
    *,
    flags: dict[int, str] | None = None,
    sheets: list[str] | None = None,
    sheet: str | None = None,
) -> Grid:
    width = max((len(cells) for _, cells in rows), default=0)
    padded = [cells + [""] * (width - len(cells)) for _, cells in rows]
    cells = pd.DataFrame(padded, columns=range(width), dtype=object) if rows else pd.DataFrame()
    return Grid(cells, [line for line, _ in rows], notes, flags or {}, sheets or [], sheet)


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _check_width(width: int, row: int) -> None:
    if width > MAX_COLUMNS:
        raise ContactFileError(
            f"Row {row:,} has {width:,} columns; the console reads at most {MAX_COLUMNS:,}. "
            "Remove the columns you do not need for this message, or save only the phone and "
            "personalization columns."
        )


def _check_rows(count: int) -> None:
    if count > MAX_ROWS + 1:  # the header row comes on top
        raise ContactFileError(
            f"The file has more than {MAX_ROWS:,} rows; the console reads at most {MAX_ROWS:,} "
            "contacts at a time. Split the contacts into several files and send them one after "
            "the other."
        )


def _check_cell(length: int, row: int, column: int) -> None:
    if length > MAX_CELL_CHARACTERS:
        raise ContactFileError(
            f"Row {row:,}, column {column:,} holds {length:,} characters; the console reads at "
            f"most {MAX_CELL_CHARACTERS:,} in a cell (Excel's own limit). Check that this is the "
            "contact file you meant, or shorten that cell."
        )


# -- XLSX -----------------------------------------------------------------------------------------


def _xlsx_grid(data: bytes, wanted: str | None, notes: list[str]) -> Grid:
    _check_unpacked_size(data)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ContactFileError(
            "This Excel file could not be opened. Save it again as .xlsx (or as CSV) and "
            f"upload that. ({type(exc).__name__})"
        ) from None
    try:
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        names = list(sheets)
        if wanted is not None:
            if wanted not in sheets:
                raise UnknownSheetError(
                    f"There is no sheet {wanted!r}. The sheets are: {', '.join(names)}."
                )
            rows = _sheet_rows(sheets[wanted], notes)
            if not rows:
                notes.append(f"The sheet {wanted!r} is empty.")
            elif len(names) > 1:
                notes.append(f"Read the sheet {wanted!r}.")
            return _rows_grid(rows, notes, sheets=names, sheet=wanted)
        for name, sheet in sheets.items():
            rows = _sheet_rows(sheet, notes)
            if rows:
                if len(names) > 1:
                    others = ", ".join(repr(n) for n in names if n != name)
                    notes.append(
                        f"Read the sheet {name!r} (the first one with data). The workbook also "
                        f"has {others}: choose another sheet to read it instead."
                    )
                return _rows_grid(rows, notes, sheets=names, sheet=name)
        notes.append("The workbook has no data in any sheet.")
        return _rows_grid([], notes, sheets=names)
    finally:
        book.close()


def _check_unpacked_size(data: bytes) -> None:
    """zipfile reads no more than a part's declared size, so the declared sizes bound the work."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # openpyxl says it cannot be opened
    largest = max((part.file_size for part in parts), default=0)
    if largest > MAX_UNPACKED_PART_BYTES:
        raise ContactFileError(
            f"This workbook unpacks to {largest / 1024 / 1024:,.0f} MB of sheet data; the console "
            f"reads at most {MAX_UNPACKED_PART_BYTES // 1024 // 1024} MB. Save it as CSV with "
            "only the phone and personalization columns, and upload that."
        )


def _sheet_rows(sheet: Any, notes: list[str]) -> list[tuple[int, list[str]]]:
    """Only the cells that hold data: the <dimension> a sheet claims is not trusted (A1:XFD5001
    would make 82 million empty cells), rows missing from the file cost nothing, trailing empty
    cells are cut, and a long run of formatted empty rows ends the reading with a note."""
    sheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    empty_run = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > EXCEL_MAX_ROWS:
            notes.append(f"Stopped reading after row {EXCEL_MAX_ROWS:,}, Excel's last row.")
            break
        if not values:
            continue  # a row the file does not hold (or holds no cell of)
        if len(values) > MAX_COLUMNS:  # counted in C: a row may reach column XFD (16,384)
            beyond = values[MAX_COLUMNS:]
            if beyond.count(None) != len(beyond):
                _check_width(_last_filled(values) + 1, number)
            values = values[:MAX_COLUMNS]
        cells = [_cell_text(value) for value in values]
        if _blank(cells):
            empty_run += 1
            if empty_run > MAX_EMPTY_ROWS_IN_A_RUN:
                notes.append(
                    f"Stopped reading the sheet {sheet.title!r} at row {number:,}: the "
                    f"{MAX_EMPTY_ROWS_IN_A_RUN:,} rows above it are empty. If contacts follow "
                    "further down, delete the empty rows."
                )
                break
            continue
        empty_run = 0
        while not cells[-1]:
            cells.pop()
        _check_width(len(cells), number)
        for column, text in enumerate(cells, start=1):
            _check_cell(len(text), number, column)
        rows.append((number, cells))
        _check_rows(len(rows))
    return rows


def _last_filled(values: tuple[object, ...]) -> int:
    return max(i for i, value in enumerate(values) if value is not None)


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


def _count_outside_quotes(line: str, separator: str) -> int:
    """Separators between quoted stretches (every quote opens or closes one, as "" does twice)."""
    return sum(part.count(separator) for part in line.split('"')[::2])


def _text_grid(text: str, notes: list[str]) -> Grid:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    if not text or text.isspace():
        notes.append("The file is empty: there is nothing to read.")
        return _rows_grid([], notes)
    lines = text.split("\n")
    separator = _sniff_separator(text[:SNIFF_CHARACTERS].split("\n", 50)[:50])
    _check_text_limits(lines, separator)
    if separator is None:
        rows = [(i, [line.strip()]) for i, line in enumerate(lines, start=1) if line.strip()]
        _check_rows(len(rows))
        return _rows_grid(rows, notes)
    fast = _fast_grid(text, lines, separator, notes)
    if fast is not None:
        return fast
    return _careful_grid(text, lines, separator, notes)


def _check_text_limits(lines: list[str], separator: str | None) -> None:
    """Before any parsing: a line too wide or too long is refused at C speed."""
    if separator is not None:
        counts = list(map(methodcaller("count", separator), lines))
        if max(counts) >= MAX_COLUMNS:
            for number, (line, count) in enumerate(zip(lines, counts, strict=True), start=1):
                if count >= MAX_COLUMNS:
                    _check_width(_count_outside_quotes(line, separator) + 1, number)
    if max(map(len, lines)) > MAX_CELL_CHARACTERS:
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_CELL_CHARACTERS:
                cells = next(csv.reader([line], delimiter=separator)) if separator else [line]
                for column, cell in enumerate(cells, start=1):
                    _check_cell(len(cell), number, column)


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
    _check_rows(len(cells))
    if re.search(f'^[ \t"{re.escape(separator)}]*$', text, re.MULTILINE):  # rare: skip the scan
        blank = cells.apply(lambda column: column.astype(str).str.strip().eq("")).all(axis=1)
        cells = cells[~blank]
    numbers = [int(i) + 1 for i in cells.index]
    return Grid(cells.reset_index(drop=True), numbers, notes)


def _careful_grid(text: str, lines: list[str], separator: str, notes: list[str]) -> Grid:
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"', strict=False)
    rows: list[tuple[int, list[str]]] = []
    flags: dict[int, str] = {}
    spanning: list[int] = []
    start = 1
    try:
        for record in reader:
            end = reader.line_num
            _check_width(len(record), start)
            width = len(rows[0][1]) if rows else 0
            if end > start and _quote_left_open(lines, start, end, separator, width):
                rows.extend(_recovered_rows(lines, start, end, separator, flags))
            elif not _blank(record):
                if end > start:
                    spanning.append(start)
                rows.append((start, record))
            _check_rows(len(rows))
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
    return _rows_grid(rows, notes, flags=flags)


def _quote_left_open(lines: list[str], start: int, end: int, separator: str, width: int) -> bool:
    """A record over lines start..end that is a quote opened by mistake rather than a cell with
    line breaks: still open at the end of the file (read alone, it does not close), over many
    lines, or holding lines that are as wide as the header (rows swallowed into one cell)."""
    if end - start + 1 > MAX_LINES_IN_A_CELL:
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
        if not _blank(cells):
            rows.append((number, cells))
    return rows


def _open_quote(row: int, column: int) -> str:
    return f'Row {row:,}, column {column:,}: a quote (") opens here and is not closed on this row'

"""A workbook's sheet -> rows of text cells, reading only the cells that hold data.

A sheet's <dimension> is not trusted (one that claims A1:XFD5001 would make 82 million empty
cells), rows missing from the file cost nothing, blank cells at the end of a row (a stray space far
to the right) are not data, and the cells a sheet holds are counted before they are converted."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from components.contacts import limits


def xlsx_grid(data: bytes, wanted: str | None, notes: list[str]) -> limits.Grid:
    _check_unpacked_size(data)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise limits.ContactFileError(
            "This Excel file could not be opened: it may be damaged or not really an Excel "
            "workbook. Open it in Excel and save it again as .xlsx (or as CSV), then upload that."
        ) from None
    try:
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        names = list(sheets)
        if wanted is not None:
            if wanted not in sheets:
                raise limits.UnknownSheetError(
                    f"There is no sheet {wanted!r}. The sheets are: {', '.join(names)}."
                )
            rows = _sheet_rows(sheets[wanted], notes)
            if not rows:
                notes.append(f"The sheet {wanted!r} is empty.")
            elif len(names) > 1:
                notes.append(f"Read the sheet {wanted!r}.")
            return limits.rows_grid(rows, notes, sheets=names, sheet=wanted)
        for name, sheet in sheets.items():
            rows = _sheet_rows(sheet, notes)
            if rows:
                if len(names) > 1:
                    others = ", ".join(repr(n) for n in names if n != name)
                    notes.append(
                        f"Read the sheet {name!r} (the first one with data). The workbook also "
                        f"has {others}: choose another sheet to read it instead."
                    )
                return limits.rows_grid(rows, notes, sheets=names, sheet=name)
        notes.append("The workbook has no data in any sheet.")
        return limits.rows_grid([], notes, sheets=names)
    finally:
        book.close()


def _check_unpacked_size(data: bytes) -> None:
    """zipfile reads no more than a part's declared size, so the declared sizes bound the work."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # openpyxl says it cannot be opened
    largest = max((part.file_size for part in parts), default=0)
    if largest > limits.MAX_UNPACKED_PART_BYTES:
        raise limits.ContactFileError(
            f"This workbook unpacks to {largest / 1024 / 1024:,.0f} MB of sheet data; the "
            f"console reads at most {limits.MAX_UNPACKED_PART_BYTES // 1024 // 1024} MB. Save it "
            "as CSV with only the phone and personalization columns, and upload that."
        )


def _sheet_rows(sheet: Any, notes: list[str]) -> list[tuple[int, list[str]]]:
    """Only the cells that hold data: the <dimension> a sheet claims is not trusted (A1:XFD5001
    would make 82 million empty cells), rows missing from the file cost nothing, trailing empty
    cells are cut, and a long run of formatted empty rows ends the reading with a note."""
    sheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    empty_run = 0
    cells_seen = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > limits.EXCEL_MAX_ROWS:
            notes.append(f"Stopped reading after row {limits.EXCEL_MAX_ROWS:,}, Excel's last row.")
            break
        if not values:
            continue  # a row the file does not hold (or holds no cell of)
        cells_seen += len(values)  # counted before any cell is converted: sparse rows are wide
        limits.check_cells(number, len(values), cells=cells_seen)
        cells = [_cell_text(value) for value in values]
        if limits.blank(cells):
            empty_run += 1
            if empty_run > limits.MAX_EMPTY_ROWS_IN_A_RUN:
                notes.append(
                    f"Stopped reading the sheet {sheet.title!r} at row {number:,}: the "
                    f"{limits.MAX_EMPTY_ROWS_IN_A_RUN:,} rows above it are empty. If contacts "
                    "follow further down, delete the empty rows."
                )
                break
            continue
        empty_run = 0
        cells = limits.without_trailing_blanks(cells)  # a stray space far to the right: no data
        for column, text in enumerate(cells, start=1):
            limits.check_cell(len(text), number, column)
        rows.append((number, cells))
        limits.check_rows(len(rows))
    return rows


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

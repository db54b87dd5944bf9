"""The limits of reading one contact file, and what its readers share: the grid they make and the
errors they raise. Real contact files never reach a limit; each bounds the time and memory of one
read (a 4.8 KB workbook must not cost minutes and gigabytes for everybody), and each is named, with
what to do, when a file reaches it. The readers use them as `limits.NAME`, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for a cell
# Rows x columns, the blank ones at the end of a row left out: 200,000 contacts with 50 fields,
# or 100 with 5,000, in bounded memory. Columns alone are not limited: what costs is the cells.
MAX_CELLS = 10_000_000
MAX_UNPACKED_PART_BYTES = 300 * 1024 * 1024  # one XML part of a workbook, unzipped
MAX_EMPTY_ROWS_IN_A_RUN = 10_000  # formatted but empty sheet rows: stop reading after so many
EXCEL_MAX_ROWS = 1_048_576
MAX_LINES_IN_A_CELL = 5  # a quoted cell over more lines is taken for a quote left open
SNIFF_CHARACTERS = 64 * 1024  # the separator is guessed from the beginning only


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


def rows_grid(
    rows: list[tuple[int, list[str]]],
    notes: list[str],
    *,
    flags: dict[int, str] | None = None,
    sheets: list[str] | None = None,
    sheet: str | None = None,
) -> Grid:
    """The rows as a grid as wide as the widest row's last cell that holds anything: blank
    cells at the end of a row (a stray space far to the right) are not data."""
    trimmed = [(line, without_trailing_blanks(cells)) for line, cells in rows]
    width = max((len(cells) for _, cells in trimmed), default=0)
    check_cells(len(trimmed), width)
    padded = [cells + [""] * (width - len(cells)) for _, cells in trimmed]
    cells = pd.DataFrame(padded, columns=range(width), dtype=object) if rows else pd.DataFrame()
    return Grid(cells, [line for line, _ in trimmed], notes, flags or {}, sheets or [], sheet)


def without_trailing_blanks(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells if end == len(cells) else cells[:end]


def blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def check_cells(rows: int, columns: int, *, cells: int | None = None) -> None:
    """`cells` counted so far while reading (a sheet whose rows are sparse but wide), else the
    rectangle `rows` x `columns`."""
    total = rows * columns if cells is None else cells
    if total > MAX_CELLS:
        extent = (
            f"The file has {rows:,} rows of up to {columns:,} columns ({total:,} cells)"
            if cells is None
            else f"By row {rows:,} the sheet already holds {total:,} cells, counting the empty "
            "ones between filled cells"
        )
        raise ContactFileError(
            f"{extent}; the console reads at most {MAX_CELLS:,} cells. Remove the columns you "
            "do not need for this message, or save only the phone and personalization columns."
        )


def check_rows(count: int) -> None:
    if count > MAX_ROWS + 1:  # the header row comes on top
        raise ContactFileError(
            f"The file has more than {MAX_ROWS:,} rows; the console reads at most {MAX_ROWS:,} "
            "contacts at a time. Split the contacts into several files and send them one after "
            "the other."
        )


def check_cell(length: int, row: int, column: int) -> None:
    if length > MAX_CELL_CHARACTERS:
        raise ContactFileError(
            f"Row {row:,}, column {column:,} holds {length:,} characters; the console reads at "
            f"most {MAX_CELL_CHARACTERS:,} in a cell (Excel's own limit). Check that this is the "
            "contact file you meant, or shorten that cell."
        )


def too_large(size: int) -> ContactFileError:
    return ContactFileError(
        f"The file is {size / 1024 / 1024:,.1f} MB; the console reads files of at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Save only the phone and personalization columns, "
        "or split the contacts into several files."
    )

"""CSV files for people: whatever a cell holds (a contact's field, Acoustic's message), a
spreadsheet opening the file must not run it as a formula, and a line break inside a cell must not
end a row. Every export of the console is written here."""

from __future__ import annotations

import pandas as pd

# OWASP's CSV injection characters. A spreadsheet skips leading whitespace (" =1", "\u00a0=1")
# before it looks for a formula; a tab or CR at the start is risky by itself.
_FORMULA_START = ("=", "+", "-", "@")
_RISKY_START = ("\t", "\r")


def neutralize_for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Cells and headers that a spreadsheet would run as a formula start with a quote."""
    safe = table.copy()
    for column in safe.columns:
        safe[column] = _neutralized(safe[column])
    safe.columns = _neutralized(pd.Series(safe.columns, dtype=object))
    return safe


def _neutralized(cells: pd.Series) -> pd.Series:
    values = cells.astype("str").fillna("")
    risky = values.str.startswith(_RISKY_START) | values.str.lstrip().str.startswith(_FORMULA_START)
    return values.where(~risky, "'" + values)


def to_csv(table: pd.DataFrame) -> bytes:
    # CRLF (RFC 4180): a value with a lone CR is quoted too, so it cannot end a row.
    return neutralize_for_csv(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")

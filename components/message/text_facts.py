"""What a segment count needs to know of each recipient's SMS, composed from its parts.

A keystroke changes the message's literal text, not the contacts' values. So each column's
values are measured once (length, GSM-7 extension characters, characters outside GSM-7, characters
that make a UCS-2 count more than the length), kept by the column's content, and a rendered SMS's
facts are the sum of its parts': a literal measured as one string, each tag's values looked up.
`rendering.segments_per_text` turns them into segments by the same rule as a measured text.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from components.message.mapping import TAG_PATTERN
from components.message.segments import (
    ASTRAL,
    ASTRAL_PATTERN,
    EXTENDED,
    EXTENDED_PATTERN,
    JOINING,
    NON_GSM,
    NON_GSM_PATTERN,
    joining_pattern,
)

ANY_TAG = re.compile(TAG_PATTERN.pattern.replace("(", "(?:", 1))  # the same, without a group

# Columns measured are kept by content, for every session of the process, up to this many
# values together (about 30 bytes each, plus the values themselves).
KEPT_VALUES = 1_000_000


@dataclass(frozen=True)
class TextFacts:
    """Per text: code points (as the 800-character limit counts them), GSM-7 extension
    characters (two septets each), whether any character is outside GSM-7, the characters that
    can join a neighbour into one grapheme, and the astral ones (two UTF-16 units each). Joining
    and astral characters decide where a long UCS-2 text may be split."""

    characters: np.ndarray  # int64
    extended: np.ndarray  # int64
    non_gsm: np.ndarray  # bool
    joining: np.ndarray  # int64
    astral: np.ndarray  # int64

    @classmethod
    def of_texts(cls, texts: pd.Series) -> TextFacts:
        """Measured, vectorized (the texts must have no missing value)."""
        strings = texts.str
        return cls(
            characters=strings.len().to_numpy(dtype="int64"),
            extended=strings.count(EXTENDED_PATTERN).to_numpy(dtype="int64"),
            non_gsm=strings.contains(NON_GSM_PATTERN, regex=True).to_numpy(dtype=bool),
            joining=strings.count(joining_pattern()).to_numpy(dtype="int64"),
            astral=strings.count(ASTRAL_PATTERN).to_numpy(dtype="int64"),
        )

    @classmethod
    def of_text(cls, text: str, rows: int) -> TextFacts:
        """One text's facts, the same for `rows` rows (a literal, a default)."""
        return cls(
            characters=np.full(rows, len(text), dtype="int64"),
            extended=np.full(rows, len(EXTENDED.findall(text)), dtype="int64"),
            non_gsm=np.full(rows, NON_GSM.search(text) is not None),
            joining=np.full(rows, len(JOINING.findall(text)), dtype="int64"),
            astral=np.full(rows, len(ASTRAL.findall(text)), dtype="int64"),
        )

    def plus(self, other: TextFacts) -> TextFacts:
        """The facts of each text followed by the other's."""
        return TextFacts(
            characters=self.characters + other.characters,
            extended=self.extended + other.extended,
            non_gsm=self.non_gsm | other.non_gsm,
            joining=self.joining + other.joining,
            astral=self.astral + other.astral,
        )

    def where(self, chosen: np.ndarray, other: TextFacts) -> TextFacts:
        """These facts where `chosen`, the other's elsewhere."""
        return TextFacts(
            characters=np.where(chosen, self.characters, other.characters),
            extended=np.where(chosen, self.extended, other.extended),
            non_gsm=np.where(chosen, self.non_gsm, other.non_gsm),
            joining=np.where(chosen, self.joining, other.joining),
            astral=np.where(chosen, self.astral, other.astral),
        )


EXAMPLES = 3  # numbers named where a tag has no value or a value that looks like a tag


@dataclass(frozen=True)
class ColumnFacts:
    """One contact column as the tags read it: `values` (text, missing where blank), which rows
    have a value (`present`), which values themselves look like a tag (`tagged`), the first
    rows of each of those that lack a value and that look like a tag (to name a few numbers),
    and the facts of the present values (nothing for the others: their fill decides)."""

    values: pa.Array  # large_string, null where blank
    present: np.ndarray
    tagged: np.ndarray
    first_missing: np.ndarray
    first_tagged: np.ndarray
    facts: TextFacts


class _KeptColumns:
    """Columns measured, by the digest of their content, least recently used first out."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._columns: OrderedDict[bytes, ColumnFacts] = OrderedDict()
        self._values = 0

    def get(self, key: bytes) -> ColumnFacts | None:
        with self._lock:
            found = self._columns.get(key)
            if found is not None:
                self._columns.move_to_end(key)
            return found

    def put(self, key: bytes, facts: ColumnFacts) -> None:
        size = len(facts.present)
        if size > self.limit:
            return
        with self._lock:
            if key in self._columns:
                return
            self._columns[key] = facts
            self._values += size
            while self._values > self.limit:
                _, dropped = self._columns.popitem(last=False)
                self._values -= len(dropped.present)

    def clear(self) -> None:
        with self._lock:
            self._columns.clear()
            self._values = 0


_KEPT = _KeptColumns(KEPT_VALUES)


def column_digest(column: pd.Series) -> bytes:
    """The column's content (its values in order, and their type), not its name or index: the
    same file's column in two sessions is measured once. Half a millisecond per 10,000 values."""
    hashed = pd.util.hash_pandas_object(column, index=False).to_numpy()
    digest = hashlib.blake2b(hashed.tobytes(), digest_size=20)
    digest.update(str(column.dtype).encode())
    return digest.digest()


def column_facts(column: pd.Series) -> ColumnFacts:
    """The column measured, or as measured before for the same content."""
    key = column_digest(column)
    kept = _KEPT.get(key)
    if kept is not None:
        return kept
    measured = _measure(column)
    _KEPT.put(key, measured)
    return measured


def forget_measured_columns() -> None:
    """For tests: every column measured anew."""
    _KEPT.clear()


def _measure(column: pd.Series) -> ColumnFacts:
    values = column.astype("str")
    present = (values.notna() & (values.str.strip() != "")).to_numpy(dtype=bool)
    values = values.where(present)
    tagged = values.str.contains(ANY_TAG, regex=True).fillna(False).to_numpy(dtype=bool)
    return ColumnFacts(
        values=pa.array(values.array, type=pa.large_string()),
        present=present,
        tagged=tagged,
        first_missing=np.flatnonzero(~present)[:EXAMPLES],
        first_tagged=np.flatnonzero(tagged)[:EXAMPLES],
        facts=TextFacts.of_texts(values.fillna("")),
    )

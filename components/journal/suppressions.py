"""The do-not-text list in the journal: numbers (in the API's form) that no send may reach, with
who listed them, when and why; a removal is kept on the row. The rules (who may change it, the
audit) are in components/suppression.py; this only stores and answers."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from components.journal.base import JournalBase

SOURCES = ("manual", "import", "status")
_LISTED = "removed_at IS NULL"
# In a lookup by number: the unary + keeps SQLite on the primary key, not the removed_at index
# (which made 100,000 lookups in a 1,000,000-number list scan it: tens of seconds).
_LISTED_BY_NUMBER = "+removed_at IS NULL"
_CHUNK = 900  # numbers per query: below SQLite's limit of bound parameters


@dataclass(frozen=True)
class SuppressionRecord:
    phone_number: str
    reason: str
    added_by: str
    added_at: float
    source: str


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _record(row: sqlite3.Row) -> SuppressionRecord:
    return SuppressionRecord(
        phone_number=row["phone_number"],
        reason=row["reason"],
        added_by=row["added_by"],
        added_at=row["added_at"],
        source=row["source"],
    )


class Suppressions(JournalBase):
    def suppression_version(self) -> int:
        """Changes with every change of the list: what is cached for one version holds."""
        with self._connection() as conn:
            return int(conn.execute("SELECT version FROM suppression_version").fetchone()[0])

    def add_suppressions(
        self, numbers: Iterable[str], *, reason: str, by: str, source: str
    ) -> list[str]:
        """Lists the numbers, in one transaction; a removed one is listed again (its removal
        forgotten), one listed already is kept as it was. Returns those newly listed."""
        if source not in SOURCES:
            raise ValueError(f"A listing's source is one of {', '.join(SOURCES)}, not {source!r}.")
        wanted = list(dict.fromkeys(numbers))
        now = time.time()
        with self._write() as conn:
            listed = self._listed_in(conn, wanted)
            added = [number for number in wanted if number not in listed]
            if added:
                version = _next_version(conn)
                conn.executemany(
                    """INSERT INTO suppressions
                           (phone_number, reason, added_by, added_at, source, changed_in)
                       VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT (phone_number) DO UPDATE SET reason = excluded.reason,
                           added_by = excluded.added_by, added_at = excluded.added_at,
                           source = excluded.source, removed_at = NULL, removed_by = NULL,
                           removal_reason = NULL, changed_in = excluded.changed_in""",
                    [(number, reason, by, now, source, version) for number in added],
                )
        return added

    def remove_suppressions(self, numbers: Iterable[str], *, reason: str, by: str) -> list[str]:
        """Takes the numbers off the list (the row stays, with who removed it and why).
        Returns those that were listed."""
        wanted = list(dict.fromkeys(numbers))
        now = time.time()
        with self._write() as conn:
            listed = self._listed_in(conn, wanted)
            removed = [number for number in wanted if number in listed]
            if removed:
                version = _next_version(conn)
                conn.executemany(
                    f"""UPDATE suppressions SET removed_at = ?, removed_by = ?,
                            removal_reason = ?, changed_in = ?
                        WHERE phone_number = ? AND {_LISTED_BY_NUMBER}""",
                    [(now, by, reason, version, number) for number in removed],
                )
        return removed

    def is_listed(self, number: str) -> bool:
        return bool(self.listed_among([number]))

    def listed_among(self, numbers: Iterable[str]) -> set[str]:
        """Which of these numbers are listed (an indexed lookup per number, in chunks)."""
        with self._connection() as conn:
            return self._listed_in(conn, list(dict.fromkeys(numbers)))

    @staticmethod
    def _listed_in(conn: sqlite3.Connection, numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(numbers):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT phone_number FROM suppressions WHERE phone_number IN ({marks}) "
                f"AND {_LISTED_BY_NUMBER}",
                tuple(chunk),
            )
            found.update(row[0] for row in rows)
        return found

    def listed_numbers(self) -> tuple[int, list[str]]:
        """Every listed number with the list's version, read in one snapshot."""
        with self._connection() as conn:
            conn.execute("BEGIN")
            try:
                version = conn.execute("SELECT version FROM suppression_version").fetchone()[0]
                rows = conn.execute(f"SELECT phone_number FROM suppressions WHERE {_LISTED}")
                numbers = [row[0] for row in rows]
            finally:
                conn.execute("COMMIT")
        return int(version), numbers

    def suppression_changes(self, since: int) -> tuple[int, list[tuple[str, bool]]]:
        """The numbers changed after version `since`, each with whether it is listed now, and
        the list's version, read in one snapshot."""
        with self._connection() as conn:
            conn.execute("BEGIN")
            try:
                version = conn.execute("SELECT version FROM suppression_version").fetchone()[0]
                rows = conn.execute(
                    "SELECT phone_number, removed_at IS NULL FROM suppressions "
                    "WHERE changed_in > ?",
                    (since,),
                )
                changes = [(row[0], bool(row[1])) for row in rows]
            finally:
                conn.execute("COMMIT")
        return int(version), changes

    def suppression_count(self) -> int:
        with self._connection() as conn:
            return int(
                conn.execute(f"SELECT COUNT(*) FROM suppressions WHERE {_LISTED}").fetchone()[0]
            )

    def search_suppressions(
        self, text: str = "", *, limit: int | None = 500
    ) -> list[SuppressionRecord]:
        """Listed numbers whose digits, reason or adder contain `text`, newest first."""
        digits = "".join(ch for ch in text if ch.isdigit())
        where, params = _LISTED, []
        if text.strip():
            pattern = f"%{_escape(text.strip())}%"
            where += " AND (reason LIKE ? ESCAPE '\\' OR added_by LIKE ? ESCAPE '\\'"
            params += [pattern, pattern]
            if digits:
                where += " OR phone_number LIKE ? ESCAPE '\\'"
                params.append(f"%{digits}%")
            where += ")"
        sql = f"SELECT * FROM suppressions WHERE {where} ORDER BY added_at DESC, phone_number"
        with self._connection() as conn:
            rows = conn.execute(sql + " LIMIT ?", (*params, -1 if limit is None else limit))
            return [_record(row) for row in rows]

    def suppressions_of(self, numbers: Sequence[str]) -> list[SuppressionRecord]:
        """The listings of those of these numbers that are listed, in their order."""
        found: dict[str, SuppressionRecord] = {}
        with self._connection() as conn:
            for chunk in _chunks(list(dict.fromkeys(numbers))):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT * FROM suppressions WHERE phone_number IN ({marks}) "
                    f"AND {_LISTED_BY_NUMBER}",
                    tuple(chunk),
                )
                found.update((row["phone_number"], _record(row)) for row in rows)
        return [found[number] for number in dict.fromkeys(numbers) if number in found]

    def export_suppressions(self) -> list[SuppressionRecord]:
        """The whole list, as the page's export writes it."""
        return self.search_suppressions(limit=None)


def _next_version(conn: sqlite3.Connection) -> int:
    conn.execute("UPDATE suppression_version SET version = version + 1")
    return int(conn.execute("SELECT version FROM suppression_version").fetchone()[0])


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""The do-not-text list in the journal: numbers (in the API's form) that no send may reach, with
who listed them, when and why; a removal is kept on the row. The rules (who may change it, the
audit) are in components/guardrails/do_not_text.py; this only stores and answers."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from components.journal.base import JournalBase, insert_for
from components.journal.tables import suppression_version, suppressions

SOURCES = ("manual", "import", "status")
_LISTED = suppressions.c.removed_at.is_(None)
# In a lookup by number: the unary + keeps SQLite on the primary key, not the removed_at index
# (which made 100,000 lookups in a 1,000,000-number list scan it: tens of seconds). PostgreSQL
# reads `+removed_at` as the same value.
_LISTED_BY_NUMBER = sa.text("+suppressions.removed_at IS NULL")
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


def _record(row: sa.RowMapping) -> SuppressionRecord:
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
            return _version(conn)

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
                upsert = insert_for(self.dialect)(suppressions)
                listed_again = upsert.on_conflict_do_update(
                    index_elements=[suppressions.c.phone_number],
                    set_={
                        "reason": upsert.excluded.reason,
                        "added_by": upsert.excluded.added_by,
                        "added_at": upsert.excluded.added_at,
                        "source": upsert.excluded.source,
                        "removed_at": None,
                        "removed_by": None,
                        "removal_reason": None,
                        "changed_in": upsert.excluded.changed_in,
                    },
                )
                conn.execute(
                    listed_again,
                    [
                        {
                            "phone_number": number,
                            "reason": reason,
                            "added_by": by,
                            "added_at": now,
                            "source": source,
                            "changed_in": version,
                        }
                        for number in added
                    ],
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
                for chunk in _chunks(removed):
                    conn.execute(
                        sa.update(suppressions)
                        .where(suppressions.c.phone_number.in_(chunk), _LISTED_BY_NUMBER)
                        .values(
                            removed_at=now,
                            removed_by=by,
                            removal_reason=reason,
                            changed_in=version,
                        )
                    )
        return removed

    def is_listed(self, number: str) -> bool:
        return bool(self.listed_among([number]))

    def listed_among(self, numbers: Iterable[str]) -> set[str]:
        """Which of these numbers are listed (an indexed lookup per number, in chunks)."""
        with self._connection() as conn:
            return self._listed_in(conn, list(dict.fromkeys(numbers)))

    @staticmethod
    def _listed_in(conn: sa.Connection, numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        number = suppressions.c.phone_number
        for chunk in _chunks(numbers):
            query = sa.select(number).where(number.in_(list(chunk)), _LISTED_BY_NUMBER)
            found.update(conn.execute(query).scalars())
        return found

    def listed_numbers(self) -> tuple[int, list[str]]:
        """Every listed number with the list's version, read in one snapshot."""
        with self._snapshot() as conn:
            version = _version(conn)
            # A million numbers: the driver's rows as they come, without SQLAlchemy's Row.
            query = sa.select(suppressions.c.phone_number).where(_LISTED)
            numbers = [row[0] for row in conn.execute(query)]
        return version, numbers

    def suppression_changes(self, since: int) -> tuple[int, list[tuple[str, bool]]]:
        """The numbers changed after version `since`, each with whether it is listed now, and
        the list's version, read in one snapshot."""
        with self._snapshot() as conn:
            version = _version(conn)
            query = sa.select(suppressions.c.phone_number, suppressions.c.removed_at).where(
                suppressions.c.changed_in > since
            )
            changes = [(row[0], row[1] is None) for row in conn.execute(query)]
        return version, changes

    def suppression_count(self) -> int:
        with self._connection() as conn:
            count = sa.select(sa.func.count()).select_from(suppressions).where(_LISTED)
            return int(conn.execute(count).scalar_one())

    def search_suppressions(
        self, text: str = "", *, limit: int | None = 500
    ) -> list[SuppressionRecord]:
        """Listed numbers whose digits, reason or adder contain `text`, newest first."""
        digits = "".join(ch for ch in text if ch.isdigit())
        row = suppressions.c
        query = sa.select(suppressions).where(_LISTED)
        if text.strip():
            pattern = f"%{_escape(text.strip())}%"
            matches = [
                row.reason.ilike(pattern, escape="\\"),
                row.added_by.ilike(pattern, escape="\\"),
            ]
            if digits:
                matches.append(row.phone_number.like(f"%{digits}%", escape="\\"))
            query = query.where(sa.or_(*matches))
        query = query.order_by(row.added_at.desc(), row.phone_number).limit(limit)
        with self._connection() as conn:
            return [_record(found) for found in conn.execute(query).mappings()]

    def suppressions_of(self, numbers: Sequence[str]) -> list[SuppressionRecord]:
        """The listings of those of these numbers that are listed, in their order."""
        found: dict[str, SuppressionRecord] = {}
        with self._connection() as conn:
            for chunk in _chunks(list(dict.fromkeys(numbers))):
                query = sa.select(suppressions).where(
                    suppressions.c.phone_number.in_(list(chunk)), _LISTED_BY_NUMBER
                )
                rows = conn.execute(query).mappings()
                found.update((row["phone_number"], _record(row)) for row in rows)
        return [found[number] for number in dict.fromkeys(numbers) if number in found]

    def export_suppressions(self) -> list[SuppressionRecord]:
        """The whole list, as the page's export writes it."""
        return self.search_suppressions(limit=None)


def _version(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(suppression_version.c.version)).scalar_one())


def _next_version(conn: sa.Connection) -> int:
    bumped = (
        sa.update(suppression_version)
        .values(version=suppression_version.c.version + 1)
        .returning(suppression_version.c.version)
    )
    return int(conn.execute(bumped).scalar_one())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

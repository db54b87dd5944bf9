"""The audit log as the Audit page shows it and exports it (the entries:
components/team/audit.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import pandas as pd

from components.core.csv_files import to_csv
from components.core.times import shown_time, utc_text
from components.journal import AuditAction, AuditEntry, Journal

AUDIT_COLUMNS = ["When", "Who", "Action", "Send", "Details"]


def describe_details(details: Mapping[str, Any]) -> str:
    """The details in one line, as the table shows them."""
    parts = []
    for key, value in details.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def audit_table(entries: Iterable[AuditEntry], zone: tzinfo = UTC) -> pd.DataFrame:
    """One row an entry, in the order given (the journal gives them newest first); times in
    `zone`, the reader's."""
    rows = [
        (
            shown_time(entry.at, zone, seconds=True),
            entry.actor,
            entry.action.words if isinstance(entry.action, AuditAction) else entry.action,
            entry.send_id,
            describe_details(entry.details),
        )
        for entry in entries
    ]
    table = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    table["Send"] = table["Send"].astype("Int64")
    return table


def audit_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The export: UTC times with their zone, the action's stored name, details as JSON; every
    cell a spreadsheet could run as a formula neutralized (insights.to_csv)."""
    rows = [
        {
            "at (UTC)": utc_text(entry.at),
            "who": entry.actor,
            "action": str(entry.action),
            "send": "" if entry.send_id is None else str(entry.send_id),
            "details": json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        }
        for entry in entries
    ]
    return to_csv(pd.DataFrame(rows, columns=["at (UTC)", "who", "action", "send", "details"]))


@dataclass(frozen=True)
class AuditQuery:
    """The Audit page's filters: nothing chosen in one of them filters nothing. Days are local
    calendar days, both ends included."""

    actors: tuple[str, ...] = ()
    actions: tuple[AuditAction, ...] = ()
    first_day: date | None = None
    last_day: date | None = None

    def entries(self, journal: Journal, *, limit: int | None = None) -> list[AuditEntry]:
        """The matching entries, newest first."""
        return journal.audit_entries(
            actor=self.actors or None,
            action=self.actions or None,
            since=_local_midnight(self.first_day) if self.first_day else None,
            until=_local_midnight(self.last_day + timedelta(days=1)) if self.last_day else None,
            limit=limit,
        )


def _local_midnight(day: date) -> float:
    return datetime.combine(day, datetime.min.time()).timestamp()

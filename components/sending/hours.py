"""The recipients' hours where the sending happens: as each batch goes out (now, scheduled,
resumed, resent, approved after a wait, taken over by another replica), its recipients outside
their allowed hours are held as the send chose, unless it was confirmed to go anyway.

- each when their hours begin (the default): those inside go now; the others are handed on to
  batches of their own, one per instant their hours begin (the scheduler sends them then);
- hold everything: when anyone due is outside, every due batch waits until all are inside at once;
- anyway: nobody is held (the plan recorded why, and who said so).

`outlook` says the same ahead of time: what would happen to a send's recipients at a moment (the
approver reads it before approving; a move to another time asks it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from components.core.states import BatchState, HoursChoice
from components.guardrails.quiet_hours_bulk import WindowSummary, outside_window
from components.guardrails.quiet_hours_plan import common_opening
from components.guardrails.quiet_hours_settings import QuietHours
from components.journal import Journal, SendRecord


@dataclass(frozen=True)
class BatchHours:
    """What the hours allow of one batch's body at one moment."""

    body: dict[str, Any]  # the request without those held (all of it when nobody is)
    later: tuple[tuple[float, dict[str, Any]], ...] = ()  # instant their hours begin, their body
    never: dict[str, Any] | None = None  # no allowed hour within 48 hours
    wait_until: float | None = None  # nobody of it may go now: the body waits until then

    @property
    def held(self) -> int:
        moved = sum(len(body["contacts"]) for _, body in self.later)
        waiting = len(self.body.get("contacts", [])) if self.wait_until is not None else 0
        return moved + waiting

    @property
    def changes(self) -> bool:
        return bool(self.later or self.never or self.wait_until is not None)


def batch_hours(
    body: Mapping[str, Any], program: str, quiet_hours: QuietHours, at: datetime
) -> BatchHours:
    """Its recipients inside their hours at `at` stay in the body; each other group waits for
    the instant its hours begin. When nobody may go now, the body keeps the earliest group and
    waits for it (`wait_until`), so no batch is made for nothing."""
    contacts = list(body.get("contacts") or [])
    if not contacts:
        return BatchHours(dict(body))
    start, end = quiet_hours.window(program)
    summary = outside_window(
        [str(c.get("phoneNumber", "")) for c in contacts], at, start=start, end=end
    )
    if not summary.outside:
        return BatchHours(dict(body))
    opens = _opening_of_rows(summary)
    inside = np.isnan(opens) & ~_never(summary)
    groups: dict[float, list[dict[str, Any]]] = defaultdict(list)
    never: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for contact, is_inside, opening, nowhere in zip(
        contacts, inside, opens, _never(summary), strict=True
    ):
        if is_inside:
            kept.append(contact)
        elif nowhere:
            never.append(contact)
        else:
            groups[float(opening)].append(contact)
    wait_until = None
    if not kept and groups:
        wait_until = min(groups)
        kept = groups.pop(wait_until)
    later = tuple((at_, _with(body, group)) for at_, group in sorted(groups.items()))
    return BatchHours(
        _with(body, kept),
        later=later,
        never=_with(body, never) if never else None,
        wait_until=wait_until,
    )


def _with(body: Mapping[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    copy = dict(body)
    copy["contacts"] = contacts
    return copy


def _opening_of_rows(summary: WindowSummary) -> np.ndarray:
    """Each row's opening instant (NaN: inside now, or never within 48 hours)."""
    opens = np.array(
        [
            g.window.opens_at.timestamp() if g.window.opens_at is not None else np.nan
            for g in summary.groups
        ]
        or [np.nan],
        dtype=float,
    )
    return opens[summary.group_of_row]


def _never(summary: WindowSummary) -> np.ndarray:
    never = np.array(
        [not g.window.inside and g.window.opens_at is None for g in summary.groups] or [False],
        dtype=bool,
    )
    return never[summary.group_of_row]


# -- a whole send, ahead of time ------------------------------------------------------------------


@dataclass(frozen=True)
class HoursOutlook:
    """Of a send's recipients still to go: how many are outside their allowed hours at `at`,
    and when they would go as the send chose."""

    at: datetime
    total: int
    outside: int
    choice: HoursChoice
    opening: datetime | None  # when all are inside at once (within 48 hours)
    last_opens_at: datetime | None  # when the last of them enters their hours
    never_opens: int

    @property
    def held(self) -> bool:
        return bool(self.outside) and self.choice is not HoursChoice.ANYWAY


def due_numbers(journal: Journal, batch_ids: Sequence[int]) -> list[str]:
    """The numbers the batches would still send to (what they handed on left out)."""
    return [
        str(contact.get("phoneNumber", ""))
        for batch_id in batch_ids
        for contact in journal.batch_payload(batch_id).get("contacts", [])
    ]


def window_summary(
    numbers: Sequence[str], program: str, quiet_hours: QuietHours, at: datetime
) -> WindowSummary:
    start, end = quiet_hours.window(program)
    return outside_window(list(numbers), at, start=start, end=end)


def outlook(
    journal: Journal,
    record: SendRecord,
    quiet_hours: QuietHours,
    at: datetime | None = None,
    *,
    choice: HoursChoice | None = None,
) -> HoursOutlook:
    """What the hours would do to the send's planned recipients at `at` (now by default), with
    the send's own choice unless `choice` asks about another."""
    at = at or datetime.now(UTC)
    planned = [b.id for b in journal.batches(record.id) if b.state is BatchState.PLANNED]
    summary = window_summary(due_numbers(journal, planned), record.program, quiet_hours, at)
    return HoursOutlook(
        at=at,
        total=summary.total,
        outside=summary.outside,
        choice=choice or record.hours,
        opening=common_opening(summary) if summary.outside else at,
        last_opens_at=summary.last_opens_at,
        never_opens=summary.never_opens,
    )

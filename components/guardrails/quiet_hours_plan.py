"""What to do with recipients outside their allowed hours when a send starts: send to those inside
and hold each of the others until their hours begin; hold everything until every recipient is
inside at once; or send to everyone anyway, with a reason that goes into the audit log.

A held recipient's SMS is a batch of its own time: recipients who enter their hours at the same
instant share batches (of at most 1000), each journaled with that instant as `not_before`, and
the scheduler sends them then. The payloads are built by the same `payloads_for` as any send, so
what is previewed is what is sent, only later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from components.guardrails.quiet_hours import window_in_zones
from components.guardrails.quiet_hours_bulk import WindowSummary
from components.message.draft import Draft, payloads_for


@dataclass(frozen=True)
class PlannedBatches:
    """The request bodies and the instant before which each may not go (None: at the start)."""

    payloads: list[dict]
    not_before: tuple[float | None, ...]
    # Positions of the recipients whose hours do not begin within 48 hours: not sent.
    left_out_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def left_out(self) -> int:
        return len(self.left_out_rows)


def common_opening(summary: WindowSummary) -> datetime | None:
    """The first instant, at or after the summary's, when every recipient is inside their hours
    at once (the start itself when nobody is outside); None when that does not come within 48
    hours (their hours never overlap, or a zone is unknown)."""
    if not summary.outside:
        return summary.at
    zones = tuple(sorted({zone for group in summary.groups for zone in group.zones}))
    window = window_in_zones(zones, summary.at, start=summary.start, end=summary.end)
    if window.inside:
        return summary.at
    return window.opens_at


def each_when_open(
    recipients: pd.DataFrame,
    draft: Draft,
    summary: WindowSummary,
    *,
    start_at: float | None = None,
) -> PlannedBatches:
    """Batches of those inside at the start (`start_at`, None: now) and, for the others, one
    group of batches per instant their hours begin. Those whose hours do not begin within 48
    hours are left out and counted."""
    opens = np.array(
        [
            group.window.opens_at.timestamp() if group.window.opens_at is not None else np.nan
            for group in summary.groups
        ]
        or [np.nan],
        dtype=float,
    )
    inside = np.array([group.window.inside for group in summary.groups] or [True], dtype=bool)
    row_opens = opens[summary.group_of_row]
    row_inside = inside[summary.group_of_row]
    payloads: list[dict] = []
    times: list[float | None] = []
    if row_inside.any():
        batch = payloads_for(recipients.iloc[np.flatnonzero(row_inside)], draft)
        payloads += batch
        times += [start_at] * len(batch)
    waiting = ~row_inside & ~np.isnan(row_opens)
    for instant in sorted(set(row_opens[waiting].tolist())):
        rows = np.flatnonzero(waiting & (row_opens == instant))
        batch = payloads_for(recipients.iloc[rows], draft)
        payloads += batch
        times += [float(instant)] * len(batch)
    left_out = np.flatnonzero(~row_inside & np.isnan(row_opens))
    return PlannedBatches(payloads, tuple(times), left_out)

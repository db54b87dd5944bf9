"""Compose's quiet-hours notice: how many recipients it is too early or too late for now (their
local time), and when the last of them enters the allowed hours, shown in the user's own zone."""

from __future__ import annotations

import weakref
from datetime import UTC, datetime, tzinfo

import numpy as np
import pandas as pd
import streamlit as st

from components.core.csv_files import to_csv
from components.core.times import shown_time
from components.guardrails.quiet_hours_bulk import WindowSummary, outside_window, zone_set_ids
from components.guardrails.quiet_hours_settings import describe
from components.ui.connection import current_quiet_hours
from components.ui.expanders import expander_when_open
from components.ui.exports import audited_csv_download
from components.ui.local_time import user_zone
from components.ui.sending import acting_identity, journal
from components.ui.text import md

_ZONE_IDS = "compose.quiet_hours.zone_ids"
SHOWN_ZONES = 3  # a number in 42 zones lists the first few and a count


def quiet_hours_notice(recipients: pd.DataFrame, program: str) -> WindowSummary | None:
    """The count of recipients outside their allowed hours now, with the list of them."""
    if not len(recipients) or "phoneNumber" not in recipients:
        return None
    settings = current_quiet_hours()
    for problem in settings.problems:
        st.warning(md(problem), icon=":material/schedule:")
    start, end = settings.window(program)
    summary = outside_window(
        recipients["phoneNumber"],
        datetime.now(UTC),
        start=start,
        end=end,
        ids=_zone_ids_of(recipients),
    )
    hours = describe(start, end)
    if not summary.outside:
        st.caption(
            f"Quiet hours: every recipient is inside the allowed hours ({hours}, their local "
            "time) now."
        )
        return summary
    zone = user_zone()
    everyone = " (all of them)" if summary.outside == summary.total else ""
    lines = [
        f"{summary.outside:,} of {summary.total:,} recipients are outside the allowed hours "
        f"({hours}, their local time) now{everyone}."
    ]
    if summary.last_opens_at is not None:
        opening = shown_time(summary.last_opens_at, zone)
        lines.append(f"The last of them enters the allowed hours on {opening}.")
    if summary.never_opens:
        lines.append(
            f"{summary.never_opens:,} of them do not enter them within 48 hours (their time zone "
            "is unknown, or the hours never fall together in all the zones they may be in)."
        )
    st.warning(" ".join(lines), icon=":material/bedtime:")

    label = f"Recipients outside their hours ({summary.outside:,})"
    with expander_when_open(label, key="compose.quiet_hours.open") as open_:
        if not open_:
            return summary
        table = outside_table(summary, recipients, zone)
        st.dataframe(table, hide_index=True, width="stretch")
        audited_csv_download(
            lambda: (to_csv(table), len(table)),
            journal=journal(),
            actor=acting_identity().actor,
            what="recipients outside their quiet hours (Compose)",
            file_stem="sms-outside-hours",
            key="compose.quiet_hours.export",
        )
    return summary


def _zone_ids_of(recipients: pd.DataFrame) -> np.ndarray:
    """The recipients' zone sets, kept for as long as the session shows this very frame (the
    screened recipients are one shared object per contacts and list version, never changed; a
    new file or list version is another object): a keystroke re-judges the hours, which move
    with the clock, without a look-up per number."""
    state = st.session_state
    kept = state.get(_ZONE_IDS)
    if kept is not None and kept[0]() is recipients:
        return kept[1]
    ids = zone_set_ids(recipients["phoneNumber"])
    state[_ZONE_IDS] = (weakref.ref(recipients), ids)
    return ids


def outside_table(summary: WindowSummary, recipients: pd.DataFrame, zone: tzinfo) -> pd.DataFrame:
    """One row per recipient outside the window: the number, its zones, when it opens."""
    rows = summary.outside_rows
    groups = summary.groups
    zones_text = [_zones_text(g.zones) for g in groups]
    opens_text = [
        shown_time(g.window.opens_at, zone)
        if g.window.opens_at is not None
        else "not within 48 hours"
        for g in groups
    ]
    which = summary.group_of_row[rows]
    return pd.DataFrame(
        {
            "Phone number": "+" + recipients["phoneNumber"].iloc[rows].astype(str).to_numpy(),
            "Time zones": np.array(zones_text, dtype=object)[which],
            "Enters the allowed hours": np.array(opens_text, dtype=object)[which],
        }
    )


def _zones_text(zones: tuple[str, ...]) -> str:
    if zones == ("Etc/Unknown",):
        return "unknown"
    shown = ", ".join(zones[:SHOWN_ZONES])
    more = len(zones) - SHOWN_ZONES
    return shown + (f" and {more} more" if more > 0 else "")

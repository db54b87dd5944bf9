"""Instants as their reader's wall clock: the browser's time zone (UTC when it does not say),
with the UTC offset and the zone's name, the one format every page uses."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def user_zone() -> tzinfo:
    """The browser's time zone when Streamlit knows it, else UTC."""
    name = getattr(st.context, "timezone", None)
    if name:
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def when(instant: datetime, zone: tzinfo) -> str:
    """ "Thu 3 Dec 2026, 08:00 (UTC−05:00, America/New_York)"."""
    local = instant.astimezone(zone)
    offset = local.strftime("%z") or "+0000"
    sign = "−" if offset[0] == "-" else "+"
    name = getattr(zone, "key", None)
    label = f"UTC{sign}{offset[1:3]}:{offset[3:5]}" + (f", {name}" if name else "")
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({label})"


def local_time(at: float) -> str:
    """A Unix time, in the reader's zone."""
    return when(datetime.fromtimestamp(at, UTC), user_zone())

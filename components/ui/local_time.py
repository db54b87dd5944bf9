"""Instants as their reader's wall clock: the browser's time zone (UTC when it does not say), in
the one format of components/core/times.py."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from components.core.times import Instant, shown_clock, shown_time


def user_zone() -> tzinfo:
    """The browser's time zone when Streamlit knows it, else UTC."""
    name = getattr(st.context, "timezone", None)
    if name:
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def local_time(at: Instant, *, seconds: bool = False) -> str:
    """An instant in the reader's zone: "Thu 3 Dec 2026, 08:00 (UTC−05:00, America/New_York)"."""
    return shown_time(at, user_zone(), seconds=seconds)


def local_clock(at: Instant) -> str:
    """A time of day in the reader's zone, with its offset: "14:03:22 (UTC+01:00)"."""
    return shown_clock(at, user_zone())

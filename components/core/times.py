"""The one way an instant is shown to a person: in the reader's time zone with its UTC offset on
pages, and in UTC, said so, in exports and the audit file. A time without its zone is a guess
for anyone not sitting at the server, so no other format is written anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

Instant = float | datetime  # a Unix time, or an aware datetime


def _aware(at: Instant) -> datetime:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError(f"{at.isoformat()} has no time zone: pass an aware datetime.")
        return at
    return datetime.fromtimestamp(at, UTC)


def offset_label(local: datetime) -> str:
    """ "UTC−05:00" (a true minus sign, as people read it)."""
    offset = local.strftime("%z") or "+0000"
    sign = "−" if offset[0] == "-" else "+"
    return f"UTC{sign}{offset[1:3]}:{offset[3:5]}"


def shown_time(at: Instant, zone: tzinfo, *, seconds: bool = False) -> str:
    """ "Thu 3 Dec 2026, 08:00 (UTC−05:00, America/New_York)": the instant as the reader's wall
    clock, with the offset and the zone's name so that nobody has to guess."""
    local = _aware(at).astimezone(zone)
    name = getattr(zone, "key", None)
    label = offset_label(local) + (f", {name}" if name else "")
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %Y}, {clock} ({label})"


def shown_clock(at: Instant, zone: tzinfo) -> str:
    """ "14:03:22 (UTC+01:00)": a time of day today, for "last checked" and the like."""
    local = _aware(at).astimezone(zone)
    return f"{local:%H:%M:%S} ({offset_label(local)})"


def utc_text(at: Instant) -> str:
    """ "2026-12-03T13:00:00Z": exports, the audit file and anything a machine reads."""
    return _aware(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Quiet hours: is it an acceptable hour to text a number, where the number's owner may be?

A number's time zones come from `phonenumbers.timezone`. Many numbers map to several zones (a US
mobile without a precise area, Russia, Brazil, Australia...): the owner may be in any of them, so
a number is inside the window only when the local time is inside it in EVERY zone.

The allowed window is local wall-clock time in [start, end) (08:00–21:00 by default). A window
that wraps past midnight (start > end, e.g. 22:00–06:00) is allowed; start == end is refused.

Unknown zones: phonenumbers answers ("Etc/Unknown",) for a number it cannot place (invalid, or a
type with no zone data). Such a number is read in its country's zones when phonenumbers has them
(the strictest reading: inside only when inside everywhere in the country). When even the country
has no zone, the number is never inside and never opens (`unknown`): guessing would let a text
reach someone at 3 a.m., and a hold or a deliberate "send anyway" is the safe default.

The arithmetic is exact: in each zone time is cut where its UTC offset changes (found by hourly
samples and bisection to the second), so wall time is linear on each piece and the allowed
instants are computed, not stepped through. DST gaps and overlaps fall out of that. Bulk answers
for Compose are in components/guardrails/quiet_hours_bulk.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as pn_timezone

UNKNOWN_ZONE = pn_timezone.UNKNOWN_TIMEZONE  # "Etc/Unknown"
UNKNOWN: tuple[str, ...] = (UNKNOWN_ZONE,)
DEFAULT_START = time(8)
DEFAULT_END = time(21)
HORIZON = timedelta(hours=48)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = 1_000_000  # the arithmetic is in integer microseconds since the epoch
_HOUR = 3600 * _SECOND
_DAY = 24 * _HOUR
_HORIZON = HORIZON // timedelta(microseconds=1)

Intervals = list[tuple[int, int]]  # sorted, disjoint [from, to) in microseconds


@dataclass(frozen=True)
class LocalWindow:
    """Whether `at` is inside the allowed hours in every zone of the number, and when it is next.

    `opens_at` (UTC) is None when inside now or when no such instant comes within 48 hours;
    `unknown` says that no zone is known (never inside); `from_country` that phonenumbers could
    not place the number itself and the country's zones were used."""

    inside: bool
    opens_at: datetime | None
    zones: tuple[str, ...]
    unknown: bool = False
    from_country: bool = field(default=False, compare=False)


def window_for(
    phone_number: str,
    at: datetime,
    *,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
) -> LocalWindow:
    """The allowed-hours answer for one number in the API's form ("19495001234"; a leading "+"
    is accepted) at the aware instant `at`."""
    zones, from_country = zones_for(phone_number)
    return window_in_zones(zones, at, start=start, end=end, from_country=from_country)


def zones_for(phone_number: str) -> tuple[tuple[str, ...], bool]:
    """phonenumbers' zones of a number and whether they are its country's (see the module's
    "Unknown zones"); (UNKNOWN, False) when not even the country is known."""
    text = str(phone_number).strip()
    digits = text[1:] if text.startswith("+") else text
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return UNKNOWN, False
    zones = tuple(pn_timezone.time_zones_for_number(parsed))
    if zones != UNKNOWN:
        return zones, False
    country = country_zones(parsed.country_code)
    return country, country != UNKNOWN


@lru_cache(maxsize=1024)
def country_zones(country_code: int) -> tuple[str, ...]:
    """Every zone phonenumbers lists for a calling code (its country-level entry)."""
    return tuple(pn_timezone.TIMEZONE_DATA.get(str(country_code), UNKNOWN))


def window_in_zones(
    zones: tuple[str, ...],
    at: datetime,
    *,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
    from_country: bool = False,
) -> LocalWindow:
    """The answer for a set of zones (the same for every number that maps to them)."""
    start_us, end_us = window_bounds(start, end)
    at_us = micros(at)
    allowed = allowed_intervals(zones, at_us, start_us, end_us)
    if allowed is None:
        return LocalWindow(False, None, tuple(zones), unknown=True, from_country=from_country)
    if allowed and allowed[0][0] <= at_us:
        return LocalWindow(True, None, tuple(zones), from_country=from_country)
    opens = instant(allowed[0][0]) if allowed else None
    return LocalWindow(False, opens, tuple(zones), from_country=from_country)


def window_bounds(start: time, end: time) -> tuple[int, int]:
    """The window as microseconds after local midnight; ValueError for an unusable window."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, time):
            raise ValueError(f"The window's {name} must be a datetime.time, not {value!r}.")
        if value.tzinfo is not None:
            raise ValueError(
                f"The window's {name} ({value}) has a time zone; it must be a local wall-clock "
                "time (each recipient's own)."
            )
    start_us, end_us = _time_of_day(start), _time_of_day(end)
    if start_us == end_us:
        raise ValueError(
            f"The window starts and ends at the same time ({start:%H:%M}): it would allow no "
            "hour at all. Choose an end different from the start."
        )
    return start_us, end_us


def micros(at: datetime) -> int:
    """An aware instant as microseconds since the epoch; ValueError for a naive one."""
    if not isinstance(at, datetime):
        raise ValueError(f"`at` must be a datetime, not {at!r}.")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"`at` ({at.isoformat()}) has no time zone, so the instant is ambiguous: pass an "
            "aware datetime such as datetime.now(UTC)."
        )
    return (at - _EPOCH) // timedelta(microseconds=1)


def instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def allowed_intervals(
    zones: tuple[str, ...], at_us: int, start_us: int, end_us: int
) -> Intervals | None:
    """The instants in [at, at + 48 h] inside the window in every zone; None when a zone is
    unknown (never inside)."""
    if not zones:
        return None
    result: Intervals | None = None
    for zone in zones:
        inside = zone_intervals(zone, at_us, start_us, end_us)
        if inside is None:
            return None
        result = inside if result is None else intersect(result, inside)
    return result


@lru_cache(maxsize=8192)
def zone_intervals(zone: str, at_us: int, start_us: int, end_us: int) -> Intervals | None:
    """One zone's allowed instants in [at, at + 48 h] (the end included: one more µs)."""
    if zone == UNKNOWN_ZONE:
        return None
    try:
        info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    found: Intervals = []
    for low, high, offset in _pieces(info, at_us, at_us + _HORIZON + 1):
        found.extend(_inside_piece(low, high, offset, start_us, end_us))
    return _merge(found)


def _pieces(info: ZoneInfo, low: int, high: int) -> list[tuple[int, int, int]]:
    """[low, high) cut where the zone's UTC offset changes: (from, to, offset) pieces."""
    first_hour = low // _HOUR
    last_hour = -(-high // _HOUR)
    pieces = []
    begin, offset = low, _offset(info, first_hour * 3600)
    for hour in range(first_hour, last_hour):
        following = _offset(info, (hour + 1) * 3600)
        if following == offset:
            continue
        change = _transition(info, hour * 3600, (hour + 1) * 3600, offset) * _SECOND
        if low < change < high:
            pieces.append((begin, change, offset))
            begin = change
        offset = following
    pieces.append((begin, high, offset))
    return pieces


def _transition(info: ZoneInfo, before: int, after: int, offset: int) -> int:
    """The first whole second in (before, after] whose offset differs from `offset`
    (zone transitions fall on whole seconds)."""
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(info, middle) == offset:
            before = middle
        else:
            after = middle
    return after


@lru_cache(maxsize=65536)
def _offset(info: ZoneInfo, second: int) -> int:
    """The zone's UTC offset (µs) at a whole second since the epoch."""
    return datetime.fromtimestamp(second, tz=info).utcoffset() // timedelta(microseconds=1)


def _inside_piece(low: int, high: int, offset: int, start_us: int, end_us: int) -> Intervals:
    """Within [low, high), where wall time is instant + offset, the instants inside the window."""
    wall_low, wall_high = low + offset, high + offset
    found = []
    day = wall_low // _DAY - 1  # the previous day's window may reach into this one (wrapping)
    while day * _DAY + start_us < wall_high:
        begin = day * _DAY + start_us
        finish = day * _DAY + end_us + (_DAY if end_us < start_us else 0)
        begin, finish = max(begin, wall_low), min(finish, wall_high)
        if begin < finish:
            found.append((begin - offset, finish - offset))
        day += 1
    return found


def _merge(intervals: Intervals) -> Intervals:
    merged: Intervals = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def intersect(first: Intervals, second: Intervals) -> Intervals:
    found: Intervals = []
    i = j = 0
    while i < len(first) and j < len(second):
        begin = max(first[i][0], second[j][0])
        finish = min(first[i][1], second[j][1])
        if begin < finish:
            found.append((begin, finish))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return found


def _time_of_day(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _SECOND + value.microsecond

"""Quiet hours for a whole recipient list (Compose with 100,000 recipients), equal to
`window_for` for every number, in a fraction of its time.

Why a number's zones cannot be memoised by prefix alone: phonenumbers' answer depends on the
number's type, not only on its digits' longest prefix in the zone map. An invalid number gets
"Etc/Unknown"; a type that is not geographical (a UK mobile, a toll-free number) gets its
country's zones; only fixed lines (and mobiles in a few countries) get the prefix's zones. So:

1. each number is classified once, with phonenumbers' own patterns precompiled
   (components/contacts/phone.py's fast path; whatever it is unsure of goes to phonenumbers itself);
2. the zones are memoised by (geographical type?, the first 9 digits): 9 is the longest prefix in
   phonenumbers' zone map, so those digits decide the answer exactly;
3. the window is computed once per distinct set of zones, not once per number.

A number's zone set is also memoised whole, so a rerun of the page costs a dictionary look-up
per number.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache

import numpy as np
import pandas as pd
from phonenumbers import timezone as pn_timezone
from phonenumbers.phonenumberutil import is_number_type_geographical

from components.contacts.phone import classify_api_form
from components.core.phone_regions import COUNTRY_CODES
from components.guardrails.quiet_hours import (
    DEFAULT_END,
    DEFAULT_START,
    UNKNOWN,
    LocalWindow,
    country_zones,
    window_bounds,
    window_in_zones,
    zones_for,
)

_ZONE_PREFIX = pn_timezone.TIMEZONE_LONGEST_PREFIX


@dataclass(frozen=True)
class ZoneGroup:
    """Recipients whose numbers map to the same zones, and their shared answer."""

    zones: tuple[str, ...]
    recipients: int
    window: LocalWindow


@dataclass(frozen=True)
class WindowSummary:
    """How many recipients are outside their allowed hours at `at`, and until when.

    `outside_rows` are the positions (0-based, in the order given) of those outside;
    `last_opens_at` is when the last of them enters the window, None when nobody is outside or
    when some of them (`never_opens`) do not enter it within 48 hours."""

    at: datetime
    start: time
    end: time
    total: int
    outside: int
    never_opens: int
    last_opens_at: datetime | None
    groups: tuple[ZoneGroup, ...]  # most recipients first
    outside_rows: np.ndarray
    group_of_row: np.ndarray  # each row's index in `groups`

    def windows(self) -> dict[tuple[str, ...], LocalWindow]:
        return {group.zones: group.window for group in self.groups}


def outside_window(
    numbers: Sequence[str] | pd.Series,
    at: datetime,
    *,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
    ids: np.ndarray | None = None,
) -> WindowSummary:
    """The quiet-hours summary of numbers in the API's form (see the module docstring). `ids`:
    `zone_set_ids(numbers)` kept from an earlier call with the same numbers (it does not depend
    on the time or the window), which spares a look-up per number."""
    window_bounds(start, end)  # an unusable window is refused before any work
    if ids is None:
        ids = zone_set_ids(numbers)
    elif len(ids) != len(numbers):
        raise ValueError("ids are not the zone sets of these numbers")
    counts = np.bincount(ids, minlength=len(_ZONE_SETS))
    outside_by_id = np.zeros(len(counts), dtype=bool)
    groups = []
    for set_id in np.flatnonzero(counts):
        zones, from_country = _ZONE_SETS[set_id]
        window = window_in_zones(zones, at, start=start, end=end, from_country=from_country)
        outside_by_id[set_id] = not window.inside
        groups.append(ZoneGroup(zones, int(counts[set_id]), window))
    order = sorted(range(len(groups)), key=lambda i: (-groups[i].recipients, groups[i].zones))
    group_index = np.zeros(len(counts), dtype=np.int64)
    group_index[np.flatnonzero(counts)[order]] = np.arange(len(order))
    groups = [groups[i] for i in order]
    outside = [g for g in groups if not g.window.inside]
    never = sum(g.recipients for g in outside if g.window.opens_at is None)
    opening = [g.window.opens_at for g in outside if g.window.opens_at is not None]
    return WindowSummary(
        at=at,
        start=start,
        end=end,
        total=len(ids),
        outside=sum(g.recipients for g in outside),
        never_opens=never,
        last_opens_at=max(opening) if opening and not never else None,
        groups=tuple(groups),
        outside_rows=np.flatnonzero(outside_by_id[ids]),
        group_of_row=group_index[ids],
    )


# -- zones of many numbers --------------------------------------------------------------------


def zone_set_ids(numbers: Sequence[str] | pd.Series) -> np.ndarray:
    """Each number's zone set id (`zone_set_id`), in order."""
    values = numbers.tolist() if isinstance(numbers, pd.Series) else list(numbers)
    return np.fromiter((zone_set_id(str(v)) for v in values), dtype=np.int64, count=len(values))


_ZONE_SETS: list[tuple[tuple[str, ...], bool]] = []  # id -> (zones, from the country's zones)
_ZONE_SET_IDS: dict[tuple[tuple[str, ...], bool], int] = {}
_LOCK = threading.Lock()


@lru_cache(maxsize=262_144)
def zone_set_id(phone_number: str) -> int:
    """A small integer naming the number's zones (equal to `zones_for`'s answer)."""
    return _register(fast_zones(phone_number))


def fast_zones(phone_number: str) -> tuple[tuple[str, ...], bool]:
    """`zones_for`, through the memoised path where the fast classifier is certain."""
    text = phone_number.strip()
    digits = text[1:] if text.startswith("+") else text
    found = classify_api_form(digits)
    if found is None:
        return zones_for(phone_number)  # invalid, unusual or unsure: phonenumbers decides
    country_code = _country_code(digits[:3])
    geographical = is_number_type_geographical(found.number_type, country_code)
    return _zones_by_prefix(geographical, country_code, digits[:_ZONE_PREFIX])


@lru_cache(maxsize=65_536)
def _zones_by_prefix(
    geographical: bool, country_code: int, prefix: str
) -> tuple[tuple[str, ...], bool]:
    zones = _longest_prefix_zones(prefix) if geographical else country_zones(country_code)
    if zones != UNKNOWN:
        return zones, False
    country = country_zones(country_code)
    return country, country != UNKNOWN


def _longest_prefix_zones(prefix: str) -> tuple[str, ...]:
    """phonenumbers' `time_zones_for_geographical_number` on the first digits."""
    for size in range(len(prefix), 0, -1):
        zones = pn_timezone.TIMEZONE_DATA.get(prefix[:size])
        if zones is not None:
            return tuple(zones)
    return UNKNOWN


@lru_cache(maxsize=1024)
def _country_code(digits: str) -> int:
    """The calling code that starts the digits (calling codes are prefix-free, 1 to 3 digits)."""
    for size in (1, 2, 3):
        if int(digits[:size]) in COUNTRY_CODES:
            return int(digits[:size])
    raise AssertionError(f"{digits} was classified without a calling code")


def _register(entry: tuple[tuple[str, ...], bool]) -> int:
    found = _ZONE_SET_IDS.get(entry)
    if found is not None:
        return found
    with _LOCK:
        found = _ZONE_SET_IDS.get(entry)
        if found is None:
            found = len(_ZONE_SETS)
            _ZONE_SETS.append(entry)
            _ZONE_SET_IDS[entry] = found
        return found


def clear_caches() -> None:
    """Forget memoised answers (benchmarks measure a cold start with it)."""
    zone_set_id.cache_clear()
    _zones_by_prefix.cache_clear()

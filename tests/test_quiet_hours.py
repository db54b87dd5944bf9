"""Quiet hours against an independent reading: phonenumbers' zones and zoneinfo's wall clock,
checked instant by instant (a 15-minute grid is exact here: every offset and window edge used is
a multiple of 15 minutes), with the clock frozen around window edges and DST changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as pn_timezone

from components.guardrails.quiet_hours import window_for, zones_for
from components.guardrails.quiet_hours_bulk import clear_caches, fast_zones, outside_window

# Several regions; some with one precise zone, some in many (the owner may be in any of them).
NUMBERS = {
    "US Los Angeles": "19495001234",
    "US New York": "12012345678",
    "US Idaho (Boise or Los Angeles)": "12083201234",
    "US toll-free (every +1 zone)": "18005551234",
    "CA Toronto": "16135550123",
    "CA Winnipeg": "12042345678",
    "RU mobile (16 zones)": "79161234567",
    "RU Moscow": "74951234567",
    "BR Sao Paulo": "5511987654321",
    "BR Brasilia": "5561987654321",
    "AU mobile (8 zones)": "61412345678",
    "AU Sydney": "61298765432",
    "AU Lord Howe": "61255053123",
    "GB mobile": "447911123456",
    "GB London": "442079460000",
    "DE mobile": "4915112345671",
    "IN mobile": "919876543210",
    "JP Tokyo": "81312345678",
    "MX Mexico City": "525512345678",
    "ID Jakarta mobile": "6281234567890",
    "ID Jayapura": "62967123456",
    "IT Rome (leading zero)": "390612345678",
}
GRID = timedelta(minutes=15)


def reference_zones(number: str) -> tuple[str, ...]:
    parsed = phonenumbers.parse("+" + number)
    assert phonenumbers.is_valid_number(parsed), number
    return tuple(pn_timezone.time_zones_for_number(parsed))


def local_inside(zones: tuple[str, ...], at: datetime, start: time, end: time) -> bool:
    def inside(zone: str) -> bool:
        clock = at.astimezone(ZoneInfo(zone)).time()
        return start <= clock < end if start < end else clock >= start or clock < end

    return all(inside(zone) for zone in zones)


def grid_opening(zones, at, start, end) -> datetime | None:
    """The first grid instant at or after `at` (on the grid) inside in every zone, in 48 h."""
    moment = at
    while moment <= at + timedelta(hours=48):
        if local_inside(zones, moment, start, end):
            return moment
        moment += GRID
    return None


def test_the_sample_numbers_map_as_described():
    assert len(reference_zones(NUMBERS["US toll-free (every +1 zone)"])) > 30
    assert reference_zones(NUMBERS["US Idaho (Boise or Los Angeles)"]) == (
        "America/Boise",
        "America/Los_Angeles",
    )
    assert reference_zones(NUMBERS["AU Lord Howe"]) == ("Australia/Lord_Howe",)
    assert len(reference_zones(NUMBERS["RU mobile (16 zones)"])) == 16


# Instants around the DST changes of 2026 and ordinary days, on the grid.
MOMENTS = [
    datetime(2026, 3, 7, 12, 0, tzinfo=UTC),  # US: DST begins 8 March
    datetime(2026, 3, 8, 5, 45, tzinfo=UTC),
    datetime(2026, 3, 28, 20, 0, tzinfo=UTC),  # EU: DST begins 29 March
    datetime(2026, 4, 4, 13, 30, tzinfo=UTC),  # Lord Howe: half an hour back on 5 April
    datetime(2026, 6, 15, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 23, 15, tzinfo=UTC),  # EU: DST ends 25 October
    datetime(2026, 10, 31, 22, 0, tzinfo=UTC),  # US: DST ends 1 November
    datetime(2026, 12, 31, 23, 45, tzinfo=UTC),
]
WINDOWS = [(time(8), time(21)), (time(22), time(6)), (time(1, 30), time(2, 15))]


@pytest.mark.parametrize("name", list(NUMBERS))
def test_window_for_agrees_with_phonenumbers_and_zoneinfo(name):
    number = NUMBERS[name]
    zones = reference_zones(number)
    for at in MOMENTS:
        for start, end in WINDOWS:
            found = window_for(number, at, start=start, end=end)
            assert found.zones == zones
            assert found.inside == local_inside(zones, at, start, end), (at, start, end)
            expected = None if found.inside else grid_opening(zones, at, start, end)
            assert found.opens_at == expected, (name, at, start, end)


@pytest.mark.parametrize(
    ("local", "inside", "opens"),
    [
        ("07:59:59", False, "08:00:00"),
        ("08:00:00", True, None),
        ("20:59:59", True, None),
        ("21:00:00", False, "08:00:00+1"),
    ],
)
@pytest.mark.parametrize("day", ["2026-03-08", "2026-11-01", "2026-07-01"])  # DST days and not
def test_edges_with_the_clock_frozen(local, inside, opens, day):
    zone = ZoneInfo("America/New_York")
    moment = datetime.fromisoformat(f"{day}T{local}").replace(tzinfo=zone)
    with time_machine.travel(moment, tick=False):
        found = window_for("+12012345678", datetime.now(UTC))
    assert found.inside is inside
    if opens is None:
        assert found.opens_at is None
    else:
        clock, _, later = opens.partition("+")
        date = datetime.fromisoformat(day).date() + timedelta(days=int(later or 0))
        expected = datetime.combine(date, time.fromisoformat(clock), zone)
        assert found.opens_at == expected
        assert found.opens_at.tzinfo is not None


def test_a_window_edge_in_the_spring_gap_opens_when_the_clock_jumps_past_it():
    # New York, 8 March 2026: 01:59:59 EST is followed by 03:00 EDT; 02:30 never happens.
    with time_machine.travel(datetime(2026, 3, 8, 6, 0, tzinfo=UTC), tick=False):  # 01:00 EST
        found = window_for("12012345678", datetime.now(UTC), start=time(2, 30), end=time(5))
    assert found.opens_at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_the_autumn_overlap_lives_the_window_twice():
    # 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    at = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)
    found = window_for("12012345678", at, start=time(1, 30), end=time(1, 45))
    assert not found.inside and found.opens_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_lord_howe_half_hour_overlap():
    # 5 April 2026: 02:00 LHDT (+11) goes back to 01:30 LHST (+10:30); 01:30 happens twice.
    at = datetime(2026, 4, 4, 14, 45, tzinfo=UTC)  # 01:45 LHDT
    found = window_for("61255053123", at, start=time(1, 30), end=time(1, 45))
    assert not found.inside and found.opens_at == datetime(2026, 4, 4, 15, 0, tzinfo=UTC)


def test_eu_spring_change_moves_the_opening_an_hour_earlier_in_utc():
    found = window_for("4915112345671", datetime(2026, 3, 28, 21, 0, tzinfo=UTC))
    assert found.opens_at == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST
    found = window_for("4915112345671", datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    assert found.opens_at == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET


def test_several_zones_must_all_be_inside():
    at = datetime(2026, 6, 15, 15, 30, tzinfo=UTC)  # 09:30 in Boise, 08:30 in Los Angeles
    assert window_for("12083201234", at).inside
    early = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)  # 08:30 Boise but 07:30 Los Angeles
    found = window_for("12083201234", early)
    assert not found.inside and found.opens_at == datetime(2026, 6, 15, 15, 0, tzinfo=UTC)


def test_unknown_numbers_are_never_inside_and_an_invalid_one_uses_its_country():
    at = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    for garbage in ["999", "", "not a number", "+"]:
        found = window_for(garbage, at)
        assert (found.inside, found.opens_at, found.unknown) == (False, None, True)
    # phonenumbers cannot place an old-style Mexican mobile: Mexico's own zones are used.
    found = window_for("5215512345678", at)
    assert found.from_country and "America/Mexico_City" in found.zones and len(found.zones) > 1


def test_a_leading_plus_is_accepted():
    at = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert window_for("+19495001234", at) == window_for("19495001234", at)


def test_bad_arguments_are_refused_in_words():
    with pytest.raises(ValueError, match="has no time zone"):
        window_for("19495001234", datetime(2026, 6, 15, 12, 0))
    with pytest.raises(ValueError, match="same time"):
        window_for("19495001234", datetime.now(UTC), start=time(8), end=time(8))
    with pytest.raises(ValueError, match="local wall-clock"):
        window_for("19495001234", datetime.now(UTC), start=time(8, tzinfo=UTC))


def test_no_opening_within_48_hours_is_none():
    # A one-minute window cannot fall at once in every +1 zone (Guam to Pago Pago, St John's).
    at = datetime(2026, 6, 15, tzinfo=UTC)
    found = window_for("18005551234", at, start=time(8), end=time(8, 1))
    assert not found.inside and found.opens_at is None and not found.unknown


# -- the property: opens_at is the first inside instant --------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
clock = st.times(max_value=time(23, 59, 59)).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=st.sampled_from(sorted(NUMBERS.values())), at=instants, start=clock, end=clock)
def test_opens_at_is_inside_and_nothing_before_it_is(number, at, start, end):
    if start == end:
        return
    zones = reference_zones(number)
    found = window_for(number, at, start=start, end=end)
    assert found.inside == local_inside(zones, at, start, end)
    if found.inside:
        assert found.opens_at is None
        return
    last = at + timedelta(hours=48)
    if found.opens_at is not None:
        assert at < found.opens_at <= last
        assert local_inside(zones, found.opens_at, start, end)
        last = found.opens_at - timedelta(microseconds=1)
        assert not local_inside(zones, last, start, end)
    rng = random.Random(f"{number}{at}")
    span = (last - at) / timedelta(microseconds=1)
    probes = [at + timedelta(microseconds=rng.uniform(0, span)) for _ in range(60)]
    probes += [at + n * GRID for n in range(int((last - at) / GRID) + 1)]
    assert not any(local_inside(zones, p, start, end) for p in probes if p <= last)


# -- the bulk summary equals window_for for every number --------------------------------------

MIXED = [
    *NUMBERS.values(),
    "+19495001234",
    "5215512345678",  # invalid: the country's zones
    "999",
    "not a number",
    "18885550100",
    "4420794600001",  # too long
    "80012345678",  # international freephone (non-geographic)
]


def test_the_summary_equals_window_for_number_by_number():
    clear_caches()
    for at in MOMENTS:
        summary = outside_window(MIXED, at)
        single = [window_for(n, at) for n in MIXED]
        outside = [i for i, w in enumerate(single) if not w.inside]
        assert summary.outside_rows.tolist() == outside
        assert summary.outside == len(outside) and summary.total == len(MIXED)
        for row, window in enumerate(single):
            assert summary.groups[summary.group_of_row[row]].window == window, MIXED[row]
        openings = [w.opens_at for w in single if not w.inside]
        if openings and None not in openings:
            assert summary.last_opens_at == max(openings)
        else:
            assert summary.last_opens_at is None
        assert summary.never_opens == sum(1 for w in single if not w.inside and not w.opens_at)


@settings(max_examples=400, deadline=None)
@given(
    digits=st.one_of(
        st.sampled_from(list(NUMBERS.values())).flatmap(
            lambda n: (
                st.integers(4, len(n) + 1).map(lambda k: n[:k])
                | st.text("0123456789", min_size=0, max_size=6).map(lambda tail: n[:-4] + tail)
            )
        ),
        st.text("0123456789", min_size=1, max_size=16),
    )
)
def test_the_memoised_zones_equal_phonenumbers_for_any_digits(digits):
    assert fast_zones(digits) == zones_for(digits)


def test_benchmark_numbers_agree():
    from tests.benchmarks.bench_quiet_hours import mixed_numbers

    numbers = mixed_numbers(3000)
    assert all(fast_zones(n) == zones_for(n) for n in numbers)

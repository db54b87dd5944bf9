"""`[console.quiet_hours]` parsed: the console's hours, each program's, and problems in words."""

from __future__ import annotations

from datetime import time

import pytest

from components.guardrails.quiet_hours_settings import (
    describe,
    parse_clock,
    parse_quiet_hours,
)


def test_nothing_written_means_eight_to_nine():
    assert parse_quiet_hours(None).window("12345") == (time(8), time(21))
    assert parse_quiet_hours({}).problems == ()


def test_the_console_hours_and_a_program_override():
    section = {
        "start": "07:30",
        "end": "22:00",
        "programs": {"12345": {"start": "09:00", "end": "20:00"}, "otp": {"end": "23:59"}},
    }
    assert parse_quiet_hours(section).window("12345") == (time(9), time(20))
    assert parse_quiet_hours(section).window(" 12345 ") == (time(9), time(20))
    assert parse_quiet_hours(section).window("otp") == (
        time(7, 30),
        time(23, 59),
    )  # start inherited
    assert parse_quiet_hours(section).window("99999") == (time(7, 30), time(22))
    assert parse_quiet_hours(section).problems == ()


def test_toml_local_times_and_windows_past_midnight_are_accepted():
    hours = parse_quiet_hours({"start": time(22), "end": "06:00"})
    assert (hours.start, hours.end, hours.problems) == (time(22), time(6), ())
    assert describe(hours.start, hours.end) == "22:00 to 06:00 the next day"
    assert describe(time(8), time(21)) == "08:00 to 21:00"


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"start": "8am"}, "`start = '8am'` in [console.quiet_hours] in secrets.toml is not a"),
        ({"end": "25:00"}, "is not a time of day; the console uses 21:00"),
        ({"end": 21}, 'Write it as 24-hour time, e.g. `end = "08:00"`'),
        ({"start": "10:00", "end": "10:00"}, "start and end at the same time (10:00)"),
        ({"quiet": True}, "`quiet` in [console.quiet_hours] in secrets.toml is not a setting"),
        ("always", "`console.quiet_hours` must be a table"),
        ({"programs": "12345"}, "`programs` in [console.quiet_hours] must be a table"),
    ],
)
def test_a_bad_setting_is_a_problem_and_keeps_its_default(section, problem):
    hours = parse_quiet_hours(section)
    assert any(problem in text for text in hours.problems), hours.problems
    assert (hours.start, hours.end) == (time(8), time(21))


def test_a_bad_program_override_falls_back_to_the_console_hours():
    section = {
        "start": "09:00",
        "programs": {"1": "all day", "2": {"start": "nope"}, "3": {"until": "20:00"}},
    }
    hours = parse_quiet_hours(section)
    assert hours.window("1") == (time(9), time(21))
    assert hours.window("2") == (time(9), time(21))
    assert hours.window("3") == (time(9), time(21))
    joined = "\n".join(hours.problems)
    assert 'program "1" in [console.quiet_hours.programs] must be a table' in joined
    assert "`start = 'nope'` in program \"2\"" in joined
    assert "until is not a setting; use start and end" in joined
    assert len(hours.problems) == 3


@pytest.mark.parametrize(
    ("text", "value"),
    [("08:00", time(8)), ("8:05", time(8, 5)), ("20:30:15", time(20, 30, 15)), ("24:00", None)],
)
def test_clock_texts(text, value):
    assert parse_clock(text) == value

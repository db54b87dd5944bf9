"""SMS_CONSOLE_* settings: a bad value is a message and a default, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.core.settings import console_settings

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_set_is_the_defaults():
    settings = console_settings({})
    assert settings.confirm_above == 1000
    assert settings.max_in_flight == 10
    assert settings.problems == ()


def test_good_values_are_used():
    settings = console_settings(
        {"SMS_CONSOLE_CONFIRM_ABOVE": " 250 ", "SMS_CONSOLE_MAX_IN_FLIGHT": "3"}
    )
    assert (settings.confirm_above, settings.max_in_flight, settings.problems) == (250, 3, ())


def test_a_value_that_is_not_a_whole_number_is_a_clear_message():
    settings = console_settings({"SMS_CONSOLE_CONFIRM_ABOVE": "abc"})
    assert settings.confirm_above == 1000
    assert [p.message for p in settings.problems] == [
        "SMS_CONSOLE_CONFIRM_ABOVE is 'abc', which is not a whole number; the console uses 1000. "
        "Set it to a whole number such as 1000, or remove it."
    ]
    assert settings.problems[0].variable == "SMS_CONSOLE_CONFIRM_ABOVE"


@pytest.mark.parametrize(
    ("value", "used", "says"),
    [
        ("x", 10, "which is not a whole number; the console uses 10."),
        ("2.5", 10, "which is not a whole number; the console uses 10."),
        ("20", 10, "above Acoustic's limit of 10; the console uses 10."),
        ("0", 1, "below 1; the console uses 1."),
    ],
)
def test_max_in_flight_out_of_range_or_garbage(value, used, says):
    settings = console_settings({"SMS_CONSOLE_MAX_IN_FLIGHT": value})
    assert settings.max_in_flight == used
    (problem,) = settings.problems
    assert problem.message.startswith(f"SMS_CONSOLE_MAX_IN_FLIGHT is '{value}', ")
    assert says in problem.message


def test_a_negative_threshold_is_reported_and_every_send_is_confirmed():
    settings = console_settings({"SMS_CONSOLE_CONFIRM_ABOVE": "-5"})
    assert settings.confirm_above == 0
    assert settings.problems[0].message == (
        "SMS_CONSOLE_CONFIRM_ABOVE is '-5', below 0; the console uses 0. Set it to a whole "
        "number of at least 0, or remove it."
    )


def test_a_bad_value_does_not_break_importing_the_pages_helpers():
    env = {**os.environ, "SMS_CONSOLE_CONFIRM_ABOVE": "abc", "SMS_CONSOLE_MAX_IN_FLIGHT": "lots"}
    done = subprocess.run(
        [sys.executable, "-c", "import components.ui.sending, components.ui.connection"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr

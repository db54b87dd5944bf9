"""Compose's quiet-hours notice with AppTest, the clock frozen by time-machine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.apptest_support import composed, new_app, texts

pytestmark = pytest.mark.usefixtures("app_environment")

# Los Angeles, New York, London.
PASTE = "phone\n+1 949 500 1234\n+1 201 234 5678\n+44 7911 123456\n"
NOON_UTC = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 04:00 LA, 07:00 NY, 12:00 London


def test_compose_counts_recipients_outside_their_hours_and_when_the_last_enters():
    with time_machine.travel(NOON_UTC, tick=False):
        at = composed("Hi", PASTE)
    assert not at.exception
    text = texts(at)
    assert "2 of 3 recipients are outside the allowed hours (08:00 to 21:00, their local" in text
    # 08:00 in Los Angeles; the page shows UTC when the browser's zone is not known.
    assert "enters the allowed hours on Wed 2 Dec 2026, 16:00 (UTC+00:00)." in text
    expander = next(e for e in at.expander if e.label.startswith("Recipients outside"))
    assert expander.label == "Recipients outside their hours (2)"
    table = at.dataframe[-1].value
    assert table["Phone number"].tolist() == ["+19495001234", "+12012345678"]
    assert table["Time zones"].tolist() == ["America/Los_Angeles", "America/New_York"]


def test_an_hour_later_new_york_is_inside_and_a_program_may_have_its_own_hours():
    with time_machine.travel(NOON_UTC.replace(hour=13), tick=False):
        at = composed("Hi", PASTE)
    assert "1 of 3 recipients are outside the allowed hours" in texts(at)
    with time_machine.travel(NOON_UTC.replace(hour=13), tick=False):
        at = new_app()
        at.secrets["console"] = {
            "quiet_hours": {"programs": {"777": {"start": "05:00", "end": "22:00"}}}
        }
        at.run()
        at.session_state["compose.content"] = "Hi"
        at.text_area(key="compose.paste").set_value(PASTE)
        at.text_input(key="compose.program").set_value("777").run()
    assert "every recipient is inside the allowed hours (05:00 to 22:00" in texts(at)


def test_a_bad_setting_is_said_on_the_page():
    with time_machine.travel(NOON_UTC, tick=False):
        at = new_app()
        at.secrets["console"] = {"quiet_hours": {"start": "8am"}}
        at.run()
        at.text_area(key="compose.paste").set_value(PASTE).run()
    assert not at.exception
    assert "`start = '8am'` in [console.quiet_hours] in secrets.toml is not a time" in texts(at)

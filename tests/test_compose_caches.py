"""What Compose keeps between keystrokes, and what makes it compute again. A cached value that
outlives what it was computed from would show the wrong recipients, hours or list: each cache
here is checked against the change that must invalidate it (a new file, an edit of the
do-not-text list, a new quiet-hours setting, another program, the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from components.guardrails.quiet_hours_bulk import outside_window, zone_set_ids
from tests.apptest_support import composed, new_app, texts
from tests.test_do_not_text_page import listed

pytestmark = pytest.mark.usefixtures("app_environment")

# Los Angeles, New York, London; and another file of two more Londoners.
PASTE = "phone\n+1 949 500 1234\n+1 201 234 5678\n+44 7911 123456\n"
LONDON = "phone\n+44 7911 123457\n+44 7911 123458\n"
NOON_UTC = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 04:00 LA, 07:00 NY, 12:00 London


def test_kept_zone_sets_give_the_same_answer_and_refuse_other_numbers():
    numbers = ["19495001234", "12012345678", "447911123456", "not a number"]
    ids = zone_set_ids(numbers)
    with_ids = outside_window(numbers, NOON_UTC, ids=ids)
    without = outside_window(numbers, NOON_UTC)
    assert (with_ids.outside, with_ids.total, with_ids.groups) == (
        without.outside,
        without.total,
        without.groups,
    )
    assert with_ids.outside_rows.tolist() == without.outside_rows.tolist()
    with pytest.raises(ValueError):
        outside_window(numbers[:2], NOON_UTC, ids=ids)


def test_quiet_hours_follow_the_clock_the_program_the_setting_and_a_new_file():
    with time_machine.travel(NOON_UTC, tick=False) as clock:
        at = composed("Hi", PASTE)
        assert "2 of 3 recipients are outside the allowed hours" in texts(at)
        clock.move_to(NOON_UTC + timedelta(hours=1))  # 08:00 in New York
        at.run()
        assert "1 of 3 recipients are outside the allowed hours" in texts(at)
        at.secrets["console"] = {
            "quiet_hours": {"programs": {"777": {"start": "05:00", "end": "22:00"}}}
        }
        at.text_input(key="compose.program").set_value("777").run()
        assert "every recipient is inside the allowed hours (05:00 to 22:00" in texts(at)
        at.text_input(key="compose.program").set_value("12345").run()
        assert "1 of 3 recipients are outside the allowed hours" in texts(at)
        at.secrets["console"] = {"quiet_hours": {"start": "06:00", "end": "21:00"}}
        at.run()  # 05:00 in Los Angeles: still outside, but for one hour less
        assert "outside the allowed hours (06:00 to 21:00" in texts(at)
        assert "enters the allowed hours on Wed 2 Dec 2026, 14:00 (UTC+00:00)" in texts(at)
        at.text_area(key="compose.paste").set_value(LONDON).run()
        assert "every recipient is inside the allowed hours" in texts(at)
        clock.move_to(NOON_UTC.replace(hour=22))  # 22:00 in London
        at.run()
        assert "2 of 2 recipients are outside the allowed hours" in texts(at)


def test_an_edit_of_the_list_reaches_every_session_with_the_same_file(tmp_path):
    first, second = composed("Hi", PASTE), composed("Hi", PASTE)
    assert "do-not-text list" not in texts(first) + texts(second)
    listed(tmp_path, "12012345678")  # another person adds a number meanwhile
    for at in (first.run(), second.run()):
        assert "1 recipient(s) are on the do-not-text list and are left out" in texts(at)
        assert "Ready: 2 recipients" in texts(at)
    other = new_app().run()
    other.session_state["compose.content"] = "Hi"
    other.text_area(key="compose.paste").set_value(LONDON)
    other.text_input(key="compose.program").set_value("12345")
    other.run()
    assert "do-not-text list" not in texts(other) and "Ready: 2 recipients" in texts(other)

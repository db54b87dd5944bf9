"""Compose's quiet-hours notice with AppTest, the clock frozen by time-machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from components.journal import Journal
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
    with time_machine.travel(NOON_UTC, tick=False):
        at.session_state["compose.quiet_hours.open"] = True  # the table is built when opened
        at.run()
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


# -- the confirmation's choice ---------------------------------------------------------------


@contextmanager
def confirm_at(moment: datetime) -> Iterator[AppTest]:
    """Compose with the three recipients and the confirmation open, the clock at `moment`
    (ticking: the worker and the sandbox keep their own pace) until the block ends."""
    with time_machine.travel(moment, tick=True):
        at = composed("Hi", PASTE)
        at.button(key="compose.send").click().run()
        yield at


def test_by_default_the_inside_go_now_and_each_other_when_their_hours_begin(tmp_path):
    with confirm_at(NOON_UTC) as at:
        text = texts(at)
        assert "2 of 3 recipients are outside the allowed hours" in text
        radio = at.radio(key="send.hours")
        assert radio.value == "each_when_open"
        at.button(key="send.confirm").click().run()
        send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    batches = journal.batches(send_id)
    held = {
        journal.batch_payload(b.id)["contacts"][0]["phoneNumber"]: b.not_before for b in batches
    }
    assert held == {
        "447911123456": None,  # London: inside, at once
        "12012345678": datetime(2026, 12, 2, 13, 0, tzinfo=UTC).timestamp(),  # 08:00 New York
        "19495001234": datetime(2026, 12, 2, 16, 0, tzinfo=UTC).timestamp(),  # 08:00 LA
    }
    assert journal.get_send(send_id).schedule == "windows"


def test_hold_everything_starts_when_all_are_inside_at_once(tmp_path):
    with confirm_at(NOON_UTC) as at:
        at.radio(key="send.hours").set_value("hold_all").run()
        at.button(key="send.confirm").click().run()
        send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    (batch,) = journal.batches(send_id)
    # 16:00 UTC: 08:00 in Los Angeles, 11:00 in New York, 16:00 in London.
    assert batch.not_before == datetime(2026, 12, 2, 16, 0, tzinfo=UTC).timestamp()
    assert batch.contacts == 3


def test_sending_anyway_needs_a_reason_and_is_audited(tmp_path):
    with confirm_at(NOON_UTC) as at:
        at.radio(key="send.hours").set_value("anyway").run()
        assert "once you say why it cannot wait" in texts(at)
        assert not [b for b in at.button if b.key == "send.confirm"]
        at.text_input(key="send.hours.reason").set_value("Login codes expire in 5 minutes").run()
        at.button(key="send.confirm").click().run()
        send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    assert [b.not_before for b in journal.batches(send_id)] == [None]
    (entry,) = journal.audit_entries(send_id=send_id, action="quiet_hours_overridden")
    assert entry.details == {"recipients_outside": 2, "reason": "Login codes expire in 5 minutes"}


def test_a_test_send_follows_the_same_rule(tmp_path):
    with time_machine.travel(NOON_UTC, tick=True):
        at = composed("Hi", PASTE)
        at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
        at.button(key="compose.send_test").click().run()
        assert "1 of 1 recipients are outside the allowed hours" in texts(at)
        assert "send.active_id" not in at.session_state  # nothing sent yet
        at.radio(key="send.test_hours_choice").set_value("anyway").run()
        assert not [b for b in at.button if b.key == "send.test_hours_confirm"]
        at.radio(key="send.test_hours_choice").set_value("each_when_open").run()
        at.button(key="send.test_hours_confirm").click().run()
        send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    record = journal.get_send(send_id)
    assert record.kind == "test"
    assert [b.not_before for b in journal.batches(send_id)] == [
        datetime(2026, 12, 2, 16, 0, tzinfo=UTC).timestamp()
    ]

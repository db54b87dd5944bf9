"""Scheduling from the pages (AppTest): the confirmation's "when", the scheduled send's panel on
Compose and History, reschedule and cancel."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from components.core.states import SendState
from components.journal import Journal
from tests.apptest_support import composed, texts


def shown(day: date, clock: str) -> str:
    """A day and time as the pages show them to a browser in UTC."""
    return f"{day:%a} {day.day} {day:%b %Y}, {clock} (UTC+00:00)"


CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n"
pytestmark = pytest.mark.usefixtures("app_environment")


def scheduled_from_compose(day: date, clock: time):
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.button(key="compose.send").click().run()
    at.radio(key="send.when").set_value("At a date and time").run()
    at.date_input(key="send.when.date").set_value(day)
    at.time_input(key="send.when.time").set_value(clock).run()
    return at


def test_a_time_in_the_past_is_refused_and_a_future_one_schedules(tmp_path):
    at = scheduled_from_compose(date.today() - timedelta(days=1), time(9, 0))
    assert "That time has passed" in texts(at)
    assert not [b for b in at.button if b.key == "send.confirm"]
    tomorrow = date.today() + timedelta(days=1)
    at.date_input(key="send.when.date").set_value(tomorrow).run()
    assert "In your time zone: " + shown(tomorrow, "09:00") in texts(at)
    confirm = at.button(key="send.confirm")
    assert confirm.label == "Schedule 2 SMS (sandbox)"
    facts = next(d.value for d in at.dataframe if "Fact" in d.value.columns)
    assert dict(zip(facts["Fact"], facts["Value"], strict=True))["Starts"] == shown(
        tomorrow, "09:00"
    )
    confirm.click().run()
    assert not at.exception
    send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    record = journal.get_send(send_id)
    assert record.state(running=False) is SendState.SCHEDULED
    assert "Scheduled by local user: starts " + shown(tomorrow, "09:00") in texts(at)
    assert all(b.attempts == 0 for b in journal.batches(send_id))  # nothing went out


def test_reschedule_then_cancel_from_history(tmp_path):
    tomorrow = date.today() + timedelta(days=1)
    at = scheduled_from_compose(tomorrow, time(9, 0))
    at.button(key="send.confirm").click().run()
    send_id = at.session_state["send.active_id"]
    at.query_params["send"] = str(send_id)
    at.switch_page("pages/history.py").run()
    assert at.dataframe[0].value["State"].tolist() == ["scheduled"]
    assert not [b for b in at.button if (b.label or "").startswith("Resume")]
    at.time_input(key=f"schedule.{send_id}.time").set_value(time(10, 30)).run()
    at.date_input(key=f"schedule.{send_id}.date").set_value(tomorrow).run()
    at.button(key=f"schedule.move.{send_id}").click().run()
    assert "starts " + shown(tomorrow, "10:30") in texts(at)
    at.button(key=f"schedule.cancel.{send_id}").click().run()
    assert "Cancelled by local user" in texts(at)
    journal = Journal(tmp_path / "journal.sqlite3")
    assert journal.get_send(send_id).state(running=False) is SendState.CANCELLED
    actions = [e.action for e in reversed(journal.audit_entries(send_id=send_id))]
    assert actions == ["send_requested", "send_scheduled", "send_rescheduled", "send_cancelled"]

"""Compose's program picker and optional send fields, with Streamlit's AppTest against the app's
own sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from components.core.states import BatchState
from components.journal import Journal
from components.sandbox.config import UUID_PROGRAM
from components.status.history import send_options_line
from components.ui import program_fields
from components.ui.connection import sandbox_server
from components.ui.program_fields import pending_listing
from tests.apptest_support import composed, new_app, texts, wait_for_send
from tests.waiting import wait_until

CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n"

pytestmark = pytest.mark.usefixtures("app_environment")


@pytest.fixture(autouse=True)
def _fresh_listing() -> Iterator[None]:
    """Each test asks the app's sandbox anew, and leaves it as it found it."""
    pending_listing.clear()  # Streamlit's own cache API: the next look asks Acoustic again
    yield
    sandbox_server().configure(sms_enabled=True)
    pending_listing.clear()


def shown_request(at) -> dict:
    at.session_state["compose.request_open"] = True  # built only while open
    at.run()
    return json.loads(next(c.value for c in at.code if c.value.lstrip().startswith("{")))


def test_the_picker_offers_the_active_programs_and_fills_the_id():
    at = composed("Hi %%FIRST NAME%%", CSV, program="")
    picker = at.selectbox(key="compose.program_choice")
    assert picker.options == [
        "Order updates · 12345 · active",
        "Login codes · 129856 · active",
        f"Appointment reminders UK · {UUID_PROGRAM} · active",
    ]
    assert picker.value is None
    picker.set_value(UUID_PROGRAM).run()
    assert not at.exception
    assert at.text_input(key="compose.program").value == UUID_PROGRAM
    assert shown_request(at)["channelQualifier"] == UUID_PROGRAM
    # A typed id that is listed shows as the choice; one that is not leaves the choice empty.
    at.text_input(key="compose.program").set_value("129856").run()
    assert at.selectbox(key="compose.program_choice").value == "129856"
    at.text_input(key="compose.program").set_value("1298").run()
    assert at.selectbox(key="compose.program_choice").value is None
    assert "1298 is not among the 4 SMS programs Acoustic lists" in texts(at)


def test_an_inactive_program_is_warned_about():
    at = composed("Hi %%FIRST NAME%%", CSV, program="55555")
    assert "Spring sale 2023 (55555) is inactive" in texts(at)
    assert at.selectbox(key="compose.program_choice").value is None


def test_a_refused_list_says_why_and_the_id_can_be_typed():
    sandbox_server().configure(sms_enabled=False)
    at = composed("Hi %%FIRST NAME%%", CSV, program="12345")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "compose.program_choice"]
    assert "Acoustic refused to list the programs (403: SMS is not enabled" in texts(at)
    assert shown_request(at)["channelQualifier"] == "12345"
    assert "not among" not in texts(at)  # no list: nothing to compare with


def test_campaign_and_expiry_show_in_the_request_and_are_journaled(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV)
    assert at.number_input(key="compose.ttl").value is None
    request = shown_request(at)
    assert "ttlInMinutes" not in request and "campaignName" not in request
    at.number_input(key="compose.ttl").set_value(20000).run()
    assert "The expiry is 20,000 minutes; it can be 1 to 10,080 minutes" in texts(at)
    assert at.button(key="compose.send").disabled
    at.number_input(key="compose.ttl").set_value(15).run()
    at.text_input(key="compose.campaign").set_value("Spring OTP").run()
    request = shown_request(at)
    assert (request["ttlInMinutes"], request["campaignName"]) == (15, "Spring OTP")
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    wait_for_send(journal, send_id)
    assert journal.get_send(send_id).batch_states == {BatchState.ACCEPTED: 1}  # sandbox took it
    payload = journal.batch_payload(journal.batches(send_id)[0].id)
    assert (payload["ttlInMinutes"], payload["campaignName"]) == (15, "Spring OTP")
    assert send_options_line(payload) == "campaign Spring OTP · expires after 15 min"


def test_a_slow_list_never_holds_up_the_page(monkeypatch):
    monkeypatch.setattr(program_fields, "WAIT_SECONDS", 0.2)
    sandbox_server().configure(latency=1.5)
    try:
        at = new_app().run()  # the answer takes 1.5 s; the page waits 0.2 s and goes on
        assert "Acoustic has not listed the SMS programs yet" in texts(at)
        assert not [s for s in at.selectbox if s.key == "compose.program_choice"]
        at.text_input(key="compose.program").set_value("12345")
        # The look-up ends in the background; the next rerun shows the list.
        wait_until(lambda: not sandbox_server().stats()["in_flight"], what="Acoustic's answer")
        at.run()
        assert at.selectbox(key="compose.program_choice").value == "12345"
    finally:
        sandbox_server().configure(latency=0.0)

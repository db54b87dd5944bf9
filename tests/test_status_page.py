"""The Status page's states with Streamlit's AppTest, against the app's own sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from components.core.states import BatchState
from components.guardrails.do_not_text import add_numbers
from components.journal import Journal
from components.team.auth import Identity, Role
from components.ui.text import plain
from tests.apptest_support import composed, journaled_send, new_app, texts, wait_for_send
from tests.sending_support import batches
from tests.waiting import wait_until

CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9990,Bob\n+1 949 500 9999,Cy\n"


pytestmark = pytest.mark.usefixtures("app_environment")


def test_empty_status_page_asks_for_ids():
    at = new_app().run()
    at.switch_page("pages/status.py").run()
    assert not at.exception
    assert "Paste a transaction id" in texts(at)


def test_an_unknown_pasted_id_is_reported_as_not_found():
    at = new_app().run()
    at.switch_page("pages/status.py").run()
    at.text_area(key="status.input").set_value("ffffff-18f-" + "0" * 32 + "\nbad/id")
    at.button[0].click().run()
    text = texts(at)
    assert "Not transaction ids, ignored: bad/id" in text
    assert "never received it. Check the id" in text


def send_through_the_app(tmp_path: Path) -> tuple[AppTest, str]:
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.text_input(key="compose.campaign").set_value("Winter gates").run()
    at.number_input(key="compose.ttl").set_value(30).run()
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    journal = Journal(tmp_path / "journal.sqlite3")
    send_id = at.session_state["send.active_id"]
    wait_for_send(journal, send_id)
    batch = journal.batches(send_id)[0]
    assert batch.state is BatchState.ACCEPTED, batch.error
    return at, batch.transaction_id


def test_deep_link_shows_the_send_then_resend_to_failed(tmp_path):
    before = datetime.now(UTC)
    at, transaction = send_through_the_app(tmp_path)
    at.query_params["tx"] = [transaction]
    # The sandbox answers "not found yet" for its status delay after a send: the clock stands
    # at a moment before the send while the page first asks, however slow the machine.
    with time_machine.travel(before, tick=False):
        at.switch_page("pages/status.py").run()
    assert not at.exception
    assert "still processing this send" in texts(at)
    # And well after: every contact the sandbox will process is processed.
    with time_machine.travel(before + timedelta(seconds=30), tick=True):
        _processed_then_resend(at)


def _processed_then_resend(at: AppTest) -> None:
    wait_until(
        lambda: (
            "2 of 3 contacts processed" in texts(at)
            or at.button(key="status.refresh").click().run() is None
        ),
        timeout=30,
        every=0.5,
        what="Status to show the contacts processed",
    )
    text = texts(at)
    assert "2 of 3 contacts processed" in text  # ...9999 never finishes
    # Each chart has its figures in words beneath it, for a screen reader.
    assert "Outcome: 1 sent (33%), 1 failed (33%), 1 pending (33%)." in text
    assert "Failures by reason: Blocked: 1 recipient." in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sent"] == "1" and metrics["Failed"] == "1" and metrics["Total"] == "3"
    table = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert sorted(table["state"]) == ["failed", "pending", "sent"]
    assert table.loc[table["state"] == "failed", "reason"].item() == "Blocked"
    assert table.loc[table["state"] == "sent", "FIRST NAME"].item() == "Ann"
    # What "reached" each phone, as the sandbox rendered it from the request (the preview's text)
    assert dict(zip(table["FIRST NAME"], table["sms"], strict=True)) == {
        "Ann": "Hi Ann",
        "Bob": "Hi Bob",
        "Cy": "Hi Cy",
    }

    at.session_state["compose.campaign"] = ""  # Compose moved on to another draft since
    at.session_state["compose.ttl"] = None
    at.checkbox(key="status.resend_pending").check().run()
    at.button(key="status.resend").click().run()
    assert not at.exception
    assert at.session_state["compose.paste"].splitlines() == [
        "phone,FIRST NAME",
        "+19495009990,Bob",
        "+19495009999,Cy",
    ]
    assert at.session_state["compose.content"] == "Hi %%FIRST NAME%%"
    assert at.session_state["compose.program"] == "12345"
    # The send's options come back too: the same campaign, the same expiry.
    assert at.session_state["compose.campaign"] == "Winter gates"
    assert at.session_state["compose.ttl"] == 30


def test_deep_links_that_are_not_ids_are_ignored_and_shown_as_plain_text():
    at = new_app().run()
    at.query_params["tx"] = [
        "bad/id",
        "[x](https://evil.example)",
        "ffffff-18f-" + "0" * 32,
        "a/" * 2500,  # shown shortened, not 5,000 characters
    ]
    at.switch_page("pages/status.py").run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "Not transaction ids" in w.value)
    assert "\\[x\\]\\(https\\:" in warning  # escaped: shown as written, never a link
    assert "bad/id, [x](https://evil.example)" in plain(warning)
    assert len(plain(warning)) < 200
    assert "never received it. Check the id" in texts(at)


def test_a_number_listed_before_a_resume_is_left_out_and_status_and_history_say_so(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    record = journaled_send(journal, batches(2), base_url="http://127.0.0.1:1")
    marketer = Identity(email="sam@example.com", roles=frozenset({Role.SENDER}))
    listed = ["19495000000", "19495000001", "19495000002", "19495000100"]  # batch 1, and one more
    add_numbers(journal, listed, "asked not to be texted", marketer, "manual")
    at = new_app()
    at.query_params["send"] = str(record.id)
    at.switch_page("pages/history.py").run()
    next(b for b in at.button if b.label.startswith("Resume")).click().run()
    wait_for_send(journal, record.id)
    at.run()
    assert not at.exception
    assert "4 recipient(s) were left out: on the do-not-text list." in texts(at)
    batches_shown = next(d.value for d in at.dataframe if "Left out" in d.value.columns)
    assert batches_shown["State"].tolist() == ["left_out", "accepted"]
    assert batches_shown["Left out"].tolist() == [3, 1]
    assert "every recipient of this batch was on the do-not-text list" in str(
        batches_shown["What happened"][0]
    )

    at.query_params["tx"] = [journal.batches(record.id)[1].transaction_id]
    at.switch_page("pages/status.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "state" in d.value.columns)
    left = table[table["state"] == "left out"]
    assert sorted(left["phoneNumber"]) == listed
    assert set(left["reason"]) == {"On the do-not-text list when its batch went out; not sent"}
    assert "4 recipient(s) were left out" in texts(at)

    at.session_state["send.active_id"] = record.id  # its progress, as Compose shows a send's
    at.switch_page("pages/compose.py").run()
    panel = texts(at)
    assert "4 recipient(s) left out: on the do-not-text list when their batch went out" in panel


def test_a_send_the_console_followed_to_its_end_is_shown_from_the_journal_at_once(tmp_path):
    """Nobody asks Acoustic again for outcomes the console already has (its status of an old
    send may have expired); "Refresh now" asks."""
    at, transaction = send_through_the_app(tmp_path)
    journal = Journal(tmp_path / "journal.sqlite3")
    stored = [
        ("19495001234", True, None),
        ("19495009990", False, "Stored: the carrier said no."),
        ("19495009999", True, None),
    ]
    journal.record_outcomes(transaction, stored)
    journal.reschedule_follow(transaction, next_at=None, finished=True)
    at.query_params["tx"] = [transaction]
    at.switch_page("pages/status.py").run()
    assert not at.exception
    assert "All 3 contacts processed, as the console followed them" in texts(at)
    table = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert sorted(table["state"]) == ["failed", "sent", "sent"]
    assert "Stored: the carrier said no." in table["message"].tolist()
    at.button(key="status.refresh").click().run()  # Acoustic (the sandbox) is asked now
    assert "as the console followed them" not in texts(at)

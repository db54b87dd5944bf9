"""The send confirmation on Compose and the History page, with Streamlit's AppTest."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from components.acoustic import organisation_gate
from components.core.states import BatchState
from components.journal import Journal
from tests.apptest_support import composed, journaled_send, new_app, texts, wait_for_send
from tests.waiting import wait_until

CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n"


pytestmark = pytest.mark.usefixtures("app_environment")


def test_confirm_then_send_runs_in_the_background(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.button(key="compose.send").click().run()
    assert "Sandbox mode: the built-in sandbox" in texts(at)
    at.button(key="send.confirm").click().run()
    assert not at.exception
    send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    wait_for_send(journal, send_id)
    record = journal.get_send(send_id)
    assert record.recipients == 2 and record.batch_states == {BatchState.ACCEPTED: 1}
    assert record.content == "Hi %%FIRST NAME%%" and record.mode == "sandbox"
    at.run()
    assert "1 of 1 batch(es) done" in str([p.proto for p in at.get("progress")])

    # The same send again: the confirmation says so and offers no Send button.
    at.button(key="compose.send").click().run()
    assert "was already started" in texts(at)
    assert not [b for b in at.button if b.key == "send.confirm"]


def test_test_send_goes_to_one_number_and_twice_needs_a_second_click(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.text_input(key="compose.default.first name").set_value("there").run()
    at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
    at.button(key="compose.send_test").click().run()
    first = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    wait_for_send(journal, first)
    payload = journal.batch_payload(journal.batches(first)[0].id)
    assert payload["contacts"] == [{"phoneNumber": "19495001299"}]
    assert payload["personalizationDefaults"] == {"FIRST NAME": "there"}
    assert journal.get_send(first).kind == "test"
    for _ in range(3):  # clicking "Send a test" again, however often, never repeats it
        at.button(key="compose.send_test").click().run()
        assert "This exact test already went to +19495001299" in texts(at)
        assert at.session_state["send.active_id"] == first
    at.button(key="send.test_repeat_cancel").click().run()
    assert "This exact test already went to +19495001299" not in texts(at)
    at.button(key="compose.send_test").click().run()
    at.button(key="send.test_repeat_confirm").click().run()  # its own button, on purpose
    second = at.session_state["send.active_id"]
    assert second != first and journal.get_send(second).repeat_of == first
    assert "This exact test already went to +19495001299" not in texts(at)
    wait_for_send(journal, second)
    at.button(key="compose.send_test").click().run()
    assert "This exact test already went to" in texts(at)
    at.text_input(key="compose.test_number").set_value("+1 949 500 1234").run()
    assert "This exact test already went to" not in texts(at)  # another test: no stale question
    assert not [b for b in at.button if b.key == "send.test_repeat_confirm"]


def test_test_send_needs_defaults_for_missing_fields():
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
    at.button(key="compose.send_test").click().run()
    assert "The test cannot be sent: %%FIRST NAME%% has no value" in texts(at)
    at.text_input(key="compose.test_number").set_value("12").run()
    at.button(key="compose.send_test").click().run()
    assert "too short" in texts(at)


def seeded_journal(
    tmp_path: Path, mode: str = "pod", base_url: str = "https://api-campaign-us-1.goacoustic.com"
) -> tuple[Journal, int]:
    journal = Journal(tmp_path / "journal.sqlite3")
    payloads = [
        {"channelQualifier": "12345", "content": "Gate B12", "contacts": [{"phoneNumber": "1"}]},
        {"channelQualifier": "12345", "content": "Gate B12", "contacts": [{"phoneNumber": "2"}]},
    ]
    record = journaled_send(journal, payloads, mode=mode, base_url=base_url, created_by="tester")
    first, second = journal.batches(record.id)
    journal.claim_batch(first.id, "gone")
    journal.claim_batch(second.id, "gone")
    journal.finish_batch(first.id, BatchState.ACCEPTED, transaction_id="tx-a")
    journal.finish_batch(second.id, BatchState.UNKNOWN, error="The connection to Acoustic was lost")
    return journal, record.id


def test_history_lists_and_opens_a_send(tmp_path):
    _, send_id = seeded_journal(tmp_path)
    at = new_app().run()
    at.switch_page("pages/history.py").run()
    table = at.dataframe[0].value
    assert table["Message"].tolist() == ["Gate B12"]
    assert table["State"].tolist() == ["outcome unknown"]
    at.query_params["send"] = str(send_id)
    at.run()
    batches = at.dataframe[1].value
    assert batches["State"].tolist() == ["accepted", "unknown"]
    assert batches["What happened"][1] == "The connection to Acoustic was lost"
    assert "no transaction id" in batches["What to do"][1]
    assert batches["Safe to resend"].tolist() == [None, False]
    assert "another connection" in texts(at)  # made through a pod; this console is in sandbox
    at.text_input(key="history.search").set_value("no such text").run()
    assert "No send matches this search" in texts(at)


def test_a_sandbox_send_made_before_a_restart_can_still_be_resent(tmp_path):
    _, send_id = seeded_journal(tmp_path, mode="sandbox", base_url="http://127.0.0.1:1")
    at = new_app().run()
    at.query_params["send"] = str(send_id)
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert "another connection" not in texts(at)  # the sandbox had another port then
    assert at.checkbox(key=f"history.accept_duplicates.{send_id}")


def test_history_resends_rejected_batches_and_unknown_ones_only_once_accepted(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    payloads = [
        {"channelQualifier": "12345", "content": "Gate B12", "contacts": [{"phoneNumber": "1"}]},
        {"channelQualifier": "12345", "content": "Gate B12", "contacts": [{"phoneNumber": "2"}]},
    ]
    record = journaled_send(journal, payloads, base_url="http://127.0.0.1:1")
    rejected, unknown = journal.batches(record.id)
    for batch, state in ((rejected, BatchState.REJECTED), (unknown, BatchState.UNKNOWN)):
        journal.claim_batch(batch.id, "gone")
        journal.finish_batch(batch.id, state, error="refused or lost")
    at = new_app()
    at.query_params["send"] = str(record.id)
    at.switch_page("pages/history.py").run()
    resend_unknown = "Resend the 1 batch(es) with an unknown outcome"
    assert [b.disabled for b in at.button if b.label == resend_unknown] == [True]

    next(b for b in at.button if b.label == "Resend the 1 rejected batch(es)").click().run()
    wait_for_send(journal, record.id)
    assert journal.batches(record.id)[1].state is BatchState.UNKNOWN  # not resent with them
    # Until the worker has let go of the send and History offers the resend again.
    wait_until(lambda: [c for c in at.run().checkbox if c.key], what="History's resend again")
    at.checkbox(key=f"history.accept_duplicates.{record.id}").check().run()
    next(b for b in at.button if b.label == resend_unknown).click().run()
    wait_for_send(journal, record.id)
    assert not at.exception
    resends = [e.details for e in reversed(journal.audit_entries(action="resend"))]
    assert resends == [
        {"batches": 1, "may_deliver_twice": False},
        {"batches": 1, "may_deliver_twice": True},
    ]
    assert BatchState.UNKNOWN not in {b.state for b in journal.batches(record.id)}


@pytest.mark.parametrize("link", ["99999999999999999999999", "abc", "-1", "424242"])
def test_a_send_link_that_names_no_send_is_harmless(tmp_path, link):
    seeded_journal(tmp_path)
    at = new_app().run()
    at.query_params["send"] = link
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert "Select a send" in texts(at) or "There is no send #424242" in texts(at)


def test_empty_history():
    at = new_app().run()
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert "No sends yet" in texts(at)


def test_compose_warns_about_recipients_that_failed_before(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add_snapshot(
        "tx-old",
        found=True,
        total=2,
        processed=2,
        contacts=[
            {"phoneNumber": "447911123456", "smsSent": False, "message": "Blocked"},
            {"phoneNumber": "19495001234", "smsSent": True},
        ],
    )
    at = composed("Hi %%FIRST NAME%%", CSV)
    assert "1 recipient(s) failed in an earlier send" in texts(at)
    table = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert table.to_dict("records")[0]["phoneNumber"] == "447911123456"


def test_a_link_to_a_send_opens_it_even_after_another_was_selected_and_filtered(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")

    def make(content: str) -> int:
        payloads = [{"content": content, "contacts": [{"phoneNumber": "19495001234"}]}]
        return journaled_send(journal, payloads, program="p").id

    alpha, bravo = make("alpha"), make("bravo")
    at = new_app()
    at.query_params["send"] = str(alpha)
    at.switch_page("pages/history.py").run()
    at.text_input(key="history.search").set_value("alpha").run()
    assert [s.value for s in at.header] == [f"Send #{alpha} · interrupted"]
    at.switch_page("pages/compose.py").run()
    at.query_params["send"] = str(bravo)  # e.g. "Open send #2 in History" from the dialog
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert [s.value for s in at.header] == [f"Send #{bravo} · interrupted"]


# A lone surrogate cannot reach the page (a widget's value travels as UTF-8): unit tests only.
@pytest.mark.parametrize("search", ["Gate B12" + " x" * 25_000, "%_" * 25_000, "Ga\x00te"])
def test_any_history_search_keeps_the_page_working(tmp_path, search):
    _, send_id = seeded_journal(tmp_path)
    at = new_app().run()
    at.switch_page("pages/history.py").run()
    at.text_input(key="history.search").set_value(search).run()
    assert not at.exception
    notices = "\n".join(w.value for w in at.warning)
    if len(search) > 200:
        assert f"{len(search):,} characters long" in notices and "first 200" in notices
    else:
        assert "left out" in notices
        assert at.dataframe[0].value["Send"].tolist() == [send_id]


TAG_HINT = "is not a field of the Acoustic database behind this SMS program"


def test_a_rejected_batch_has_one_explanation_in_the_progress_panel_and_in_history(tmp_path):
    at = composed("Hi %%NOPE%%", CSV)  # a tag the sandbox's database does not have
    at.text_input(key="compose.default.nope").set_value("you").run()
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    wait_for_send(journal, send_id)
    at.run()
    panel = texts(at)
    assert "Wrong personalization tags NOPE" in panel
    assert TAG_HINT in panel

    at.query_params["send"] = str(send_id)
    at.switch_page("pages/history.py").run()
    (row,) = at.dataframe[1].value.to_dict("records")
    assert TAG_HINT in row["What to do"] and row["What to do"] in panel  # the same words
    assert "resent safely" not in row["What to do"] and row["Safe to resend"] is False


def dead_owner() -> str:
    """A worker of this machine whose process has ended, as a crash leaves it in the journal."""
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return f"{socket.gethostname()}:{int(process.stdout)}:0"


def test_history_after_a_crash_says_interrupted_and_what_is_true(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    payloads = [
        {"channelQualifier": "12345", "content": "Gate", "contacts": [{"phoneNumber": str(n)}]}
        for n in range(20)
    ]
    record = journaled_send(journal, payloads)
    owner = dead_owner()
    for batch in journal.batches(record.id)[:10]:
        assert journal.claim_batch(batch.id, owner)  # in flight when the console was killed
    journal.close()

    at = new_app()  # the console starts again
    at.query_params["send"] = str(record.id)
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert [s.value for s in at.header] == [f"Send #{record.id} · interrupted"]
    assert at.dataframe[0].value["State"].tolist() == ["interrupted"]
    assert at.dataframe[0].value["Batches"].tolist() == ["10 planned, 10 unknown"]
    advice = at.dataframe[1].value["What to do"].tolist()
    unknown, planned = advice[0], advice[-1]
    assert "Check its status" not in unknown
    assert "no transaction id" in unknown and "twice" in unknown
    assert "Resume the send" in planned
    notice = texts(at)
    assert "10 batch(es) were never sent" in notice and "running" not in notice
    assert "For 10 batch(es) whether they went out is unknown" in notice
    assert [b.label for b in at.button if "Resume" in b.label] == [
        "Resume: send the 10 planned batch(es)"
    ]


def test_the_progress_panel_says_when_the_console_sends_fewer_at_once(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    journal = Journal(tmp_path / "journal.sqlite3")
    first = journal.get_send(at.session_state["send.active_id"])
    wait_for_send(journal, first.id)
    knobs = f"{first.base_url}/_sandbox/config"
    httpx.post(knobs, json={"latency": 3.0}).raise_for_status()  # the next send stays running
    try:
        at.session_state["compose.content"] = "Hello %%FIRST NAME%%"
        at.run()
        at.button(key="compose.send").click().run()
        at.button(key="send.confirm").click().run()
        assert "at a time instead of" not in texts(at)
        organisation_gate(first.base_url, "sandbox-client").width.refused()  # Acoustic said 429
        at.run()
        assert "The console sends 5 at a time instead of 10 for a while" in texts(at)
    finally:
        httpx.post(knobs, json={"latency": 0.0}).raise_for_status()
        wait_for_send(journal, at.session_state["send.active_id"])

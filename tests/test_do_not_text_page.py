"""The do-not-text list on the pages, with Streamlit's AppTest: its own page (who may do what),
Compose's count and its disabled Send, the confirmation and History, and Status's one click."""

from __future__ import annotations

import pytest

from components.core.states import BatchState
from components.journal import AuditAction, Journal
from tests.apptest_support import composed, signed_in, texts, wait_for_send
from tests.waiting import wait_until

CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9990,Bob\n+1 949 500 9992,Cy\n"

pytestmark = pytest.mark.usefixtures("app_environment")


def journal_of(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def listed(tmp_path, *numbers: str) -> Journal:
    journal = journal_of(tmp_path)
    journal.add_suppressions(numbers, reason="asked not to be texted", by="a@x", source="manual")
    return journal


def open_page(at):
    return at.switch_page("pages/do_not_text.py").run()


def test_a_viewer_sees_the_list_and_cannot_change_it(tmp_path):
    listed(tmp_path, "19495001234")
    at = open_page(signed_in("vera@example.com").run())
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Numbers on the list"] == "1"
    assert at.dataframe[0].value["phone number"].tolist() == ["+19495001234"]
    keys = {b.key for b in at.button}
    assert not [f for f in at.text_input if f.key and f.key.startswith("dnt.add")]
    assert "dnt.import" not in keys
    assert "Removing a number from the list needs the admin role." in texts(at)


def test_a_sender_adds_one_number_with_a_reason_but_cannot_import(tmp_path):
    at = open_page(signed_in("sam@example.com").run())
    assert not [t for t in at.text_area if t.key == "dnt.import_paste"]
    at.text_input(key="dnt.add_number").set_value("(949) 500-1234")
    at.button[0].click().run()  # without a reason
    assert "Say why" in texts(at)
    assert journal_of(tmp_path).suppression_count() == 0
    at.text_input(key="dnt.add_reason").set_value("replied STOP")
    at.button[0].click().run()
    assert not at.exception
    assert "+19495001234 is on the do-not-text list" in texts(at)
    [record] = journal_of(tmp_path).search_suppressions()
    assert (record.reason, record.added_by, record.source) == (
        "replied STOP",
        "sam@example.com",
        "manual",
    )


def test_an_admin_imports_with_rejected_rows_searches_and_removes(tmp_path, downloads):
    at = open_page(signed_in("ops@example.com").run())
    at.session_state["dnt.rejected_open"] = True
    at.text_area(key="dnt.import_paste").set_value(
        "phone\n+1 949 500 1234\nnot a number\n+1 949 500 9990\n"
    ).run()
    rejected = next(d.value for d in at.dataframe if "row" in d.value.columns)
    assert rejected["row"].tolist() == [3]
    at.text_input(key="dnt.import_reason").set_value("unsubscribe list").run()
    at.button(key="dnt.import").click().run()
    assert "2 number(s) added to the list; 0 were on it already." in texts(at)
    journal = journal_of(tmp_path)
    assert journal.listed_among(["19495001234", "19495009990"]) == {"19495001234", "19495009990"}
    at.text_input(key="dnt.search").set_value("9990").run()
    assert at.dataframe[0].value["phone number"].tolist() == ["+19495009990"]
    data = downloads["dnt.export"]()
    assert b"+19495001234" in data and b"unsubscribe list" in data
    at.text_input(key="dnt.remove_number").set_value("+1 949 500 9990")
    at.text_input(key="dnt.remove_reason").set_value("opted in again")
    next(b for b in at.button if "Remove from the list" in str(b.label)).click().run()
    assert "+19495009990 is off the do-not-text list." in texts(at)
    assert journal.listed_among(["19495001234", "19495009990"]) == {"19495001234"}
    actions = [e.action for e in journal.audit_entries()]
    assert AuditAction.SUPPRESSION_IMPORTED in actions
    assert AuditAction.SUPPRESSION_REMOVED in actions
    assert AuditAction.EXPORT in actions


def test_compose_counts_the_listed_and_the_send_leaves_them_out(tmp_path, downloads):
    journal = listed(tmp_path, "19495009990")
    at = composed("Hi %%FIRST NAME%%", CSV)
    assert not at.exception
    assert "1 recipient(s) are on the do-not-text list and are left out" in texts(at)
    left = next(d.value for d in at.dataframe if "added by" in d.value.columns)
    assert left["phone number"].tolist() == ["+19495009990"]
    assert b"+19495009990" in downloads["compose.left_out_export"]()
    assert "Ready: 2 recipients" in texts(at)
    at.button(key="compose.send").click().run()
    facts = next(d.value for d in at.dataframe if "Value" in d.value.columns)
    assert (
        dict(zip(facts["Fact"], facts["Value"], strict=True))["Left out (on the do-not-text list)"]
        == "1"
    )
    at.button(key="send.confirm").click().run()
    send_id = at.session_state["send.active_id"]
    wait_for_send(journal, send_id)
    numbers = [
        c["phoneNumber"]
        for b in journal.batches(send_id)
        for c in journal.batch_payload(b.id)["contacts"]
    ]
    assert numbers == ["19495001234", "19495009992"]
    at.query_params["send"] = str(send_id)
    at.switch_page("pages/history.py").run()
    assert "1 recipient(s) were left out: on the do-not-text list." in texts(at)


def test_a_send_where_everyone_is_listed_cannot_be_confirmed(tmp_path):
    listed(tmp_path, "19495001234", "19495009990", "19495009992")
    at = composed("Hi %%FIRST NAME%%", CSV)
    assert not at.exception
    assert "All 3 recipient(s) are on the do-not-text list" in texts(at)
    send = at.button(key="compose.send")
    assert send.disabled and "do-not-text list" in (send.help or "")


def test_a_test_send_to_a_listed_number_says_so_and_sends_nothing(tmp_path):
    journal = listed(tmp_path, "19495001299")
    at = composed("Hi", "+1 949 500 1234")
    at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
    at.button(key="compose.send_test").click().run()
    assert not at.exception
    assert "+19495001299 is on the do-not-text list" in texts(at)
    assert journal.list_sends() == []


def test_status_adds_the_opted_out_contacts_in_one_click(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV)
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    journal = journal_of(tmp_path)
    send_id = at.session_state["send.active_id"]
    wait_for_send(journal, send_id)
    [batch] = journal.batches(send_id)
    assert batch.state is BatchState.ACCEPTED
    at.query_params["tx"] = [batch.transaction_id]
    at.switch_page("pages/status.py").run()
    wait_until(
        lambda: (
            [b for b in at.button if b.key == "status.dnt_add"]
            or at.button(key="status.refresh").click().run() is None
        ),
        timeout=30,
        every=0.5,
        what="Status's offer of the opted-out contacts",
    )
    button = at.button(key="status.dnt_add")
    viewer = signed_in("vera@example.com").run()
    viewer.query_params["tx"] = [batch.transaction_id]
    viewer.switch_page("pages/status.py").run()
    assert any("state" in d.value.columns for d in viewer.dataframe)
    assert not [b for b in viewer.button if b.key == "status.dnt_add"]  # listing needs SEND
    assert button.label == "Add the 1 opted-out contact(s) to the do-not-text list"
    assert at.text_input(key="status.dnt_reason").value.startswith(
        "opted out (Acoustic answered “The contact has opted out"
    )
    button.click().run()
    assert not at.exception
    assert "1 contact(s) added to the do-not-text list" in texts(at)
    [record] = journal.search_suppressions()
    assert (record.phone_number, record.source) == ("19495009992", "status")
    at.run()
    assert not [b for b in at.button if b.key == "status.dnt_add"]

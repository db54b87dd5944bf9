"""Maker/checker on the pages (AppTest), in live mode against the sandbox: the sender's
confirmation asks for approval; the approver sees the same confirmation on Approvals and approves
or rejects; the sender follows the request on Compose and History."""

from __future__ import annotations

import pytest

from components.core.states import ApprovalState
from components.journal import Journal
from components.ui.text import plain
from tests.apptest_support import composed, signed_in, texts, wait_for_send

CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n"
pytestmark = pytest.mark.usefixtures("app_environment", "fresh_tokens")


@pytest.fixture
def live(monkeypatch, sandbox):
    """Credentials for the sandbox: the console is in live mode, as against a real pod."""
    monkeypatch.setenv("ACOUSTIC_BASE_URL", sandbox.url)
    monkeypatch.setenv("ACOUSTIC_CLIENT_ID", sandbox.config.client_id)
    monkeypatch.setenv("ACOUSTIC_CLIENT_SECRET", sandbox.config.client_secret)
    monkeypatch.setenv("ACOUSTIC_REFRESH_TOKEN", sandbox.config.refresh_token)
    return sandbox


def ask_for_approval(email: str = "sam@example.com"):
    at = composed("Hi %%FIRST NAME%%", CSV, email=email)
    at.button(key="compose.send").click().run()
    shown = texts(at)
    assert "This sends **real SMS** to **2 phones**" in shown
    assert "This send needs approval: every send to a live pod needs approval" in shown
    confirm = at.button(key="send.confirm")
    assert confirm.label == "Ask for approval to send 2 SMS"
    confirm.click().run()
    assert not at.exception
    return at, at.session_state["send.active_id"]


def approvals_page(email: str):
    at = signed_in(email).run()
    at.switch_page("pages/approvals.py").run()
    assert not at.exception
    return at


def test_a_live_send_waits_and_the_approver_sends_exactly_it(live, tmp_path):
    sender, send_id = ask_for_approval()
    journal = Journal(tmp_path / "journal.sqlite3")
    assert "It is waiting for an approver" in texts(sender)
    assert "awaiting approval" in texts(sender)
    assert live.sent_payloads() == []

    approver = approvals_page("carol@example.com")
    shown = texts(approver)
    label = approver.expander[0].label  # the address shown, never a link inside the toggle
    assert plain(label).startswith(f"Send #{send_id} · 2 recipients · asked by sam@example.com")
    assert "sam@example.com" not in label
    assert "1 send awaiting your approval" in str([p.proto for p in approver.get("page_link")])
    assert "This sends **real SMS** to **2 phones**" in shown  # the confirmation the sender saw
    assert "every send to a live pod needs approval" in shown
    facts = approver.dataframe[0].value
    assert dict(zip(facts["Fact"], facts["Value"], strict=True))["Recipients"] == "2"
    approver.text_area(key=f"approvals.note.{send_id}").set_value("Looks right")
    approver.button(key=f"approvals.approve.{send_id}").click().run()
    assert not approver.exception
    assert f"Send #{send_id} is approved and sending" in texts(approver)
    wait_for_send(journal, send_id)
    assert [p["contacts"] for p in live.sent_payloads()] == [
        [
            {"phoneNumber": "19495001234", "personalization": {"FIRST NAME": "Ann"}},
            {"phoneNumber": "447911123456", "personalization": {"FIRST NAME": "Bob"}},
        ]
    ]
    assert journal.latest_approval(send_id).decided_by == "carol@example.com"
    assert "Nothing is waiting for approval" in texts(approver)
    assert "Looks right" in approver.dataframe[0].value.to_csv()  # decided lately

    sender.run()
    assert "carol@example.com approved it" in texts(sender)
    titles = [m.value for m in sender.markdown if m.value.startswith(f"**Send #{send_id}**")]
    assert len(titles) == 1, titles  # the approval and the progress under one title


def test_a_rejection_needs_a_note_sends_nothing_and_the_sender_reads_why(live, tmp_path):
    sender, send_id = ask_for_approval()
    approver = approvals_page("ops@example.com")  # an admin approves too
    approver.button(key=f"approvals.reject.{send_id}").click().run()
    assert "Say why you reject it" in texts(approver)
    approver.text_area(key=f"approvals.note.{send_id}").set_value("Use the OTP program")
    approver.button(key=f"approvals.reject.{send_id}").click().run()
    assert f"Send #{send_id} is rejected; nothing was sent." in texts(approver)
    sender.run()
    assert "ops@example.com rejected it" in texts(sender)
    assert "Use the OTP program" in texts(sender)
    assert live.sent_payloads() == []
    history = signed_in("sam@example.com").run()
    history.query_params["send"] = str(send_id)
    history.switch_page("pages/history.py").run()
    assert history.dataframe[0].value["State"].tolist() == ["not approved"]
    assert not [b for b in history.button if b.label.startswith("Resume")]


def test_an_approver_cannot_approve_their_own_send_but_can_withdraw_it(live, tmp_path):
    _, send_id = ask_for_approval("carol@example.com")
    own = approvals_page("carol@example.com")
    assert "You asked for this send, and nobody approves their own" in texts(own)
    assert not [b for b in own.button if b.key == f"approvals.approve.{send_id}"]
    assert not [p for p in own.get("page_link") if "awaiting your approval" in str(p.proto)]
    own.button(key=f"send.withdraw.{send_id}").click().run()
    journal = Journal(tmp_path / "journal.sqlite3")
    assert journal.latest_approval(send_id).state is ApprovalState.WITHDRAWN
    assert live.sent_payloads() == []


def test_the_same_send_again_says_it_is_already_waiting(live):
    sender, send_id = ask_for_approval()
    sender.button(key="compose.send").click().run()
    assert f"This exact send is already waiting for approval (send #{send_id})" in texts(sender)
    assert not [b for b in sender.button if b.key == "send.confirm"]
    assert not [c for c in sender.checkbox if c.key == "send.repeat_ok"]


def test_a_change_to_the_draft_replaces_the_pending_request(live, tmp_path):
    sender, first = ask_for_approval()
    sender.session_state["compose.content"] = "Hello %%FIRST NAME%%"
    sender.run()
    sender.button(key="compose.send").click().run()
    sender.button(key="send.confirm").click().run()
    second = sender.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    assert second != first
    assert journal.latest_approval(first).state is ApprovalState.WITHDRAWN
    assert journal.latest_approval(second).state is ApprovalState.PENDING


def test_viewers_and_senders_do_not_get_the_approvals_page(live):
    for email in ("vera@example.com", "sam@example.com"):
        at = approvals_page(email)
        assert "Approvals is not open to your role" in texts(at)
        assert not [b for b in at.button if (b.key or "").startswith("approvals.")]


def test_sandbox_sends_need_no_approval_by_default(tmp_path):
    at = composed("Hi %%FIRST NAME%%", CSV, email="sam@example.com")
    at.button(key="compose.send").click().run()
    assert "needs approval" not in texts(at)
    assert at.button(key="send.confirm").label == "Send 2 SMS (sandbox)"

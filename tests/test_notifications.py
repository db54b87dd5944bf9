"""Notifications: from the event (written with it, in the outbox) to a real SMTP server and a real
webhook receiver on loopback. The right people hear of each event, with no contact data; a
receiver that fails twice gets it once; a hung receiver never holds up a send; a restart or a
second replica never delivers one twice; a bad configuration is named and the rest works."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa

from components.core.states import BatchState, NotificationEvent
from components.journal import AuditAction, Journal
from components.journal.tables import approvals, outbox
from components.notifications import Audience, Notifier, deliver_due, parse_notifications
from components.notifications.channels import DeliveryError, send_email, webhook_body
from components.notifications.messages import compose
from components.sending.decisions import approve_and_send
from components.team.approvals import reject
from components.templates import approve_template, save_template
from tests.apptest_support import journaled_send
from tests.notification_support import mailbox, tls_mailbox, webhook_receiver
from tests.sending_support import batches, client_for, submit
from tests.test_approvals import CAROL, SAM, live_send
from tests.test_templates import APPROVER, OTP, SENDER

pytestmark = pytest.mark.usefixtures("fresh_tokens")

TEAM = Audience(approvers=("carol@example.com", "dan@example.com", "sam@example.com"), local=False)
PUBLIC = "https://sms.example.com"


def configured(box=None, hook=None, **extra) -> object:
    section: dict = {"failed_share": 0.05, **extra}
    if box is not None:
        section["email"] = {
            "host": box.host,
            "port": box.port,
            "security": "none",
            "sender": "SMS Console <sms@example.com>",
            "local_mode_to": ["marketing@example.com"],
        }
    if hook is not None:
        section["webhooks"] = [{"url": hook.url, "format": "slack"}]
    settings = parse_notifications({"public_url": PUBLIC, "notifications": section})
    assert not settings.problems, settings.problems
    return settings


def test_the_configuration_is_read_and_each_bad_value_named_while_the_rest_works():
    settings = parse_notifications(
        {
            "public_url": "sms.example.com",
            "notifications": {
                "failed_share": 5,
                "email": {"host": "smtp.example.com", "security": "ssl", "sender": "x@y.z"},
                "webhooks": [
                    {"url": "https://hooks.slack.com/services/T/B/secret", "events": ["nope"]},
                    {"url": "https://example.webhook.office.com/x", "format": "teams"},
                    {"url": "not a url"},
                ],
            },
        }
    )
    problems = "\n".join(settings.problems)
    assert "is not a web address" in problems and "failed_share" in problems
    assert "security 'ssl'" in problems and "Webhook 3" in problems
    assert "does not know: nope" in problems
    assert settings.email is None and settings.failed_share == 0.05 and settings.public_url == ""
    slack, teams = settings.webhooks
    assert slack.events == frozenset() and teams.events == frozenset(NotificationEvent)
    assert "secret" not in slack.name and "secret" not in slack.masked
    assert parse_notifications({}).configured is False  # nothing configured: nothing is sent


def test_a_request_reaches_the_approvers_and_the_decision_its_author_by_email_and_chat(
    sandbox, worker
):
    with mailbox() as box, webhook_receiver() as hook, client_for(sandbox) as client:
        settings = configured(box, hook)
        send_id = live_send(worker, client, batches(2))
        assert deliver_due(worker.journal, settings, TEAM, owner="me") == 2  # email + chat
        (asked,) = box.messages
        assert asked["To"] == "carol@example.com, dan@example.com"  # not its author
        assert asked["Subject"] == f"Send #{send_id} waits for your approval"
        body = asked.get_content()
        assert "sam@example.com asks for a second person's approval" in body
        assert f"{PUBLIC}/approvals" in body and "Recipients: 6" in body
        assert hook.bodies[0]["text"].startswith(f"*Send #{send_id} waits for your approval*")
        approve_and_send(worker, client, send_id, by=CAROL, mode="pod", note="Checked")
        worker.wait(send_id, timeout=20)
        deliver_due(worker.journal, settings, TEAM, owner="me")
        decided = box.to("sam@example.com")
        assert [m["Subject"] for m in decided] == [f"Send #{send_id} was approved"]
        assert "by carol@example.com" in decided[0].get_content()
        assert f"{PUBLIC}/history?send={send_id}" in decided[0].get_content()
        # Nothing personal: no phone number or message text of the send in any notification.
        everything = [m.get_content() for m in box.messages] + [json.dumps(hook.bodies)]
        numbers = [c["phoneNumber"] for p in batches(2) for c in p["contacts"]]
        assert not any(n in text for n in numbers for text in everything)
        assert not any(p["content"] in text for p in batches(2) for text in everything)
        audited = worker.journal.audit_entries(action=AuditAction.NOTIFICATION)
        assert {e.details["event"] for e in audited} == {"approval_requested", "approval_decided"}
        assert all(e.details["outcome"].startswith("delivered") for e in audited)
        assert {e.details["channel"] for e in audited} == {"email", "slack webhook at 127.0.0.1"}


def test_a_rejection_tells_its_author_why_and_local_mode_tells_the_configured_address(
    sandbox, worker
):
    with mailbox() as box, client_for(sandbox) as client:
        settings = configured(box)
        send_id = live_send(worker, client, batches(1))
        reject(worker.journal, send_id, by=CAROL, note="Wrong program for codes")
        deliver_due(worker.journal, settings, Audience(local=True), owner="me")
    assert {m["To"] for m in box.messages} == {"marketing@example.com"}
    rejected = next(m for m in box.messages if "rejected" in m["Subject"])
    assert "Their note: Wrong program for codes" in rejected.get_content()


def test_a_finished_send_notifies_its_sender_only_when_too_many_failed(journal):
    with mailbox() as box:
        settings = configured(box)
        for number, failing in enumerate((0, 1)):
            contacts = [f"1949500{number}{n:03d}" for n in range(20)]
            body = {"channelQualifier": "1", "content": "x"}
            body["contacts"] = [{"phoneNumber": c} for c in contacts]
            record = journaled_send(journal, [body], created_by="sam@example.com")
            (batch,) = journal.batches(record.id)
            journal.claim_batch(batch.id, "me")
            journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=f"tx-{number}")
            # One of 20 failed (5%: not more than the share), then two of 20 (10%).
            answers = [(c, i > failing, "Blocked") for i, c in enumerate(contacts)]
            journal.record_outcomes(f"tx-{number}", answers)
            journal.reschedule_follow(f"tx-{number}", next_at=None, finished=True)
        deliver_due(journal, settings, TEAM, owner="me")
    (finished,) = box.messages
    assert finished["To"] == "sam@example.com" and finished["Subject"].endswith(": 10% failed")
    assert "2 of 20 failed" in finished.get_content()
    assert f"{PUBLIC}/status?tx=tx-1" in finished.get_content()  # its outcomes, on Status


def test_a_receiver_that_fails_twice_then_accepts_gets_it_once(journal):
    with webhook_receiver() as hook:
        hook.refuse = 2
        settings = configured(hook=hook)
        journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 7}, dedupe="once")
        at = time.time()
        for step in range(4):  # each attempt after the backoff of the one before
            deliver_due(journal, settings, TEAM, owner="me", now=at + step * 4000)
        assert hook.attempts == 3 and len(hook.bodies) == 1
        (notification,) = journal.notifications()
        assert notification.finished_at is not None and notification.attempts == 3
        assert notification.last_error is None
        failures = [
            e.details["outcome"] for e in journal.audit_entries(action=AuditAction.NOTIFICATION)
        ]
        assert sum(o.startswith("failed: the webhook answered 503") for o in failures) == 2


def test_a_delivery_failing_for_a_day_is_given_up_with_the_reason_kept(journal):
    with webhook_receiver() as hook:
        hook.refuse = 10**6
        settings = configured(hook=hook)
        journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 7}, dedupe="once")
        at = time.time()
        deliver_due(journal, settings, TEAM, owner="me", now=at)
        deliver_due(journal, settings, TEAM, owner="me", now=at + 86400 + 60)
    (notification,) = journal.notifications()
    assert notification.gave_up_at is not None and notification.next_at is None
    assert "503" in notification.last_error and "secret-part" not in notification.last_error


def test_a_hung_webhook_never_holds_up_a_send(sandbox, worker):
    """The notifier delivers in its own thread: while its request hangs, a send goes out."""
    with webhook_receiver() as hook, client_for(sandbox) as client:
        hook.hold = threading.Event()
        settings = configured(hook=hook)
        worker.journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 1}, dedupe="x")
        notifier = Notifier(worker.journal, lambda: settings, lambda: TEAM, owner="me").start()
        try:
            assert hook.arrived.wait(10)  # the notifier is stuck in the webhook's request
            send_id = submit(worker, client, batches(2), SAM)  # a sandbox send: no approval
            worker.wait(send_id, timeout=20)
            assert worker.journal.get_send(send_id).batch_states == {"accepted": 2}
            assert hook.bodies == []  # the delivery is still hanging: the send did not wait
        finally:
            hook.hold.set()
            notifier.stop()
    assert len(hook.bodies) == 1


@pytest.mark.storage
def test_a_restart_or_a_second_replica_never_delivers_one_twice(journal, journal_location):
    with webhook_receiver() as hook:
        settings = configured(hook=hook)
        for n in range(6):
            journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": n}, dedupe=f"n{n}")
        # Two replicas (journals of their own on the same database) deliver at once...
        other = Journal(journal_location)
        rounds = [
            threading.Thread(target=deliver_due, args=(j, settings, TEAM), kwargs={"owner": o})
            for j, o in ((journal, "replica-a"), (other, "replica-b"))
        ]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join(30)
        # ...and a restarted one finds nothing left to do.
        other.close()
        restarted = Journal(journal_location)
        deliver_due(restarted, settings, TEAM, owner="replica-a-again", now=time.time() + 3600)
        restarted.close()
    sent = sorted(int(b["text"].split("#")[1].split(" ")[0]) for b in hook.bodies)
    assert sent == list(range(6))


def test_messages_say_what_happened_with_a_link_and_teams_gets_a_card():
    message = compose(
        NotificationEvent.SEND_STARTED,
        {"send_id": 4, "starting": 1200, "batches": 2, "program": "77", "mode": "pod"},
        PUBLIC,
    )
    assert message.subject == "Send #4 started on schedule"
    assert "1,200 recipient(s) in 2 batch(es)" in message.text and "Mode: live" in message.text
    assert message.link == f"{PUBLIC}/history?send=4"
    settings = parse_notifications(
        {"notifications": {"webhooks": [{"url": "https://x.example/h", "format": "teams"}]}}
    )
    card = webhook_body(settings.webhooks[0], message)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["actions"][0]["url"] == message.link
    assert compose(NotificationEvent.SEND_STARTED, {"send_id": 4}, "").link == ""


def test_the_outbox_row_is_written_with_its_audit_entry(journal):
    asked = {"awaiting_approval": True}
    journal.record_audit("sam@example.com", AuditAction.SEND_REQUESTED, details=asked)
    journal.record_audit("sam@example.com", AuditAction.EXPORT, details={"rows": 1})
    with journal.engine.connect() as conn:
        events = conn.execute(sa.select(outbox.c.event)).scalars().all()
    assert events == ["approval_requested"]


def test_a_saved_template_version_asks_the_approvers_and_its_approval_tells_its_author(journal):
    with mailbox() as box:
        settings = configured(box)
        team = Audience(approvers=("ann@example.com", "bo@example.com"), local=False)
        save_template(journal, "One-time code", OTP, actor=SENDER)
        approve_template(journal, "One-time code", 1, by=APPROVER)
        deliver_due(journal, settings, team, owner="me")
    asked, approved = box.to("bo@example.com"), box.to("ann@example.com")
    assert [m["Subject"] for m in asked] == [
        "The template “One-time code” v1 waits for your approval"
    ]
    assert [m["Subject"] for m in approved] == ["The template “One-time code” v1 was approved"]
    assert f"{PUBLIC}/templates" in approved[0].get_content()
    assert OTP.content not in asked[0].get_content()  # its message stays in the console


def test_a_request_about_to_expire_reminds_the_approvers_once(sandbox, worker):
    with mailbox() as box, client_for(sandbox) as client:
        settings = configured(box)
        send_id = live_send(worker, client, batches(1))
        with worker.journal.engine.begin() as conn:
            conn.execute(sa.update(approvals).values(expires_at=time.time() + 1800))
        for _ in range(3):
            deliver_due(worker.journal, settings, TEAM, owner="me")
    reminders = [m for m in box.messages if "expires within the hour" in m["Subject"]]
    assert len(reminders) == 1 and reminders[0]["To"] == "carol@example.com, dan@example.com"
    assert reminders[0]["Subject"] == f"Send #{send_id}'s approval request expires within the hour"


def test_email_over_starttls_with_a_login_and_a_refused_login_is_named(tmp_path):
    """The mail server requires STARTTLS and a login; its certificate is checked (against the
    ca_file of a private relay): the right password delivers, a wrong one says what it said."""
    with tls_mailbox(tmp_path, "console", "right-password") as (box, ca_file):
        email = {
            "host": box.host,
            "port": box.port,
            "security": "starttls",
            "username": "console",
            "password": "right-password",
            "sender": "sms@example.com",
            "ca_file": str(ca_file),
        }
        settings = parse_notifications({"notifications": {"email": email}})
        assert not settings.problems and "right-password" not in settings.email.masked
        message = compose(NotificationEvent.SEND_STARTED, {"send_id": 1}, "")
        assert send_email(settings.email, ["sam@example.com"], message).startswith("accepted")
        assert box.to("sam@example.com")
        wrong = parse_notifications({"notifications": {"email": {**email, "password": "x"}}})
        with pytest.raises(DeliveryError, match="answered 535"):
            send_email(wrong.email, ["sam@example.com"], message)
        unchecked = parse_notifications({"notifications": {"email": {**email, "ca_file": ""}}})
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            send_email(unchecked.email, ["sam@example.com"], message)  # not trusted: not sent


def test_an_unexpected_error_of_one_channel_is_a_failure_of_that_channel_only(journal):
    """A webhook address httpx cannot even parse: that channel fails (its error's type only, no
    address in it), the email goes, and the notification is tried again later, not lost."""
    with mailbox() as box:
        settings = parse_notifications(
            {
                "notifications": {
                    "email": {**_email_of(box), "local_mode_to": ["marketing@example.com"]},
                    "webhooks": [{"url": "https://hooks.example.com:port/secret-part"}],
                }
            }
        )
        journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 1}, dedupe="x")
        deliver_due(journal, settings, Audience(local=True), owner="me")
        assert len(box.messages) == 1
        (notification,) = journal.notifications()
        assert notification.next_at is not None and notification.delivered == ("email",)
        assert "unexpected" in notification.last_error and "secret" not in notification.last_error
        deliver_due(journal, settings, Audience(local=True), owner="me", now=time.time() + 60)
        assert len(box.messages) == 1  # the email is never sent twice


def _email_of(box) -> dict:
    return {"host": box.host, "port": box.port, "security": "none", "sender": "s@example.com"}


def test_a_send_with_batches_still_to_go_is_not_finished_when_its_first_follow_up_ends(journal):
    contacts = [f"1949500{n:04d}" for n in range(4)]
    bodies = [
        {"channelQualifier": "1", "content": "x", "contacts": [{"phoneNumber": c}]}
        for c in contacts[:2]
    ]
    record = journaled_send(journal, bodies, created_by="sam@example.com")
    first, second = journal.batches(record.id)
    journal.claim_batch(first.id, "me")
    journal.finish_batch(first.id, BatchState.ACCEPTED, transaction_id="tx-a")
    journal.record_outcomes("tx-a", [(contacts[0], False, "Blocked")])
    journal.reschedule_follow("tx-a", next_at=None, finished=True)
    assert journal.notifications() == []  # the second batch has not gone yet
    journal.claim_batch(second.id, "me")
    journal.finish_batch(second.id, BatchState.ACCEPTED, transaction_id="tx-b")
    journal.record_outcomes("tx-b", [(contacts[1], True, None)])
    journal.reschedule_follow("tx-b", next_at=None, finished=True)
    (finished,) = journal.notifications()
    assert finished.event is NotificationEvent.SEND_FINISHED
    assert (finished.facts["sent"], finished.facts["failed"]) == (1, 1)
    assert finished.facts["transactions"] == ["tx-a", "tx-b"]


def test_while_the_configuration_cannot_be_read_nothing_is_decided(journal):
    """A secrets file being edited reads as nothing: the notifier waits, it does not finish the
    due notifications as "nothing configured"."""
    journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 1}, dedupe="x")
    notifier = Notifier(journal, lambda: None, lambda: TEAM, owner="me")
    assert notifier.run_once() == 0
    (waiting,) = journal.notifications()
    assert waiting.next_at is not None and waiting.attempts == 0
    with webhook_receiver() as hook:
        notifier.settings = lambda: configured(hook=hook)
        notifier.run_once()
    assert len(hook.bodies) == 1

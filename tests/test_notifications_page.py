"""Settings' Notifications section with AppTest: what is configured (no secret shown), each bad
value named, a test notification per channel with the server's answer (and audited), and the
deliveries that were given up with the reason."""

from __future__ import annotations

import time

import pytest

from components.core.states import NotificationEvent
from components.journal import AuditAction, Journal
from components.notifications import parse_notifications
from tests.apptest_support import new_app, texts
from tests.notification_support import mailbox, webhook_receiver

pytestmark = pytest.mark.usefixtures("app_environment")


def test_settings_shows_the_channels_sends_a_test_on_each_and_names_what_is_wrong(tmp_path):
    with mailbox() as box, webhook_receiver() as hook:
        hook.refuse = 1
        at = new_app()
        at.secrets["console"] = {
            "public_url": "https://sms.example.com",
            "notifications": {
                "email": {
                    "host": box.host,
                    "port": box.port,
                    "security": "none",
                    "sender": "SMS Console <sms@example.com>",
                    "local_mode_to": ["marketing@example.com"],
                },
                "webhooks": [
                    {"url": hook.url, "format": "teams", "events": ["send_finished"]},
                    {"url": "https://chat.example.com/x", "format": "discord"},
                ],
            },
        }
        at.run().switch_page("pages/settings.py").run()
        assert not at.exception
        teams = f"notifications.test.{parse_notifications(at.secrets['console']).webhooks[0].key}"
        shown = texts(at)
        assert 'format \'discord\' is not "slack" or "teams"' in shown
        assert "secret-part" not in shown  # a webhook's address is its secret
        assert "Links point to https://sms.example.com." in shown
        at.button(key="notifications.test.email").click().run()
        assert "Sent: accepted for 1 address(es)." in texts(at)
        (test_mail,) = box.to("marketing@example.com")
        assert test_mail["Subject"] == "Test notification from the SMS console"
        at.button(key=teams).click().run()
        assert "Not sent: the webhook answered 503: busy, try later." in texts(at)
        at.button(key=teams).click().run()
        assert "Sent: the webhook answered 200: ok." in texts(at)
        assert hook.bodies[0]["attachments"][0]["content"]["type"] == "AdaptiveCard"
    journal = Journal(tmp_path / "journal.sqlite3")
    tests = journal.audit_entries(action=AuditAction.NOTIFICATION)
    assert [e.details["event"] for e in tests] == ["test"] * 3


def test_a_given_up_delivery_is_listed_with_what_the_server_said(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.notify(NotificationEvent.SEND_INTERRUPTED, {"send_id": 3}, dedupe="x")
    (waiting,) = journal.notifications()
    journal.record_delivery(
        waiting.id, delivered=[], next_at=None, error="webhook 1: answered 404", gave_up=True,
        now=time.time(),
    )  # fmt: skip
    at = new_app()
    at.secrets["console"] = {"notifications": {"webhooks": [{"url": "https://x.example/h"}]}}
    at.run().switch_page("pages/settings.py").run()
    table = at.dataframe[-1].value
    assert table.to_dict("records")[0]["What the server said"] == "webhook 1: answered 404"
    assert table.to_dict("records")[0]["State"] == "given up"
    assert "1 given up" in texts(at)


def test_without_notifications_settings_says_how_to_add_them():
    at = new_app().run().switch_page("pages/settings.py").run()
    assert "No notifications are configured" in texts(at)
    assert any("[console.notifications.email]" in c.value for c in at.code)

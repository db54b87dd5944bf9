"""Delivering one message on one channel: email over SMTP (the stdlib's smtplib: STARTTLS, TLS or
plain, a login when configured) or a Slack- or Teams-compatible incoming webhook (JSON over
httpx). Each returns what the server answered, for the outbox and Settings; a failure raises
DeliveryError with that answer. Timeouts are short: the notifier runs in a thread of its own, but a
hung server must not hold it long."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from components.notifications.messages import Message
from components.notifications.settings import EmailChannel, Webhook

TIMEOUT = 10.0


class DeliveryError(Exception):
    """A channel refused or did not answer: the message says what, in the server's words."""


def send_email(channel: EmailChannel, to: Sequence[str], message: Message) -> str:
    if not to:
        raise DeliveryError("no address to send it to")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = channel.sender
    mail["To"] = ", ".join(to)
    mail["Message-ID"] = make_msgid(domain="sms-console")
    mail.set_content(message.plain)
    try:
        if channel.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                channel.host, channel.port, timeout=TIMEOUT, context=_tls(channel)
            )
        else:
            server = smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT)
        with server:
            if channel.security == "starttls":
                server.starttls(context=_tls(channel))
            if channel.username:
                server.login(channel.username, channel.password)
            refused = server.send_message(mail)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"the mail server answered {exc.smtp_code}: {_said(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"the mail server refused every address ({len(exc.recipients)})"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"the mail server could not be reached: {type(exc).__name__}: {exc}"
        ) from None
    if refused:
        return f"accepted for {len(to) - len(refused)} of {len(to)} address(es)"
    return f"accepted for {len(to)} address(es)"


def _tls(channel: EmailChannel) -> ssl.SSLContext:
    """The server's certificate checked, against the system's authorities or `ca_file`."""
    return ssl.create_default_context(cafile=channel.ca_file or None)


def webhook_body(hook: Webhook, message: Message) -> dict:
    """Slack's incoming-webhook JSON, or a Teams (Workflows) message with an Adaptive Card."""
    if hook.format == "slack":
        link = f"\n<{message.link}|Open it in the console>" if message.link else ""
        return {"text": f"*{message.subject}*\n{message.text}{link}"}
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "wrap": True},
            *(
                {"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"}
                for line in message.text.splitlines()
            ),
        ],
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open it in the console", "url": message.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def post_webhook(hook: Webhook, message: Message, *, http: httpx.Client | None = None) -> str:
    try:
        if http is None:
            with httpx.Client(timeout=TIMEOUT) as own:
                answer = own.post(hook.url, json=webhook_body(hook, message))
        else:
            answer = http.post(hook.url, json=webhook_body(hook, message), timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"the webhook could not be reached: {type(exc).__name__}") from None
    if answer.status_code >= 300:
        raise DeliveryError(f"the webhook answered {answer.status_code}: {_said(answer.text)}")
    return f"the webhook answered {answer.status_code}: {_said(answer.text) or 'ok'}"


def _said(text: object) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200]

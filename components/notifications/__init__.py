"""Notifications: the people a send needs learn of it by email or chat (settings.py reads the
configuration, messages.py says what and to whom, channels.py delivers, delivery.py runs the
outbox that the journal fills in the same transaction as each event)."""

from components.notifications.delivery import Notifier, deliver_due
from components.notifications.messages import Audience, Message, compose, recipients
from components.notifications.settings import NotificationSettings, parse_notifications

__all__ = [
    "Audience",
    "Message",
    "NotificationSettings",
    "Notifier",
    "compose",
    "deliver_due",
    "parse_notifications",
    "recipients",
]

"""The notifier: a thread of its own (a slow or dead mail server or webhook never delays a send or
a page) that delivers the outbox. Each notification is claimed by one replica at a time, each of
its channels gets it once (a channel that took it is never sent it again), the others are tried
again with a backoff, and after a day it is given up with the last answer kept for Settings.
Every attempt is audited: channel, event, how many recipients, outcome; never the text."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from components.core.states import NotificationEvent
from components.journal import AuditAction, Journal, Notification
from components.notifications.channels import DeliveryError, post_webhook, send_email
from components.notifications.messages import (
    Audience,
    compose,
    failed_too_many,
    recipients,
)
from components.notifications.settings import EmailChannel, NotificationSettings

logger = logging.getLogger(__name__)

BACKOFF = (30.0, 120.0, 600.0, 1800.0, 3600.0)  # after each failed attempt, then hourly
GIVE_UP_AFTER = 86400.0  # a day after the event
EXPIRING_WITHIN = 3600.0  # approval_expiring: a request that expires within the hour
PER_ROUND = 10  # notifications a round delivers at most
ACTOR = "console"


def queue_expiring_approvals(journal: Journal, now: float | None = None) -> None:
    """Once per request: its approvers hear that it expires within the hour."""
    for approval_id in journal.expiring_approvals(EXPIRING_WITHIN, now=now):
        journal.notify(
            NotificationEvent.APPROVAL_EXPIRING,
            journal.approval_facts(approval_id),
            dedupe=f"expiring:{approval_id}",
        )


def deliver_due(
    journal: Journal,
    settings: NotificationSettings,
    audience: Audience,
    *,
    owner: str,
    now: float | None = None,
) -> int:
    """One round: the notifications due now, claimed for `owner` and delivered. Returns how
    many deliveries succeeded."""
    queue_expiring_approvals(journal, now)
    delivered = 0
    for _ in range(PER_ROUND):
        # One at a time: a claim never runs out while slow servers hold the ones before it.
        claimed = journal.claim_due_notifications(owner, now=now, limit=1)
        if not claimed:
            break
        delivered += _deliver(journal, claimed[0], settings, audience, now, owner)
    return delivered


def _deliver(
    journal: Journal,
    notification: Notification,
    settings: NotificationSettings,
    audience: Audience,
    now: float | None,
    owner: str,
) -> int:
    event, facts = notification.event, notification.facts
    message = compose(event, facts, settings.public_url)
    wanted: dict[str, Callable[[], str]] = {}
    count: dict[str, int] = {}
    needed = event is not NotificationEvent.SEND_FINISHED or failed_too_many(
        facts, settings.failed_share
    )
    for name, channel in settings.channels().items() if needed else ():
        if isinstance(channel, EmailChannel):
            to = recipients(event, facts, audience, channel.local_mode_to)
            if to:
                wanted[name] = lambda c=channel, t=to: send_email(c, t, message)
                count[name] = len(to)
        elif event in channel.events:
            wanted[name] = lambda h=channel: post_webhook(h, message)
            count[name] = 1
    done = set(notification.delivered)
    errors = []
    for name, deliver in wanted.items():
        if name in done:
            continue
        try:
            answer = deliver()
        except DeliveryError as exc:
            errors.append(f"{_channel_name(settings, name)}: {exc}")
            outcome = f"failed: {exc}"
        except Exception as exc:  # anything else is a failure of this channel, not the round's
            # Its type only: an unexpected error's text may hold an address or a secret.
            logger.warning("notification #%d on %s: %s", notification.id, name, type(exc).__name__)
            errors.append(f"{_channel_name(settings, name)}: unexpected {type(exc).__name__}")
            outcome = f"failed: unexpected {type(exc).__name__}"
        else:
            done.add(name)
            outcome = f"delivered: {answer}"
        journal.record_audit(
            ACTOR,
            AuditAction.NOTIFICATION,
            send_id=facts.get("send_id"),
            details={
                "channel": _channel_name(settings, name),
                "event": str(event),
                "recipients": count[name],
                "outcome": outcome[:300],
            },
        )
    at = time.time() if now is None else now
    if not errors:
        journal.record_delivery(
            notification.id, delivered=sorted(done), next_at=None, now=at, owner=owner
        )
    elif at - notification.created_at >= GIVE_UP_AFTER:
        logger.warning("gave up notification #%d (%s) after a day", notification.id, event)
        journal.record_delivery(
            notification.id,
            delivered=sorted(done),
            next_at=None,
            error="; ".join(errors),
            gave_up=True,
            now=at,
            owner=owner,
        )
    else:
        wait = BACKOFF[min(notification.attempts, len(BACKOFF) - 1)]
        journal.record_delivery(
            notification.id,
            delivered=sorted(done),
            next_at=at + wait,
            error="; ".join(errors),
            owner=owner,
        )
    return len(done) - len(notification.delivered)


def _channel_name(settings: NotificationSettings, name: str) -> str:
    channel = settings.channels().get(name)
    return name if channel is None or isinstance(channel, EmailChannel) else channel.name


class Notifier:
    """Delivers the outbox every `poll` seconds in its own thread; `settings()` and `audience()`
    give the configuration as it is now (Settings may change it while the console runs;
    `settings()` is None while it cannot be read)."""

    def __init__(
        self,
        journal: Journal,
        settings: Callable[[], NotificationSettings | None],
        audience: Callable[[], Audience],
        *,
        owner: str,
        poll: float = 1.0,
    ) -> None:
        self.journal, self.settings, self.audience = journal, settings, audience
        self.owner, self.poll = owner, poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Notifier:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sms-notifier", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def run_once(self, now: float | None = None) -> int:
        settings = self.settings()
        if settings is None:  # the configuration cannot be read now: nothing is decided
            return 0
        return deliver_due(self.journal, settings, self.audience(), owner=self.owner, now=now)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the notifier must outlive a bad configuration and the database
                logger.exception("the notifier could not deliver the outbox")
            self._stop.wait(self.poll)

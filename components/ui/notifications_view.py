"""Settings' Notifications section: what is configured (secrets masked), what is wrong with it, a
"Send a test notification" per channel that reports what the server answered, and the outbox's
deliveries that wait or were given up, with the reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.journal import AuditAction, Journal
from components.notifications import Message, NotificationSettings
from components.notifications.channels import DeliveryError, post_webhook, send_email
from components.notifications.settings import EmailChannel
from components.team.auth import Identity
from components.ui.local_time import local_time
from components.ui.text import md

EXAMPLE = """[console]
public_url = "https://sms.example.com"

[console.notifications]
failed_share = 0.05

[console.notifications.email]
host = "smtp.example.com"
port = 587
security = "starttls"
username = "..."
password = "..."
sender = "SMS Console <sms@example.com>"
local_mode_to = ["marketing@example.com"]

[[console.notifications.webhooks]]
url = "https://hooks.slack.com/services/..."
format = "slack"
events = ["approval_requested", "send_finished"]"""


def notifications_panel(
    journal: Journal, settings: NotificationSettings | None, who: Identity
) -> None:
    if settings is None:
        st.warning(
            "The secrets file cannot be read just now (is it being edited?), so nothing can be "
            "said of notifications; they wait in the outbox until it can be read.",
            icon=":material/notifications_paused:",
        )
        _outbox(journal)
        return
    for problem in settings.problems:
        st.warning(md(problem), icon=":material/notifications_off:")
    if not settings.configured:
        st.info(
            "No notifications are configured, so nobody is told when a send waits for approval "
            "or fails. Add a `[console.notifications]` section to `.streamlit/secrets.toml`:",
            icon=":material/notifications_off:",
        )
        st.code(EXAMPLE, language="toml")
        return
    st.caption(
        f"Links point to {md(settings.public_url)}."
        if settings.public_url
        else "No `public_url` under `[console]`: notifications carry no link to the console."
    )
    st.caption(
        f"A finished send notifies its sender when more than {settings.failed_share:.0%} of "
        "its recipients failed."
    )
    for name, channel in settings.channels().items():
        left, right = st.columns([4, 1], vertical_alignment="center")
        if isinstance(channel, EmailChannel):
            to = channel.local_mode_to if who.local else (who.email,)
            left.markdown(f"**Email** via {md(channel.masked)}")
        else:
            to = ()
            events = ", ".join(sorted(str(e) for e in channel.events)) or "no event"
            left.markdown(f"**{md(channel.name.capitalize())}** ({md(channel.masked)}): {events}")
        if right.button("Send a test notification", key=f"notifications.test.{name}"):
            _test(journal, settings, name, channel, to, who)
    _outbox(journal)


def _test(
    journal: Journal,
    settings: NotificationSettings,
    name: str,
    channel: object,
    to: tuple[str, ...],
    who: Identity,
) -> None:
    message = Message(
        "Test notification from the SMS console",
        f"{who.actor} sent this test from Settings. Notifications of sends and approvals "
        "arrive here like this one.",
        settings.public_url + "/settings" if settings.public_url else "",
    )
    try:
        with st.spinner("Sending…"):
            if isinstance(channel, EmailChannel):
                answer = send_email(channel, to, message)
            else:
                answer = post_webhook(channel, message)  # type: ignore[arg-type]
    except DeliveryError as exc:
        outcome, shown = f"failed: {exc}", False
    except Exception as exc:  # its type only: the text of an unexpected error may hold a secret
        outcome, shown = f"failed: unexpected {type(exc).__name__}", False
    else:
        outcome, shown = f"delivered: {answer}", True
    journal.record_audit(
        who.actor,
        AuditAction.NOTIFICATION,
        details={
            "channel": name,
            "event": "test",
            "recipients": max(len(to), 1),
            "outcome": outcome,
        },
    )
    if shown:
        st.success(f"Sent: {md(outcome.removeprefix('delivered: '))}.", icon=":material/check:")
    else:
        st.error(
            f"Not sent: {md(outcome.removeprefix('failed: '))}. Check the settings above.",
            icon=":material/error:",
        )


def _outbox(journal: Journal) -> None:
    recent = journal.notifications(limit=50)
    waiting = [n for n in recent if n.next_at is not None]
    given_up = [n for n in recent if n.gave_up_at is not None]
    st.caption(
        f"Of the last {len(recent)} notification(s): {len(waiting)} waiting to be delivered, "
        f"{len(given_up)} given up."
    )
    troubled = [n for n in recent if n.last_error]
    if troubled:
        st.dataframe(
            pd.DataFrame(
                {
                    "Event": [str(n.event) for n in troubled],
                    "Send": [n.facts.get("send_id") for n in troubled],
                    "Since": [local_time(n.created_at) for n in troubled],
                    "Attempts": [n.attempts for n in troubled],
                    "State": ["given up" if n.gave_up_at else "trying again" for n in troubled],
                    "What the server said": [n.last_error for n in troubled],
                }
            ),
            hide_index=True,
            width="stretch",
        )

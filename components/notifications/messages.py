"""What each notification says, and to whom: a sentence of what happened, its figures, and a link
to the console's page for it. Built from the outbox's facts (ids, counts, team members'
addresses), so no phone number, message text, token or secret can reach a notification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from components.core.shares import share_text
from components.core.states import NotificationEvent
from components.team.auth import Role, RoleRules

E = NotificationEvent


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # what happened, then the figures, one per line
    link: str  # the console's page for it; "" without public_url

    @property
    def plain(self) -> str:
        return self.text + (f"\n\nOpen it in the console: {self.link}" if self.link else "")


@dataclass(frozen=True)
class Audience:
    """Who may be told: the approvers the roles name by address, and whether the console runs
    without sign-in (then everything goes to `local_mode_to`)."""

    approvers: tuple[str, ...] = ()
    local: bool = True

    @classmethod
    def of(cls, rules: RoleRules, *, local: bool) -> Audience:
        approvers = sorted(
            email
            for email, roles in rules.emails.items()
            if Role.APPROVER in roles or Role.ADMIN in roles
        )
        return cls(tuple(approvers), local)


def recipients(
    event: NotificationEvent,
    facts: Mapping[str, Any],
    audience: Audience,
    local_mode_to: Sequence[str],
) -> list[str]:
    """The email addresses `event` goes to: the approvers (not the author) for a request, else
    its author; everything to `local_mode_to` without sign-in."""
    if audience.local:
        return list(dict.fromkeys(local_mode_to))
    author = str(facts.get("author") or "").strip().lower()
    if event in (E.APPROVAL_REQUESTED, E.APPROVAL_EXPIRING):
        return [a for a in audience.approvers if a.lower() != author]
    return [author] if "@" in author else []


def failed_too_many(facts: Mapping[str, Any], failed_share: float) -> bool:
    """A finished send notifies its sender only when more than `failed_share` failed."""
    failed = int(facts.get("failed") or 0)
    total = sum(int(facts.get(state) or 0) for state in ("sent", "failed", "pending"))
    return bool(total) and failed / total > failed_share


def compose(event: NotificationEvent, facts: Mapping[str, Any], public_url: str) -> Message:
    if facts.get("template"):
        return _about_template(event, facts, public_url)
    send = f"Send #{facts.get('send_id', '?')}"
    about = _about(facts)
    history = _link(public_url, "history", {"send": facts.get("send_id")})
    approvals = _link(public_url, "approvals", {})
    if event is E.APPROVAL_REQUESTED:
        return Message(
            f"{send} waits for your approval",
            f"{facts.get('author') or 'Someone'} asks for a second person's approval of "
            f"{send.lower()}.\n{about}",
            approvals,
        )
    if event is E.APPROVAL_EXPIRING:
        until = _when(facts.get("expires_at"))
        return Message(
            f"{send}'s approval request expires within the hour",
            f"Nobody has decided on {send.lower()} yet; its request expires {until}.\n{about}",
            approvals,
        )
    if event is E.APPROVAL_DECIDED:
        decision = str(facts.get("decision") or "decided")
        by = (
            f" by {facts['decided_by']}"
            if decision != "expired" and facts.get("decided_by")
            else ""
        )
        note = f"\nTheir note: {facts['note']}" if facts.get("note") else ""
        ending = {
            "approved": "It goes out now (or at its scheduled time).",
            "rejected": "Nothing was sent.",
            "expired": "Nobody decided in time, so nothing was sent; ask again if it should go.",
        }.get(decision, "")
        return Message(
            f"{send} was {decision}",
            f"{send} was {decision}{by}. {ending}{note}\n{about}",
            history,
        )
    if event is E.SEND_STARTED:
        return Message(
            f"{send} started on schedule",
            f"{send} started at its scheduled time: {int(facts.get('starting') or 0):,} "
            f"recipient(s) in {int(facts.get('batches') or 0):,} batch(es).\n{about}",
            history,
        )
    if event is E.SEND_FINISHED:
        sent, failed, pending = (int(facts.get(s) or 0) for s in ("sent", "failed", "pending"))
        total = sent + failed + pending
        return Message(
            f"{send}: {share_text(failed, total)} failed",
            f"Acoustic has reported on every recipient of {send.lower()}: {failed:,} of "
            f"{total:,} failed ({share_text(failed, total)}). See the reasons and what to do on "
            f"its page.\nSent: {sent:,}\nFailed: {failed:,}\nPending: {pending:,}\n{about}",
            _link(public_url, "status", {"tx": facts["transactions"]})
            if facts.get("transactions")
            else history,
        )
    stopped = int(facts.get("unknown_batches") or 0)
    return Message(
        f"{send} was interrupted",
        f"{send} stopped in the middle (the console that ran it stopped) and another took it "
        f"over. {stopped:,} batch(es) may or may not have gone out: check them before "
        f"resending.\n{about}",
        history,
    )


def _about_template(event: NotificationEvent, facts: Mapping[str, Any], public_url: str) -> Message:
    version = f"the template “{facts['template']}” v{facts.get('version', '?')}"
    link = _link(public_url, "templates", {})
    if event is E.APPROVAL_DECIDED:
        return Message(
            f"{version[0].upper()}{version[1:]} was approved",
            f"{facts.get('decided_by') or 'An approver'} approved {version}: a send from it "
            "may go out without a second person, within the approval rule's limit.",
            link,
        )
    return Message(
        f"{version[0].upper()}{version[1:]} waits for your approval",
        f"{facts.get('author') or 'Someone'} saved {version}. Approve it on the Templates page "
        "for its routine sends to go out at once.",
        link,
    )


def _about(facts: Mapping[str, Any]) -> str:
    parts = [
        f"Program: {facts['program']}" if facts.get("program") else "",
        f"Recipients: {int(facts['recipients']):,}" if facts.get("recipients") else "",
        f"Mode: {'live' if facts.get('mode') == 'pod' else facts.get('mode')}"
        if facts.get("mode")
        else "",
    ]
    return "\n".join(part for part in parts if part)


def _link(public_url: str, page: str, params: Mapping[str, Any]) -> str:
    if not public_url:
        return ""
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"{public_url}/{page}" + (f"?{query}" if query else "")


def _when(at: object) -> str:
    if not isinstance(at, (int, float)):
        return "soon"
    return f"at {datetime.fromtimestamp(float(at), UTC):%H:%M} UTC"

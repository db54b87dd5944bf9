"""`[console.notifications]` (and `[console] public_url`) read into what the notifier needs. A bad
value is named in `problems` (Settings shows them) and leaves the rest working; without these
sections nothing is sent."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from components.core.states import NotificationEvent

DEFAULT_FAILED_SHARE = 0.05
SECURITIES = ("starttls", "tls", "none")
FORMATS = ("slack", "teams")
SOURCE = "[console.notifications] in secrets.toml"


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    sender: str
    username: str = ""
    password: str = field(default="", repr=False)
    local_mode_to: tuple[str, ...] = ()
    ca_file: str = ""  # a PEM file the server's certificate is checked against (a private relay)

    @property
    def masked(self) -> str:
        login = f", signing in as {self.username} (password set)" if self.username else ""
        return f"{self.host}:{self.port} ({self.security}) from {self.sender}{login}"


@dataclass(frozen=True)
class Webhook:
    url: str = field(repr=False)  # a webhook's address is its secret
    format: str  # "slack" or "teams"
    events: frozenset[NotificationEvent]

    @property
    def key(self) -> str:
        """What the outbox records a delivery to this webhook under: its address's digest, so
        that a reordered configuration never takes one webhook for another."""
        return "webhook " + hashlib.sha256(self.url.encode()).hexdigest()[:10]

    @property
    def name(self) -> str:
        """The channel's name in the audit log and on Settings: no secret part of the address."""
        return f"{self.format} webhook at {urlsplit(self.url).hostname or '?'}"

    @property
    def masked(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}/…"


@dataclass(frozen=True)
class NotificationSettings:
    public_url: str = ""
    failed_share: float = DEFAULT_FAILED_SHARE
    email: EmailChannel | None = None
    webhooks: tuple[Webhook, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return self.email is not None or bool(self.webhooks)

    def channels(self) -> dict[str, EmailChannel | Webhook]:
        """Each channel by the name the outbox records deliveries under."""
        found: dict[str, EmailChannel | Webhook] = {}
        if self.email is not None:
            found["email"] = self.email
        for hook in self.webhooks:
            found[hook.key] = hook
        return found


def parse_notifications(console: object) -> NotificationSettings:
    """`[console]` (a mapping, or anything else: nothing configured) -> the settings."""
    if not isinstance(console, Mapping):
        return NotificationSettings()
    problems: list[str] = []
    public_url = str(console.get("public_url") or "").strip().rstrip("/")
    if public_url and urlsplit(public_url).scheme not in ("http", "https"):
        problems.append(
            f"`console.public_url` {public_url!r} is not a web address: write it as "
            '"https://sms.example.com". Links in notifications are left out until it is.'
        )
        public_url = ""
    section = console.get("notifications")
    if section is None:
        return NotificationSettings(public_url=public_url, problems=tuple(problems))
    if not isinstance(section, Mapping):
        problems.append("`console.notifications` must be a table: `[console.notifications]`.")
        return NotificationSettings(public_url=public_url, problems=tuple(problems))
    share = _share(section.get("failed_share", DEFAULT_FAILED_SHARE), problems)
    email = _email(section.get("email"), problems)
    hooks = section.get("webhooks") or []
    if not isinstance(hooks, list):
        problems.append(
            "`console.notifications.webhooks` must be a list: write each as "
            "`[[console.notifications.webhooks]]`."
        )
        hooks = []
    webhooks = tuple(
        hook for n, raw in enumerate(hooks, 1) if (hook := _webhook(n, raw, problems)) is not None
    )
    return NotificationSettings(public_url, share, email, webhooks, tuple(problems))


def _share(value: object, problems: list[str]) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    problems.append(
        f"`failed_share` {value!r} is not a share between 0 and 1 (0.05 is 5%): "
        f"{DEFAULT_FAILED_SHARE} is used."
    )
    return DEFAULT_FAILED_SHARE


def _email(raw: object, problems: list[str]) -> EmailChannel | None:
    if raw is None:
        return None
    where = "`[console.notifications.email]`"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a table: email notifications are off.")
        return None
    host, sender = str(raw.get("host") or "").strip(), str(raw.get("sender") or "").strip()
    security = str(raw.get("security") or "starttls").strip().lower()
    port = raw.get("port", 587 if security == "starttls" else 465 if security == "tls" else 25)
    missing = [name for name, value in (("host", host), ("sender", sender)) if not value]
    if missing:
        problems.append(f"{where} needs {' and '.join(missing)}: email notifications are off.")
        return None
    if security not in SECURITIES:
        problems.append(
            f'{where} security {security!r} is not one of "starttls", "tls" or "none": '
            "email notifications are off."
        )
        return None
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        problems.append(f"{where} port {port!r} is not a port number: email notifications are off.")
        return None
    username, password = str(raw.get("username") or ""), str(raw.get("password") or "")
    if bool(username) != bool(password):
        problems.append(f"{where} needs both username and password, or neither.")
        return None
    to = raw.get("local_mode_to") or []
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list):
        problems.append(f"{where} local_mode_to must be a list of addresses: it is left out.")
        to = []
    addresses = tuple(str(a).strip() for a in to if isinstance(a, str) and "@" in a)
    if len(addresses) != len(to):
        problems.append(f"{where} local_mode_to: only email addresses are kept.")
    ca_file = str(raw.get("ca_file") or "").strip()
    if ca_file and not Path(ca_file).is_file():
        problems.append(f"{where} ca_file {ca_file!r} is not a file: email notifications are off.")
        return None
    return EmailChannel(host, port, security, sender, username, password, addresses, ca_file)


def _webhook(number: int, raw: object, problems: list[str]) -> Webhook | None:
    where = f"Webhook {number} in `[[console.notifications.webhooks]]`"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a table with a url: it is left out.")
        return None
    url = str(raw.get("url") or "").strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        problems.append(f'{where} has no web address (url = "https://…"): it is left out.')
        return None
    kind = str(raw.get("format") or "slack").strip().lower()
    if kind not in FORMATS:
        problems.append(f'{where} format {kind!r} is not "slack" or "teams": it is left out.')
        return None
    names = raw.get("events")
    if names is None:
        events = frozenset(NotificationEvent)
    else:
        listed = (
            [names] if isinstance(names, str) else list(names) if isinstance(names, list) else []
        )
        known = {str(e) for e in NotificationEvent}
        unknown = [str(n) for n in listed if str(n) not in known]
        if unknown:
            problems.append(
                f"{where} names events it does not know: {', '.join(unknown)} (known: "
                f"{', '.join(sorted(known))}); the others are kept."
            )
        events = frozenset(NotificationEvent(str(n)) for n in listed if str(n) in known)
    return Webhook(url, kind, events)

"""Which Acoustic the console talks to: a real pod from secrets/environment, or the sandbox.

No credentials at all means sandbox mode (a new user runs the app with one command). Some but not
all credentials is a configuration mistake, reported as such: falling back to the sandbox would let
a marketer believe a test send went to real phones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

from components.acoustic import (
    AcousticClient,
    AcousticError,
    Secret,
    pod_base_url,
    pod_of,
)
from components.acoustic.pods import normalize_base_url
from components.core.database_url import database_url
from components.core.settings import console_settings
from components.core.states import ConnectionMode
from components.core.times import shown_clock

ENVIRONMENT_VARIABLES = {
    "pod": "ACOUSTIC_POD",
    "base_url": "ACOUSTIC_BASE_URL",
    "client_id": "ACOUSTIC_CLIENT_ID",
    "client_secret": "ACOUSTIC_CLIENT_SECRET",
    "refresh_token": "ACOUSTIC_REFRESH_TOKEN",
}
SECRETS_SECTION = "acoustic"


@dataclass(frozen=True)
class ConnectionSettings:
    mode: ConnectionMode
    base_url: str | None = None
    pod: str | None = None
    client_id: str = ""
    client_secret: Secret = field(default_factory=lambda: Secret(""))
    refresh_token: Secret = field(default_factory=lambda: Secret(""))
    sources: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.mode is ConnectionMode.SANDBOX:
            return "Sandbox"
        if self.mode is ConnectionMode.INVALID:
            return "Not configured"
        return f"Pod {self.pod}" if self.pod else (self.base_url or "Custom host")

    @property
    def is_real(self) -> bool:
        """True when sends reach real phones."""
        return self.mode.live


def configured_max_in_flight(environ: Mapping[str, str]) -> int:
    """SMS_CONSOLE_MAX_IN_FLIGHT lowers Acoustic's limit of 10 for the whole process (e.g. when
    other tools of the organisation call the API too); it can never raise it."""
    return console_settings(environ).max_in_flight


def places_database(
    environ: Mapping[str, str], console_secrets: Mapping[str, object] | None = None
) -> str:
    """Where the organisation's in-flight places are held: the libpq URL of the journal's
    PostgreSQL database, shared by every replica, or "" for the SQLite journal (this process's
    places). Raises DatabaseURLError for a database that cannot be used: sending with places
    nobody else sees would break the organisation's limit."""
    where = database_url(environ, console_secrets)
    return where.libpq if where.is_postgresql else ""


def console_client(
    base_url: str,
    client_id: str,
    client_secret: str | Secret,
    refresh_token: str | Secret,
    environ: Mapping[str, str],
    console_secrets: Mapping[str, object] | None = None,
    **options: Any,
) -> AcousticClient:
    """A client that keeps the limits the console keeps (SMS_CONSOLE_MAX_IN_FLIGHT, the places
    of the journal's database): what a script calling send_payloads beside the console uses, so
    that together they never have more than the organisation's requests in flight."""
    return AcousticClient(
        base_url,
        client_id,
        client_secret,
        refresh_token,
        max_in_flight=configured_max_in_flight(environ),
        places_database=places_database(environ, console_secrets),
        **options,
    )


def load_connection_settings(
    secrets: Mapping[str, object] | None, environ: Mapping[str, str]
) -> ConnectionSettings:
    """Reads `[acoustic]` from the secrets and ACOUSTIC_* from the environment (which wins)."""
    section = secrets.get(SECRETS_SECTION) if secrets else None
    section = section if isinstance(section, Mapping) else {}
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name, variable in ENVIRONMENT_VARIABLES.items():
        from_env = str(environ.get(variable, "")).strip()
        from_file = str(section.get(name, "") or "").strip()
        if from_env:
            values[name], sources[name] = from_env, f"environment ({variable})"
        elif from_file:
            values[name], sources[name] = from_file, "secrets.toml"
    if not values:
        return ConnectionSettings(mode=ConnectionMode.SANDBOX)

    problems: list[str] = []
    base_url: str | None = None
    pod: str | None = None
    try:
        if values.get("base_url"):
            base_url = normalize_base_url(values["base_url"])
            pod = pod_of(base_url)
        elif values.get("pod"):
            base_url = pod_base_url(values["pod"])
            pod = values["pod"].upper()
        else:
            problems.append("Neither `pod` nor `base_url` is set: say which Acoustic pod to use.")
    except ValueError as exc:
        problems.append(str(exc))
    for name in ("client_id", "client_secret", "refresh_token"):
        if not values.get(name):
            problems.append(f"`{name}` is missing.")
    return ConnectionSettings(
        mode=ConnectionMode.INVALID if problems else ConnectionMode.POD,
        base_url=base_url,
        pod=pod,
        client_id=values.get("client_id", ""),
        client_secret=Secret(values.get("client_secret", "")),
        refresh_token=Secret(values.get("refresh_token", "")),
        sources=sources,
        problems=tuple(problems),
    )


def describe_settings(settings: ConnectionSettings) -> list[dict[str, str]]:
    """Rows for the Settings page: every value shown, secrets masked, with where it came from."""
    source = settings.sources.get
    everything = settings.sources.get("everything")
    return [
        {"Setting": "Mode", "Value": settings.label, "From": everything or "secrets/environment"},
        {
            "Setting": "API address",
            "Value": settings.base_url or "(not set)",
            "From": everything or source("base_url") or source("pod") or "",
        },
        {
            "Setting": "Client id",
            "Value": settings.client_id or "(not set)",
            "From": everything or source("client_id", ""),
        },
        {
            "Setting": "Client secret",
            "Value": settings.client_secret.masked(),
            "From": everything or source("client_secret", ""),
        },
        {
            "Setting": "Refresh token",
            "Value": settings.refresh_token.masked(),
            "From": everything or source("refresh_token", ""),
        },
    ]


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def check_connection(client: AcousticClient, zone: tzinfo = UTC) -> ConnectionCheck:
    """Asks Acoustic for a new token, whatever is cached (the user asked, so this is no request
    too many), and says exactly what Acoustic answered (times in `zone`, the reader's)."""
    try:
        info = client.request_new_token()
    except AcousticError as exc:
        return ConnectionCheck(False, exc.message)
    until = shown_clock(info.expires_at, zone)
    lifetime = _duration(info.expires_at - info.obtained_at)
    return ConnectionCheck(
        True, f"Connected: Acoustic issued a new token (valid for {lifetime}, until {until})."
    )


def _duration(seconds: float) -> str:
    """4 hours, 3 hours 20 minutes, 1 minute, 45 seconds."""
    if seconds < 60:
        return _count(round(seconds), "second")
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [_count(hours, "hour")] if hours else []
    if minutes:
        parts.append(_count(minutes, "minute"))
    return " ".join(parts)


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"

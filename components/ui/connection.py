"""The process-wide connection: settings, the sandbox server and the client, built once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from components.acoustic import AcousticClient, Narrowing, Secret
from components.core.connection import (
    ConnectionSettings,
    configured_max_in_flight,
    load_connection_settings,
    places_database,
)
from components.core.database_url import DatabaseURL, DatabaseURLError, database_url
from components.core.settings import console_settings
from components.core.states import ConnectionMode
from components.guardrails.quiet_hours_settings import QuietHours, parse_quiet_hours
from components.sandbox import SandboxConfig, SandboxServer


def read_secrets() -> Mapping[str, object] | None:
    """`st.secrets` as a plain mapping, or None when there is no (readable) secrets file."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # a missing or broken secrets file must never crash the page
        return None


def current_quiet_hours() -> QuietHours:
    """`[console.quiet_hours]` as it is now (the defaults without it)."""
    console = (read_secrets() or {}).get("console")
    return parse_quiet_hours(console.get("quiet_hours") if isinstance(console, Mapping) else None)


@st.cache_resource(show_spinner="Starting the sandbox…")
def sandbox_server() -> SandboxServer:
    """One sandbox per process, on a free loopback port, for as long as the app runs, at the
    pace SMS_CONSOLE_SANDBOX_* set, if any."""
    config = SandboxConfig()
    config.update(**console_settings(os.environ).sandbox_pace)
    return SandboxServer(config).start()


@dataclass(frozen=True)
class Connection:
    settings: ConnectionSettings
    client: AcousticClient | None


def current_settings() -> ConnectionSettings:
    settings = load_connection_settings(read_secrets(), os.environ)
    if settings.mode is not ConnectionMode.SANDBOX:
        return settings
    server = sandbox_server()
    return ConnectionSettings(
        mode=ConnectionMode.SANDBOX,
        base_url=server.url,
        client_id=server.config.client_id,
        client_secret=Secret(server.config.client_secret),
        refresh_token=Secret(server.config.refresh_token),
        sources={"everything": "built-in sandbox"},
    )


@st.cache_resource(show_spinner=False)
def _shared_client(
    base_url: str,
    client_id: str,
    secrets_digest: str,
    _secret: Secret,
    _refresh: Secret,
    _places: str,
) -> AcousticClient:
    """One client per credential set and places database per process (arguments with `_` are
    not hashed; the digest stands for them). Its gate, shared by every job and look-up, holds the
    configured in-flight limit, org-wide when the journal is PostgreSQL."""
    return AcousticClient(
        base_url,
        client_id,
        _secret,
        _refresh,
        max_in_flight=configured_max_in_flight(os.environ),
        places_database=_places,
    )


def journal_database() -> DatabaseURL:
    """The journal's database as configured now: SMS_CONSOLE_DATABASE_URL, else the secrets'
    [console] database_url, else the embedded SQLite file."""
    console = (read_secrets() or {}).get("console")
    return database_url(os.environ, console if isinstance(console, Mapping) else None)


def shared_places_database() -> str:
    """The journal's PostgreSQL database holds the organisation's in-flight places (a libpq URL);
    "" for the SQLite journal, or one that cannot be opened (the page then stops with the reason
    before anything is sent)."""
    console = (read_secrets() or {}).get("console")
    try:
        return places_database(os.environ, console if isinstance(console, Mapping) else None)
    except DatabaseURLError:
        return ""


def current_connection() -> Connection:
    """The settings in force and a shared client for them (None while misconfigured)."""
    settings = current_settings()
    if settings.mode is ConnectionMode.INVALID or not settings.base_url:
        return Connection(settings, None)
    places = shared_places_database()
    digest = hashlib.sha256(
        f"{settings.client_secret.reveal()}\0{settings.refresh_token.reveal()}\0{places}".encode()
    ).hexdigest()
    client = _shared_client(
        settings.base_url,
        settings.client_id,
        digest,
        settings.client_secret,
        settings.refresh_token,
        places,
    )
    return Connection(settings, client)


def in_flight_narrowing() -> Narrowing | None:
    """Why this process sends fewer requests at once than its limit, while it does (Acoustic
    refused some for concurrency); the progress panel says so."""
    client = current_connection().client
    return client.gate.narrowing() if client is not None else None

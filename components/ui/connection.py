"""The process-wide connection: settings, the sandbox server and the client, built once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from components.acoustic import AcousticClient, Secret
from components.connection import (
    ConnectionSettings,
    configured_max_in_flight,
    load_connection_settings,
)
from components.sandbox import SandboxConfig, SandboxServer


def read_secrets() -> Mapping[str, object] | None:
    """`st.secrets` as a plain mapping, or None when there is no (readable) secrets file."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # a missing or broken secrets file must never crash the page
        return None


@st.cache_resource(show_spinner="Starting the sandbox…")
def sandbox_server() -> SandboxServer:
    """One sandbox per process, on a free loopback port, for as long as the app runs."""
    return SandboxServer(SandboxConfig()).start()


@dataclass(frozen=True)
class Connection:
    settings: ConnectionSettings
    client: AcousticClient | None


def current_settings() -> ConnectionSettings:
    settings = load_connection_settings(read_secrets(), os.environ)
    if settings.mode != "sandbox":
        return settings
    server = sandbox_server()
    return ConnectionSettings(
        mode="sandbox",
        base_url=server.url,
        client_id=server.config.client_id,
        client_secret=Secret(server.config.client_secret),
        refresh_token=Secret(server.config.refresh_token),
        sources={"everything": "built-in sandbox"},
    )


@st.cache_resource(show_spinner=False)
def _shared_client(
    base_url: str, client_id: str, secrets_digest: str, _secret: Secret, _refresh: Secret
) -> AcousticClient:
    """One client per credential set per process (arguments with `_` are not hashed). Its gate,
    shared by every job and look-up, holds the configured in-flight limit."""
    return AcousticClient(
        base_url,
        client_id,
        _secret,
        _refresh,
        max_in_flight=configured_max_in_flight(os.environ),
    )


def current_connection() -> Connection:
    """The settings in force and a shared client for them (None while misconfigured)."""
    settings = current_settings()
    if settings.mode == "invalid" or not settings.base_url:
        return Connection(settings, None)
    digest = hashlib.sha256(
        f"{settings.client_secret.reveal()}\0{settings.refresh_token.reveal()}".encode()
    ).hexdigest()
    client = _shared_client(
        settings.base_url,
        settings.client_id,
        digest,
        settings.client_secret,
        settings.refresh_token,
    )
    return Connection(settings, client)

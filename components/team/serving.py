"""Where the console may be served from. Without sign-in it is one person's tool on their own
machine: it answers only on this machine's loopback address, and only to its own pages.

Streamlit accepts a WebSocket from any `localhost` origin whatever its port, and any Host header,
so without these checks a page served on another local port, or a site that rebinds its name
to 127.0.0.1, could run the console in the visitor's browser. With `[auth]` configured the
sign-in cookie is bound to the console's own origin, and Streamlit refuses it to any other.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

ALLOW_NETWORK_VARIABLE = "SMS_CONSOLE_ALLOW_UNAUTHENTICATED_NETWORK"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
NETWORK_RISK = (
    "Anyone who can reach this address can then send SMS with the console's credentials, "
    "with nothing to say who they were."
)


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1, localhost and a Unix socket; False for an empty address,
    which makes Streamlit listen on every interface."""
    text = (host or "").strip().lower()
    if text.startswith("unix://"):
        return True
    text = text.strip("[]")
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def network_allowed(environ: Mapping[str, str]) -> bool:
    return environ.get(ALLOW_NETWORK_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def serving_refusal(address: str | None, environ: Mapping[str, str]) -> str | None:
    """Local mode only: why the console will not serve on `address`, or None when it may."""
    if is_loopback(address) or network_allowed(environ):
        return None
    shown = address or "every network interface"
    return (
        f"The console is listening on {shown}, but no sign-in is configured, so anyone who "
        "can reach it could use it. Either configure sign-in (an `[auth]` section in "
        "`.streamlit/secrets.toml`, see the README), or listen on this machine only "
        '(`server.address = "127.0.0.1"`, the default), or, if you accept the risk, start it '
        f"with {ALLOW_NETWORK_VARIABLE}=1. {NETWORK_RISK}"
    )


def request_refusal(origin: str | None, host: str | None, environ: Mapping[str, str]) -> str | None:
    """Local mode only: why this browser connection is refused, or None. The page must have
    been loaded from the console itself (Origin equals Host), through a loopback name unless
    the network override is set. No Host at all is no HTTP request (a script test)."""
    if host is None:
        return None
    hostname = urlsplit(f"//{host}").hostname
    if not network_allowed(environ) and not is_loopback(hostname):
        return (
            f"The console was reached as {host!r}, which is not this machine's own address. "
            "Open it at http://localhost or http://127.0.0.1 with its port."
        )
    if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
        return (
            f"A page from another site ({origin}) tried to use the console; without sign-in "
            "only the console's own pages may. Open the console at its own address."
        )
    return None

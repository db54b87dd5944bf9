"""Local mode answers only on this machine and only to its own pages (components.team.serving)."""

from __future__ import annotations

import pytest

from components.team.serving import (
    ALLOW_NETWORK_VARIABLE,
    is_loopback,
    request_refusal,
    serving_refusal,
)

OVERRIDE = {ALLOW_NETWORK_VARIABLE: "1"}


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("unix:///run/console.sock", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),  # unset: Streamlit listens on every interface
        (None, False),
        ("192.168.1.20", False),
        ("console.example.com", False),
        ("localhost.evil.example", False),
    ],
)
def test_which_addresses_are_this_machine_only(address, loopback):
    assert is_loopback(address) is loopback


def test_serving_on_the_network_without_sign_in_needs_the_override():
    refusal = serving_refusal("0.0.0.0", {})
    assert refusal is not None
    assert "listening on 0.0.0.0, but no sign-in is configured" in refusal
    assert "`[auth]`" in refusal and ALLOW_NETWORK_VARIABLE in refusal
    assert "every network interface" in serving_refusal("", {})
    assert serving_refusal("127.0.0.1", {}) is None
    assert serving_refusal("0.0.0.0", OVERRIDE) is None
    assert serving_refusal("0.0.0.0", {ALLOW_NETWORK_VARIABLE: "0"}) is not None


@pytest.mark.parametrize(
    ("origin", "host", "refused", "environ"),
    [
        ("http://127.0.0.1:8501", "127.0.0.1:8501", False, {}),
        ("http://localhost:8501", "localhost:8501", False, {}),
        (None, "127.0.0.1:8501", False, {}),  # no Origin: not a web page
        ("http://localhost:9999", "localhost:8501", True, {}),  # a page on another local port
        ("http://127.0.0.1:9999", "127.0.0.1:8501", True, {}),
        ("null", "127.0.0.1:8501", True, {}),  # a sandboxed frame
        ("http://evil.example:8501", "evil.example:8501", True, {}),  # a rebound name
        ("http://console.lan:8501", "console.lan:8501", False, OVERRIDE),
        ("http://evil.example", "console.lan:8501", True, OVERRIDE),
        (None, None, False, {}),  # no request at all (a script test)
    ],
)
def test_only_the_consoles_own_pages_may_use_it(origin, host, refused, environ):
    assert (request_refusal(origin, host, environ) is not None) is refused

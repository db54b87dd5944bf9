"""When the client asks Acoustic for a token, and what it says when it cannot get one, against the
sandbox over HTTP: an expired token or a server error never cools the client down; refused
credentials do; "Test connection" always asks and says exactly what Acoustic answered."""

from __future__ import annotations

import httpx
import pytest

from components.acoustic import (
    AcousticClient,
    AuthenticationError,
    ServerError,
)
from components.core.connection import check_connection
from tests.test_acoustic_client import FAST_RETRY, make_client, payload

ATTEMPTS = FAST_RETRY.max_attempts


pytestmark = pytest.mark.usefixtures("fresh_tokens")


def wrong_secret_client(sandbox) -> AcousticClient:
    return AcousticClient(
        sandbox.url,
        sandbox.config.client_id,
        "an-old-client-secret",
        sandbox.config.refresh_token,
        retry=FAST_RETRY,
    )


# -- automatic token requests ---------------------------------------------------------------------


def test_a_server_that_expired_every_token_is_used_again_as_soon_as_it_is_fixed(sandbox):
    sandbox.configure(token_lifetime=0)  # every token is expired at once, also the replacement
    with make_client(sandbox) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.send(payload())
        assert "expired" in caught.value.message
        assert "credentials" not in caught.value.message.split(".")[0]
        sandbox.configure(token_lifetime=14400)  # the server is fixed
        before = sandbox.stats()["token_requests"]
        accepted = client.send(payload())  # at once, not a minute later
    assert accepted.transaction_id
    assert sandbox.stats()["token_requests"] == before + 1


def test_expired_tokens_and_a_failing_token_endpoint_then_fixed(sandbox):
    with make_client(sandbox) as client:
        client.send(payload())
        sandbox.expire_tokens()
        sandbox.inject_faults("token", ["500"] * ATTEMPTS)
        with pytest.raises(ServerError) as caught:
            client.send(payload())
        error = caught.value
        assert not error.outcome_unknown  # the send itself was never repeated
        assert "access token" in error.message and "HTTP 500" in error.message
        assert "nothing was sent" in error.message.lower()
        client.send(payload())  # the server is fixed: a new token at once
    stats = sandbox.stats()
    assert stats["accepted_sends"] == 2
    assert stats["token_requests"] == 1 + ATTEMPTS + 1


def test_refused_credentials_are_not_asked_for_again_at_every_call(sandbox):
    with wrong_secret_client(sandbox) as client:
        with pytest.raises(AuthenticationError) as first:
            client.send(payload())
        with pytest.raises(AuthenticationError) as second:
            client.status("abc-123")
    assert "Bad client credentials" in first.value.message
    assert "Bad client credentials" in second.value.message
    assert "will not ask" in second.value.message and "Test connection" in second.value.message
    assert "an-old-client-secret" not in second.value.message
    stats = sandbox.stats()
    assert stats["token_requests"] == 1
    assert stats["send_posts"] == 0 and stats["status_requests"] == 0


def test_a_refused_replacement_says_what_happened_then_cools_down():
    calls = {"token": 0, "api": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            calls["token"] += 1
            return httpx.Response(200, json={"access_token": f"tok-{calls['token']}"})
        calls["api"] += 1
        return httpx.Response(401, json={"meta": {"generalErrors": ["Not authorized"]}})

    client = AcousticClient(
        "http://127.0.0.1:9", "id", "s", "r", transport=httpx.MockTransport(handler)
    )
    with client:
        with pytest.raises(AuthenticationError) as first:
            client.status("abc-123")
        with pytest.raises(AuthenticationError) as second:
            client.status("abc-123")
    assert "which replaced a refused one" in first.value.message
    assert "Not authorized" in first.value.message
    # No new token was fetched for the second call, and it says so.
    assert "will not ask" in second.value.message
    for error in (first.value, second.value):
        assert "even a freshly fetched one" not in error.message
    assert calls == {"token": 2, "api": 2}


# -- Test connection ------------------------------------------------------------------------------


def test_test_connection_asks_for_a_new_token_and_says_so(sandbox):
    with make_client(sandbox) as client:
        client.send(payload())
        first = check_connection(client)
        second = check_connection(client)
        client.send(payload())  # uses the token of the last test
    for check in (first, second):
        assert check.ok
        assert check.message.startswith("Connected: Acoustic issued a new token (valid for 4 hours")
        assert "reused" not in check.message
    assert sandbox.stats()["token_requests"] == 3


def test_test_connection_after_the_secret_was_rotated_reports_the_refusal(sandbox):
    with make_client(sandbox) as client:
        client.send(payload())  # a valid token is cached
        sandbox.configure(client_secret="a-rotated-client-secret")
        check = check_connection(client)
    assert not check.ok
    assert "refused the credentials" in check.message
    assert "Bad client credentials" in check.message and "HTTP 401" in check.message
    assert "reused" not in check.message
    assert sandbox.config.refresh_token not in check.message
    assert "sandbox-secret" not in check.message


def test_test_connection_reports_a_server_error_of_the_token_endpoint(sandbox):
    with make_client(sandbox) as client:
        client.send(payload())
        sandbox.inject_faults("token", ["500"] * ATTEMPTS)
        check = check_connection(client)
    assert not check.ok
    assert "internal error" in check.message and "HTTP 500" in check.message
    assert "reused" not in check.message and "credentials" not in check.message


def test_a_successful_test_ends_the_cooldown(sandbox):
    with wrong_secret_client(sandbox) as client:
        with pytest.raises(AuthenticationError):
            client.send(payload())
        sandbox.configure(client_secret="an-old-client-secret")  # the administrator fixes it
        with pytest.raises(AuthenticationError, match="will not ask"):
            client.send(payload())
        assert check_connection(client).ok
        client.send(payload())
    stats = sandbox.stats()
    assert stats["token_requests"] == 2  # the refused one and the test's
    assert stats["accepted_sends"] == 1

"""The one retry rule: Retry-After in both of its forms, capped, and the token request under it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from components.acoustic import AcousticClient, RetryPolicy
from components.acoustic import client as client_module
from components.acoustic.retry import retry_after_seconds

NOW = datetime(2025, 3, 4, 10, 0, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("fresh_tokens")


@pytest.mark.parametrize(("value", "seconds"), [("0", 0.0), ("7", 7.0), (" 120 ", 120.0)])
def test_retry_after_in_seconds(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


def test_retry_after_as_an_http_date():
    later = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    assert later.endswith("GMT")
    assert retry_after_seconds(later, now=NOW) == pytest.approx(12.0)


def test_retry_after_as_a_date_in_the_past_means_now():
    earlier = format_datetime(NOW - timedelta(minutes=5), usegmt=True)
    assert retry_after_seconds(earlier, now=NOW) == 0.0


@pytest.mark.parametrize(
    "value",
    [None, "", "soon", "-3", "1.5e400", "nan", "inf", "12 seconds", "Tue, 99 Foo 2025", "0x1", "²"],
)
def test_garbage_retry_after_is_ignored(value):
    assert retry_after_seconds(value, now=NOW) is None


def test_retry_after_is_honoured_up_to_a_cap():
    policy = RetryPolicy(max_delay=8.0, max_retry_after=30.0)
    assert policy.delay(1, 12.0) == 12.0  # the server's wish, though above the backoff ceiling
    assert policy.delay(1, 3600.0) == 30.0
    assert 0.0 <= policy.delay(1, None) <= policy.base_delay


def test_the_token_request_follows_the_one_retry_rule(monkeypatch):
    """A 503 with an HTTP-date Retry-After, then a 429 with seconds, then a token."""
    slept: list[float] = []
    monkeypatch.setattr(client_module.time, "sleep", slept.append)
    answers = [
        httpx.Response(
            503,
            headers={"Retry-After": format_datetime(datetime.now(UTC) + timedelta(seconds=20))},
        ),
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json={"access_token": "t0k3n-value", "expires_in": 100}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/oauth/token"
        return answers.pop(0)

    client = AcousticClient(
        "http://127.0.0.1:9", "id", "s", "r", transport=httpx.MockTransport(handler)
    )
    with client:
        client.token_info()
    assert len(slept) == 2
    assert 17.0 <= slept[0] <= 20.0  # HTTP-dates have whole seconds
    assert slept[1] == 2.0

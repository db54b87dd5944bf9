"""The wire client against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import logging
import socket
import threading
import time

import httpx
import pytest

from components.acoustic import (
    AcousticClient,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    ForbiddenError,
    NetworkError,
    OutcomeUnknownError,
    RetryPolicy,
    Secret,
    ServerError,
    UnexpectedResponseError,
    clear_token_caches,
    encode_payload,
    pod_base_url,
    resolve_base_url,
)
from tests.sending_support import FAST_RETRY, IN_FLIGHT_TIMING
from tests.waiting import wait_until

CONTENT = "Hi %%FIRST NAME%%, your code is %%PIN%%."


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_caches()
    yield
    clear_token_caches()


def make_client(server, **options) -> AcousticClient:
    options.setdefault("retry", FAST_RETRY)
    return AcousticClient(
        server.url,
        server.config.client_id,
        server.config.client_secret,
        server.config.refresh_token,
        **options,
    )


def payload(*numbers: str, **overrides) -> dict:
    body = {
        "channelQualifier": "12345",
        "content": CONTENT,
        "personalizationDefaults": {"FIRST NAME": "there", "PIN": "0000"},
        "contacts": [
            {"phoneNumber": n, "personalization": {"FIRST NAME": "Ann", "PIN": "0042"}}
            for n in (numbers or ("19495001234",))
        ],
    }
    body.update(overrides)
    return body


# -- token ----------------------------------------------------------------------------------------


def test_one_token_for_many_calls_and_clients(sandbox):
    with make_client(sandbox) as first, make_client(sandbox) as second:
        accepted = [first.send(payload()) for _ in range(3)]
        for item in accepted:
            second.status(item.transaction_id)
    assert sandbox.stats()["token_requests"] == 1
    assert sandbox.stats()["accepted_sends"] == 3


def test_one_token_when_many_threads_start_together(sandbox):
    sandbox.configure(latency=0.05)
    with make_client(sandbox) as client:
        threads = [threading.Thread(target=client.status, args=("nope-1",)) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sandbox.stats()["token_requests"] == 1


def test_expired_token_is_refreshed_once_and_the_call_repeated(sandbox):
    with make_client(sandbox) as client:
        client.send(payload())
        sandbox.expire_tokens()
        client.send(payload())
    stats = sandbox.stats()
    assert stats["token_requests"] == 2
    assert stats["accepted_sends"] == 2
    assert stats["send_posts"] == 3  # the 401 one, then the repeat


def test_a_401_that_persists_does_not_fetch_a_token_per_call():
    seen = {"token": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            seen["token"] += 1
            return httpx.Response(200, json={"access_token": f"tok-{seen['token']}"})
        return httpx.Response(401, json={"meta": {"generalErrors": ["Not authorized"]}})

    client = AcousticClient(
        "http://127.0.0.1:9", "id", "s", "r", transport=httpx.MockTransport(handler)
    )
    with client:
        for _ in range(20):
            with pytest.raises(AuthenticationError):
                client.status("abc-123")
    assert seen["token"] == 2  # the first token, and one replacement that was refused too


def test_tokens_are_replaced_after_every_restart_of_the_server(sandbox):
    with make_client(sandbox) as client:
        for _ in range(3):  # each expiry looks like a restart: all tokens unknown
            sandbox.expire_tokens()
            client.send(payload())
    assert sandbox.stats()["accepted_sends"] == 3


def test_token_info_reuses_the_cached_token(sandbox):
    with make_client(sandbox) as client:
        first = client.token_info()
        second = client.token_info()
    assert not first.reused and second.reused
    assert first.expires_at - first.obtained_at == pytest.approx(14400, abs=2)
    assert sandbox.stats()["token_requests"] == 1


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("client_id", "someone-else", "Bad client credentials"),
        ("client_secret", "wrong", "Bad client credentials"),
        ("refresh_token", "wrong", "Invalid refresh token"),
    ],
)
def test_wrong_credentials_raise_authentication_error(sandbox, field, value, reason):
    creds = {
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        "refresh_token": sandbox.config.refresh_token,
    }
    creds[field] = value
    with (
        AcousticClient(sandbox.url, retry=FAST_RETRY, **creds) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.send(payload())
    assert reason in caught.value.message
    assert "Settings" in caught.value.message
    assert value not in str(caught.value) or field == "client_id"
    assert sandbox.stats()["send_posts"] == 0


# -- redaction ------------------------------------------------------------------------------------


def test_echoed_token_never_reaches_an_exception_or_a_log(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sandbox.configure(token_lifetime=0)  # every token is expired on arrival: 401 twice
    with make_client(sandbox) as client, pytest.raises(AuthenticationError) as caught:
        client.send(payload())
    error = caught.value
    tokens = sandbox.issued_tokens()
    assert len(tokens) == 2
    seen = [str(error), repr(error), error.message, str(error.api_message), caplog.text]
    for token in tokens:
        assert all(token not in text for text in seen)
    assert "Token provided was: [redacted]" in error.message
    assert error.status_code == 401


def test_secrets_do_not_show_in_reprs():
    client = AcousticClient("http://127.0.0.1:9", "id", "top-secret-value", "refresh-secret-value")
    text = repr(client) + repr(client.__dict__) + str(Secret("top-secret-value"))
    assert "top-secret-value" not in text
    assert "refresh-secret-value" not in text
    client.close()


# -- send errors ----------------------------------------------------------------------------------

ERROR_ROWS = [
    ({"content": "Hi %%NICKNAME%%"}, "Wrong personalization tags NICKNAME"),
    ({"channelQualifier": "55555"}, "SMS Program is inactive or not found with identifier 55555."),
    ({"channelQualifier": "999"}, "SMS Program is inactive or not found with identifier 999."),
    ({"channelQualifier": ""}, "Channel qualifier should be present"),
    ({"content": "x" * 801}, "The message exceeded the maximum 800 character limit."),
    ({"content": ""}, "SMS content should be present"),
    (
        {"contacts": []},
        "Contacts must contain at least 1 contact and cannot exceed more than 1000 contacts.",
    ),
    (
        {"contacts": [{"phoneNumber": "19495001234"}] * 1001},
        "Contacts must contain at least 1 contact and cannot exceed more than 1000 contacts.",
    ),
    (
        {"contacts": [{"personalization": {"PIN": "1"}}]},
        "Contact information is empty. Please provide contact identifier or lookup keys.",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), ERROR_ROWS)
def test_every_documented_bad_request(sandbox, overrides, message):
    with make_client(sandbox) as client, pytest.raises(BadRequestError) as caught:
        client.send(payload(**overrides))
    assert caught.value.status_code == 400
    assert caught.value.api_message == message
    assert message in caught.value.message
    assert not caught.value.outcome_unknown
    assert sandbox.stats()["send_posts"] == 1


def test_malformed_json_is_a_bad_request(sandbox):
    transport = httpx.HTTPTransport()
    with make_client(sandbox, transport=transport) as client:
        token = client.token_info()  # noqa: F841 - warms the cache
        response = client._http.post(
            "/rest/channels/sms/externalconsentsends",
            content=b"{not json",
            headers={"Authorization": f"Bearer {client._tokens.peek().value.reveal()}"},
        )
    assert response.status_code == 400
    assert "Bad request" in response.text


def test_sms_disabled_is_forbidden(sandbox):
    sandbox.configure(sms_enabled=False)
    with make_client(sandbox) as client:
        with pytest.raises(ForbiddenError) as caught:
            client.send(payload())
        assert caught.value.status_code == 403
        with pytest.raises(ForbiddenError):
            client.status("anything")
    assert "enable SMS" in caught.value.message


# -- retry rules: counted on the server ------------------------------------------------------------


def test_send_is_not_retried_after_a_server_error(sandbox):
    sandbox.inject_faults("send", ["500"])
    with make_client(sandbox) as client, pytest.raises(ServerError) as caught:
        client.send(payload())
    assert caught.value.outcome_unknown
    assert "may or may not have gone out" in caught.value.message
    assert sandbox.stats()["send_posts"] == 1


def test_send_is_not_retried_after_a_dropped_connection(sandbox):
    sandbox.inject_faults("send", ["drop"])
    with make_client(sandbox) as client, pytest.raises(OutcomeUnknownError) as caught:
        client.send(payload())
    assert caught.value.outcome_unknown
    assert sandbox.stats()["send_posts"] == 1


def test_send_is_not_retried_after_a_read_timeout(sandbox):
    sandbox.configure(slow_seconds=2.0)
    sandbox.inject_faults("send", ["slow"])
    client = make_client(sandbox, timeout=httpx.Timeout(0.5, connect=2.0))
    with client, pytest.raises(OutcomeUnknownError):
        client.send(payload())
    assert sandbox.stats()["send_posts"] == 1


def test_send_is_retried_after_a_concurrency_rejection(sandbox):
    sandbox.inject_faults("send", ["429", "429"])
    with make_client(sandbox) as client:
        accepted = client.send(payload())
    stats = sandbox.stats()
    assert accepted.transaction_id
    assert stats["send_posts"] == 3
    assert stats["accepted_sends"] == 1
    assert len(sandbox.sent_payloads()) == 1


def test_an_encoded_send_is_the_json_httpx_would_send_and_is_sent_as_is(sandbox):
    body = payload("19495001234") | {"content": "Olá %%FIRST NAME%% ✓"}
    encoded = encode_payload(body)
    assert encoded.body == httpx.Request("POST", "http://x", json=body).content
    with make_client(sandbox) as client:
        assert client.send(encoded).transaction_id
    assert sandbox.sent_payloads() == [body]


def test_concurrency_rejection_surfaces_when_it_does_not_clear(sandbox):
    sandbox.inject_faults("send", ["429"] * 3)
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, concurrency_attempts=3)
    with make_client(sandbox, retry=policy) as client, pytest.raises(ConcurrencyLimitError):
        client.send(payload())
    assert sandbox.stats()["accepted_sends"] == 0


def test_send_is_retried_when_the_server_cannot_be_reached():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AcousticClient(
        f"http://127.0.0.1:{port}", "id", "test-secret", "test-refresh", retry=FAST_RETRY
    )
    with client, pytest.raises(NetworkError) as caught:
        client.send(payload())
    assert not caught.value.outcome_unknown
    assert f"127.0.0.1:{port}" in caught.value.message


def test_status_retries_transient_failures(sandbox):
    sandbox.inject_faults("status", ["500", "drop"])
    with make_client(sandbox) as client:
        status = client.status("unknown-id")
    assert not status.found
    assert sandbox.stats()["status_requests"] == 3


def test_token_request_retries_transient_failures(sandbox):
    sandbox.inject_faults("token", ["500", "drop"])
    with make_client(sandbox) as client:
        client.send(payload())
    assert sandbox.stats()["token_requests"] == 3
    assert len(sandbox.issued_tokens()) == 3  # the first two were lost on the way


def test_real_concurrency_limit_is_waited_out(sandbox):
    """Another process holds every slot for a moment: the send waits and goes through once."""
    sandbox.configure(max_concurrent=2, latency=0.6)
    blockers = [
        threading.Thread(target=httpx.post, args=(f"{sandbox.url}/oauth/token",), daemon=True)
        for _ in range(2)
    ]
    for blocker in blockers:
        blocker.start()
    wait_until(lambda: sandbox.stats()["in_flight"] >= 2, timeout=5, every=0.005)
    with make_client(sandbox, retry=RetryPolicy(base_delay=0.05, concurrency_attempts=40)) as c:
        c.send(payload())
    stats = sandbox.stats()
    assert stats["concurrency_rejections"] >= 1
    assert stats["accepted_sends"] == 1


@IN_FLIGHT_TIMING
def test_the_process_never_has_more_than_ten_requests_in_flight(sandbox):
    sandbox.configure(latency=0.3)  # all ten overlap at the server even on a loaded machine
    with make_client(sandbox) as client:
        client.token_info()
        client.gate.reset_peak()
        threads = [threading.Thread(target=client.send, args=(payload(),)) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert client.gate.peak == 10
    stats = sandbox.stats()
    assert stats["accepted_sends"] == 30
    assert stats["peak_in_flight"] == 10
    assert stats["concurrency_rejections"] == 0


# -- status ---------------------------------------------------------------------------------------


def test_status_progresses_from_not_found_to_complete(sandbox):
    sandbox.configure(status_delay=0.3, delivery_seconds=1.0)
    numbers = ["19495001234", "19495009990", "1833920903", "447911123456"]
    with make_client(sandbox) as client:
        accepted = client.send(payload(*numbers))
        first = client.status(accepted.transaction_id)
        assert not first.found
        assert any("Transaction status not found" in e for e in first.errors)
        partial = wait_until(lambda: (s := client.status(accepted.transaction_id)).found and s)
        assert partial.total == 4
        assert partial.processed < 4 or partial.complete
        done = wait_until(lambda: (s := client.status(accepted.transaction_id)).complete and s)
    by_number = {c.phone_number: c for c in done.contacts}
    assert done.processed == done.total == 4
    assert by_number["19495001234"].sent and by_number["19495001234"].message is None
    assert by_number["447911123456"].sent
    assert not by_number["1833920903"].sent
    assert by_number["1833920903"].message == "Invalid phone number."
    assert not by_number["19495009990"].sent
    assert by_number["19495009990"].message == "Message blocked by the carrier."
    assert (done.sent, done.failed, done.pending) == (2, 2, 0)


def test_status_of_a_contact_that_never_finishes(sandbox):
    with make_client(sandbox) as client:
        accepted = client.send(payload("19495001234", "19495009999"))
        status = wait_until(
            lambda: (s := client.status(accepted.transaction_id)).processed == 1 and s
        )
        time.sleep(0.8)
        status = client.status(accepted.transaction_id)
    assert status.total == 2 and status.processed == 1 and not status.complete
    assert status.pending == 1


def test_status_follows_next_page_links(sandbox):
    sandbox.configure(page_size=2)
    numbers = [f"1949500{n:04d}" for n in range(1230, 1237)]
    with make_client(sandbox) as client:
        accepted = client.send(payload(*numbers))
        status = wait_until(lambda: (s := client.status(accepted.transaction_id)).complete and s)
    assert [c.phone_number for c in status.contacts] == numbers
    assert sandbox.stats()["status_requests"] >= 4


def test_status_rejects_a_malformed_id(sandbox):
    with make_client(sandbox) as client, pytest.raises(ValueError):
        client.status("../../oauth/token")


# -- answer shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"meta": {"generalErrors": []}, "data": {"location": "http://x/s", "id": "abc-1"}},
        {"location": "http://x/s", "id": "abc-1"},
    ],
)
def test_send_accepts_wrapped_and_bare_answers(body):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t0k3n-value", "expires_in": 100})
        return httpx.Response(202, json=body)

    client = AcousticClient(
        "http://127.0.0.1:1", "id", "s", "r", transport=httpx.MockTransport(handler)
    )
    with client:
        accepted = client.send(payload())
    assert accepted.transaction_id == "abc-1"
    assert accepted.location == "http://x/s"


def test_next_page_on_another_host_is_not_followed():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t0k3n-value", "expires_in": 100})
        assert request.url.host == "127.0.0.1"
        return httpx.Response(
            200,
            json={
                "meta": {"nextPageUrl": "https://evil.example/steal"},
                "data": {"totalContacts": 1, "contactsProcessed": 1, "contactStatus": []},
            },
        )

    client = AcousticClient(
        "http://127.0.0.1:1", "id", "s", "r", transport=httpx.MockTransport(handler)
    )
    with client, pytest.raises(Exception, match="another host"):
        client.status("abc")


# -- pods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pod", "host"),
    [
        ("1", "api-campaign-us-1"),
        ("5", "api-campaign-us-5"),
        ("6", "api-campaign-eu-1"),
        ("7", "api-campaign-ap-2"),
        ("8", "api-campaign-ca-1"),
        ("9", "api-campaign-us-6"),
        ("a", "api-campaign-ap-1"),
        ("B", "api-campaign-ap-3"),
        ("pilot", "api-campaign-pilot"),
        (" Pilot ", "api-campaign-pilot"),
    ],
)
def test_pods_map_to_their_hosts(pod, host):
    assert pod_base_url(pod) == f"https://{host}.goacoustic.com"
    client = AcousticClient.for_pod(pod, "id", "test-secret", "test-refresh")
    assert client.base_url == f"https://{host}.goacoustic.com"
    client.close()


def test_base_urls_are_accepted_and_checked():
    assert resolve_base_url("https://api-campaign-us-2.goacoustic.com/rest/") == (
        "https://api-campaign-us-2.goacoustic.com"
    )
    assert resolve_base_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="plain http"):
        resolve_base_url("http://api-campaign-us-2.goacoustic.com")
    with pytest.raises(ValueError, match="Unknown Acoustic pod"):
        resolve_base_url("10")


# -- shapes the document leaves open ------------------------------------------------------------


def mock_client(handler, base_url: str = "http://127.0.0.1:9") -> AcousticClient:
    def with_token(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "tok", "expires_in": "14399.0"})
        return handler(request)

    return AcousticClient(base_url, "id", "s", "r", transport=httpx.MockTransport(with_token))


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"data": {"message": "Transaction status not found."}}),
        httpx.Response(200, json={"meta": {"attributes": {"x": "Transaction status not found"}}}),
        httpx.Response(200, text="Transaction status not found. Please try again later."),
    ],
)
def test_not_found_is_recognised_wherever_the_answer_puts_it(answer):
    with mock_client(lambda request: answer) as client:
        assert client.status("abc-123").found is False


def test_a_lifetime_written_as_text_is_read_and_a_missing_one_is_four_hours():
    with mock_client(lambda request: httpx.Response(200, json={"data": {}})) as client:
        info = client.token_info()
    assert round(info.expires_at - info.obtained_at) == 14399


def test_a_next_page_on_the_same_pod_named_http_is_fetched_over_https():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        page = request.url.params.get("page", "1")
        meta = {"nextPageUrl": "http://pod.example/rest/x?page=2"} if page == "1" else {}
        return httpx.Response(
            200, json={"meta": meta, "data": {"totalContacts": 2, "contactsProcessed": 2}}
        )

    with mock_client(handler, base_url="https://pod.example") as client:
        client.status("abc-123")
    assert seen[-1] == "https://pod.example/rest/x?page=2"


def test_an_endless_status_is_an_error_not_a_silent_partial_answer(monkeypatch):
    import components.acoustic.client as client_module

    monkeypatch.setattr(client_module, "MAX_STATUS_PAGES", 3)

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        meta = {"nextPageUrl": f"/rest/x?page={page + 1}"}
        return httpx.Response(200, json={"meta": meta, "data": {"totalContacts": 9}})

    with mock_client(handler) as client, pytest.raises(UnexpectedResponseError, match="pages"):
        client.status("abc-123")


def test_a_refused_replacement_waits_longer_each_time(monkeypatch):
    from components.acoustic import CredentialsRefusedError, tokens

    now = [1000.0]
    monkeypatch.setattr(tokens.time, "time", lambda: now[0])
    cache = tokens.TokenCache()
    refusal = CredentialsRefusedError("refused", "Check.", status_code=401, api_message="no")

    def fetch() -> tokens.AccessToken:
        return tokens.AccessToken(Secret("t"), now[0], now[0] + 14400)

    def refuse_the_next_token() -> None:
        token = cache.get(fetch)
        assert cache.on_probation(token)
        cache.refused(token, refusal)

    first = cache.get(fetch)
    assert not cache.on_probation(first)  # an ordinary token: a 401 replaces it
    cache.invalidate(first)
    refuse_the_next_token()  # its replacement refused too: a minute without asking
    with pytest.raises(AuthenticationError, match="will not ask"):
        cache.get(fetch)
    now[0] += 61
    refuse_the_next_token()  # a minute later: one more try, refused again
    now[0] += 61
    with pytest.raises(AuthenticationError, match="will not ask"):
        cache.get(fetch)  # the wait has doubled to two minutes
    now[0] += 60
    cache.accepted(cache.get(fetch))  # accepted at last: back to ordinary expiries
    assert not cache.on_probation(cache.get(fetch))
    assert cache.fetches == 4


@pytest.mark.parametrize("bare", [False, True])
def test_both_documented_202_shapes_from_the_sandbox(sandbox, bare):
    sandbox.configure(bare_accepted=bare)
    with make_client(sandbox) as client:
        accepted = client.send(payload())
    assert accepted.transaction_id and accepted.location.endswith("/status")

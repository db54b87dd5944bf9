"""The sandbox speaks Acoustic's wire protocol: raw HTTP, no client in between."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import httpx
import pytest

from components.sandbox import TEST_NUMBERS, outcome_for
from tests.sandbox_support import token_form
from tests.sending_support import IN_FLIGHT_TIMING

SEND = "/rest/channels/sms/externalconsentsends"


def token(server) -> str:
    response = httpx.post(f"{server.url}/oauth/token", data=token_form(server.config))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == server.config.token_lifetime
    assert body["refresh_token"] == "sandbox-refresh"
    return body["access_token"]


def post_send(server, body, access: str | None = None, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access or token(server)}"}
    return httpx.post(f"{server.url}{SEND}", json=body, headers=headers, **kwargs)


def get_status(server, tid: str, access: str, page: int | None = None) -> httpx.Response:
    params = {"page": page} if page else None
    return httpx.get(
        f"{server.url}/rest/channels/sms/sends/{tid}/status",
        headers={"Authorization": f"Bearer {access}"},
        params=params,
    )


def body(*numbers: str, **overrides) -> dict:
    result = {
        "channelQualifier": "129856",
        "content": "Code %%PIN%% for %%first name%%",
        "contacts": [{"phoneNumber": n} for n in (numbers or ("19495001234",))],
    }
    result.update(overrides)
    return result


def general_errors(response: httpx.Response) -> list[str]:
    return response.json()["meta"]["generalErrors"]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_secret": ""}, 400, "invalid_request"),
        ({"client_id": "x"}, 401, "invalid_client"),
        ({"client_secret": "x"}, 401, "invalid_client"),
        ({"refresh_token": "x"}, 401, "invalid_grant"),
    ],
)
def test_token_errors(sandbox, form, status, error):
    data = {
        "grant_type": "refresh_token",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
        "refresh_token": "sandbox-refresh",
        **form,
    }
    response = httpx.post(f"{sandbox.url}/oauth/token", data=data)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_expired_token_gets_the_documented_message(sandbox):
    sandbox.configure(token_lifetime=0.2)
    access = token(sandbox)
    time.sleep(0.3)
    response = post_send(sandbox, body(), access)
    assert response.status_code == 401
    assert general_errors(response) == [
        f"The access token has expired. Token provided was: {access}"
    ]
    unknown = post_send(sandbox, body(), "made-up")
    assert unknown.status_code == 401
    assert general_errors(unknown) == ["The access token is invalid."]


def test_accepted_send_has_an_acoustic_shaped_transaction_id(sandbox):
    response = post_send(sandbox, body())
    assert response.status_code == 202
    data = response.json()["data"]
    assert re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{11,}-[0-9a-f]{32}", data["id"])
    assert data["location"] == f"{sandbox.url}/rest/channels/sms/sends/{data['id']}/status"
    assert response.json()["meta"]["generalErrors"] == []


def test_every_documented_error_row(sandbox):
    access = token(sandbox)
    rows = [
        (body(content="Hi %%NICK%% %%ZIP%%"), 400, "Wrong personalization tags NICK, ZIP"),
        (
            body(channelQualifier="55555"),
            400,
            "SMS Program is inactive or not found with identifier 55555.",
        ),
        (body(channelQualifier=" "), 400, "Channel qualifier should be present"),
        (body(content="é" * 801), 400, "The message exceeded the maximum 800 character limit."),
        (body(content=""), 400, "SMS content should be present"),
        (
            body(contacts=[]),
            400,
            "Contacts must contain at least 1 contact and cannot exceed more than 1000 contacts.",
        ),
        (
            body(contacts=[{"phoneNumber": ""}]),
            400,
            "Contact information is empty. Please provide contact identifier or lookup keys.",
        ),
    ]
    for payload, status, message in rows:
        response = post_send(sandbox, payload, access)
        assert (response.status_code, general_errors(response)) == (status, [message])
    raw = httpx.post(
        f"{sandbox.url}{SEND}",
        content=b"[1, 2",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
    )
    assert (raw.status_code, general_errors(raw)) == (400, ["Bad request"])
    assert post_send(sandbox, body(content="x" * 800), access).status_code == 202
    sandbox.configure(sms_enabled=False)
    forbidden = post_send(sandbox, body(), access)
    assert (forbidden.status_code, general_errors(forbidden)) == (403, ["Forbidden"])


@IN_FLIGHT_TIMING
def test_the_eleventh_concurrent_request_is_rejected(sandbox):
    sandbox.configure(latency=0.5)
    access = token(sandbox)
    answers: list[int] = []
    barrier = threading.Barrier(11)

    def one() -> None:
        barrier.wait()
        answers.append(post_send(sandbox, body(), access, timeout=10).status_code)

    threads = [threading.Thread(target=one) for _ in range(11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [202] * 10 + [429]
    stats = sandbox.stats()
    assert stats["peak_in_flight"] == 10
    assert stats["concurrency_rejections"] == 1
    assert stats["accepted_sends"] == 10


def test_status_goes_from_not_found_to_processed(sandbox):
    sandbox.configure(status_delay=0.3, delivery_seconds=0.6)
    access = token(sandbox)
    numbers = ["19495001234", "19495009990", "19495009991", "12345", "19495009999"]
    tid = post_send(sandbox, body(*numbers), access).json()["data"]["id"]
    sent_at = time.monotonic()
    early = get_status(sandbox, tid, access).json()
    assert early["data"]["errors"] == [
        "Transaction status not found. Please try your request again in a few minutes."
    ]
    unknown = get_status(sandbox, "no-such-id", access).json()
    assert unknown["data"]["errors"] == early["data"]["errors"]
    seen: list[int] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        data = get_status(sandbox, tid, access).json()["data"]
        if not data["errors"]:
            assert data["totalContacts"] == 5
            seen.append(data["contactsProcessed"])
            if seen[-1] == 4 and time.monotonic() - sent_at > 1.2:
                break  # past the delivery window: ...9999 stays unprocessed
        time.sleep(0.02)
    assert seen == sorted(seen), "processing never goes backwards"
    assert any(0 < count < 4 for count in seen), "contacts are processed progressively"
    done = get_status(sandbox, tid, access).json()["data"]
    assert done["contactsProcessed"] == 4  # ...9999 never finishes
    assert done["contactStatus"] == [
        {"phoneNumber": "19495001234", "smsSent": True},
        {
            "phoneNumber": "19495009990",
            "smsSent": False,
            "message": "Message blocked by the carrier.",
        },
        {
            "phoneNumber": "19495009991",
            "smsSent": False,
            "message": "Unable to deliver: the handset is unreachable or switched off.",
        },
        {"phoneNumber": "12345", "smsSent": False, "message": "Invalid phone number."},
    ]


def test_test_numbers_are_valid_numbers_with_fixed_outcomes():
    assert len({o.message for _, o in TEST_NUMBERS.values() if o.sent is False}) >= 4
    for digits, (_, outcome) in TEST_NUMBERS.items():
        assert outcome_for(f"1949500{digits}") == outcome
        assert outcome_for(f"44791112{digits}") == outcome
    assert outcome_for("19495001234").sent is True
    assert outcome_for("1833920903").message == "Invalid phone number."
    assert outcome_for("+19495001234").message == "Invalid phone number."


def test_status_pages(sandbox):
    sandbox.configure(page_size=2, delivery_seconds=0)
    access = token(sandbox)
    numbers = [f"194950012{n:02d}" for n in range(5)]
    tid = post_send(sandbox, body(*numbers), access).json()["data"]["id"]
    time.sleep(0.25)
    seen, url = [], f"{sandbox.url}/rest/channels/sms/sends/{tid}/status"
    while url:
        answer = httpx.get(url, headers={"Authorization": f"Bearer {access}"}).json()
        seen += [c["phoneNumber"] for c in answer["data"]["contactStatus"]]
        url = answer["meta"]["nextPageUrl"]
    assert seen == numbers


def test_faults_as_a_client_sees_them(sandbox):
    access = token(sandbox)
    sandbox.configure(slow_seconds=1.0)
    sandbox.inject_faults("send", ["500", "drop", "slow", "429"])
    assert post_send(sandbox, body(), access).status_code == 500
    with pytest.raises(httpx.TransportError):
        post_send(sandbox, body(), access)
    with pytest.raises(httpx.ReadTimeout):
        post_send(sandbox, body(), access, timeout=0.3)
    rejected = post_send(sandbox, body(), access)
    assert rejected.status_code == 429
    stats = sandbox.stats()
    assert stats["send_posts"] == 4
    assert stats["accepted_sends"] == 3  # the 429 was refused before processing


def test_fault_rates_are_drawn_from_a_seeded_generator(sandbox):
    sandbox.configure(error_rate=0.5, seed=7)
    sandbox.reset()
    access = token(sandbox)
    first = [get_status(sandbox, "x", access).status_code for _ in range(20)]
    sandbox.reset()
    access = token(sandbox)
    second = [get_status(sandbox, "x", access).status_code for _ in range(20)]
    assert first == second
    assert 0 < first.count(500) < 20


def test_control_endpoints(sandbox):
    assert httpx.get(f"{sandbox.url}/").json()["credentials"]["client_id"] == "sandbox-client"
    changed = httpx.post(f"{sandbox.url}/_sandbox/config", json={"latency": 0.01}).json()
    assert changed["latency"] == 0.01
    bad = httpx.post(f"{sandbox.url}/_sandbox/config", json={"nope": 1})
    assert bad.status_code == 400
    access = token(sandbox)
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"path": "send", "faults": ["500"]})
    assert post_send(sandbox, body(), access).status_code == 500
    httpx.post(f"{sandbox.url}/_sandbox/expire-tokens", json={})
    assert post_send(sandbox, body(), access).status_code == 401
    assert httpx.get(f"{sandbox.url}/_sandbox/stats").json()["send_posts"] == 2
    httpx.post(f"{sandbox.url}/_sandbox/reset", json={})
    assert httpx.get(f"{sandbox.url}/_sandbox/stats").json()["send_posts"] == 0


def test_command_line(tmp_path):
    helped = subprocess.run(
        [sys.executable, "-m", "components.sandbox", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0
    for knob in (
        "--latency",
        "--status-delay",
        "--token-lifetime",
        "--no-sms-enabled",
        "--error-rate",
        "--drop-rate",
        "--slow-rate",
        "--max-concurrent",
    ):
        assert knob in helped.stdout
    process = subprocess.Popen(
        [sys.executable, "-m", "components.sandbox", "--port", "0", "--status-delay", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert httpx.get(f"{url}/", timeout=5).json()["sandbox"]
        assert httpx.get(f"{url}/_sandbox/config").json()["status_delay"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_sandbox_keeps_the_sms_each_contact_received(sandbox):
    sent = body(
        "19495001234",
        "19495001299",
        content="Code %%PIN%% for %%first name%%, %%First Name%%",
        personalizationDefaults={"first name": "you", "PIN": "never used"},
    )
    sent["contacts"][0]["personalization"] = {"PIN": "0042", "first name": "Ann"}
    sent["contacts"][1]["personalization"] = {"PIN": "1200", "First Name": "Bob"}
    transaction = post_send(sandbox, sent).json()["data"]["id"]
    answer = httpx.get(f"{sandbox.url}/_sandbox/transactions/{transaction}/messages")
    assert answer.status_code == 200
    # Exactly the tag's spelling, then the default of exactly that spelling, else as written.
    assert answer.json()["messages"] == [
        {"phoneNumber": "19495001234", "text": "Code 0042 for Ann, %%First Name%%"},
        {"phoneNumber": "19495001299", "text": "Code 1200 for you, Bob"},
    ]
    assert sandbox.delivered(transaction) == [
        ("19495001234", "Code 0042 for Ann, %%First Name%%"),
        ("19495001299", "Code 1200 for you, Bob"),
    ]
    missing = httpx.get(f"{sandbox.url}/_sandbox/transactions/nope/messages")
    assert missing.status_code == 404 and sandbox.delivered("nope") is None


def test_the_documented_default_credentials():
    assert token_form() == {
        "grant_type": "refresh_token",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
        "refresh_token": "sandbox-refresh",
    }

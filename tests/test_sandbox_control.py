"""The sandbox's /_sandbox/* knobs over real HTTP: JSON only, typed, and never from another site."""

from __future__ import annotations

import httpx
import pytest

from tests.test_sandbox import body, post_send, token

CONTROL_POSTS = [
    "/_sandbox/config",
    "/_sandbox/reset",
    "/_sandbox/expire-tokens",
    "/_sandbox/faults",
]


def config(sandbox) -> dict:
    return httpx.get(f"{sandbox.url}/_sandbox/config").json()


def still_answers(sandbox) -> None:
    """The knobs did not break the sandbox: a token and a send still work."""
    assert config(sandbox)["max_concurrent"] == 10
    assert post_send(sandbox, body(), token(sandbox)).status_code == 202


@pytest.mark.parametrize("path", CONTROL_POSTS)
@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},  # what a cross-site form or no-cors fetch can send
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},
    ],
)
def test_a_control_post_that_is_not_json_is_refused(sandbox, path, headers):
    answer = httpx.post(f"{sandbox.url}{path}", content=b'{"max_concurrent": 0}', headers=headers)
    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    still_answers(sandbox)


def test_json_with_a_charset_is_json(sandbox):
    answer = httpx.post(
        f"{sandbox.url}/_sandbox/config",
        content=b'{"latency": 0.01}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert answer.status_code == 200 and answer.json()["latency"] == 0.01


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a file
        {"Origin": "http://localhost:8501"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
@pytest.mark.parametrize(
    "method, path",
    [("POST", p) for p in CONTROL_POSTS]
    + [("GET", "/_sandbox/stats"), ("GET", "/_sandbox/config")],
)
def test_a_control_request_from_another_origin_is_refused(sandbox, headers, method, path):
    answer = httpx.request(
        method, f"{sandbox.url}{path}", json={"max_concurrent": 0}, headers=headers
    )
    assert answer.status_code == 403
    assert "origin" in answer.json()["error"]
    still_answers(sandbox)


@pytest.mark.parametrize(
    "headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, "own"]
)
def test_a_control_request_from_the_sandbox_itself_is_served(sandbox, headers):
    if headers == "own":  # the sandbox's own origin, as a browser on its page would send it
        headers = {"Origin": sandbox.url, "Sec-Fetch-Site": "same-origin"}
    answer = httpx.post(f"{sandbox.url}/_sandbox/config", json={"latency": 0.02}, headers=headers)
    assert answer.status_code == 200 and answer.json()["latency"] == 0.02


@pytest.mark.parametrize(
    ("knobs", "field", "expected"),
    [
        ({"max_concurrent": "ten"}, "max_concurrent", "a whole number"),
        ({"max_concurrent": 2.5}, "max_concurrent", "a whole number"),
        ({"max_concurrent": True}, "max_concurrent", "a whole number"),
        ({"latency": "fast"}, "latency", "a number"),
        ({"latency": None}, "latency", "a number"),
        ({"sms_enabled": "false"}, "sms_enabled", "true or false"),
        ({"sms_enabled": 0}, "sms_enabled", "true or false"),
        ({"client_id": 5}, "client_id", "a string"),
        ({"active_programs": "12345"}, "active_programs", "a list of strings"),
        ({"active_programs": [12345]}, "active_programs", "a list of strings"),
        ({"seed": "x"}, "seed", "a whole number or null"),
        ({"latency": 0.5, "max_concurrent": "ten"}, "max_concurrent", "a whole number"),
    ],
)
def test_a_knob_of_the_wrong_type_is_refused_by_name(sandbox, knobs, field, expected):
    answer = httpx.post(f"{sandbox.url}/_sandbox/config", json=knobs)
    assert answer.status_code == 400
    assert field in answer.json()["error"] and expected in answer.json()["error"]
    assert config(sandbox)["latency"] == 0.0  # nothing of a refused change is applied
    still_answers(sandbox)


@pytest.mark.parametrize(
    "raw",
    [b'{"latency": NaN}', b'{"latency": Infinity}', b"[1]", b"null", b"{", b"\xff", b'"x"'],
)
def test_a_body_that_is_not_a_json_object_of_knobs_is_refused(sandbox, raw):
    answer = httpx.post(
        f"{sandbox.url}/_sandbox/config",
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["error"]
    still_answers(sandbox)


def test_knobs_of_the_right_type_are_applied(sandbox):
    knobs = {"max_concurrent": 5, "status_delay": 1, "seed": None, "active_programs": ["1", "2"]}
    changed = httpx.post(f"{sandbox.url}/_sandbox/config", json=knobs).json()
    assert changed["max_concurrent"] == 5 and changed["status_delay"] == 1.0
    assert changed["seed"] is None and changed["active_programs"] == ["1", "2"]
    assert isinstance(sandbox.config.status_delay, float)
    assert sandbox.config.active_programs == ("1", "2")


def test_configure_in_python_checks_types_too(sandbox):
    with pytest.raises(ValueError, match="max_concurrent"):
        sandbox.configure(max_concurrent="ten")
    sandbox.configure(max_concurrent=3, latency=0, active_programs=("9",), seed=4)
    assert sandbox.config.max_concurrent == 3 and sandbox.config.latency == 0.0


@pytest.mark.parametrize(
    ("knob", "value", "said"),
    [
        ("max_concurrent", -1, "at least 1"),
        ("max_concurrent", 0, "at least 1"),
        ("page_size", -3, "at least 0"),
        ("token_lifetime", -100, "at least 0"),
        ("status_delay", -5, "at least 0"),
        ("error_rate", 1.5, "from 0 to 1"),
    ],
)
def test_knobs_out_of_range_are_refused_by_name(sandbox, knob, value, said):
    with pytest.raises(ValueError, match=f"The sandbox knob {knob} must be {said}"):
        sandbox.configure(**{knob: value})
    assert sandbox.config.as_dict()[knob] != value

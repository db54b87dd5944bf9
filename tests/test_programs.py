"""The SMS programs: the sandbox's endpoint over raw HTTP, the client's list_programs against it,
the tolerant reading of other answer shapes, and the listing Compose shows."""

from __future__ import annotations

import httpx
import pytest

from components.acoustic import (
    AcousticClient,
    ForbiddenError,
    Program,
    UnexpectedResponseError,
    programs_of,
)
from components.message.program_listing import ProgramListing, fetch_listing, program_label
from components.sandbox.config import UUID_PROGRAM
from tests.sandbox_support import token_form
from tests.sending_support import FAST_RETRY

PROGRAMS = "/rest/channels/sms/programs"
SEND = "/rest/channels/sms/externalconsentsends"

pytestmark = pytest.mark.usefixtures("fresh_tokens")


def make_client(server, **options) -> AcousticClient:
    options.setdefault("retry", FAST_RETRY)
    config = server.config
    return AcousticClient(
        server.url, config.client_id, config.client_secret, config.refresh_token, **options
    )


def access(server) -> dict[str, str]:
    answer = httpx.post(f"{server.url}/oauth/token", data=token_form(server.config))
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


# -- the sandbox, raw HTTP ----------------------------------------------------------------------


def test_sandbox_lists_active_and_inactive_programs_in_the_envelope(sandbox):
    answer = httpx.get(f"{sandbox.url}{PROGRAMS}", headers=access(sandbox))
    assert answer.status_code == 200
    body = answer.json()
    assert body["meta"]["generalErrors"] == []
    by_id = {entry["id"]: entry for entry in body["data"]}
    assert set(by_id) == {"12345", "129856", UUID_PROGRAM, "55555"}
    assert by_id["55555"]["status"] == "INACTIVE" and by_id["12345"]["status"] == "ACTIVE"
    assert set(by_id[UUID_PROGRAM]) == {
        "id",
        "programName",
        "campaignName",
        "code",
        "senderId",
        "status",
        "type",
        "country",
    }
    assert by_id[UUID_PROGRAM]["country"] == "GB"


def test_sandbox_program_lists_follow_the_knobs(sandbox):
    sandbox.configure(active_programs=("777",), inactive_programs=("777", "888"))
    answer = httpx.get(f"{sandbox.url}{PROGRAMS}", headers=access(sandbox)).json()
    # An id in both lists can send, so it is listed active; an id without details gets a name.
    assert [(e["id"], e["status"]) for e in answer["data"]] == [
        ("777", "ACTIVE"),
        ("888", "INACTIVE"),
    ]
    assert answer["data"][1]["programName"] == "Sandbox program 888"


def test_sandbox_gives_one_program_by_id(sandbox):
    headers = access(sandbox)
    one = httpx.get(f"{sandbox.url}/rest/channels/sms/program/{UUID_PROGRAM}", headers=headers)
    assert one.status_code == 200 and one.json()["data"]["programName"]
    unknown = httpx.get(f"{sandbox.url}/rest/channels/sms/program/424242", headers=headers)
    assert unknown.status_code == 404
    assert "424242" in unknown.json()["meta"]["generalErrors"][0]


def test_sandbox_program_calls_check_the_token_and_sms_enabled(sandbox):
    for path in (PROGRAMS, "/rest/channels/sms/program/12345"):
        assert httpx.get(f"{sandbox.url}{path}").status_code == 401
        bad = httpx.get(f"{sandbox.url}{path}", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
    headers = access(sandbox)
    sandbox.expire_tokens()
    expired = httpx.get(f"{sandbox.url}{PROGRAMS}", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.text
    sandbox.configure(sms_enabled=False)
    forbidden = httpx.get(f"{sandbox.url}{PROGRAMS}", headers=access(sandbox))
    assert (forbidden.status_code, forbidden.json()["meta"]["generalErrors"]) == (
        403,
        ["Forbidden"],
    )


def test_sandbox_sends_with_the_uuid_program(sandbox):
    body = {
        "channelQualifier": UUID_PROGRAM,
        "content": "Hi",
        "contacts": [{"phoneNumber": "19495001234"}],
    }
    answer = httpx.post(f"{sandbox.url}{SEND}", json=body, headers=access(sandbox))
    assert answer.status_code == 202


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"ttlInMinutes": 15, "campaignName": "Spring"}, 202, None),
        ({"ttlInMinutes": 10080}, 202, None),
        ({"ttlInMinutes": "15"}, 400, "Bad request"),
        ({"ttlInMinutes": 1.5}, 400, "Bad request"),
        ({"ttlInMinutes": True}, 400, "Bad request"),
        ({"ttlInMinutes": 0}, 400, "ttlInMinutes must be a positive number of minutes."),
        ({"campaignName": 5}, 400, "Bad request"),
    ],
)
def test_sandbox_types_the_optional_send_fields(sandbox, fields, status, message):
    body = {"channelQualifier": "12345", "content": "Hi", "contacts": [{"phoneNumber": "1949"}]}
    answer = httpx.post(f"{sandbox.url}{SEND}", json=body | fields, headers=access(sandbox))
    assert answer.status_code == status
    if message:
        assert answer.json()["meta"]["generalErrors"] == [message]
    else:
        assert sandbox.stats()["accepted_sends"] == 1


# -- the client over real HTTP ------------------------------------------------------------------


def test_list_programs_reads_ids_as_opaque_strings(sandbox):
    with make_client(sandbox) as client:
        programs = client.list_programs()
    assert [p.id for p in programs] == ["12345", "129856", UUID_PROGRAM, "55555"]
    assert all(isinstance(p.id, str) for p in programs)
    inactive = programs[-1]
    assert (inactive.name, inactive.status, inactive.active) == (
        "Spring sale 2023",
        "INACTIVE",
        False,
    )
    assert programs[0] == Program("12345", "Order updates", "ACTIVE", "One-Way", "US", "55123")
    assert sandbox.stats()["program_requests"] == 1


def test_list_programs_renews_an_expired_token_once(sandbox):
    with make_client(sandbox) as client:
        client.token_info()
        sandbox.expire_tokens()
        assert len(client.list_programs()) == 4
    assert sandbox.stats()["tokens_issued"] == 2


def test_list_programs_when_sms_is_disabled_is_forbidden(sandbox):
    sandbox.configure(sms_enabled=False)
    with make_client(sandbox) as client, pytest.raises(ForbiddenError) as caught:
        client.list_programs()
    assert caught.value.status_code == 403


def mock_client(answer: httpx.Response) -> AcousticClient:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 14400})
        assert request.url.path == PROGRAMS and request.method == "GET"
        return answer

    return AcousticClient(
        "https://api-campaign-us-1.goacoustic.com",
        "id",
        "test-secret",  # every secret a client is given is redacted from every text after:
        "test-refresh",  # "refresh" would be cut out of Acoustic's "Invalid refresh token"
        transport=httpx.MockTransport(handle),
        retry=FAST_RETRY,
    )


def test_list_programs_refuses_an_answer_without_a_list():
    client = mock_client(httpx.Response(200, json={"meta": {}, "data": {"x": 1}}))
    with client, pytest.raises(UnexpectedResponseError):
        client.list_programs()


def test_list_programs_reads_a_bare_list_with_numeric_ids():
    answer = httpx.Response(200, json=[{"id": 12345, "programName": "A", "status": "ACTIVE"}])
    with mock_client(answer) as client:
        assert client.list_programs() == [Program("12345", "A", "ACTIVE")]


# -- tolerant reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"meta": {}, "data": [{"id": "a-1", "programName": "One"}]},
        {"meta": {}, "data": {"programs": [{"id": "a-1", "name": "One"}]}},
        {"data": [{"programId": "a-1", "programName": "One"}]},
        [{"id": "a-1", "programName": "One"}, {"programName": "no id: skipped"}, "junk"],
        [{"id": "a-1", "programName": "One"}, {"id": "a-1", "programName": "One"}],
    ],
)
def test_programs_of_reads_the_shapes_that_may_come(body):
    assert programs_of(body) == [Program("a-1", "One")]


def test_programs_of_tells_no_list_from_an_empty_one():
    assert programs_of({"meta": {}, "data": []}) == []
    assert programs_of(None) is None
    assert programs_of({"meta": {}, "data": None}) is None


@pytest.mark.parametrize(
    ("status", "active"),
    [("ACTIVE", True), ("Active", True), ("", True), ("INACTIVE", False), ("PAUSED", False)],
)
def test_a_program_is_active_by_its_status(status, active):
    assert Program("1", status=status).active is active


# -- the listing Compose shows ------------------------------------------------------------------


def test_listing_of_a_refusal_says_why_in_plain_words(sandbox):
    sandbox.configure(sms_enabled=False)
    with make_client(sandbox) as client:
        listing = fetch_listing(client)
    assert listing.programs is None
    assert listing.note.startswith("Acoustic refused to list the programs (403: SMS is not enabled")
    assert listing.note.endswith("type the program id.")


def test_listing_of_an_unreachable_pod_says_so():
    client = AcousticClient("http://127.0.0.1:9", "id", "s", "r", retry=FAST_RETRY)
    with client:
        listing = fetch_listing(client)
    assert listing.programs is None
    assert "could not be listed" in listing.note and "type the program id" in listing.note


def test_listing_keeps_inactive_programs_but_offers_active_ones(sandbox):
    with make_client(sandbox) as client:
        listing = fetch_listing(client)
    assert len(listing.programs or ()) == 4 and listing.note == ""
    assert [p.id for p in listing.active] == ["12345", "129856", UUID_PROGRAM]
    assert program_label(listing.programs[-1]) == "Spring sale 2023 · 55555 · inactive"


def test_listing_without_active_programs_says_to_type_the_id():
    listing = ProgramListing((Program("9", "Old", "INACTIVE"),))
    assert listing.active == ()
    assert "no active SMS program" in listing.note
    assert "no active SMS program" in ProgramListing(()).note

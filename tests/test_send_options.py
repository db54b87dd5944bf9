"""The program checks of preflight and the optional send fields, without Streamlit or network."""

from __future__ import annotations

import pandas as pd
import pytest

from components.acoustic import Program
from components.message.draft import Draft, payloads_for, summarize
from components.message.payloads import MAX_TTL_MINUTES, build_payloads, ttl_problem
from components.message.preflight import preflight, program_issues
from components.status.history import send_options_line

LISTED = (
    Program("12345", "Order updates", "ACTIVE"),
    Program("3F2B8C1E-7D4A-4E9B-A6C5-0D1E2F3A4B5C", "UK reminders", "ACTIVE"),
    Program("55555", "Spring sale", "INACTIVE"),
)


def recipients(count: int) -> pd.DataFrame:
    numbers = [f"1949500{index:04d}" for index in range(count)]
    return pd.DataFrame({"phoneNumber": pd.Series(numbers, dtype="str")})


@pytest.mark.parametrize(
    "program", ["12345", " 12345 ", "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c", ""]
)
def test_a_listed_active_program_or_no_program_says_nothing(program):
    assert program_issues(program, LISTED) == []


def test_an_unknown_list_says_nothing():
    assert program_issues("99999", None) == []


def test_an_unlisted_program_is_a_warning():
    [issue] = program_issues("1234", LISTED)
    assert issue.level == "warning"
    assert "1234 is not among the 3 SMS programs Acoustic lists" in issue.message


def test_an_empty_list_is_said():
    [issue] = program_issues("1234", ())
    assert "Acoustic lists no SMS program" in issue.message


def test_a_listed_inactive_program_is_a_warning_naming_it():
    [issue] = program_issues("55555", LISTED)
    assert issue.level == "warning"
    assert "Spring sale (55555) is inactive" in issue.message
    assert "Choose an active program" in issue.fix


def test_preflight_passes_the_list_through():
    issues = preflight("Hi", "55555", 1, programs=LISTED)
    assert [i.level for i in issues] == ["warning"] and "inactive" in issues[0].message
    assert preflight("Hi", "55555", 1) == []


@pytest.mark.parametrize("ttl", [None, 1, 15, MAX_TTL_MINUTES])
def test_expiries_that_can_be_sent(ttl):
    assert ttl_problem(ttl) is None
    assert not [i for i in preflight("Hi", "12345", 1, ttl_minutes=ttl) if i.level == "error"]


@pytest.mark.parametrize("ttl", [0, -5, MAX_TTL_MINUTES + 1, 2.5, True])
def test_expiries_refused_with_a_message(ttl):
    assert ttl_problem(ttl)
    [issue] = preflight("Hi", "12345", 1, ttl_minutes=ttl)
    assert issue.level == "error"
    with pytest.raises(ValueError):
        build_payloads(recipients(1), content="Hi", program="12345", ttl_minutes=ttl)


def test_optional_fields_go_into_every_batch():
    payloads = build_payloads(
        recipients(2500),
        content="Hi",
        program="12345",
        ttl_minutes=30,
        campaign_name="  Spring OTP  ",
    )
    assert len(payloads) == 3
    for payload in payloads:
        assert payload["ttlInMinutes"] == 30 and payload["campaignName"] == "Spring OTP"


def test_optional_fields_left_empty_are_not_sent():
    [payload] = build_payloads(recipients(1), content="Hi", program="12345", campaign_name=" ")
    assert "ttlInMinutes" not in payload and "campaignName" not in payload


def test_the_draft_carries_them_to_the_payloads_and_preflight():
    draft = Draft(content="Hi", program="55555", ttl_minutes=5, campaign_name="Codes")
    [payload] = payloads_for(recipients(1), draft)
    assert (payload["ttlInMinutes"], payload["campaignName"]) == (5, "Codes")
    summary = summarize(recipients(1), draft, 0.0, programs=LISTED)
    assert summary.sendable and any("inactive" in i.message for i in summary.issues)
    refused = summarize(recipients(1), Draft(content="Hi", program="12345", ttl_minutes=0), 0.0)
    assert not refused.sendable


def test_history_names_the_optional_fields_a_send_carried():
    assert send_options_line({"campaignName": "Codes", "ttlInMinutes": 5}) == (
        "campaign Codes · expires after 5 min"
    )
    assert send_options_line({"channelQualifier": "12345"}) == ""

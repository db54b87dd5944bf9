"""Which sends need approval: `[console.approval]` parsed, and the rule applied."""

from __future__ import annotations

import pytest

from components.team.approval_rules import LOCAL_MODE, ApprovalRule, parse_approval_rule


def needs(rule: ApprovalRule, **send: object) -> list[str]:
    facts = {"kind": "bulk", "mode": "pod", "recipients": 10, "estimated_cost": 1.0} | send
    return rule.reasons(**facts)  # type: ignore[arg-type]


def test_by_default_live_sends_need_approval_and_sandbox_and_tests_do_not():
    rule = parse_approval_rule(None)
    assert needs(rule) == ["every send to a live pod needs approval"]
    assert needs(rule, mode="sandbox", recipients=10**6, estimated_cost=10**5) == []
    assert needs(rule, kind="test") == []
    assert rule.expires_after_hours == 24 and rule.problems == ()


def test_thresholds_add_reasons_and_apply_to_the_sandbox_only_when_asked():
    rule = parse_approval_rule({"live": False, "above_recipients": 100, "above_cost": 50})
    assert needs(rule) == []
    assert needs(rule, recipients=101) == ["it goes to more than 100 recipients"]
    assert needs(rule, recipients=100, estimated_cost=50.0) == []  # "above" is strictly above
    assert needs(rule, recipients=101, estimated_cost=50.01) == [
        "it goes to more than 100 recipients",
        "its estimated cost is above $50.00",
    ]
    assert needs(rule, mode="sandbox", recipients=101) == []
    sandbox_too = parse_approval_rule({"above_recipients": 100, "sandbox": True})
    assert needs(sandbox_too, mode="sandbox", recipients=101) == [
        "it goes to more than 100 recipients"
    ]
    assert needs(sandbox_too, mode="sandbox", recipients=99) == []


def test_tests_follow_the_rule_when_configured():
    assert needs(parse_approval_rule({"tests": True}), kind="test") == [
        "every send to a live pod needs approval"
    ]


def test_local_mode_needs_no_approval_and_says_why():
    assert needs(LOCAL_MODE, recipients=10**6) == []
    assert "Local mode" in LOCAL_MODE.describe()[0]


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"live": "yes"}, "`live = 'yes'` in [console.approval] in secrets.toml is not true or"),
        ({"above_recipients": -1}, "is not a whole number of at least 0; the console uses 0"),
        ({"above_recipients": 2.5}, "is not a whole number"),
        ({"above_cost": "lots"}, "is not a number of at least 0"),
        ({"expires_after_hours": 0}, "is not a number of hours above 0; the console uses 24.0"),
        ({"approvers": ["x"]}, "`approvers` in [console.approval] in secrets.toml is not a"),
        ("every send", "`console.approval` must be a table"),
    ],
)
def test_a_bad_setting_is_a_problem_and_keeps_its_default(section, problem):
    rule = parse_approval_rule(section)
    assert any(problem in text for text in rule.problems), rule.problems
    assert rule.live is True and rule.expires_after_hours == 24


def test_a_bad_key_does_not_spoil_the_good_ones():
    rule = parse_approval_rule({"above_recipients": 500, "live": "no", "expires_after_hours": 2})
    assert rule.above_recipients == 500 and rule.expires_after_hours == 2 and rule.live is True
    assert len(rule.problems) == 1


def test_the_rule_reads_as_sentences():
    lines = parse_approval_rule({"above_recipients": 5000, "above_cost": 250}).describe()
    assert lines[:3] == [
        "Every send to a live pod needs another person's approval.",
        "So does any send to more than 5,000 recipients.",
        "So does any send whose estimated cost is above $250.00.",
    ]
    assert "Sandbox sends never need approval." in lines
    assert parse_approval_rule({"live": False}).describe()[0] == "No send needs approval."

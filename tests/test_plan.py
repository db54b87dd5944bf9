"""The planner without Streamlit: every combination the confirmation offers (now or at a time;
everyone inside their hours, each when their hours begin, hold everything, send anyway with or
without a reason), the do-not-text list, approval, test sends, cost and the confirmation's facts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import pytest

from components.contacts.reading import read_contacts
from components.core.states import HoursChoice, ScheduleKind, SendKind
from components.guardrails.quiet_hours_settings import QuietHours
from components.message.draft import Draft
from components.sending import Destination, Guardrails, SendChoices, SendPlan, plan_send
from components.team.approval_rules import LOCAL_MODE, ApprovalRule
from components.team.auth import Identity, Role

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 04:00 Los Angeles, 07:00 New York, 12:00 London
LA, NY, LONDON = "19495001234", "12012345678", "447911123456"
CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 201 234 5678,Bob\n+44 7911 123456,Cy\n"
SAM = Identity(email="sam@example.com", roles=frozenset({Role.SENDER}))
SANDBOX = Destination("sandbox", "Sandbox", "http://127.0.0.1:1")
POD = Destination("pod", "Pod 1", "https://api-campaign-us-1.goacoustic.com")
DRAFT = Draft(content="Hi %%FIRST NAME%%", program="12345")


def recipients(text: str = CSV) -> pd.DataFrame:
    return read_contacts(text).recipients


NO_APPROVAL = Guardrails(approval_rule=LOCAL_MODE)
NOW = SendChoices()


def plan(
    choices: SendChoices = NOW,
    *,
    frame: pd.DataFrame | None = None,
    guardrails: Guardrails = NO_APPROVAL,
    destination: Destination = SANDBOX,
    **options: object,
) -> SendPlan:
    return plan_send(
        recipients() if frame is None else frame,
        options.pop("draft", DRAFT),  # type: ignore[arg-type]
        actor=SAM,
        destination=destination,
        guardrails=guardrails,
        choices=choices,
        now=NOON,
        **options,  # type: ignore[arg-type]
    )


def numbers(batch_plan: SendPlan, index: int) -> list[str]:
    return [c["phoneNumber"] for c in batch_plan.batches[index].payload["contacts"]]


def test_everyone_inside_goes_now_in_one_batch():
    everyone = plan_send(
        recipients(),
        DRAFT,
        actor=SAM,
        destination=SANDBOX,
        guardrails=Guardrails(approval_rule=LOCAL_MODE),
        now=NOON.replace(hour=18),  # 10:00 LA, 13:00 NY, 18:00 London
    )
    assert everyone.confirmable and everyone.hours is None
    assert [b.not_before for b in everyone.batches] == [None]
    assert everyone.schedule is None and everyone.held == 0
    assert everyone.recipients == 3 and everyone.segments == 3
    assert everyone.confirmation().starts_at is None


def test_batches_hold_at_most_1000_and_keep_the_order():
    many = pd.DataFrame({"phoneNumber": [f"4479111{i:05d}" for i in range(2500)]})
    big = plan(frame=many, draft=Draft(content="Hi", program="12345"))
    assert [b.recipients for b in big.batches] == [1000, 1000, 500]
    assert numbers(big, 0)[0] == "447911100000" and numbers(big, 2)[-1] == "447911102499"


def test_each_when_their_hours_begin_is_the_default():
    each = plan()
    assert each.hours is not None and each.hours.outside == 2 and each.hours.total == 3
    assert each.choices.hours is HoursChoice.EACH_WHEN_OPEN and each.confirmable
    by_time = {b.not_before: numbers(each, i) for i, b in enumerate(each.batches)}
    assert by_time[None] == [LONDON]  # inside now: at once
    assert by_time[NOON.replace(hour=13).timestamp()] == [NY]  # 08:00 in New York
    assert by_time[NOON.replace(hour=16).timestamp()] == [LA]  # 08:00 in Los Angeles
    assert each.schedule.kind is ScheduleKind.WINDOWS and each.held == 2
    assert each.first_number == LONDON  # the sample is one who goes first
    facts = dict(each.confirmation().facts(UTC))
    assert facts["Outside their allowed hours"] == (
        "2: each waits until their hours begin (the last on Wed 2 Dec 2026, 16:00 (UTC+00:00))"
    )


def test_hold_everything_waits_until_all_are_inside_at_once():
    held = plan(SendChoices(hours=HoursChoice.HOLD_ALL))
    assert held.hours.options == (
        HoursChoice.EACH_WHEN_OPEN,
        HoursChoice.HOLD_ALL,
        HoursChoice.ANYWAY,
    )
    assert [b.not_before for b in held.batches] == [NOON.replace(hour=16).timestamp()]
    assert held.schedule.kind is ScheduleKind.AT and held.held == 3
    assert held.confirmation().starts_at == NOON.replace(hour=16).timestamp()


def test_hold_everything_is_not_offered_when_there_is_no_moment_for_everyone():
    # A one-minute window cannot fall at once in Los Angeles and London.
    narrow = Guardrails(quiet_hours=QuietHours(time(8), time(8, 1)), approval_rule=LOCAL_MODE)
    held = plan(SendChoices(hours=HoursChoice.HOLD_ALL), guardrails=narrow)
    assert held.hours.opening is None
    assert HoursChoice.HOLD_ALL not in held.hours.options
    # The default answer instead: each at their own 08:00.
    assert len({b.not_before for b in held.batches}) == 3


@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u2800\u3164", "\u3164\u3164"])
def test_send_anyway_needs_a_reason_in_words(reason):
    anyway = plan(SendChoices(hours=HoursChoice.ANYWAY, hours_reason=reason))
    assert not anyway.confirmable
    assert any("once you say why it cannot wait" in need for need in anyway.needs)


def test_send_anyway_with_a_reason_sends_everyone_at_once():
    anyway = plan(SendChoices(hours=HoursChoice.ANYWAY, hours_reason="one-time passwords"))
    assert anyway.confirmable and anyway.recipients == 3 and anyway.held == 0
    assert [b.not_before for b in anyway.batches] == [None]
    assert anyway.hours_choice is HoursChoice.ANYWAY
    facts = dict(anyway.confirmation().facts(UTC))
    assert facts["Outside their allowed hours"] == "2: sent anyway, because “one-time passwords”"


def test_those_whose_hours_do_not_begin_within_48_hours_are_left_out_and_said():
    narrow = Guardrails(quiet_hours=QuietHours(time(8), time(8, 1)), approval_rule=LOCAL_MODE)
    tollfree = pd.DataFrame({"phoneNumber": ["18005551234", LONDON]})
    each = plan(frame=tollfree, guardrails=narrow, draft=Draft(content="Hi", program="12345"))
    assert each.no_hours == ("18005551234",)
    assert each.recipients == 1 and each.hours.never_opens == 1
    assert (
        "1 left out (no allowed hour within 48 hours)"
        in dict(each.confirmation().facts(UTC))["Outside their allowed hours"]
    )


def test_a_chosen_time_moves_every_batch_and_the_hours_are_asked_for_then():
    at = NOON + timedelta(hours=6)  # 18:00 UTC: 10:00 LA, 13:00 NY, 18:00 London
    later = plan(SendChoices(starts_at=at))
    assert later.hours is None and later.schedule.kind is ScheduleKind.AT
    assert [b.not_before for b in later.batches] == [at.timestamp()]
    night = NOON + timedelta(hours=14)  # 02:00 UTC: 18:00 LA; 21:00 NY and 02:00 London outside
    waits = plan(SendChoices(starts_at=night))
    assert waits.hours.outside == 2 and waits.hours.at == night
    assert waits.batches[0].not_before == night.timestamp() and numbers(waits, 0) == [LA]
    assert waits.schedule.kind is ScheduleKind.WINDOWS


def test_a_time_in_the_past_or_more_than_a_year_ahead_is_not_confirmable():
    assert "has passed" in plan(SendChoices(starts_at=NOON - timedelta(minutes=1))).needs[0]
    assert "a year ahead" in plan(SendChoices(starts_at=NOON + timedelta(days=400))).needs[0]


def test_the_do_not_text_list_leaves_out_every_spelling_of_a_listed_subscriber():
    argentine = read_contacts("phone\n+54 9 11 1234 5678\n+44 7911 123456\n").recipients
    listed = Guardrails(listed=frozenset({"541112345678"}), approval_rule=LOCAL_MODE)
    screened = plan(frame=argentine, guardrails=listed, draft=Draft(content="Hi", program="12345"))
    assert screened.listed == ("5491112345678",)
    assert screened.recipients == 1 and numbers(screened, 0) == [LONDON]
    assert dict(screened.confirmation().facts(UTC))["Left out (on the do-not-text list)"] == "1"


def test_nobody_left_to_send_to_blocks_and_a_listed_test_number_says_so():
    listed = Guardrails(listed=frozenset({LONDON}), approval_rule=LOCAL_MODE)
    one = pd.DataFrame({"phoneNumber": [LONDON]})
    bulk = plan(frame=one, guardrails=listed)
    assert not bulk.confirmable and "on the do-not-text list" in bulk.blocking[0]
    test = plan(frame=one, guardrails=listed, kind=SendKind.TEST)
    assert "no test goes to it" in test.blocking[0]


def test_what_acoustic_would_refuse_blocks_the_plan():
    empty = plan(draft=Draft(content="Hi %%FIRST NAME%%", program=""))
    assert not empty.confirmable and any("program" in b.lower() for b in empty.blocking)


def test_approval_follows_the_rule_in_force():
    rule = Guardrails(approval_rule=ApprovalRule(above_recipients=2))
    live = plan(SendChoices(hours=HoursChoice.ANYWAY, hours_reason="codes"), guardrails=rule,
                destination=POD)  # fmt: skip
    assert live.needs_approval and len(live.approval_reasons) == 2
    assert plan(guardrails=rule).approval_reasons == ()  # sandbox: never by default
    one = pd.DataFrame({"phoneNumber": [LONDON]})
    test = plan(frame=one, guardrails=rule, destination=POD, kind=SendKind.TEST,
                draft=Draft(content="Hi", program="12345"))  # fmt: skip
    assert test.approval_reasons == ()  # tests need no second person by default


def test_cost_and_segments_count_only_those_planned():
    narrow = Guardrails(quiet_hours=QuietHours(time(8), time(8, 1)), approval_rule=LOCAL_MODE)
    tollfree = pd.DataFrame({"phoneNumber": ["18005551234", LONDON]})
    priced = plan(frame=tollfree, guardrails=narrow, draft=Draft(content="Hi", program="12345"),
                  price_per_segment=0.5)  # fmt: skip
    assert priced.segments == 1 and priced.estimated_cost == 0.5


def test_earlier_failures_are_counted_among_the_recipients():
    warned = plan(earlier_failures={LA: ("opted out", 0.0), "999": ("x", 0.0)})
    assert warned.earlier_failures == 1
    assert "failed in an earlier send" in warned.confirmation().earlier_failures_warning

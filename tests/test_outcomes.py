"""Outcomes followed in the background: what an accepted batch leaves pending, the follower
against the sandbox over HTTP (late processing followed to the end, a restart resuming, two
replicas never asking about the same transaction at once), and the Overview's figures and one
number's story against a hand-built journal. The store's parts run on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from components.core.states import BatchState, ContactState
from components.journal import Journal
from components.journal.tables import sends
from components.sending.submit import submit_send
from components.status import number_story, overview
from components.status.follow import BACKOFF, SENDS_QUIET, follow_due
from components.status.history import outcome_words
from tests.apptest_support import journaled_send
from tests.sending_support import client_for, plan_of, worker_on

pytestmark = pytest.mark.usefixtures("fresh_tokens")

SENT, BLOCKED, OPTED_OUT = "19495001234", "19495009990", "19495009992"


def payload(*numbers: str, content: str = "Hi %%FIRST NAME%%") -> dict:
    return {
        "channelQualifier": "12345",
        "content": content,
        "personalizationDefaults": {"FIRST NAME": "there"},
        "contacts": [
            {"phoneNumber": n, **({"personalization": {"FIRST NAME": "Ann"}} if i == 0 else {})}
            for i, n in enumerate(numbers)
        ],
    }


@pytest.mark.storage
def test_an_accepted_batch_leaves_its_recipients_pending_and_its_transaction_followed(journal):
    record = journaled_send(journal, [payload(SENT, BLOCKED, OPTED_OUT)])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me", left_out=[OPTED_OUT])  # listed as it went out
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-1")
    outcomes = journal.outcome_records(send_id=record.id)
    assert sorted(o.phone_number for o in outcomes) == [SENT, BLOCKED]
    assert {o.state for o in outcomes} == {ContactState.PENDING}
    follow = journal.follow_state("tx-1")
    assert follow["attempts"] == 0 and follow["next_at"] > follow["started_at"]
    assert journal.record_outcomes("tx-1", [(SENT, True, None), (BLOCKED, False, "blocked")]) == 2
    assert journal.record_outcomes("tx-1", [(SENT, True, None)]) == 0  # nothing new
    states = {o.phone_number: (o.state, o.message) for o in journal.outcome_records()}
    assert states == {SENT: (ContactState.SENT, None), BLOCKED: (ContactState.FAILED, "blocked")}


@pytest.mark.storage
def test_two_replicas_never_claim_the_same_transaction(journal):
    for n in range(4):
        record = journaled_send(journal, [payload(f"1949500{n:04d}", content=f"Hi {n}")])
        (batch,) = journal.batches(record.id)
        journal.claim_batch(batch.id, "me")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=f"tx-{n}")
    later = time.time() + 60
    first = journal.claim_due_follows("replica-1", now=later, limit=3)
    second = journal.claim_due_follows("replica-2", now=later, limit=3)
    assert len(first) == 3 and len(second) == 1
    assert not {f.transaction_id for f in first} & {f.transaction_id for f in second}
    # A replica that dies lets its claim run out: another takes it then.
    assert journal.claim_due_follows("replica-2", now=later + 1, limit=3) == []
    assert len(journal.claim_due_follows("replica-2", now=later + 200, limit=5)) == 4


def test_the_follower_asks_until_every_contact_is_processed_and_a_restart_resumes(
    journal, sandbox, tmp_path
):
    sandbox.configure(status_delay=0.0, delivery_seconds=60.0)  # processed slowly, one by one
    worker = worker_on(journal)
    try:
        with client_for(sandbox) as client:
            plan = plan_of([payload(SENT, BLOCKED)], "sam@example.com", base_url=client.base_url)
            send_id = submit_send(worker, client, plan)
            worker.wait(send_id, timeout=20)
            (batch,) = journal.batches(send_id)
            tid = batch.transaction_id
            start = journal.follow_state(tid)["started_at"]
            # Not due yet: nobody asks.
            assert follow_due(journal, client, mode="sandbox", owner="a", now=start + 1) == 0
            # Due, but a send just took places: look-ups keep out of its burst. The test moves
            # the send's last request back rather than waiting SENDS_QUIET seconds.
            assert follow_due(journal, client, mode="sandbox", owner="a", now=start + 20) == 0
            client.gate.last_send_at -= SENDS_QUIET
            assert follow_due(journal, client, mode="sandbox", owner="a", now=start + 20) == 1
            assert journal.follow_state(tid)["next_at"] == pytest.approx(start + 20 + BACKOFF[0])
            # The console restarts: another journal object and owner pick the follow-up up.
            again = Journal(journal.path)
            sandbox.configure(delivery_seconds=0.0)
            time.sleep(0.2)
            assert follow_due(again, client, mode="sandbox", owner="b", now=start + 40) == 1
            follow = again.follow_state(tid)
            assert follow["finished_at"] is not None and follow["next_at"] is None
            states = {o.phone_number: o.state for o in again.outcome_records(send_id=send_id)}
            assert states == {SENT: ContactState.SENT, BLOCKED: ContactState.FAILED}
            assert follow_due(again, client, mode="sandbox", owner="b", now=start + 9999) == 0
            again.close()
    finally:
        worker.shutdown()


def test_the_follower_gives_up_after_the_set_time_and_says_so(journal, sandbox):
    sandbox.configure(status_delay=3600.0)  # never found
    worker = worker_on(journal)
    try:
        with client_for(sandbox) as client:
            plan = plan_of([payload(SENT)], "sam@example.com", base_url=client.base_url)
            send_id = submit_send(worker, client, plan)
            worker.wait(send_id, timeout=20)
            (batch,) = journal.batches(send_id)
            start = journal.follow_state(batch.transaction_id)["started_at"]
            client.gate.last_send_at -= SENDS_QUIET  # the send's burst is over
            follow_due(journal, client, mode="sandbox", owner="a", now=start + 3 * 3600,
                       give_up_after=2 * 3600)  # fmt: skip
            follow = journal.follow_state(batch.transaction_id)
            assert follow["gave_up_at"] is not None and follow["next_at"] is None
            (outcome,) = journal.outcome_records(send_id=send_id)
            assert outcome.state is ContactState.PENDING  # unknown, and said to be
    finally:
        worker.shutdown()


# Midday, so that "the last 7 days until an hour from now" is 8 calendar days whenever the suite
# runs (after 23:00 UTC the hour reached into tomorrow: 9 days).
MIDDAY = datetime.combine(datetime.now(UTC).date(), clock_time(12), tzinfo=UTC)


@pytest.mark.storage
@time_machine.travel(MIDDAY, tick=True)
def test_the_overview_counts_each_recipient_in_the_period_of_its_send(journal):
    record = journaled_send(journal, [payload(SENT, BLOCKED, "19495009991")])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me")
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-9")
    journal.record_outcomes(
        "tx-9", [(SENT, True, None), (BLOCKED, False, "Message blocked by the carrier.")]
    )
    now = datetime.now(UTC)
    figures = overview(journal, since=now - timedelta(days=7), until=now + timedelta(hours=1))
    assert (figures.sent, figures.failed, figures.pending) == (1, 1, 1)
    assert figures.success_rate == 0.5
    assert len(figures.by_day) == 8 and figures.by_day["sent"].sum() == 1
    today = figures.by_day[figures.by_day["day"] == now.date()].iloc[0]
    assert (today["sent"], today["failed"], today["pending"]) == (1, 1, 1)
    assert figures.by_reason["count"].tolist() == [1]
    assert figures.by_program.to_dict("records") == [
        {"program": "12345", "sent": 1, "failed": 1, "pending": 1}
    ]
    assert figures.by_template["template"].tolist() == ["(none)"]
    assert figures.most_failed.to_dict("records") == [
        {"send": record.id, "failed": 1, "recipients": 3}
    ]
    assert "block" in figures.by_reason["reason"].iloc[0].lower()
    # Filters, and a period without the send.
    assert overview(journal, since=now - timedelta(days=7), until=now + timedelta(hours=1),
                    mode="pod").recipients == 0  # fmt: skip
    assert overview(journal, since=now - timedelta(days=7), until=now + timedelta(hours=1),
                    sender="nobody@example.com").recipients == 0  # fmt: skip
    earlier = overview(journal, since=now - timedelta(days=9), until=now - timedelta(days=8))
    assert earlier.recipients == 0 and earlier.success_rate is None
    with pytest.raises(ValueError, match="timezone-aware"):
        overview(journal, since=datetime(2026, 12, 1), until=now)


@pytest.mark.storage
def test_failures_by_country_name_each_country_as_status_does(journal):
    toronto, london = "14165550123", "447400123456"
    record = journaled_send(journal, [payload(SENT, toronto, london)])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me")
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-c")
    journal.record_outcomes("tx-c", [(SENT, True, None), (london, False, "Invalid phone number.")])
    now = datetime.now(UTC)
    figures = overview(journal, since=now - timedelta(days=1), until=now + timedelta(hours=1))
    assert figures.by_country.to_dict("records") == [
        {"country": "United Kingdom", "code": "GB", "sent": 0, "failed": 1, "pending": 0},
        {"country": "United States", "code": "US", "sent": 1, "failed": 0, "pending": 0},
        {"country": "Canada", "code": "CA", "sent": 0, "failed": 0, "pending": 1},
    ]
    assert {o.phone_number: o.country for o in journal.outcome_records()} == {
        SENT: "US",
        toronto: "CA",
        london: "GB",
    }


@pytest.mark.storage
def test_one_numbers_story_in_any_spelling(journal):
    record = journaled_send(journal, [payload(SENT, BLOCKED)])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me")
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-5")
    journal.record_outcomes("tx-5", [(BLOCKED, False, "Message blocked by the carrier.")])
    (ann,) = number_story(journal, "+1 (949) 500-1234")
    assert (ann.send_id, ann.text, ann.outcome) == (record.id, "Hi Ann", "pending")
    (blocked,) = number_story(journal, "949 500 9990")
    assert (blocked.text, blocked.outcome) == ("Hi there", "failed")
    assert blocked.message == "Message blocked by the carrier." and blocked.reason
    assert number_story(journal, "not a number") == []
    assert number_story(journal, "+44 7911 123456") == []


def test_history_says_each_sends_outcomes_in_words(journal):
    assert outcome_words(None) == ""
    assert outcome_words({ContactState.PENDING: 3}) == "0 sent · 0 failed · 3 pending"
    counts = {ContactState.SENT: 2, ContactState.FAILED: 1}
    assert outcome_words(counts) == "2 sent · 1 failed · 0 pending (67% success)"
    record = journaled_send(journal, [payload(SENT, BLOCKED)])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me")
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-h")
    assert journal.outcome_totals([record.id, 999]) == {record.id: {ContactState.PENDING: 2}}


@pytest.mark.storage
def test_the_hourly_counts_agree_with_the_outcomes_for_any_period_and_zone(journal):
    base = datetime(2026, 12, 1, 10, 20, tzinfo=UTC).timestamp()
    for k in range(8):
        numbers = [f"1949500{k:02d}{n:02d}" for n in range(2)] + [f"4474001234{k:02d}"]
        record = journaled_send(journal, [payload(*numbers, content=f"Hi {k} %%FIRST NAME%%")])
        with journal.engine.begin() as conn:
            conn.execute(
                sa.update(sends).where(sends.c.id == record.id).values(created_at=base + k * 1700)
            )
        (batch,) = journal.batches(record.id)
        journal.claim_batch(batch.id, "me")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=f"tx-{k}")
        journal.record_outcomes(f"tx-{k}", [(numbers[0], True, None), (numbers[1], False, "x")])
        journal.record_outcomes(f"tx-{k}", [(numbers[1], True, None)])  # changed its mind
    every = journal.outcome_records()
    zone = ZoneInfo("Asia/Kolkata")  # UTC+05:30: a period's ends fall inside an hour
    for start_minutes, length_minutes in ((0, 60), (7, 95), (33, 600), (-100, 1000), (250, 1)):
        since = datetime.fromtimestamp(base + start_minutes * 60, zone)
        until = since + timedelta(minutes=length_minutes)
        inside = [o for o in every if since.timestamp() <= o.sent_at < until.timestamp()]
        figures = overview(journal, since=since, until=until)
        expected = (
            sum(o.state is ContactState.SENT for o in inside),
            sum(o.state is ContactState.FAILED for o in inside),
            sum(o.state is ContactState.PENDING for o in inside),
        )
        assert (figures.sent, figures.failed, figures.pending) == expected, (since, until)
        assert figures.by_day[["sent", "failed", "pending"]].to_numpy().sum() == len(inside)
        countries = {
            row["country"]: (row["sent"], row["failed"], row["pending"])
            for row in figures.by_country.to_dict("records")
        }
        assert countries == {
            name: (
                sum(o.state is ContactState.SENT and o.country == code for o in inside),
                sum(o.state is ContactState.FAILED and o.country == code for o in inside),
                sum(o.state is ContactState.PENDING and o.country == code for o in inside),
            )
            for code, name in (("US", "United States"), ("GB", "United Kingdom"))
            if any(o.country == code for o in inside)
        }, (since, until)
    totals = journal.outcome_totals([o.send_id for o in every])
    assert all(t == {ContactState.SENT: 2, ContactState.PENDING: 1} for t in totals.values())

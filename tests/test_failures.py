"""One explanation of a batch that did not go through, from what the journal keeps."""

from __future__ import annotations

import dataclasses

import pytest

from components.core.states import BatchState, Cause
from components.journal import BatchRecord, SendRecord
from components.message.preflight import API_WRONG_TAGS, hint_for_api_message
from components.status.failures import explain, interruption

PLANNED, IN_FLIGHT, ACCEPTED, REJECTED, UNKNOWN, LEFT_OUT = BatchState


def batch(state: BatchState, **fields) -> BatchRecord:
    base = BatchRecord(
        id=1,
        send_id=1,
        index=0,
        state=state,
        contacts=3,
        transaction_id=None,
        status_code=None,
        error="What the client said.",
        attempts=1,
        updated_at=0.0,
    )
    return dataclasses.replace(base, **fields)


def test_a_documented_refusal_names_the_fix_and_is_not_resent_as_it_is():
    refused = batch(
        REJECTED,
        status_code=400,
        cause=Cause.REFUSED,
        api_messages=(f"{API_WRONG_TAGS} NOPE",),
        error="Acoustic refused the request: Wrong personalization tags NOPE",
    )
    explanation = explain(refused)
    assert explanation.what_happened == refused.error
    assert explanation.what_to_do.startswith(hint_for_api_message(API_WRONG_TAGS))
    assert "resend" in explanation.what_to_do and not explanation.resend_safe


def test_an_old_refusal_is_not_parsed_for_acoustics_words():
    old = batch(REJECTED, status_code=400, error=f"Acoustic refused the request: {API_WRONG_TAGS}")
    explanation = explain(old)
    assert hint_for_api_message(API_WRONG_TAGS) not in explanation.what_to_do
    assert "Fix what Acoustic's message names" in explanation.what_to_do
    assert not explanation.resend_safe


@pytest.mark.parametrize(
    ("fields", "safe", "words"),
    [
        ({"cause": Cause.BUSY, "status_code": 429}, True, "limit of requests"),
        ({"status_code": 429}, True, "limit of requests"),  # journaled before causes were kept
        ({"cause": Cause.UNREACHABLE}, True, "Check the network"),
        ({"cause": Cause.NO_PLACE}, True, "console's database is running"),
        ({"cause": Cause.CREDENTIALS, "status_code": 401}, False, "Settings"),
        ({"status_code": 403}, False, "Settings"),
        ({"cause": Cause.UNWRITABLE}, False, "Report this fault"),
    ],
)
def test_whether_a_rejected_batch_can_be_resent(fields, safe, words):
    explanation = explain(batch(REJECTED, **fields))
    assert explanation.resend_safe is safe and words in explanation.what_to_do


def test_an_unknown_outcome_with_a_transaction_id_is_checked_first():
    explanation = explain(batch(UNKNOWN, transaction_id="tx-1", cause=Cause.SERVER))
    assert "Check its status" in explanation.what_to_do and not explanation.resend_safe


def test_an_unknown_outcome_without_a_transaction_id_says_it_cannot_be_looked_up():
    explanation = explain(batch(UNKNOWN, cause=Cause.INTERRUPTED))
    assert "Check its status" not in explanation.what_to_do
    assert "no transaction id" in explanation.what_to_do and "twice" in explanation.what_to_do
    assert not explanation.resend_safe


def test_planned_and_in_flight_batches_depend_on_whether_the_send_runs():
    assert "Resume" in explain(batch(PLANNED), running=False).what_to_do
    assert explain(batch(PLANNED), running=False).resend_safe
    assert "Waiting" in explain(batch(PLANNED), running=True).what_happened
    assert "Being sent" in explain(batch(IN_FLIGHT), running=True).what_happened
    assert "no transaction id" in explain(batch(IN_FLIGHT), running=False).what_to_do
    assert explain(batch(ACCEPTED, transaction_id="tx")) is None


def send(**counts) -> SendRecord:
    return SendRecord(
        id=1,
        fingerprint="f",
        kind="bulk",
        mode="sandbox",
        base_url="http://x",
        program="1",
        content="Hi",
        defaults={},
        source=None,
        created_by=None,
        created_at=0.0,
        recipients=20,
        segments=None,
        estimated_cost=None,
        repeat_of=None,
        batch_states={BatchState(k): n for k, n in counts.items()},
        interrupted=counts.get("unknown", 0),
    )


def test_an_interrupted_send_says_what_is_true_of_it():
    crashed = send(planned=10, unknown=10)
    text = interruption(crashed, running=False)
    assert "nothing is sending it now" in text
    assert "10 batch(es) were never sent: resume" in text
    assert "For 10 batch(es) whether they went out is unknown" in text
    assert interruption(crashed, running=True) is None
    assert interruption(send(accepted=2), running=False) is None

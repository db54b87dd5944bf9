"""Reliability of sending, counted on the server side: nothing is ever POSTed twice."""

from __future__ import annotations

import json
import threading

import pytest

from components.acoustic import AcousticClient, clear_token_caches
from components.core.states import BatchState, Cause
from components.journal import DuplicateSendError, Journal
from components.sending.batches import BatchResult, send_payloads
from components.sending.submit import submit_send
from components.status.progress import send_progress
from tests.sending_support import (
    FAST_RETRY,
    IN_FLIGHT_TIMING,
    batches,
    client_for,
    plan_of,
    received,
    submit,
    worker_on,
)

PLANNED, IN_FLIGHT, ACCEPTED, REJECTED, UNKNOWN, LEFT_OUT = BatchState


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_caches()
    yield
    clear_token_caches()


def test_results_in_order_with_a_callback_per_batch(sandbox):
    seen: list[BatchResult] = []
    with client_for(sandbox) as client:
        results = send_payloads(client, batches(12), on_result=seen.append)
    assert [r.index for r in results] == list(range(12))
    assert all(r.state is ACCEPTED and r.transaction_id for r in results)
    assert sorted(r.index for r in seen) == list(range(12))
    assert len(set(received(sandbox))) == 12 == sandbox.stats()["send_posts"]


@IN_FLIGHT_TIMING
def test_in_flight_limit_is_reached_and_never_passed(sandbox):
    # Each answer takes long enough that all ten overlap at the server even on a loaded machine
    # (client and sandbox share one interpreter here).
    sandbox.configure(latency=0.3)
    with client_for(sandbox) as client:
        client.token_info()
        client.gate.reset_peak()
        send_payloads(client, batches(30))
        assert client.gate.peak == 10
    assert sandbox.stats()["peak_in_flight"] == 10
    sandbox.reset()
    with client_for(sandbox) as client:
        send_payloads(client, batches(9), max_in_flight=3)
    assert sandbox.stats()["peak_in_flight"] == 3
    with client_for(sandbox) as client, pytest.raises(ValueError):
        send_payloads(client, batches(1), max_in_flight=11)


def test_faults_leave_batches_unknown_and_are_never_retried(sandbox):
    sandbox.configure(slow_seconds=1.5)
    sandbox.inject_faults("send", ["500", "drop", "slow", "429"])
    client = AcousticClient(
        sandbox.url,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh",
        retry=FAST_RETRY,
        timeout=0.7,
    )
    with client:
        results = send_payloads(client, batches(6), max_in_flight=1)
    states = [r.state for r in results]
    assert states.count(UNKNOWN) == 3
    assert states.count(ACCEPTED) == 3
    assert all(r.error for r in results if r.state is UNKNOWN)
    assert {r.cause for r in results if r.state is UNKNOWN} == {Cause.SERVER, Cause.ANSWER_LOST}
    stats = sandbox.stats()
    assert stats["send_posts"] == 7  # 6 batches + one retry after the concurrency rejection
    assert len(received(sandbox)) == 6  # the server processed each batch once


INACTIVE = "SMS Program is inactive or not found with identifier 55555."


def test_a_rejected_batch_keeps_the_api_message(sandbox):
    payload = batches(1)[0] | {"channelQualifier": "55555"}
    with client_for(sandbox) as client:
        (result,) = send_payloads(client, [payload])
    assert result.state is REJECTED and result.status_code == 400
    assert result.api_messages == (INACTIVE,) and result.cause is Cause.REFUSED


def test_the_journal_keeps_acoustics_messages_of_a_rejected_batch(sandbox, journal):
    worker = worker_on(journal)
    payloads = batches(2)
    payloads[1] = payloads[1] | {"channelQualifier": "55555"}
    with client_for(sandbox) as client:
        send_id = submit(worker, client, payloads, "t")
        worker.wait(send_id, timeout=20)
    accepted, refused = journal.batches(send_id)
    assert accepted.state is ACCEPTED and accepted.api_messages == ()
    assert (refused.state, refused.status_code, refused.cause) == (REJECTED, 400, Cause.REFUSED)
    assert refused.api_messages == (INACTIVE,)
    (failure,) = send_progress(journal, send_id).failures
    assert "active SMS program" in failure.explanation.what_to_do
    assert not failure.explanation.resend_safe


def test_a_batch_that_cannot_be_written_is_rejected_and_the_rest_go_out(sandbox):
    payloads = batches(3)
    payloads[1]["contacts"][0]["personalization"] = {"PIN": float("nan")}  # not valid JSON
    claimed: list[int] = []

    def claim(index: int) -> bool:
        claimed.append(index)
        return True

    with client_for(sandbox) as client:
        results = send_payloads(client, payloads, claim=claim)
    assert [r.state for r in results] == [ACCEPTED, REJECTED, ACCEPTED]
    assert "nothing was sent" in (results[1].error or "")
    assert results[1].cause is Cause.UNWRITABLE
    # It never held a place, so it was never claimed: the journal moves it planned -> rejected.
    assert sorted(claimed) == [0, 2] and not results[1].claimed
    assert sandbox.stats()["send_posts"] == 2


@pytest.mark.parametrize(
    ("personalization", "plain_words"),
    [
        ({"FIRST NAME": "Ann\ud800"}, "a text holds a broken character"),  # a lone surrogate
        ({1: "Ann"}, "a field name is not text"),
    ],
)
def test_a_body_json_cannot_carry_is_refused_in_plain_words_and_the_rest_go_out(
    sandbox, personalization, plain_words
):
    payloads = batches(3)
    payloads[1]["contacts"][0]["personalization"] = personalization
    with client_for(sandbox) as client:
        results = send_payloads(client, payloads)
    assert [r.state for r in results] == ["accepted", "rejected", "accepted"]
    assert plain_words in (results[1].error or "")
    assert "nothing was sent" in (results[1].error or "")
    assert sandbox.stats()["send_posts"] == 2


def test_the_bytes_sent_are_the_journaled_body_non_ascii_included(sandbox, journal):
    worker = worker_on(journal)
    content = "Grüße %%FIRST NAME%% 😀, straße «ok» ✓ 中文"
    payload = {
        "channelQualifier": "12345",
        "content": content,
        "personalizationDefaults": {"FIRST NAME": "Zoë"},
        "contacts": [
            {"phoneNumber": "19495001234", "personalization": {"FIRST NAME": "Jürgen 🎉"}},
            {"phoneNumber": "19495001235"},
        ],
    }
    with client_for(sandbox) as client:
        send_id = submit(worker, client, [payload], "t")
        worker.wait(send_id, timeout=20)
    (batch,) = journal.batches(send_id)
    assert batch.state == "accepted"
    with sandbox.state.lock:
        (sent,) = sandbox.state.payloads  # the bytes as they came off the wire
    journaled = journal.batch_payload(batch.id)
    assert journaled == payload
    # Byte for byte the compact UTF-8 JSON of the journaled body, keys in their order, nothing
    # escaped that need not be: what `json` (and httpx's `json=`) would have sent.
    assert sent == json.dumps(journaled, ensure_ascii=False, separators=(",", ":")).encode()
    assert "Grüße".encode() in sent and "😀".encode() in sent and b"\\u" not in sent
    assert sandbox.delivered(batch.transaction_id) == [
        ("19495001234", "Grüße Jürgen 🎉 😀, straße «ok» ✓ 中文"),
        ("19495001235", "Grüße Zoë 😀, straße «ok» ✓ 中文"),
    ]


def test_a_journaled_body_orjson_cannot_read_is_still_read_and_refused_in_plain_words(
    caplog, sandbox, journal
):
    worker = worker_on(journal)
    payloads = batches(2)
    payloads[0]["contacts"][0]["personalization"] = {"PIN": float("inf")}  # stored as Infinity
    with client_for(sandbox) as client:
        send_id = submit(worker, client, payloads, "t")
        worker.wait(send_id, timeout=20)
    first, second = journal.batches(send_id)
    assert journal.batch_payload(first.id)["contacts"][0]["personalization"]["PIN"] == float("inf")
    assert (first.state, second.state) == ("rejected", "accepted")
    assert "a number is not finite" in (first.error or "")
    assert "stopped" not in caplog.text  # the job went on: no crash
    assert sandbox.stats()["send_posts"] == 1


def test_the_worker_reads_each_body_just_before_sending_it(sandbox, tmp_path):
    events: list[str] = []

    class Recording(Journal):
        def batch_payload(self, batch_id: int) -> dict:
            events.append("read")
            return super().batch_payload(batch_id)

        def claim_batch(self, batch_id: int, owner: str, **screened) -> bool:
            events.append("claim")
            return super().claim_batch(batch_id, owner, **screened)

    worker = worker_on(Recording(tmp_path / "j.sqlite3"), max_in_flight=1)
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(12), "t")
        worker.wait(send_id, timeout=20)
    assert events.count("read") == events.count("claim") == 12
    # One place in flight, two sending threads: the first request does not wait for all twelve
    # bodies to be read from the journal and parsed.
    assert events.index("claim") <= 2
    assert sandbox.stats()["send_posts"] == 12


def test_worker_journals_before_sending_and_refuses_the_same_send_twice(sandbox, journal):
    worker = worker_on(journal)
    sandbox.configure(latency=0.05)
    with client_for(sandbox) as client:
        plan = plan_of(batches(5), "t", base_url=client.base_url)
        send_id = submit_send(worker, client, plan)
        # already running: no second job
        assert worker.start(send_id, client, by=plan.actor) is False
        with pytest.raises(DuplicateSendError):
            submit_send(worker, client, plan)  # a double click or a refresh
        worker.wait(send_id, timeout=20)
    assert not worker.is_running(send_id)
    progress = send_progress(journal, send_id)
    assert progress.done == progress.batches == 5
    assert progress.accepted_recipients == 15
    assert len(progress.transaction_ids) == 5
    assert sandbox.stats()["send_posts"] == 5


def test_concurrent_double_clicks_make_one_job(sandbox, journal):
    worker = worker_on(journal)
    outcomes: list[object] = []
    with client_for(sandbox) as client:

        def click() -> None:
            try:
                outcomes.append(submit(worker, client, batches(3), "t"))
            except DuplicateSendError as exc:
                outcomes.append(exc)

        clicks = [threading.Thread(target=click) for _ in range(8)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join()
        send_ids = [o for o in outcomes if isinstance(o, int)]
        assert len(send_ids) == 1
        worker.wait(send_ids[0], timeout=20)
    assert sandbox.stats()["send_posts"] == 3


@IN_FLIGHT_TIMING
def test_twenty_sends_from_different_sessions_share_the_limit(sandbox, journal):
    sandbox.configure(latency=0.05)
    worker = worker_on(journal, max_jobs=20)
    clients = [client_for(sandbox) for _ in range(20)]  # one per browser session
    send_ids: list[int] = []
    lock = threading.Lock()

    def session(index: int) -> None:
        send_id = submit(worker, clients[index], batches(4, tag=f"session {index}"), str(index))
        with lock:
            send_ids.append(send_id)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for send_id in send_ids:
        worker.wait(send_id, timeout=60)
    for client in clients:
        client.close()
    stats = sandbox.stats()
    assert stats["peak_in_flight"] <= 10
    assert stats["concurrency_rejections"] == 0
    assert stats["send_posts"] == 80 == len(set(received(sandbox)))


@IN_FLIGHT_TIMING
def test_a_lower_limit_holds_for_the_whole_process_not_per_job(sandbox, journal):
    # Gates are per organisation for the life of the process: an API client id of its own keeps
    # this lowered gate away from the other tests.
    sandbox.configure(latency=0.1, client_id="limited-client")
    worker = worker_on(journal, max_jobs=4)
    client = AcousticClient(
        sandbox.url,
        "limited-client",
        "sandbox-secret",
        "sandbox-refresh",
        retry=FAST_RETRY,
        max_in_flight=2,  # SMS_CONSOLE_MAX_IN_FLIGHT=2
    )
    with client:
        client.token_info()
        ids = [submit(worker, client, batches(6, tag=f"job {job}"), None) for job in range(3)]
        for send_id in ids:
            worker.wait(send_id, timeout=60)
    assert sandbox.stats()["peak_in_flight"] == 2
    assert sandbox.stats()["accepted_sends"] == 18

"""One replica runs a send at a time, and another finishes the send of a replica that died (with
real processes killed mid-send: tests/test_replicas.py and tests/test_crash_recovery.py)."""

from __future__ import annotations

import time

import pytest

from components.core.states import BatchState, Cause
from components.journal import AuditAction, Journal
from components.sending.scheduler import Scheduler
from tests.sending_support import batches, client_for, received, submit, worker_on
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.storage,
    pytest.mark.usefixtures("fresh_tokens"),
]  # no token left over from another test

GONE = "another-host:4242:1"  # a replica of another machine: only its lease says it is alive


def test_a_lease_is_granted_refused_renewed_taken_and_released(journal):
    send_id = journal.create_send(
        kind="bulk", mode="sandbox", base_url="x", program="1", content="Hi", payloads=batches(1)
    ).id
    assert journal.acquire_lease(send_id, "a", seconds=30, now=100).granted
    refused = journal.acquire_lease(send_id, "b", seconds=30, now=110)
    assert not refused.granted and refused.holder == "a"
    assert journal.renew_leases("a", {send_id}, seconds=30, now=120) == {send_id}
    assert not journal.acquire_lease(send_id, "b", seconds=30, now=145).granted  # renewed
    assert journal.live_leases(now=149) == {send_id: "a"}
    taken = journal.acquire_lease(send_id, "b", seconds=30, now=151)
    assert taken.granted and taken.taken_from == "a"
    assert journal.renew_leases("a", {send_id}, seconds=30, now=152) == set()  # a lost it
    assert journal.acquire_lease(send_id, "c", seconds=30, now=153, steal_from="b").granted
    journal.release_lease(send_id, "b")  # not b's any more: nothing happens
    assert journal.live_leases(now=154) == {send_id: "c"}
    journal.release_lease(send_id, "c")
    assert journal.live_leases(now=154) == {} and journal.expired_leases(now=999) == {}


def test_a_send_runs_on_one_replica_and_every_replica_sees_it_running(sandbox, journal):
    sandbox.configure(latency=0.2)
    first = worker_on(journal, owner="replica-1:1:1")
    second = worker_on(Journal(journal.url), owner="replica-2:2:2")
    with client_for(sandbox) as client:
        send_id = submit(first, client, batches(4), None)
        assert not second.launch(send_id, client, actor="someone")  # replica 1 has it
        assert second.is_running(send_id) and send_id in second.running_sends()
        first.wait(send_id, timeout=30)
    assert not second.is_running(send_id)  # finished: its lease is given back
    assert sandbox.stats()["send_posts"] == 4
    first.shutdown()
    second.shutdown()


def test_the_send_of_a_replica_that_stopped_is_finished_by_another(sandbox, journal):
    payloads = batches(5)
    send_id = journal.create_send(
        kind="bulk", mode="sandbox", base_url=sandbox.url, program="12345", content="Hi",
        payloads=payloads, created_by="sam@example.com",
    ).id  # fmt: skip
    # The replica that died: it held the lease and had batch 0 in flight.
    journal.acquire_lease(send_id, GONE, seconds=0.3)
    in_flight = journal.batches(send_id)[0]
    assert journal.claim_batch(in_flight.id, GONE)
    survivor = worker_on(journal, owner="replica-2:2:2", lease_seconds=5)
    with client_for(sandbox) as client:
        scheduler = Scheduler(survivor, lambda: ("sandbox", client))
        assert scheduler.run_due() == []  # its lease still runs: nobody takes it over yet
        time.sleep(0.4)
        assert scheduler.run_due() == [send_id]
        survivor.wait(send_id, timeout=30)
    states = [batch.state for batch in journal.batches(send_id)]
    assert states == [BatchState.UNKNOWN] + [BatchState.ACCEPTED] * 4
    assert journal.batches(send_id)[0].cause is Cause.INTERRUPTED
    assert sandbox.stats()["send_posts"] == 4  # only what was still planned
    (taken,) = journal.audit_entries(action=AuditAction.SEND_TAKEN_OVER)
    assert taken.send_id == send_id and taken.details == {"unknown_batches": 1}
    assert journal.live_leases() == {}
    survivor.shutdown()


def test_a_scheduled_send_starts_once_whichever_replicas_see_it_due(sandbox, journal):
    sandbox.configure(latency=0.1)
    due = time.time() + 0.3
    send_id = journal.create_send(
        kind="bulk", mode="sandbox", base_url=sandbox.url, program="12345", content="Hi",
        payloads=batches(6), created_by="sam@example.com", not_before=[due] * 6,
        schedule="at", scheduled_by="sam@example.com",
    ).id  # fmt: skip
    replicas = [
        worker_on(Journal(journal.url), owner=f"replica-{n}:{n}:{n}", lease_seconds=5)
        for n in range(3)
    ]
    with client_for(sandbox) as client:
        schedulers = [Scheduler(r, lambda: ("sandbox", client), poll=0.05) for r in replicas]
        for scheduler in schedulers:
            scheduler.start()
        wait_until(
            lambda: journal.get_send(send_id).batch_states == {BatchState.ACCEPTED: 6},
            every=0.05,
            what="every batch accepted",
        )
        for scheduler in schedulers:
            scheduler.stop()
    assert journal.get_send(send_id).batch_states == {BatchState.ACCEPTED: 6}
    assert sandbox.stats()["accepted_sends"] == 6 == len(set(received(sandbox)))
    started = journal.audit_entries(action=AuditAction.SEND_STARTED, send_id=send_id)
    assert len(started) == 1  # one replica started it, once
    for replica in replicas:
        replica.shutdown()


def test_a_stalled_replicas_late_answer_corrects_the_unknown_its_takeover_wrote(journal):
    send_id = journal.create_send(
        kind="bulk", mode="sandbox", base_url="x", program="1", content="Hi", payloads=batches(2)
    ).id
    first, second = journal.batches(send_id)
    journal.claim_batch(first.id, "stalled")
    journal.claim_batch(second.id, "stalled")
    assert journal.interrupt_batches_of(send_id, "stalled") == 2  # taken over meanwhile
    journal.finish_batch(first.id, BatchState.ACCEPTED, transaction_id="tx-1", owner="stalled")
    journal.finish_batch(second.id, BatchState.ACCEPTED, transaction_id="tx-2", owner="other")
    first, second = journal.batches(send_id)
    assert (first.state, first.transaction_id) == (BatchState.ACCEPTED, "tx-1")
    assert second.state is BatchState.UNKNOWN  # nobody else's answer moves it


def test_a_replica_that_lost_the_send_claims_none_of_its_batches_any_more(journal):
    """Two replicas on one send after a stall: only the lease's holder claims a batch, in the
    same statement that checks the lease, so the stalled one stops at what it had in flight."""
    send_id = journal.create_send(
        kind="bulk", mode="sandbox", base_url="x", program="1", content="Hi", payloads=batches(3)
    ).id
    first, second, third = journal.batches(send_id)
    assert not journal.claim_batch(first.id, "stalled", lease_of=send_id)  # holds no lease yet
    assert journal.acquire_lease(send_id, "stalled", seconds=3, now=100).granted
    assert journal.claim_batch(first.id, "stalled", lease_of=send_id)
    assert journal.acquire_lease(send_id, "other", seconds=3, now=104).taken_from == "stalled"
    assert not journal.claim_batch(second.id, "stalled", lease_of=send_id)
    assert journal.claim_batch(second.id, "other", lease_of=send_id)
    journal.release_lease(send_id, "other")
    assert not journal.claim_batch(third.id, "other", lease_of=send_id)
    states = [b.state for b in journal.batches(send_id)]
    assert states == [BatchState.IN_FLIGHT, BatchState.IN_FLIGHT, BatchState.PLANNED]
    assert [b.owner for b in journal.batches(send_id)][:2] == ["stalled", "other"]

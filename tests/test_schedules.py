"""Scheduled sends: held batches wait in the journal, the scheduler starts what came due (approval
first when the send needs it), a schedule can be cancelled or moved until it starts; all against
the sandbox over real HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from components.core.states import BatchState, ScheduleKind, SendState
from components.sending.decisions import approve_and_send
from components.sending.scheduler import Scheduler
from components.sending.schedules import (
    Schedule,
    ScheduleError,
    at_time,
    cancel,
    reschedule,
)
from components.sending.worker import SendCancelled, SendWorker
from components.team.auth import Identity
from tests.sending_support import batches, client_for, submit
from tests.test_approvals import CAROL, SAM, VERA
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("fresh_tokens")
WINDOWS = ScheduleKind.WINDOWS

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def scheduler_for(worker: SendWorker, client, mode: str = "sandbox") -> Scheduler:
    return Scheduler(worker, lambda: (mode, client))


def move(worker: SendWorker, send_id: int, when: datetime, *, by: Identity) -> int:
    return reschedule(worker.journal, send_id, when, by=by, rule=worker.approval_rule)


def wait_idle(worker: SendWorker, send_id: int) -> None:
    wait_until(lambda: not worker.is_running(send_id), what=f"send #{send_id} to end")
    worker.wait(send_id, timeout=20)


def test_at_time_refuses_the_past_a_naive_time_and_more_than_a_year():
    with pytest.raises(ValueError, match="has passed"):
        at_time(NOW - timedelta(minutes=1), 2, now=NOW)
    with pytest.raises(ValueError, match="time zone"):
        at_time(datetime(2027, 1, 1, 9), 2, now=NOW)
    with pytest.raises(ValueError, match="a year ahead"):
        at_time(NOW + timedelta(days=400), 2, now=NOW)
    schedule = at_time(NOW + timedelta(hours=2), 3, now=NOW)
    assert schedule.not_before == ((NOW + timedelta(hours=2)).timestamp(),) * 3
    assert schedule.details() == {
        "schedule": "at",
        "starts_at": "2026-12-02T14:00:00Z",
        "held_batches": 3,
    }


def test_a_scheduled_send_waits_then_the_scheduler_sends_each_batch_once(sandbox, worker):
    due = time.time() + 3600
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(3), SAM, schedule=Schedule("at", (due,) * 3))
        record = worker.journal.get_send(send_id)
        assert record.state(running=False) is SendState.SCHEDULED and record.next_start == due
        assert not worker.is_running(send_id) and sandbox.sent_payloads() == []
        scheduler = scheduler_for(worker, client)
        assert scheduler.run_due(now=due - 1) == []
        assert scheduler.run_due(now=due + 1) == []  # the worker itself keeps to the clock
        worker.journal.reschedule_send(send_id, time.time() - 1)  # its time has come
        assert scheduler.run_due() == [send_id]
        wait_idle(worker, send_id)
        assert scheduler.run_due() == []  # nothing twice
    assert len(sandbox.sent_payloads()) == 3
    assert worker.journal.get_send(send_id).state(running=False) is SendState.ACCEPTED
    actions = [e.action for e in reversed(worker.journal.audit_entries(send_id=send_id))]
    assert actions == ["send_requested", "send_scheduled", "send_started", "send_finished"]


def test_batches_due_at_different_times_go_out_in_waves(sandbox, worker):
    now = time.time()
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, batches(3), SAM, schedule=Schedule(WINDOWS, (None, now + 3600, None))
        )
        wait_idle(worker, send_id)  # the two due now went at once
        assert len(sandbox.sent_payloads()) == 2
        assert worker.journal.get_send(send_id).state(running=False) is SendState.SCHEDULED
        worker.journal.reschedule_send(send_id, time.time() - 1)
        assert scheduler_for(worker, client).run_due() == [send_id]
        wait_idle(worker, send_id)
    assert sorted(p["content"] for p in sandbox.sent_payloads()) == [
        "Batch 0 ",
        "Batch 1 ",
        "Batch 2 ",
    ]


def test_cancel_and_reschedule_until_it_starts(sandbox, worker):
    later = datetime.now(UTC) + timedelta(hours=3)
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(2), SAM, schedule=at_time(later, 2))
        with pytest.raises(ScheduleError, match=r"Only sam@example\.com"):
            cancel(worker.journal, send_id, by=VERA)
        assert move(worker, send_id, later + timedelta(hours=1), by=SAM) == 2
        assert (
            worker.journal.get_send(send_id).next_start == (later + timedelta(hours=1)).timestamp()
        )
        assert cancel(worker.journal, send_id, by=SAM) == 2
        record = worker.journal.get_send(send_id)
        assert record.state(running=False) is SendState.CANCELLED
        assert record.cancelled_by == SAM.email
        worker.journal.reschedule_send(send_id, time.time() - 1)  # refused for a cancelled send
        assert scheduler_for(worker, client).run_due() == []
        with pytest.raises(SendCancelled, match=r"cancelled by sam@example\.com"):
            worker.start(send_id, client, by=SAM)
        with pytest.raises(ScheduleError, match="cancelled already"):
            cancel(worker.journal, send_id, by=SAM)
    assert sandbox.sent_payloads() == []
    actions = [e.action for e in reversed(worker.journal.audit_entries(send_id=send_id))]
    assert actions[-2:] == ["send_rescheduled", "send_cancelled"]


def test_a_started_send_cannot_be_rescheduled(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(1), SAM)
        wait_idle(worker, send_id)
        with pytest.raises(ScheduleError, match="it has started"):
            move(worker, send_id, datetime.now(UTC) + timedelta(hours=1), by=SAM)


def test_approval_comes_before_the_schedule(sandbox, worker):
    with client_for(sandbox) as client:
        due = time.time() + 3600
        send_id = submit(
            worker, client, batches(2), SAM, mode="pod", schedule=Schedule("at", (due, due))
        )
        worker.journal.reschedule_send(send_id, time.time() - 1)
        scheduler = scheduler_for(worker, client, mode="pod")
        assert scheduler.run_due() == []  # due, but nobody approved it: it waits
        assert worker.journal.get_send(send_id).state(running=False) is SendState.AWAITING_APPROVAL
        approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
        wait_idle(worker, send_id)
        assert scheduler.run_due() == []
    assert len(sandbox.sent_payloads()) == 2


def test_the_scheduler_leaves_a_send_made_for_another_connection(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, batches(1), SAM, schedule=Schedule(WINDOWS, (time.time() + 60,))
        )
        worker.journal.reschedule_send(send_id, time.time() - 1)
        assert Scheduler(worker, lambda: ("pod", client)).run_due() == []
        assert Scheduler(worker, lambda: None).run_due() == []  # misconfigured: it waits
    assert sandbox.sent_payloads() == []


def test_the_scheduler_thread_starts_a_due_send_by_itself(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, batches(1), SAM, schedule=Schedule(WINDOWS, (time.time() + 0.5,))
        )
        scheduler = Scheduler(worker, lambda: ("sandbox", client), poll=0.1).start()
        try:
            wait_until(sandbox.sent_payloads, timeout=15, what="the scheduler's send")
        finally:
            scheduler.stop()
        wait_idle(worker, send_id)
    assert len(sandbox.sent_payloads()) == 1


def test_the_scheduler_outlives_a_database_that_goes_away_for_a_while(worker, monkeypatch):
    """A database restart must not stop scheduled sends and takeovers for good."""
    calls: list[float] = []
    real_next_due = worker.journal.next_due_at

    def next_due_at():
        calls.append(time.monotonic())
        if len(calls) <= 2:
            raise OSError("the database is restarting")
        return real_next_due()

    monkeypatch.setattr(worker.journal, "next_due_at", next_due_at)
    scheduler = Scheduler(worker, lambda: None, poll=0.05).start()
    try:  # it keeps going after the failures
        wait_until(lambda: len(calls) >= 4, timeout=10, what="the scheduler's fourth look")
    finally:
        scheduler.stop()


def test_a_cancel_stops_the_batches_a_running_worker_has_not_claimed(sandbox, worker):
    """Cancelled on one replica while another's worker sends it: nothing more is claimed."""
    sandbox.configure(latency=0.1)
    worker.max_in_flight = 2
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(30, tag="cancel"), "sam@example.com")
        wait_until(
            lambda: worker.journal.get_send(send_id).batch_states.get(BatchState.ACCEPTED, 0) >= 2,
            every=0.01,
            what="two accepted batches",
        )
        assert worker.journal.cancel_send(send_id, by="carol@example.com") > 0
        worker.wait(send_id, timeout=20)
    states = worker.journal.get_send(send_id).batch_states
    assert states.get(BatchState.PLANNED, 0) >= 20  # never sent
    assert sandbox.stats()["send_posts"] == 30 - states[BatchState.PLANNED]
    assert worker.journal.get_send(send_id).state(running=False) is SendState.CANCELLED

"""The rules of a send kept where it is sent: the worker holds recipients outside their allowed
hours as each batch goes out (approved after a wait, resumed, taken over), as the send chose;
only its sender, an approver or an admin moves or cancels a waiting send, and a move of an
approved send asks for approval again. Against the sandbox over real HTTP, the clock travelled."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from components.core.states import ApprovalState, BatchState, HoursChoice, SendState
from components.sending.decisions import approve_and_send, resume_send
from components.sending.scheduler import Scheduler
from components.sending.schedules import (
    HoursDecision,
    Schedule,
    ScheduleError,
    cancel,
    may_change,
    reschedule,
)
from components.sending.worker import SCHEDULER_ACTOR, SendWorker
from components.team.auth import Identity, Role
from tests.apptest_support import journaled_send
from tests.sending_support import client_for, submit
from tests.test_approvals import CAROL, SAM
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("fresh_tokens")

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 04:00 Los Angeles, 12:00 London
LA_OPENS = NOON.replace(hour=16)  # 08:00 in Los Angeles
LA, LONDON = "19495001234", "447911123456"
BOB = Identity(email="bob@example.com", roles=frozenset({Role.SENDER}))
ADA = Identity(email="ada@example.com", roles=frozenset({Role.ADMIN}))


def body(*numbers: str, tag: str = "") -> dict:
    return {
        "channelQualifier": "12345",
        "content": f"Hi {tag}",
        "contacts": [{"phoneNumber": n} for n in numbers],
    }


@pytest.fixture
def hours_worker(journal) -> SendWorker:
    """A worker with the default allowed hours (08:00 to 21:00, each recipient's own)."""
    worker = SendWorker(journal)
    yield worker
    worker.shutdown()


def sent(sandbox) -> list[str]:
    return sorted(c["phoneNumber"] for p in sandbox.sent_payloads() for c in p["contacts"])


def settle(worker: SendWorker, send_id: int) -> None:
    worker.wait(send_id, timeout=20)
    wait_until(lambda: not worker.is_running(send_id), what=f"send #{send_id} to end")


def test_an_approval_after_hours_waits_for_each_recipients_hours(sandbox, hours_worker):
    worker = hours_worker
    with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
        send_id = submit(worker, client, [body(LA, LONDON)], SAM, mode="pod")
        approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
        settle(worker, send_id)
        assert sent(sandbox) == [LONDON]  # inside its hours: at once
        batches = worker.journal.batches(send_id)
        assert [b.state for b in batches] == [BatchState.ACCEPTED, BatchState.PLANNED]
        original, held = batches
        assert original.held_out == (LA,) and original.contacts == 1
        assert held.split_from == original.id and held.not_before == LA_OPENS.timestamp()
        record = worker.journal.get_send(send_id)
        assert record.state(running=False) is SendState.SCHEDULED
        assert record.next_start == LA_OPENS.timestamp()
        # The approval still covers it: its journaled requests are unchanged.
        assert (
            worker.journal.payload_digest(send_id) == worker.journal.latest_approval(send_id).digest
        )
        scheduler = Scheduler(worker, lambda: ("pod", client))
        assert scheduler.run_due() == []  # not before 08:00 in Los Angeles
    with (
        time_machine.travel(LA_OPENS + timedelta(seconds=1), tick=True),
        client_for(sandbox) as client,
    ):
        assert Scheduler(worker, lambda: ("pod", client)).run_due() == [send_id]
        settle(worker, send_id)
    assert sent(sandbox) == [LA, LONDON]
    held_entry = worker.journal.audit_entries(send_id=send_id, action="send_held")[0]
    assert held_entry.details["recipients"] == 1 and held_entry.details["until"].startswith(
        "2026-12-02T16:00"
    )
    assert "1949500" not in str(worker.journal.audit_entries(send_id=send_id))


def test_hold_everything_waits_until_all_are_inside_at_once(sandbox, hours_worker):
    worker = hours_worker
    with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
        send_id = submit(
            worker, client, [body(LONDON, tag="a"), body(LA, tag="b")], SAM,
            hours=HoursChoice.HOLD_ALL,
        )  # fmt: skip
        settle(worker, send_id)
        assert sent(sandbox) == []  # London is inside, but not everyone is
        assert {b.not_before for b in worker.journal.batches(send_id)} == {LA_OPENS.timestamp()}
    with (
        time_machine.travel(LA_OPENS + timedelta(seconds=1), tick=True),
        client_for(sandbox) as client,
    ):
        Scheduler(worker, lambda: ("sandbox", client)).run_due()
        settle(worker, send_id)
    assert sent(sandbox) == [LA, LONDON]


def test_send_anyway_goes_to_everyone_at_once(sandbox, hours_worker):
    worker = hours_worker
    with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
        send_id = submit(
            worker, client, [body(LA, LONDON)], SAM, hours=HoursChoice.ANYWAY, reason="codes"
        )
        settle(worker, send_id)
    assert sent(sandbox) == [LA, LONDON]
    record = worker.journal.get_send(send_id)
    assert (record.hours, record.hours_reason, record.hours_by) == (
        HoursChoice.ANYWAY,
        "codes",
        SAM.email,
    )


def test_a_resume_outside_the_window_waits_and_inside_it_goes(sandbox, hours_worker, journal):
    worker = hours_worker
    # Journaled, then the console stopped before it sent anything.
    record = journaled_send(journal, [body(LA)], base_url=sandbox.url, created_by=SAM.email)
    with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
        assert resume_send(worker, client, record.id, by=SAM)
        settle(worker, record.id)
        assert sent(sandbox) == []
        (batch,) = journal.batches(record.id)
        assert batch.state is BatchState.PLANNED and batch.not_before == LA_OPENS.timestamp()
    with (
        time_machine.travel(LA_OPENS + timedelta(minutes=5), tick=True),
        client_for(sandbox) as client,
    ):
        assert resume_send(worker, client, record.id, by=SAM)
        settle(worker, record.id)
    assert sent(sandbox) == [LA]


def test_a_takeover_outside_the_window_holds_what_it_takes_over(sandbox, journal):
    bodies = [body(LONDON, tag="a"), body(LA, tag="b")]
    record = journaled_send(journal, bodies, base_url=sandbox.url, created_by=SAM.email)
    gone = "elsewhere:1:1"  # a replica of another machine whose lease ran out
    survivor = SendWorker(journal, owner="replica-2:2:2")
    try:
        with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
            assert journal.acquire_lease(record.id, gone, seconds=5, now=time.time() - 60).granted
            assert Scheduler(survivor, lambda: ("sandbox", client)).run_due() == [record.id]
            settle(survivor, record.id)
        assert sent(sandbox) == [LONDON]
        states = [b.state for b in journal.batches(record.id)]
        assert states == [BatchState.ACCEPTED, BatchState.PLANNED]
    finally:
        survivor.shutdown()


# -- changing a waiting send ----------------------------------------------------------------------


def test_another_sender_may_neither_move_nor_cancel_and_the_pages_offer_nothing(sandbox, worker):
    later = datetime.now(UTC) + timedelta(hours=3)
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, [body(LONDON)], SAM, schedule=Schedule("at", (later.timestamp(),))
        )
    record = worker.journal.get_send(send_id)
    assert may_change(SAM, record) and may_change(CAROL, record) and may_change(ADA, record)
    assert not may_change(BOB, record)
    with pytest.raises(ScheduleError, match=r"Only sam@example\.com"):
        reschedule(worker.journal, send_id, later + timedelta(minutes=1), by=BOB,
                   rule=worker.approval_rule)  # fmt: skip
    with pytest.raises(ScheduleError, match=r"Only sam@example\.com"):
        cancel(worker.journal, send_id, by=BOB)
    assert worker.journal.get_send(send_id).next_start == later.timestamp()
    assert cancel(worker.journal, send_id, by=ADA) == 1  # an admin may
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="send_cancelled")
    assert entry.actor == ADA.email and entry.details["scheduled_by"] == SAM.email


def test_moving_an_approved_send_asks_for_approval_again_unless_an_approver_moves_it(
    sandbox, worker
):
    later = datetime.now(UTC) + timedelta(hours=1)
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, [body(LONDON)], SAM, mode="pod",
            schedule=Schedule("at", (later.timestamp(),)),
        )  # fmt: skip
        approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
        assert worker.journal.latest_approval(send_id).state is ApprovalState.APPROVED
        # Its sender moves it to another time: it waits for approval again.
        moved = later + timedelta(minutes=30)
        assert reschedule(worker.journal, send_id, moved, by=SAM, rule=worker.approval_rule) == 1
        asked = worker.journal.latest_approval(send_id)
        assert asked.state is ApprovalState.PENDING and asked.requested_by == SAM.email
        assert asked.confirmation["starts_at"] == moved.timestamp()
        worker.journal.reschedule_send(send_id, time.time() - 1)  # its time has come
        scheduler = Scheduler(worker, lambda: ("pod", client))
        assert scheduler.run_due() == []  # nobody approved the move: nothing goes
        assert sandbox.sent_payloads() == []
        # Approved again, then an approver (not its sender) moves it: the approval stands.
        worker.journal.reschedule_send(send_id, moved.timestamp())
        approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
        assert reschedule(worker.journal, send_id, later, by=CAROL, rule=worker.approval_rule) == 1
        assert worker.journal.latest_approval(send_id).state is ApprovalState.APPROVED
        worker.journal.reschedule_send(send_id, time.time() - 1)
        assert scheduler.run_due() == [send_id]
        settle(worker, send_id)
    assert len(sandbox.sent_payloads()) == 1
    moves = worker.journal.audit_entries(send_id=send_id, action="send_rescheduled")
    assert [(e.actor, e.details["approval"]) for e in reversed(moves)] == [
        (SAM.email, "asked again"),
        (CAROL.email, "kept: moved by an approver"),
    ]
    (started,) = worker.journal.audit_entries(send_id=send_id, action="send_started")
    assert started.actor == SCHEDULER_ACTOR and started.details["on_schedule_of"] == SAM.email


def test_a_move_to_a_time_outside_the_hours_can_choose_to_send_anyway(sandbox, worker):
    later = datetime.now(UTC) + timedelta(hours=3)
    with client_for(sandbox) as client:
        send_id = submit(
            worker, client, [body(LA)], SAM, schedule=Schedule("at", (later.timestamp(),))
        )
    with pytest.raises(ScheduleError, match="why it cannot wait"):
        reschedule(worker.journal, send_id, later, by=SAM, rule=worker.approval_rule,
                   hours=HoursDecision(HoursChoice.ANYWAY, "\u200b"))  # fmt: skip
    reschedule(worker.journal, send_id, later, by=SAM, rule=worker.approval_rule,
               hours=HoursDecision(HoursChoice.ANYWAY, "a code is useless tomorrow"))  # fmt: skip
    record = worker.journal.get_send(send_id)
    assert record.hours is HoursChoice.ANYWAY and record.hours_by == SAM.email
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="quiet_hours_overridden")
    assert entry.details == {"reason": "a code is useless tomorrow", "moved": True}

"""Maker/checker against the sandbox over real HTTP: a send the rule names waits, journaled with
its exact requests; another approver's approval sends exactly those, once per batch; a rejection,
a withdrawal or an expiry sends nothing; nobody approves their own send; the worker refuses an
unapproved send whoever calls it."""

from __future__ import annotations

import threading

import pytest

from components.core.states import ApprovalState, SendState
from components.journal import DuplicateSendError
from components.sending.decisions import approve_and_send
from components.sending.worker import SendWorker
from components.team.approval_rules import ApprovalRule
from components.team.approvals import (
    ApprovalChangedError,
    ApprovalClosedError,
    ApprovalError,
    ApprovalRequired,
    SelfApprovalError,
    approval_block,
    awaiting,
    expire_due,
    reject,
    waiting_for,
    withdraw,
)
from components.team.auth import Identity, PermissionDenied, Role, local_identity
from tests.journal_support import tamper
from tests.sending_support import batches, client_for, submit, worker_on

pytestmark = pytest.mark.usefixtures("fresh_tokens")

SAM = Identity(email="sam@example.com", roles=frozenset({Role.SENDER}))
CAROL = Identity(email="carol@example.com", roles=frozenset({Role.APPROVER}))
DAN = Identity(email="dan@example.com", roles=frozenset({Role.APPROVER}))
VERA = Identity(email="vera@example.com", roles=frozenset({Role.VIEWER}))


def live_send(worker: SendWorker, client, payloads: list[dict], by: Identity = SAM, **extra) -> int:
    """A send to a "live pod" (the sandbox, journaled as mode pod), as Compose asks for it."""
    return submit(
        worker,
        client,
        payloads,
        by,
        mode="pod",
        estimated_cost=1.0,
        **extra,
    )


def test_a_live_send_waits_for_approval_and_sends_nothing(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(2))
    record = worker.journal.get_send(send_id)
    assert record.state(running=worker.is_running(send_id)) is SendState.AWAITING_APPROVAL
    assert not worker.is_running(send_id) and sandbox.sent_payloads() == []
    request = worker.journal.latest_approval(send_id)
    assert request.state is ApprovalState.PENDING and request.requested_by == SAM.email
    assert request.reasons == ["every send to a live pod needs approval"]
    shown = request.confirmation  # what its sender confirmed, for the approver to see
    assert (shown["recipients"], shown["batches"], shown["live"]) == (6, 2, True)
    assert [entry.action for entry in worker.journal.audit_entries(send_id=send_id)] == [
        "send_requested"
    ]
    assert worker.journal.audit_entries(send_id=send_id)[0].details["awaiting_approval"] is True
    assert [a.send_id for a in awaiting(worker.journal)] == [send_id]


def test_another_approver_approves_and_each_batch_is_posted_once(sandbox, worker):
    payloads = batches(3)
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, payloads)
        approved = approve_and_send(
            worker, client, send_id, by=CAROL, mode="pod", note="Checked with legal"
        )
        worker.wait(send_id, timeout=20)
    assert approved.state is ApprovalState.APPROVED and approved.decided_by == CAROL.email
    assert sorted(p["content"] for p in sandbox.sent_payloads()) == sorted(
        p["content"] for p in payloads
    )  # exactly the journaled requests, one POST each
    assert worker.journal.get_send(send_id).state(running=False) is SendState.ACCEPTED
    steps = [(e.action, e.actor) for e in reversed(worker.journal.audit_entries(send_id=send_id))]
    assert steps == [
        ("send_requested", SAM.email),
        ("send_approved", CAROL.email),
        ("send_started", CAROL.email),
        ("send_finished", CAROL.email),
    ]
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="send_approved")
    assert entry.details == {"requested_by": SAM.email, "note": "Checked with legal"}
    with pytest.raises(ApprovalClosedError, match=r"carol@example\.com approved it"):
        approve_and_send(worker, client, send_id, by=DAN, mode="pod")
    assert len(sandbox.sent_payloads()) == 3


def test_nobody_approves_their_own_send(sandbox, worker):
    approver_sends = Identity(email="Carol@Example.com", roles=frozenset({Role.APPROVER}))
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1), by=approver_sends)
        with pytest.raises(SelfApprovalError, match="nobody may approve their own send"):
            approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
        with pytest.raises(SelfApprovalError):
            reject(worker.journal, send_id, by=CAROL, note="no")
    assert sandbox.sent_payloads() == []
    assert worker.journal.latest_approval(send_id).state is ApprovalState.PENDING


def test_a_sender_or_viewer_cannot_decide_and_local_mode_cannot_approve(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        for person in (Identity(email="sue@example.com", roles=frozenset({Role.SENDER})), VERA):
            with pytest.raises(PermissionDenied, match="needs the approver role"):
                approve_and_send(worker, client, send_id, by=person, mode="pod")
        with pytest.raises(ApprovalError, match="Approval needs sign-in"):
            approve_and_send(worker, client, send_id, by=local_identity(), mode="pod")
    assert sandbox.sent_payloads() == []


def test_a_rejected_request_sends_nothing_and_the_same_send_may_be_asked_again(sandbox, worker):
    payloads = batches(2)
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, payloads)
        with pytest.raises(ApprovalError, match="Say why"):
            reject(worker.journal, send_id, by=CAROL, note="  ")
        rejected = reject(worker.journal, send_id, by=CAROL, note="Wrong program for OTPs")
        assert (
            rejected.state is ApprovalState.REJECTED and rejected.note == "Wrong program for OTPs"
        )
        with pytest.raises(ApprovalClosedError, match="rejected it"):
            approve_and_send(worker, client, send_id, by=DAN, mode="pod")
        with pytest.raises(ApprovalRequired, match=r"carol@example\.com rejected it"):
            worker.start(send_id, client, by=SAM)  # a direct call of the worker refuses too
        assert worker.journal.get_send(send_id).state(running=False) is SendState.NOT_APPROVED
        again = live_send(worker, client, payloads)  # not a duplicate: nothing went out
    assert again != send_id and sandbox.sent_payloads() == []
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="send_rejected")
    assert entry.actor == CAROL.email and entry.details["note"] == "Wrong program for OTPs"


def test_the_worker_refuses_an_unapproved_send_whoever_calls_it(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        for person in (SAM, CAROL):
            with pytest.raises(ApprovalRequired, match="waiting for approval"):
                worker.start(send_id, client, by=person)
        with pytest.raises(PermissionDenied):
            worker.start(send_id, client, by=VERA)  # the role is checked first
        # A live send journaled around submit_send (no request at all) is refused as well.
        record = worker.journal.create_send(
            kind="bulk",
            mode="pod",
            base_url=client.base_url,
            program="12345",
            content="x",
            payloads=batches(1, tag="bypass"),
        )
        with pytest.raises(ApprovalRequired, match="nobody has approved it"):
            worker.start(record.id, client, by=CAROL)
    assert sandbox.sent_payloads() == []


def test_requests_changed_after_the_request_are_never_approved(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        tamper(
            worker.journal,
            "UPDATE batches SET payload_json = replace(payload_json, 'Batch 0', 'Changed') "
            "WHERE send_id = :send_id",
            {"send_id": send_id},
        )
        with pytest.raises(ApprovalChangedError, match="not the ones that were asked"):
            approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
    assert sandbox.sent_payloads() == []
    assert "changed" not in str(
        approval_block(worker.journal, worker.journal.get_send(send_id), worker.approval_rule)
    )  # still just pending


def test_a_request_from_another_connection_is_not_approved_through_this_one(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        with pytest.raises(ApprovalError, match="switch back to that connection"):
            approve_and_send(worker, client, send_id, by=CAROL, mode="sandbox")
    assert sandbox.sent_payloads() == []


def test_a_change_makes_a_new_request_and_drops_the_old_one(sandbox, worker):
    with client_for(sandbox) as client:
        first = live_send(worker, client, batches(1, tag="draft 1"))
        second = live_send(worker, client, batches(1, tag="draft 2"), replaces=first)
        with pytest.raises(ApprovalClosedError, match="withdrew it"):
            approve_and_send(worker, client, first, by=CAROL, mode="pod")
    assert worker.journal.latest_approval(first).state is ApprovalState.WITHDRAWN
    assert worker.journal.latest_approval(first).note == f"replaced by send #{second}"
    assert [a.send_id for a in awaiting(worker.journal)] == [second]
    assert worker.journal.get_send(first).state(running=False) is SendState.WITHDRAWN


def test_only_its_sender_withdraws_a_request(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
    with pytest.raises(ApprovalError, match=r"Only sam@example\.com"):
        withdraw(worker.journal, send_id, by=CAROL)
    withdraw(worker.journal, send_id, by=SAM)
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="send_withdrawn")
    assert entry.actor == SAM.email


def test_a_request_nobody_decides_expires(sandbox, journal):
    worker = worker_on(journal, approval_rule=ApprovalRule(expires_after_hours=1))
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        request = worker.journal.latest_approval(send_id)
        assert request.expires_at - request.requested_at == pytest.approx(3600, abs=5)
        assert expire_due(worker.journal, now=request.expires_at - 1) == 0
        assert expire_due(worker.journal, now=request.expires_at + 1) == 1
        with pytest.raises(ApprovalClosedError, match="expired"):
            approve_and_send(worker, client, send_id, by=CAROL, mode="pod")
    assert worker.journal.get_send(send_id).state(running=False) is SendState.APPROVAL_EXPIRED
    (entry,) = worker.journal.audit_entries(send_id=send_id, action="send_expired")
    assert entry.actor == "console"
    assert sandbox.sent_payloads() == []
    worker.shutdown()


def test_a_request_past_its_time_reads_as_expired_before_anything_marks_it(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
    tamper(worker.journal, "UPDATE approvals SET expires_at = 0")
    assert worker.journal.latest_approval(send_id).state is ApprovalState.EXPIRED
    assert worker.journal.get_send(send_id).state(running=False) is SendState.APPROVAL_EXPIRED
    assert waiting_for(worker.journal, CAROL) == []


def test_two_approvers_at_once_start_the_send_once(sandbox, worker):
    outcomes: list[object] = []
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(2))
        gate = threading.Barrier(2)

        def decide(person: Identity) -> None:
            gate.wait()
            try:
                outcomes.append(approve_and_send(worker, client, send_id, by=person, mode="pod"))
            except ApprovalClosedError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=decide, args=(p,)) for p in (CAROL, DAN)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        worker.wait(send_id, timeout=20)
    assert sum(isinstance(o, ApprovalClosedError) for o in outcomes) == 1
    assert len(sandbox.sent_payloads()) == 2


def test_the_same_pending_request_is_not_asked_twice(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(1))
        with pytest.raises(DuplicateSendError) as raised:
            live_send(worker, client, batches(1))
    assert raised.value.existing.id == send_id


def test_sandbox_and_small_sends_go_straight_out(sandbox, worker):
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(1), SAM)
        worker.wait(send_id, timeout=20)
    assert worker.journal.latest_approval(send_id) is None
    assert len(sandbox.sent_payloads()) == 1

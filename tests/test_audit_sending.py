"""What sending leaves in the audit log: a test send, a bulk send (requested, started, finished),
a resume and a resend, each with who did it and the send's id."""

from __future__ import annotations

import pytest

from components.core.states import BatchState, SendKind
from components.journal import Journal
from components.sending.decisions import resend_batches, resume_send
from tests.apptest_support import journaled_send
from tests.sending_support import batches, client_for, sender, submit, worker_on

ANN, BOB = "ann@example.com", "bob@example.com"
pytestmark = pytest.mark.usefixtures("fresh_tokens")


def actions(journal: Journal, send_id: int) -> list[tuple[str, str]]:
    """(action, actor) of a send's entries, oldest first."""
    return [(e.action, e.actor) for e in reversed(journal.audit_entries(send_id=send_id))]


def details(journal: Journal, send_id: int, action: str) -> dict:
    (entry,) = journal.audit_entries(send_id=send_id, action=action)
    return entry.details


def test_a_bulk_send_is_requested_started_and_finished_by_its_sender(sandbox, tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    worker = worker_on(journal)
    payloads = batches(3)
    payloads[2] = payloads[2] | {"channelQualifier": "55555"}  # an inactive program: refused
    with client_for(sandbox) as client:
        send_id = submit(worker, client, payloads, ANN)
        worker.wait(send_id, timeout=20)
    assert actions(journal, send_id) == [
        ("send_requested", ANN),
        ("send_started", ANN),
        ("send_finished", ANN),
    ]
    assert details(journal, send_id, "send_requested") == {
        "kind": "bulk",
        "mode": "sandbox",
        "program": "12345",
        "recipients": 9,
        "batches": 3,
        "repeat_of": None,
        "awaiting_approval": False,
        "left_out": 0,
        "held": 0,  # recipients waiting for their allowed hours
        "no_hours": 0,  # recipients left out: no allowed hour within 48 hours
    }
    assert details(journal, send_id, "send_started") == {"batches": 3, "recipients": 9}
    assert details(journal, send_id, "send_finished") == {
        "batches": 3,
        "accepted": 6,
        "rejected": 3,
        "unknown": 0,
        "left_out": 0,  # recipients on the do-not-text list as their batch went out
    }
    assert "1949500" not in str(journal.audit_entries())  # no phone number anywhere


def test_a_test_send_is_recorded_as_a_test(sandbox, tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    worker = worker_on(journal)
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(1, size=1), ANN, kind=SendKind.TEST)
        worker.wait(send_id, timeout=20)
    assert actions(journal, send_id) == [
        ("test_send", ANN),
        ("send_started", ANN),
        ("send_finished", ANN),
    ]
    assert details(journal, send_id, "test_send")["recipients"] == 1
    assert details(journal, send_id, "send_finished")["accepted"] == 1


def test_a_resume_is_bobs_when_bob_resumes_anns_send(sandbox, tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    # Journaled, then the console stopped before it sent anything.
    record = journaled_send(journal, batches(2), base_url=sandbox.url, created_by=ANN)
    worker = worker_on(journal)
    with client_for(sandbox) as client:
        assert resume_send(worker, client, record.id, by=sender(BOB))
        worker.wait(record.id, timeout=20)
    assert actions(journal, record.id) == [
        ("resume", BOB),
        ("send_started", BOB),
        ("send_finished", BOB),
    ]
    assert details(journal, record.id, "resume") == {"batches": 2}
    assert details(journal, record.id, "send_finished")["accepted"] == 6
    assert sandbox.stats()["send_posts"] == 2


def interrupted_send(journal: Journal, base_url: str) -> int:
    """A send whose two batches were in flight when its console was killed: outcome unknown."""
    record = journaled_send(journal, batches(2), base_url=base_url, created_by=ANN)
    for batch in journal.batches(record.id):
        journal.claim_batch(batch.id, "gone-host:1:0")
    journal.mark_interrupted()
    return record.id


def test_a_resend_that_may_deliver_twice_says_so_and_who_chose_it(sandbox, tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    send_id = interrupted_send(journal, sandbox.url)
    worker = worker_on(journal)
    unknown = [b.id for b in journal.batches(send_id)]
    with client_for(sandbox) as client:
        # Without the explicit choice nothing is requeued, sent or recorded.
        assert (
            resend_batches(
                worker, client, send_id, unknown, may_deliver_twice=False, by=sender(BOB)
            )
            == 0
        )
        assert actions(journal, send_id) == [] and not worker.is_running(send_id)
        assert (
            resend_batches(worker, client, send_id, unknown, may_deliver_twice=True, by=sender(BOB))
            == 2
        )
        worker.wait(send_id, timeout=20)
    assert actions(journal, send_id) == [
        ("resend", BOB),
        ("send_started", BOB),
        ("send_finished", BOB),
    ]
    assert details(journal, send_id, "resend") == {"batches": 2, "may_deliver_twice": True}
    assert {b.state for b in journal.batches(send_id)} == {BatchState.ACCEPTED}


def test_a_resend_of_rejected_batches_cannot_deliver_twice(sandbox, tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    worker = worker_on(journal)
    payloads = batches(2)
    payloads[1] = payloads[1] | {"channelQualifier": "55555"}
    with client_for(sandbox) as client:
        send_id = submit(worker, client, payloads, ANN)
        worker.wait(send_id, timeout=20)
        rejected = [b.id for b in journal.batches(send_id) if b.state is BatchState.REJECTED]
        resend_batches(worker, client, send_id, rejected, may_deliver_twice=False, by=sender(BOB))
        worker.wait(send_id, timeout=20)
    resend = journal.audit_entries(send_id=send_id, action="resend")
    assert [(e.actor, e.details) for e in resend] == [
        (BOB, {"batches": 1, "may_deliver_twice": False})
    ]
    finished = journal.audit_entries(send_id=send_id, action="send_finished")
    assert [(e.actor, e.details["rejected"]) for e in finished] == [(BOB, 3), (ANN, 3)]


def test_a_send_stopped_by_a_fault_of_the_console_still_ends_in_the_log(sandbox, tmp_path):
    class Broken(Journal):
        def claim_batch(self, batch_id: int, owner: str, **screened) -> bool:
            raise RuntimeError("disk gone")

    journal = Broken(tmp_path / "j.sqlite3")
    worker = worker_on(journal)
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(2), ANN)
        worker.wait(send_id, timeout=20)
    finished = details(journal, send_id, "send_finished")
    assert finished["batches"] == 0 and "unexpected error stopped the send" in finished["stopped"]
    assert sandbox.stats()["send_posts"] == 0

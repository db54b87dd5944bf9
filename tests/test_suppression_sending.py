"""The do-not-text list applied to bulk sends, test sends and resends to the failed, against the
sandbox over real HTTP: listed numbers never reach a request, and the journal says how many were
left out."""

from __future__ import annotations

import json
import time

import pytest

from components.contacts.reading import read_contacts
from components.core.states import BatchState, ContactState, SendKind, SendState
from components.guardrails.do_not_text import (
    ListedRecipients,
    add_numbers,
    left_out_of,
    listed_set,
    screen,
)
from components.journal import AuditAction
from components.message.draft import Draft
from components.sending.decisions import approve_and_send, resume_send
from components.sending.plan import Destination, Guardrails, plan_send
from components.sending.scheduler import Scheduler
from components.sending.schedules import Schedule
from components.sending.submit import PlanNotReady, submit_send
from components.status.failures import explain
from components.status.insights import LEFT_OUT_REASON, kpis
from components.status.lookups import insight_table, look_up
from components.status.opt_outs import opted_out_contacts
from components.status.progress import send_progress
from components.status.resend import resend_contacts
from components.team.auth import Identity, Role
from tests.sending_support import ALL_DAY, batches, client_for, submit
from tests.test_approvals import CAROL, live_send
from tests.test_schedules import wait_idle
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("fresh_tokens")

SENDER = Identity(email="sam@example.com", roles=frozenset({Role.SENDER}))
DRAFT = Draft(content="Hi %%FIRST NAME%%", program="12345", defaults={"FIRST NAME": "there"})
CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9990,Bob\n+1 949 500 9992,Cy\n"


def sent_numbers(server) -> list[str]:
    return [c["phoneNumber"] for p in server.sent_payloads() for c in p["contacts"]]


def send(worker, client, recipients, *, kind=SendKind.BULK, listed=None) -> int:
    """Planned as Compose plans it (the do-not-text list as the journal has it, unless `listed`
    says what it was when the plan was made), then submitted."""
    guardrails = Guardrails(
        listed=listed_set(worker.journal) if listed is None else listed, quiet_hours=ALL_DAY
    )
    plan = plan_send(
        recipients,
        DRAFT,
        actor=SENDER,
        destination=Destination("sandbox", "Sandbox", client.base_url),
        guardrails=guardrails,
        kind=kind,
    )
    send_id = submit_send(worker, client, plan)
    worker.wait(send_id, timeout=20)
    return send_id


def test_a_bulk_send_leaves_listed_numbers_out(sandbox, worker):
    journal = worker.journal
    add_numbers(journal, ["19495009990"], "asked not to be texted", SENDER, "manual")
    assert len(screen(journal, read_contacts(CSV).recipients).left_out) == 1
    with client_for(sandbox) as client:
        send_id = send(worker, client, read_contacts(CSV).recipients)
    assert sorted(sent_numbers(sandbox)) == ["19495001234", "19495009992"]
    assert journal.get_send(send_id).recipients == 2
    assert left_out_of(journal, send_id) == 1
    [requested] = journal.audit_entries(send_id=send_id, action=AuditAction.SEND_REQUESTED)
    assert requested.details["left_out"] == 1 and requested.details["recipients"] == 2


def test_a_send_that_would_reach_a_listed_number_is_refused_before_the_journal(sandbox, worker):
    journal = worker.journal
    recipients = read_contacts(CSV).recipients
    add_numbers(journal, ["19495001234"], "asked", SENDER, "manual")
    with client_for(sandbox) as client, pytest.raises(ListedRecipients, match="1 recipient"):
        # Listed between Compose's check (the plan) and Send.
        send(worker, client, recipients, listed=frozenset())
    assert journal.list_sends() == [] and sandbox.stats()["send_posts"] == 0


def test_a_test_send_to_a_listed_number_sends_nothing(sandbox, worker):
    journal = worker.journal
    add_numbers(journal, ["19495001234"], "the marketer's old phone", SENDER, "manual")
    one = read_contacts("+1 949 500 1234").recipients
    assert screen(journal, one).everyone_listed
    with client_for(sandbox) as client, pytest.raises(PlanNotReady, match="do-not-text list"):
        send(worker, client, one, kind=SendKind.TEST)
    assert sandbox.stats()["send_posts"] == 0
    other = screen(journal, read_contacts("+1 949 500 1235").recipients)
    with client_for(sandbox) as client:
        send(worker, client, other.recipients, kind=SendKind.TEST)
    assert sent_numbers(sandbox) == ["19495001235"]


def test_resend_to_failed_leaves_out_those_listed_from_status(sandbox, worker):
    journal = worker.journal
    with client_for(sandbox) as client:
        send_id = send(worker, client, read_contacts(CSV).recipients)
        [batch] = journal.batches(send_id)

        def complete():
            lookup = look_up(client, journal, batch.transaction_id)
            return lookup if lookup.status and lookup.status.complete else None

        lookup = wait_until(complete, every=0.2, what="every contact processed")
    table = insight_table(journal, [lookup])
    numbers, reason = opted_out_contacts(table)
    assert numbers == ["19495009992"] and "opted out of this SMS program" in reason
    add_numbers(journal, numbers, reason, SENDER, "status")
    # "Put the failed back into Compose", read as Compose reads it, then screened.
    back = read_contacts(resend_contacts(table)).recipients
    assert sorted(back["phoneNumber"]) == ["19495009990", "19495009992"]
    screened = screen(journal, back)
    assert screened.left_out["phoneNumber"].tolist() == ["19495009992"]
    sandbox.reset()
    with client_for(sandbox) as client:
        resent = send(worker, client, back)
    assert sent_numbers(sandbox) == ["19495009990"]
    assert "Bob" in json.dumps(sandbox.sent_payloads())  # with their personalization
    assert left_out_of(journal, resent) == 1


# -- batches that go out later are screened again as they go out ---------------------------------

LISTED_LATER = "added after the send was journaled"


def later(n_batches: int) -> Schedule:
    """Held for an hour (the test then makes it due at once)."""
    return Schedule("at", (time.time() + 3600,) * n_batches)


def numbers_of(payloads) -> list[str]:
    return [c["phoneNumber"] for p in payloads for c in p["contacts"]]


def finished(journal, send_id) -> dict:
    [entry] = journal.audit_entries(send_id=send_id, action=AuditAction.SEND_FINISHED)
    return entry.details


def status_table(client, journal, send_id):
    lookups = [
        look_up(client, journal, b.transaction_id)
        for b in journal.batches(send_id)
        if b.transaction_id
    ]
    return insight_table(journal, lookups).set_index("phoneNumber")


def test_a_scheduled_send_leaves_out_a_number_listed_while_it_waited(sandbox, worker):
    journal = worker.journal
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(2), SENDER, schedule=later(2))
        assert sandbox.sent_payloads() == []
        add_numbers(journal, ["19495000101"], LISTED_LATER, SENDER, "manual")
        journal.reschedule_send(send_id, time.time() - 1)  # its time has come
        assert Scheduler(worker, lambda: ("sandbox", client)).run_due() == [send_id]
        wait_idle(worker, send_id)
        table = status_table(client, journal, send_id)
    assert sorted(sent_numbers(sandbox)) == [
        "19495000000",
        "19495000001",
        "19495000002",
        "19495000100",
        "19495000102",
    ]
    first, second = journal.batches(send_id)
    assert first.left_out == () and second.left_out == ("19495000101",)
    assert second.state is BatchState.ACCEPTED and second.transaction_id
    # The journal keeps the request as it was journaled (an approval's digest covers it).
    assert "19495000101" in numbers_of([journal.batch_payload(second.id)])
    assert left_out_of(journal, send_id) == 1
    assert finished(journal, send_id)["left_out"] == 1
    assert finished(journal, send_id)["accepted"] == 5
    assert send_progress(journal, send_id).accepted_recipients == 5
    listed = table.loc["19495000101"]
    assert listed["state"] == ContactState.LEFT_OUT and listed["reason"] == LEFT_OUT_REASON
    assert (table.drop(index="19495000101")["state"] != ContactState.LEFT_OUT).all()
    assert kpis(table.reset_index()).left_out == 1


def test_a_batch_whose_every_recipient_is_listed_is_not_posted(sandbox, worker):
    journal = worker.journal
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(2), SENDER, schedule=later(2))
        whole_batch = ["19495000000", "19495000001", "19495000002"]
        add_numbers(journal, [*whole_batch, "19495000100"], LISTED_LATER, SENDER, "manual")
        journal.reschedule_send(send_id, time.time() - 1)
        Scheduler(worker, lambda: ("sandbox", client)).run_due()
        wait_idle(worker, send_id)
        table = status_table(client, journal, send_id)
    assert sandbox.stats()["send_posts"] == 1
    assert sorted(sent_numbers(sandbox)) == ["19495000101", "19495000102"]
    first, _ = journal.batches(send_id)
    assert first.state is BatchState.LEFT_OUT and first.transaction_id is None
    assert first.left_out == tuple(whole_batch) and first.attempts == 0
    record = journal.get_send(send_id)
    assert record.state(running=False) is SendState.ACCEPTED  # nothing of it was rejected
    assert left_out_of(journal, send_id) == 4
    assert finished(journal, send_id) | {"left_out": 4, "accepted": 2, "rejected": 0} == finished(
        journal, send_id
    )
    # Status shows the batch that was never sent as left out, with the others.
    assert set(table.loc[whole_batch, "state"]) == {ContactState.LEFT_OUT}
    assert table.loc["19495000100", "state"] == ContactState.LEFT_OUT
    # Not a failure: nothing to resend, and History says so.
    assert explain(first) is not None and not explain(first).resend_safe
    assert journal.requeue(send_id, [first.id], include_unknown=True) == 0


def journaled(journal, payloads) -> int:
    """A send journaled and not started: as a console that stopped right after journaling."""
    return journal.create_send(
        kind="bulk",
        mode="sandbox",
        base_url="http://127.0.0.1:1",
        program="12345",
        content=payloads[0]["content"],
        payloads=payloads,
        created_by=SENDER.email,
    ).id


def test_a_send_whose_every_recipient_was_listed_meanwhile_is_left_out_not_rejected(
    sandbox, worker
):
    journal = worker.journal
    send_id = journaled(journal, batches(1))
    add_numbers(journal, numbers_of(batches(1)), LISTED_LATER, SENDER, "manual")
    with client_for(sandbox) as client:
        assert resume_send(worker, client, send_id, by=SENDER)
        worker.wait(send_id, timeout=20)
    assert sandbox.stats()["send_posts"] == 0
    [batch] = journal.batches(send_id)
    assert batch.state is BatchState.LEFT_OUT
    assert journal.get_send(send_id).state(running=False) is SendState.LEFT_OUT
    outcome = finished(journal, send_id)
    assert outcome["left_out"] == 3 and outcome["batches"] == 1 and outcome["rejected"] == 0


def test_resuming_an_interrupted_send_screens_its_planned_batches_again(sandbox, worker):
    journal = worker.journal
    send_id = journaled(journal, batches(3))
    first = journal.batches(send_id)[0]  # it went out before the console stopped
    assert journal.claim_batch(first.id, "a console that stopped")
    journal.finish_batch(first.id, BatchState.ACCEPTED, transaction_id="tx-before-the-stop")
    assert journal.get_send(send_id).state(running=False) is SendState.INTERRUPTED
    add_numbers(journal, ["19495000200", "19495000000"], LISTED_LATER, SENDER, "manual")
    with client_for(sandbox) as client:
        assert resume_send(worker, client, send_id, by=SENDER)
        worker.wait(send_id, timeout=20)
    assert sorted(sent_numbers(sandbox)) == [
        "19495000100",
        "19495000101",
        "19495000102",
        "19495000201",
        "19495000202",
    ]
    assert [b.left_out for b in journal.batches(send_id)] == [(), (), ("19495000200",)]
    assert left_out_of(journal, send_id) == 1  # what had gone out before is not counted
    assert journal.get_send(send_id).state(running=False) is SendState.ACCEPTED


def test_an_approved_send_goes_without_a_number_listed_while_it_waited(sandbox, worker):
    journal = worker.journal
    with client_for(sandbox) as client:
        send_id = live_send(worker, client, batches(2))
        digest = journal.latest_approval(send_id).digest
        add_numbers(journal, ["19495000001"], LISTED_LATER, SENDER, "manual")
        approve_and_send(
            worker, client, send_id, by=CAROL, mode="pod"
        )  # the journaled send, unchanged
        worker.wait(send_id, timeout=20)
    assert journal.payload_digest(send_id) == digest
    assert "19495000001" not in sent_numbers(sandbox) and len(sent_numbers(sandbox)) == 5
    assert journal.batches(send_id)[0].left_out == ("19495000001",)
    assert left_out_of(journal, send_id) == 1

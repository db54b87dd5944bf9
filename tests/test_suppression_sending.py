"""The do-not-text list applied to bulk sends, test sends and resends to the failed, against the
sandbox over real HTTP: listed numbers never reach a request, and the journal says how many were
left out."""

from __future__ import annotations

import json
import time

import pytest

from components.audit import AuditAction
from components.auth import Identity, Role
from components.compose import Draft, payloads_for
from components.contacts import read_contacts
from components.lookups import insight_table, look_up
from components.resend import resend_contacts
from components.sending import submit_send
from components.suppression import (
    ListedRecipients,
    add_numbers,
    left_out_of,
    opted_out_contacts,
    screen,
)
from tests.test_sending import client_for

pytestmark = pytest.mark.usefixtures("fresh_tokens")

SENDER = Identity(email="sam@example.com", roles=frozenset({Role.SENDER}))
DRAFT = Draft(content="Hi %%FIRST NAME%%", program="12345")
CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9990,Bob\n+1 949 500 9992,Cy\n"


def sent_numbers(server) -> list[str]:
    return [c["phoneNumber"] for p in server.sent_payloads() for c in p["contacts"]]


def send(worker, client, recipients, *, kind="bulk", left_out=0) -> int:
    payloads = payloads_for(recipients, DRAFT)
    send_id = submit_send(
        worker,
        client,
        kind=kind,
        mode="sandbox",
        payloads=payloads,
        content=DRAFT.content,
        program=DRAFT.program,
        defaults={},
        source=None,
        by=SENDER,
        left_out=left_out,
    )
    worker.wait(send_id, timeout=20)
    return send_id


def test_a_bulk_send_leaves_listed_numbers_out(sandbox, worker):
    journal = worker.journal
    add_numbers(journal, ["19495009990"], "asked not to be texted", SENDER, "manual")
    screened = screen(journal, read_contacts(CSV).recipients)
    assert len(screened.left_out) == 1
    with client_for(sandbox) as client:
        send_id = send(worker, client, screened.recipients, left_out=len(screened.left_out))
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
        send(worker, client, recipients)  # e.g. listed between Compose's check and Send
    assert journal.list_sends() == [] and sandbox.stats()["send_posts"] == 0


def test_a_test_send_to_a_listed_number_sends_nothing(sandbox, worker):
    journal = worker.journal
    add_numbers(journal, ["19495001234"], "the marketer's old phone", SENDER, "manual")
    one = read_contacts("+1 949 500 1234").recipients
    assert screen(journal, one).everyone_listed
    with client_for(sandbox) as client, pytest.raises(ListedRecipients):
        send(worker, client, one, kind="test")
    assert sandbox.stats()["send_posts"] == 0
    other = screen(journal, read_contacts("+1 949 500 1235").recipients)
    with client_for(sandbox) as client:
        send(worker, client, other.recipients, kind="test")
    assert sent_numbers(sandbox) == ["19495001235"]


def test_resend_to_failed_leaves_out_those_listed_from_status(sandbox, worker):
    journal = worker.journal
    with client_for(sandbox) as client:
        send_id = send(worker, client, read_contacts(CSV).recipients)
        [batch] = journal.batches(send_id)
        deadline = time.monotonic() + 20
        while True:
            lookup = look_up(client, journal, batch.transaction_id)
            if (lookup.status and lookup.status.complete) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
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
        resent = send(worker, client, screened.recipients, left_out=1)
    assert sent_numbers(sandbox) == ["19495009990"]
    assert "Bob" in json.dumps(sandbox.sent_payloads())  # with their personalization
    assert left_out_of(journal, resent) == 1

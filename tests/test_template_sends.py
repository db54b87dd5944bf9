"""A send from a template: the planner records the version while the draft is still it, the
approval rule may let an approved version go out without a second person, and the worker checks
that again against the journal, where the send happens (over real HTTP to the sandbox)."""

from __future__ import annotations

from datetime import UTC

import pytest
import time_machine

from components.journal import Journal
from components.message.draft import Draft
from components.sending import Guardrails, SendChoices, plan_send
from components.sending.from_template import sends_approved_template
from components.sending.submit import submit_send
from components.team.approval_rules import ApprovalRule
from components.team.approvals import ApprovalRequired
from components.templates import (
    approve_template,
    archive_template,
    recipient_languages,
    save_template,
)
from tests.sending_support import client_for, worker_on
from tests.test_plan import NOON, POD, SAM, recipients
from tests.test_templates import ADMIN, APPROVER

pytestmark = pytest.mark.usefixtures("fresh_tokens")

DRAFT = Draft(content="Hi %%FIRST NAME%%", program="12345", defaults={"FIRST NAME": "there"})
RULE = ApprovalRule(live=True, approved_templates_up_to=3)


def template(journal: Journal, *, approved: bool = True):
    version = save_template(journal, "Hello", DRAFT, actor=SAM)
    return approve_template(journal, "Hello", 1, by=APPROVER) if approved else version


def planned(version, draft: Draft = DRAFT, rule: ApprovalRule = RULE, frame=None):
    return plan_send(
        recipients() if frame is None else frame,
        draft,
        actor=SAM,
        destination=POD,
        guardrails=Guardrails(approval_rule=rule),
        now=NOON,
        template=version,
    )


def test_the_plan_records_the_version_only_while_the_draft_is_it(journal):
    version = template(journal, approved=False)
    same = planned(version)
    assert same.template == version and same.changed_from is None
    facts = dict(same.confirmation().facts(UTC))
    assert facts["Template"] == "Hello v1"
    changed = planned(version, Draft(**{**DRAFT.__dict__, "content": "Hello %%FIRST NAME%%"}))
    assert changed.template is None and changed.changed_from == version
    assert dict(changed.confirmation().facts(UTC))["Template"].startswith("changed from Hello v1")
    assert planned(None).template is None


def test_an_approved_version_unchanged_and_small_enough_needs_nobody(journal):
    version = template(journal)
    quick = planned(version)
    assert quick.approval_reasons == () and quick.preapproved
    assert (
        "no second person: Hello v1 is approved"
        in dict(quick.confirmation().facts(UTC))["Approval"]
    )
    # Each change makes it an ordinary send again: the message, the program, a default, expiry.
    for change in (
        {"content": "Hi %%FIRST NAME%%!"},
        {"program": "999"},
        {"defaults": {"FIRST NAME": "friend"}},
        {"ttl_minutes": 30},
    ):
        ordinary = planned(version, Draft(**{**DRAFT.__dict__, **change}))
        assert ordinary.approval_reasons and not ordinary.preapproved, change
    # More recipients than the rule allows; the rule switched off; a version not approved.
    four = recipients("phone\n+1 949 500 1234\n+1 201 234 5678\n+44 7911 123456\n+1 949 500 1235\n")
    assert planned(version, frame=four).approval_reasons
    assert planned(version, rule=ApprovalRule(live=True)).approval_reasons
    journal_two = template(Journal(journal.path.with_name("other.sqlite3")), approved=False)
    assert planned(journal_two).approval_reasons


def test_the_worker_checks_the_template_where_the_send_happens(journal, sandbox):
    version = template(journal)
    worker = worker_on(journal, approval_rule=RULE)
    try:
        with time_machine.travel(NOON, tick=True), client_for(sandbox) as client:
            send_id = submit_send(worker, client, planned(version))
            worker.wait(send_id, timeout=20)
            record = journal.get_send(send_id)
            assert record.template_label == "Hello v1" and sends_approved_template(journal, record)
            assert len(sandbox.sent_payloads()) == 1  # sent at once, nobody asked
            # The same journaled send once the template is archived: the worker asks again.
            archive_template(journal, "Hello", by=ADMIN)
            assert not sends_approved_template(journal, record)
            with pytest.raises(ApprovalRequired, match="needs approval"):
                worker.authorize(send_id, SAM)
    finally:
        worker.shutdown()


def test_a_journaled_request_that_is_not_the_version_is_not_preapproved(journal):
    version = template(journal)
    plan = planned(version)
    record = journal.create_send(
        kind="bulk",
        mode="pod",
        base_url=POD.base_url,
        program="12345",
        content=DRAFT.content,
        payloads=[{**plan.payloads[0], "content": "Something else %%FIRST NAME%%"}],
        created_by=SAM.actor,
        template=(version.template_id, version.name, version.version),
    )
    assert not sends_approved_template(journal, record)


GERMAN = "Hallo %%FIRST NAME%%"
SPANISH = "Hola %%FIRST NAME%%"
# Los Angeles (en), Berlin (de), Madrid (es by the number), Zurich (de), London with "fr" given.
MIXED = (
    "phone,FIRST NAME,LANG\n+1 949 500 1234,Ann,\n+49 30 1234567,Bea,\n+34 612 345 678,Cy,\n"
    "+41 44 668 18 00,Dan,\n+44 7911 123456,Eve,fr\n"
)


def test_each_recipient_gets_their_language_in_batches_of_their_own(journal):
    version = save_template(
        journal, "Hello", DRAFT, actor=SAM, variants={"de": GERMAN, "es": SPANISH}
    )
    plan = planned(version, frame=recipients(MIXED), rule=ApprovalRule(live=False))
    contents = [
        (b.payload["content"], [c["phoneNumber"] for c in b.payload["contacts"]])
        for b in plan.batches
    ]
    assert contents == [  # at noon UTC; Los Angeles (04:00) waits for its hours
        (GERMAN, ["49301234567", "41446681800"]),
        (SPANISH, ["34612345678"]),
        (DRAFT.content, ["447911123456"]),
        (DRAFT.content, ["19495001234"]),
    ]
    facts = dict(plan.confirmation().facts(UTC))
    assert facts["Languages"] == "en 2 · de 2 · es 1"
    # A column of language codes, once chosen, wins over the number's country.
    chosen = plan_send(
        recipients(MIXED.replace("Ann,\n", "Ann,es-MX\n")),
        DRAFT,
        actor=SAM,
        destination=POD,
        guardrails=Guardrails(approval_rule=ApprovalRule(live=False)),
        choices=SendChoices(language_column="LANG"),
        now=NOON,
        template=version,
    )
    spanish = [b for b in chosen.batches if b.payload["content"] == SPANISH]
    assert [c["phoneNumber"] for b in spanish for c in b.payload["contacts"]] == [
        "34612345678",
        "19495001234",  # es-MX in the column; held for its hours, still in Spanish
    ]
    # The confirmation's sample is the first recipient to go, in their own language.
    assert plan.first_text == "Hallo Bea"


def test_a_recipient_whose_language_has_no_message_gets_the_default_and_is_counted(journal):
    version = save_template(journal, "Hello", DRAFT, actor=SAM, variants={"de": GERMAN})
    frame = recipients("phone,LANG\n+81 90 1234 5678,\n+49 30 1234567,ja\n+1 949 500 1234,DE\n")
    choice = recipient_languages(frame, version, column="LANG")
    # Japan has no message (default, counted); "ja" has none either, so Berlin's number gives
    # German; "DE" in the column gives German to a US number.
    assert choice.languages.tolist() == ["en", "de", "de"] and choice.defaulted == 1
    assert choice.counts() == {"en": 1, "de": 2}
    by_country = recipient_languages(frame, version)
    assert by_country.languages.tolist() == ["en", "de", "en"] and by_country.defaulted == 1

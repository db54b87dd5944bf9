"""A send from a template: the planner records the version while the draft is still it, the
approval rule may let an approved version go out without a second person, and the worker checks
that again against the journal, where the send happens (over real HTTP to the sandbox)."""

from __future__ import annotations

from datetime import UTC

import pytest
import time_machine

from components.journal import Journal
from components.message.draft import Draft
from components.sending import Guardrails, plan_send
from components.sending.from_template import sends_approved_template
from components.sending.submit import submit_send
from components.team.approval_rules import ApprovalRule
from components.team.approvals import ApprovalRequired
from components.templates import approve_template, archive_template, save_template
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

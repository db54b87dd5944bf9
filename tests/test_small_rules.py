"""The small rules, one place each: one "same person" rule for every self-approval check, a
reason that holds a letter or a digit, and one canonical form of a number on the do-not-text list.
"""

from __future__ import annotations

import pytest

from components.contacts.reading import read_contacts
from components.core.unicode_text import has_words
from components.guardrails.do_not_text import (
    SuppressionError,
    add_numbers,
    add_one,
    listed_set,
    not_listed,
    remove_numbers,
    screen,
)
from components.sending.decisions import approve_and_send
from components.team.approvals import ApprovalError, SelfApprovalError, reject, waiting_for
from components.team.auth import Identity, PermissionDenied, Role, mailbox, same_person
from tests.sending_support import batches, client_for, submit
from tests.test_approvals import CAROL, SAM

pytestmark = pytest.mark.usefixtures("fresh_tokens")

ADMIN = Identity(email="ops@example.com", roles=frozenset({Role.ADMIN}))


def approver(email: str, subject: str = "") -> Identity:
    """An approver by a domain rule (`@example.com` approvers), as the roles would make her."""
    return Identity(email=email, roles=frozenset({Role.APPROVER}), subject=subject)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("sam@example.com", "SAM@Example.com"),
        ("sam@example.com", " sam@example.com "),
        ("sam@example.com", "sam+x@example.com"),
        ("sam+work@example.com", "sam+home@example.com"),
        ("s.a.m@gmail.com", "sam@gmail.com"),
    ],
)
def test_spellings_of_one_mailbox_are_the_same_person(one, other):
    assert same_person(one, other) and mailbox(one) == mailbox(other)


def test_dots_count_where_the_provider_is_not_known_to_ignore_them_unless_the_subject_says():
    assert not same_person("s.a.m@example.com", "sam@example.com")
    assert same_person("s.a.m@example.com", "sam@example.com", subject="42", other_subject="42")
    assert not same_person("sam@example.com", "ann@example.com", subject="1", other_subject="2")


@pytest.mark.parametrize(
    "alias",
    [approver("sam+x@example.com"), approver("s.a.m@example.com", subject="sam-sub")],
)
def test_nobody_approves_their_own_send_under_another_spelling(sandbox, worker, alias):
    asker = Identity(email=SAM.email, roles=SAM.roles, subject="sam-sub")
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(1), asker, mode="pod")
        with pytest.raises(SelfApprovalError):
            approve_and_send(worker, client, send_id, by=alias, mode="pod")
        with pytest.raises(SelfApprovalError):
            reject(worker.journal, send_id, by=alias, note="no")
        assert waiting_for(worker.journal, alias) == []  # not in her badge either
        assert [a.send_id for a in waiting_for(worker.journal, CAROL)] == [send_id]
    assert sandbox.sent_payloads() == []


@pytest.mark.parametrize("reason", ["", " ", "\u200b", "\u2800\u2800", "\u3164", "\ufeff\u200d"])
def test_a_reason_without_a_letter_or_a_digit_is_refused_everywhere(sandbox, worker, reason):
    assert not has_words(reason)
    with client_for(sandbox) as client:
        send_id = submit(worker, client, batches(1), SAM, mode="pod")
    with pytest.raises(ApprovalError, match="in words"):
        reject(worker.journal, send_id, by=CAROL, note=reason)
    with pytest.raises(SuppressionError, match="in words"):
        add_numbers(worker.journal, ["19495001234"], reason, SAM, "manual")
    assert has_words("stop") and has_words("7") and has_words("止め")


def test_every_spelling_of_a_listed_argentine_mobile_is_listed(journal):
    stored = add_one(journal, "+54 9 11 1234 5678", "AR", "asked", SAM)
    assert stored == "5491112345678"  # the spelling given is what Compose would send to
    assert listed_set(journal) == {"541112345678"}  # the list keeps one canonical form
    both = read_contacts("phone\n+54 11 1234 5678\n+54 9 11 1234 5678\n+54 9 11 1234 5679\n")
    assert screen(journal, both.recipients).left_out["phoneNumber"].tolist() == [
        "541112345678",
        "5491112345678",
    ]
    assert not_listed(journal, ["541112345678", "5491112345679"]) == ["5491112345679"]
    with pytest.raises(PermissionDenied):  # a removal needs an admin
        remove_numbers(journal, ["5491112345678"], "opted in", SAM)
    assert remove_numbers(journal, ["541112345678"], "opted in again", ADMIN) == ["541112345678"]
    assert listed_set(journal) == frozenset()

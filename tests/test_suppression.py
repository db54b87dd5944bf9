"""The do-not-text list: the journal's table (schema v6) and the rules (who may change it, what
the audit says of it, the screening every send goes through)."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from components.guardrails.do_not_text import (
    ListedRecipients,
    SuppressionError,
    add_numbers,
    add_one,
    listed_set,
    read_import,
    refuse_listed,
    remove_numbers,
    screen,
)
from components.journal import AuditAction, Journal
from components.journal.legacy_schema import LEGACY_VERSION, SCHEMA
from components.status.opt_outs import opted_out_contacts
from components.team.auth import Identity, PermissionDenied, Role
from tests.journal_support import peek

# The journal's storage contract: each test on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.storage

ANN, BOB, CY = "19495001234", "19495009990", "19495009992"


def person(role: str | None, email: str = "ann@example.com") -> Identity:
    return Identity(email=email, roles=frozenset({Role(role)}) if role else frozenset())


def test_schema_6_adds_the_list_to_an_older_journal(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for script in SCHEMA[:5]:
        old.executescript(script)
    old.execute("PRAGMA user_version=5")
    old.close()
    journal = Journal(path)
    assert LEGACY_VERSION == 6
    assert journal.suppression_count() == 0 and journal.suppression_version() == 0


def test_add_remove_and_add_again_keep_the_removal_until_then(journal):
    added = journal.add_suppressions([ANN, BOB, ANN], reason="asked", by="a@x", source="manual")
    assert added == [ANN, BOB]
    version = journal.suppression_version()
    assert journal.add_suppressions([ANN], reason="again", by="a@x", source="manual") == []
    assert journal.suppression_version() == version  # nothing changed
    assert journal.is_listed(ANN) and not journal.is_listed(CY)
    assert journal.remove_suppressions([ANN, CY], reason="opted in", by="o@x") == [ANN]
    assert not journal.is_listed(ANN) and journal.suppression_count() == 1
    rows = peek(
        journal,
        "SELECT removed_by, removal_reason FROM suppressions WHERE phone_number = :n",
        {"n": ANN},
    )
    assert rows == [("o@x", "opted in")]  # the removal is kept
    assert journal.add_suppressions([ANN], reason="stop", by="b@x", source="status") == [ANN]
    [record] = journal.search_suppressions("stop")
    assert (record.phone_number, record.added_by, record.source) == (ANN, "b@x", "status")
    assert journal.suppression_version() > version


def test_search_listed_among_and_export(journal):
    numbers = [f"1949500{i:04d}" for i in range(3000)]
    journal.add_suppressions(numbers, reason="import 100%_off", by="a@x", source="import")
    assert journal.listed_among([numbers[5], numbers[2999], CY]) == {numbers[5], numbers[2999]}
    assert len(journal.listed_among([*numbers, CY])) == 3000  # over several chunks
    assert [r.phone_number for r in journal.search_suppressions("+1 949 500 0042")] == [numbers[42]]
    assert len(journal.search_suppressions("100%_off", limit=None)) == 3000
    assert journal.search_suppressions("_%x") == []  # % and _ are literal
    assert len(journal.export_suppressions()) == 3000
    assert [r.phone_number for r in journal.suppressions_of([CY, numbers[1], numbers[0]])] == [
        numbers[1],
        numbers[0],
    ]
    with pytest.raises(ValueError, match="source"):
        journal.add_suppressions([CY], reason="x", by="a@x", source="other")


def test_who_may_change_the_list(journal):
    with pytest.raises(PermissionDenied):
        add_numbers(journal, [ANN], "asked", person("viewer"), "manual")
    with pytest.raises(PermissionDenied):
        add_numbers(journal, [ANN], "list", person("sender"), "import")
    assert add_numbers(journal, [ANN], "asked", person("sender"), "status") == [ANN]
    with pytest.raises(PermissionDenied):
        remove_numbers(journal, [ANN], "mistake", person("approver"))
    assert add_numbers(journal, [BOB], "list", person("admin"), "import") == [BOB]
    with pytest.raises(SuppressionError, match="reason"):
        remove_numbers(journal, [ANN], "  ", person("admin"))
    assert remove_numbers(journal, [ANN], "mistake", person("admin")) == [ANN]
    assert journal.listed_among([ANN, BOB]) == {BOB}


def test_every_change_is_audited_with_counts_and_never_a_number(journal):
    admin = person("admin", "ops@example.com")
    add_one(journal, "+1 (949) 500-1234", "US", "called +1 949 500 1234 to stop", person("sender"))
    add_numbers(journal, [ANN, BOB, CY], "unsubscribed 19495009990", admin, "import")
    remove_numbers(journal, [BOB, "19495000000"], "opted in", admin)
    entries = journal.audit_entries()
    assert [e.action for e in reversed(entries)] == [
        AuditAction.SUPPRESSION_ADDED,
        AuditAction.SUPPRESSION_IMPORTED,
        AuditAction.SUPPRESSION_REMOVED,
    ]
    added, imported, removed = reversed(entries)
    assert added.details == {
        "source": "manual",
        "numbers": 1,
        "added": 1,
        "already_listed": 0,
        "reason": "called [phone number removed] to stop",
    }
    assert imported.details["added"] == 2 and imported.details["already_listed"] == 1
    assert removed.details == {"numbers": 2, "removed": 1, "not_listed": 1, "reason": "opted in"}
    text = str([e.details for e in entries])
    assert "9495" not in text and "1234" not in text


def test_screen_leaves_the_listed_out_and_follows_the_list(journal):
    frame = pd.DataFrame({"phoneNumber": [ANN, BOB, CY], "FIRST NAME": ["Ann", "Bob", "Cy"]})
    assert len(screen(journal, frame).recipients) == 3
    journal.add_suppressions([BOB], reason="x", by="a@x", source="manual")
    screened = screen(journal, frame)
    assert screened.recipients["FIRST NAME"].tolist() == ["Ann", "Cy"]
    assert screened.left_out["phoneNumber"].tolist() == [BOB]
    assert not screened.everyone_listed
    journal.add_suppressions([ANN, CY], reason="x", by="a@x", source="manual")
    assert screen(journal, frame).everyone_listed
    cached = listed_set(journal)
    assert listed_set(journal) is cached  # same version: not read again
    journal.remove_suppressions([ANN], reason="y", by="a@x")
    assert listed_set(journal) == {BOB, CY}  # brought up to date with what changed
    journal.add_suppressions([ANN], reason="again", by="a@x", source="manual")
    journal.remove_suppressions([CY], reason="y", by="a@x")
    assert listed_set(journal) == {ANN, BOB} == set(journal.listed_numbers()[1])
    assert cached == {ANN, BOB, CY}  # a set handed out is never changed


def test_refuse_listed_checks_every_request(journal):
    payloads = [{"contacts": [{"phoneNumber": ANN}]}, {"contacts": [{"phoneNumber": BOB}]}]
    refuse_listed(journal, payloads)
    journal.add_suppressions([BOB], reason="x", by="a@x", source="manual")
    with pytest.raises(ListedRecipients, match="1 recipient"):
        refuse_listed(journal, payloads)


def test_an_import_is_read_as_contacts_are_with_rejected_rows():
    contacts = read_import("phone\n+1 949 500 1234\nnot a number\n(949) 500-9990\n", region="US")
    assert contacts.recipients["phoneNumber"].tolist() == [ANN, BOB]
    assert contacts.rejected["row"].tolist() == [3]


def test_opted_out_contacts_of_a_status_table():
    table = pd.DataFrame(
        {
            "phoneNumber": [ANN, CY, BOB],
            "state": ["sent", "failed", "failed"],
            "message": ["", "The contact has opted out of this SMS program.", "Blocked."],
        }
    )
    numbers, reason = opted_out_contacts(table)
    assert numbers == [CY]
    answer = "The contact has opted out of this SMS program."
    assert reason == f"opted out (Acoustic answered “{answer}”)"

"""The audit log: entries recorded, filtered and ordered; append-only in the file itself; no
secrets and no contact data in the details; older journal files brought up to date."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pandas as pd
import pytest
import sqlalchemy as sa

from components.acoustic.redaction import PROCESS_REDACTOR, REDACTED
from components.journal import AuditAction, Journal, audit_trail
from components.journal.audit_entries import PHONE_REMOVED, clean_details
from components.journal.legacy_schema import SCHEMA
from components.journal.schema import ALEMBIC_USER_VERSION
from components.team.audit import record_export, record_sign_in
from components.team.audit_report import AuditQuery, audit_csv, audit_table
from tests.journal_support import tamper

# The journal's storage contract: each test on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.storage


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The audit's clock, set by the test: clock[0] is "now" in epoch seconds."""
    now = [datetime(2025, 3, 10, 9, 0).timestamp()]
    monkeypatch.setattr(audit_trail, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def at_local(day: int, hour: int) -> float:
    return datetime(2025, 3, day, hour, 0).timestamp()


def seeded(journal, clock: list[float]) -> Journal:
    for day, hour, actor, action, send_id in [
        (10, 9, "ann@example.com", AuditAction.SIGN_IN, None),
        (10, 10, "ann@example.com", AuditAction.SEND_REQUESTED, 1),
        (11, 8, "bob@example.com", AuditAction.SIGN_IN, None),
        (11, 23, "bob@example.com", AuditAction.RESEND, 1),
        (12, 0, "ann@example.com", AuditAction.EXPORT, 1),
    ]:
        clock[0] = at_local(day, hour)
        journal.record_audit(actor, action, send_id=send_id)
    return journal


def test_an_entry_keeps_who_when_what_and_the_send(journal, clock):
    entry = journal.record_audit(
        "ann@example.com", AuditAction.SEND_REQUESTED, send_id=7, details={"recipients": 3}
    )
    (stored,) = journal.audit_entries()
    assert stored == entry
    assert (stored.actor, stored.action, stored.send_id) == ("ann@example.com", "send_requested", 7)
    assert stored.at == clock[0] and stored.details == {"recipients": 3} and stored.id == 1


def test_entries_come_newest_first_and_the_filters_narrow_them(journal, clock):
    journal = seeded(journal, clock)
    assert [e.at for e in journal.audit_entries()] == sorted(
        (e.at for e in journal.audit_entries()), reverse=True
    )
    assert [e.action for e in journal.audit_entries(actor="bob@example.com")] == [
        AuditAction.RESEND,
        AuditAction.SIGN_IN,
    ]
    assert len(journal.audit_entries(actor=["ann@example.com", "bob@example.com"])) == 5
    assert len(journal.audit_entries(action=AuditAction.SIGN_IN)) == 2
    assert len(journal.audit_entries(action=[AuditAction.SIGN_IN, AuditAction.EXPORT])) == 3
    assert len(journal.audit_entries(actor=[], action=())) == 5  # nothing chosen: no filter
    day_11 = journal.audit_entries(since=at_local(11, 0), until=at_local(12, 0))
    assert [e.actor for e in day_11] == ["bob@example.com", "bob@example.com"]
    assert len(journal.audit_entries(send_id=1)) == 3
    assert len(journal.audit_entries(limit=2)) == 2
    assert journal.audit_actors() == ["ann@example.com", "bob@example.com"]
    assert journal.audit_first_at() == at_local(10, 9)


def test_entries_of_the_same_moment_keep_the_order_they_were_written_in(journal, clock):
    for action in (AuditAction.SEND_REQUESTED, AuditAction.SEND_STARTED):
        journal.record_audit("ann@example.com", action, send_id=1)
    assert [e.action for e in journal.audit_entries()] == ["send_started", "send_requested"]


def test_a_query_by_calendar_days_includes_both_ends(journal, clock):
    journal = seeded(journal, clock)
    query = AuditQuery(first_day=date(2025, 3, 11), last_day=date(2025, 3, 11))
    assert [e.action for e in query.entries(journal)] == ["resend", "sign_in"]
    until_11 = AuditQuery(last_day=date(2025, 3, 11), actors=("ann@example.com",))
    assert [e.action for e in until_11.entries(journal)] == ["send_requested", "sign_in"]
    from_12 = AuditQuery(first_day=date(2025, 3, 12), actions=(AuditAction.EXPORT,))
    assert [e.actor for e in from_12.entries(journal)] == ["ann@example.com"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET actor = 'someone else'",
        "UPDATE audit SET details_json = '{}' WHERE id = 1",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ],
)
def test_the_file_refuses_to_change_or_remove_an_entry(tmp_path, statement):
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    journal.record_audit("ann@example.com", AuditAction.SIGN_IN)
    journal.close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(statement)
    conn.close()
    (entry,) = Journal(path).audit_entries()
    assert entry.actor == "ann@example.com"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET actor = 'someone else'",
        "DELETE FROM audit WHERE id > 0",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_entry_on_either_backend(journal, statement):
    journal.record_audit("ann@example.com", AuditAction.SIGN_IN)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        tamper(journal, statement)
    (entry,) = journal.audit_entries()
    assert entry.actor == "ann@example.com"


def test_postgresql_refuses_to_empty_the_audit_log_at_once(postgres_url):
    journal = Journal(postgres_url)
    journal.record_audit("ann@example.com", AuditAction.SIGN_IN)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        tamper(journal, "TRUNCATE audit")
    assert len(journal.audit_entries()) == 1


def test_nothing_in_the_journal_changes_or_removes_entries():
    names = [name for name in dir(Journal) if "audit" in name]
    assert names and not [n for n in names if any(w in n for w in ("update", "delete", "remov"))]


def test_secrets_and_echoed_tokens_never_reach_the_log(tmp_path):
    PROCESS_REDACTOR.add("refresh-token-value-42")
    journal = Journal(tmp_path / "j.sqlite3")
    journal.record_audit(
        "ann@example.com",
        AuditAction.SEND_FINISHED,
        details={
            "error": "401: Token provided was: eyJhbGciOi.abc",
            "note": "used refresh-token-value-42 today",
            "header": "Bearer abc.def-ghi",
        },
    )
    (entry,) = journal.audit_entries()
    assert entry.details == {
        "error": f"401: Token provided was: {REDACTED}",
        "note": f"used {REDACTED} today",
        "header": f"Bearer {REDACTED}",
    }
    raw = sqlite3.connect(tmp_path / "j.sqlite3").execute("SELECT details_json FROM audit")
    assert "refresh-token-value-42" not in raw.fetchone()[0]


@pytest.mark.parametrize(
    "number", ["+1 949 500 1234", "19495001234", "(949) 500-1234 ", "0791112345"]
)
def test_a_phone_number_is_removed_from_the_details(number):
    assert clean_details({"first": number}) == {"first": PHONE_REMOVED}


@pytest.mark.parametrize(
    "value", ["contacts.csv", "12345", "2025-03-10 09:00", "ae70ea-162877c3e4d-2b05", "sandbox"]
)
def test_names_ids_and_dates_are_kept(value):
    assert clean_details({"value": value}) == {"value": value}


@pytest.mark.parametrize(
    "value",
    [
        [{"phoneNumber": "19495001234"}],  # a contact list
        {"phoneNumber": "19495001234"},
        pd.DataFrame({"phoneNumber": ["19495001234"]}),
        list(range(101)),  # more ids than a detail holds
    ],
)
def test_contact_data_is_refused_as_a_detail(journal, value):
    with pytest.raises(TypeError, match="never contact data"):
        journal.record_audit("ann@example.com", AuditAction.EXPORT, details={"rows": value})
    assert journal.audit_entries() == []


def test_an_entry_needs_someone_who_did_it(journal):
    with pytest.raises(ValueError, match="who did it"):
        journal.record_audit("  ", AuditAction.SIGN_IN)


def test_the_hooks_of_sign_in_and_exports(journal):
    record_sign_in(journal, "ann@example.com")
    record_export(journal, "ann@example.com", "audit log", rows=4, file_name="a.csv")
    record_export(journal, "ann@example.com", "x", rows=9, file_name="b.csv", send_ids=[3, 2, 3])
    record_export(journal, "ann@example.com", "y", rows=2, file_name="c.csv", send_ids=[5])
    entries = list(reversed(journal.audit_entries()))
    assert [e.action for e in entries] == ["sign_in", "export", "export", "export"]
    assert entries[1].details == {"what": "audit log", "rows": 4, "file": "a.csv"}
    assert entries[2].send_id is None and entries[2].details["send_ids"] == [2, 3]
    assert entries[3].send_id == 5 and "send_ids" not in entries[3].details


def test_roles_and_settings_are_no_entries_of_the_log():
    """They live in the configuration, which the console never changes: no action names them."""
    assert not [a for a in AuditAction if "role" in a.value or "setting" in a.value]


def test_a_version_2_journal_gets_the_audit_log_and_keeps_its_sends(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA[0] + SCHEMA[1])
    old.execute(
        "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, created_by, "
        "created_at, recipients) VALUES (1, 'f', 'bulk', 'sandbox', 'http://x', '1', 'Hi', "
        "'ann@example.com', 0, 1)"
    )
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    journal = Journal(path)
    assert journal.get_send(1).created_by == "ann@example.com"
    assert journal.audit_entries() == [] and journal.audit_first_at() is None
    journal.record_audit("ann@example.com", AuditAction.RESUME, send_id=1)
    assert (
        sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == ALEMBIC_USER_VERSION
    )
    with pytest.raises(sqlite3.IntegrityError):
        sqlite3.connect(path).execute("DELETE FROM audit")
    assert len(Journal(path).audit_entries()) == 1  # a migrated journal opens again as it is


def test_the_table_and_the_export(journal, clock):
    journal.record_audit(
        "=HYPERLINK(evil)", AuditAction.RESEND, send_id=4, details={"may_deliver_twice": True}
    )
    journal.record_audit("ann@example.com", AuditAction.SIGN_IN)
    entries = journal.audit_entries()
    table = audit_table(entries)
    assert table.columns.tolist() == ["When", "Who", "Action", "Send", "Details"]
    assert table["Action"].tolist() == ["sign in", "resend"]
    assert table["Details"].tolist() == ["", "may deliver twice: True"]
    assert table["Send"].tolist()[1] == 4 and pd.isna(table["Send"].tolist()[0])
    rows = list(csv.reader(io.StringIO(audit_csv(entries).decode("utf-8-sig"))))
    assert rows[0] == ["at (UTC)", "who", "action", "send", "details"]
    assert rows[1][1:] == ["ann@example.com", "sign_in", "", "{}"]
    assert rows[2][1:] == ["'=HYPERLINK(evil)", "resend", "4", '{"may_deliver_twice": true}']
    utc = datetime.fromtimestamp(clock[0], tz=UTC)
    assert rows[2][0] == rows[1][0] == utc.strftime("%Y-%m-%dT%H:%M:%SZ")

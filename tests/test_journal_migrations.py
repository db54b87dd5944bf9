"""Alembic revisions on journals that exist: a journal of an earlier revision, with its sends,
is brought up to date when the console opens it, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command

from components.core.states import BatchState, ContactState, SendState
from components.guardrails.do_not_text import left_out_of
from components.journal import Journal
from components.journal.base import journal_url
from components.journal.schema import alembic_config, head_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_location(request, tmp_path) -> str:
    """Where a journal that does not exist yet goes: an SQLite file, then an empty database."""
    if request.param == "sqlite":
        return str(tmp_path / "journal.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


def at_revision(location: str, revision: str) -> sa.Engine:
    engine = sa.create_engine(journal_url(location).sqlalchemy)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return engine


def test_a_revision_0002_journal_is_upgraded_with_its_sends(empty_location):
    engine = at_revision(empty_location, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, "
                "created_at, recipients) VALUES (1, 'f', 'bulk', 'sandbox', 'http://x', '1', "
                "'Hi', 0, 2)"
            )
        )
        for idx, state in enumerate(("accepted", "planned")):
            conn.execute(
                sa.text(
                    "INSERT INTO batches (send_id, idx, state, contacts, payload_json, "
                    "transaction_id, updated_at) VALUES (1, :idx, :state, 1, :payload, :tx, 0)"
                ),
                {
                    "idx": idx,
                    "state": state,
                    "payload": json.dumps({"contacts": [{"phoneNumber": f"1949500000{idx}"}]}),
                    "tx": "tx-1" if state == "accepted" else None,
                },
            )
    engine.dispose()
    journal = Journal(empty_location)
    try:
        with journal.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
                head_revision()
            )
        accepted, planned = journal.batches(1)
        assert accepted.state is BatchState.ACCEPTED and accepted.transaction_id == "tx-1"
        assert accepted.left_out == () and planned.state is BatchState.PLANNED
        # The new state is allowed, the numbers are kept, and a wrong state is still refused.
        assert journal.leave_out_batch(planned.id, "replica", ["19495000001"])
        assert journal.batches(1)[1].left_out == ("19495000001",)
        assert left_out_of(journal, 1) == 1  # the send's count includes it
        assert journal.get_send(1).state(running=False) is SendState.ACCEPTED
        with pytest.raises(sa.exc.IntegrityError), journal.engine.begin() as conn:
            conn.execute(sa.text("UPDATE batches SET state = 'lost' WHERE id = :id"), {"id": 1})
        with pytest.raises(sa.exc.IntegrityError), journal.engine.begin() as conn:  # one idx once
            conn.execute(sa.text("UPDATE batches SET idx = 0 WHERE id = :id"), {"id": planned.id})
    finally:
        journal.close()


def test_a_revision_0003_journal_keeps_its_rules_in_0004(empty_location):
    """The hours a send chose and the do-not-text list's spellings come through 0004: a send
    that was sent anyway (its audit says so) stays "anyway"; Argentina's two spellings of one
    mobile become one canonical listed entry."""
    engine = at_revision(empty_location, "0003")
    with engine.begin() as conn:
        for send_id in (1, 2):
            conn.execute(
                sa.text(
                    "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, "
                    "created_at, recipients) VALUES (:id, :f, 'bulk', 'sandbox', 'http://x', '1', "
                    "'Hi', 0, 1)"
                ),
                {"id": send_id, "f": f"f{send_id}"},
            )
        conn.execute(
            sa.text(
                "INSERT INTO audit (at, actor, action, send_id, details_json) VALUES "
                "(0, 'sam@example.com', 'quiet_hours_overridden', 2, '{}')"
            )
        )
        listing = (
            "INSERT INTO suppressions (phone_number, reason, added_by, added_at, source, "
            "removed_at, changed_in) VALUES (:n, 'x', 'a', :at, 'manual', :removed, 1)"
        )
        conn.execute(sa.text(listing), {"n": "5491112345678", "at": 1.0, "removed": None})
        conn.execute(sa.text(listing), {"n": "541112345678", "at": 2.0, "removed": 3.0})
        conn.execute(sa.text(listing), {"n": "5492231234567", "at": 1.0, "removed": None})
    engine.dispose()
    journal = Journal(empty_location)
    try:
        assert journal.get_send(1).hours_choice is None  # each waits for their hours
        assert journal.get_send(2).hours_choice == "anyway"
        # The listed spelling wins over the removed one; each number is stored canonical.
        assert set(journal.listed_numbers()[1]) == {"541112345678", "542231234567"}
    finally:
        journal.close()


def test_a_revision_0006_journal_gets_each_outcomes_country_and_its_hours_rebuilt(empty_location):
    engine = at_revision(empty_location, "0006")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, "
                "created_at, recipients) VALUES (1, 'f', 'bulk', 'pod', 'http://x', 'P1', 'Hi', "
                "7300, 3)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO batches (id, send_id, idx, state, contacts, payload_json, "
                "transaction_id, updated_at) VALUES (1, 1, 0, 'accepted', 3, '{}', 'tx-1', 0)"
            )
        )
        for number, state, message in (
            ("19495001234", "sent", None),
            ("447400123456", "failed", "Invalid phone number."),
            ("14165550123", "pending", None),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO outcomes (batch_id, phone_number, send_id, sent_at, mode, "
                    "program, state, message, updated_at) VALUES (1, :n, 1, 7300, 'pod', 'P1', "
                    ":state, :message, 7300)"
                ),
                {"n": number, "state": state, "message": message},
            )
    engine.dispose()
    journal = Journal(empty_location)
    try:
        countries = {o.phone_number: o.country for o in journal.outcome_records()}
        assert countries == {"19495001234": "US", "447400123456": "GB", "14165550123": "CA"}
        counts = journal.outcome_counts(0, 10 * 3600, group_by="country")
        assert sorted(counts) == [("CA", "pending", 1), ("GB", "failed", 1), ("US", "sent", 1)]
        failures = journal.outcome_counts(0, 10 * 3600, group_by="message")
        assert ("Invalid phone number.", "failed", 1) in failures
    finally:
        journal.close()


def test_a_journal_of_the_first_0006_without_its_count_tables_is_mended(empty_location):
    """0006 as first committed made outcomes and follows only: 0007 makes the count tables."""
    engine = at_revision(empty_location, "0006")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE outcome_hours"))
        conn.execute(sa.text("DROP TABLE send_outcomes"))
        conn.execute(
            sa.text(
                "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, "
                "created_at, recipients) VALUES (1, 'f', 'bulk', 'pod', 'http://x', 'P1', 'Hi', "
                "7300, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO batches (id, send_id, idx, state, contacts, payload_json, "
                "transaction_id, updated_at) VALUES (1, 1, 0, 'accepted', 1, '{}', 'tx-1', 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO outcomes (batch_id, phone_number, send_id, sent_at, mode, program, "
                "state, updated_at) VALUES (1, '19495001234', 1, 7300, 'pod', 'P1', 'sent', 7300)"
            )
        )
    engine.dispose()
    journal = Journal(empty_location)
    try:
        assert journal.outcome_totals([1]) == {1: {ContactState.SENT: 1}}
        assert journal.outcome_counts(0, 10 * 3600) == [(None, "sent", 1)]
    finally:
        journal.close()

"""The journal's SQLite schema before Alembic: each script took a file from one version (SQLite's
user_version) to the next. A file written by those consoles is brought to version 6 by them, then
stamped with Alembic's first revision (components/journal/migrations), which creates the same
tables in a new database. Frozen: later changes are Alembic revisions.
"""

from __future__ import annotations

import sqlite3

SCHEMA = [
    # version 1
    """
    CREATE TABLE sends (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('bulk', 'test')),
        mode TEXT NOT NULL,
        base_url TEXT NOT NULL,
        program TEXT NOT NULL,
        content TEXT NOT NULL,
        defaults_json TEXT NOT NULL DEFAULT '{}',
        source TEXT,
        created_by TEXT,
        created_at REAL NOT NULL,
        recipients INTEGER NOT NULL,
        segments INTEGER,
        estimated_cost REAL,
        repeat_of INTEGER REFERENCES sends(id)
    );
    CREATE UNIQUE INDEX sends_fingerprint ON sends(fingerprint);
    CREATE INDEX sends_created ON sends(created_at);
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        send_id INTEGER NOT NULL REFERENCES sends(id),
        idx INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('planned', 'in_flight', 'accepted', 'rejected', 'unknown')),
        contacts INTEGER NOT NULL,
        payload_json TEXT NOT NULL,
        transaction_id TEXT,
        status_code INTEGER,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        updated_at REAL NOT NULL,
        UNIQUE (send_id, idx)
    );
    CREATE INDEX batches_transaction ON batches(transaction_id);
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        transaction_id TEXT NOT NULL,
        taken_at REAL NOT NULL,
        found INTEGER NOT NULL,
        total INTEGER NOT NULL,
        processed INTEGER NOT NULL,
        contacts_json TEXT NOT NULL,
        errors_json TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX snapshots_transaction ON snapshots(transaction_id, taken_at);
    """,
    # version 2: why a batch failed (states.Cause) and Acoustic's own messages (a JSON list), as
    # the client's typed error carried them; status_code already holds the HTTP status.
    """
    ALTER TABLE batches ADD COLUMN cause TEXT;
    ALTER TABLE batches ADD COLUMN api_messages_json TEXT;
    """,
    # version 3: the audit log (components/team/audit.py). Append-only in the file itself: the
    # triggers refuse to change or remove an entry, whoever opens it. No foreign key to sends:
    # an entry is a statement of what happened and must never block or vanish with a send.
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        send_id INTEGER,
        details_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_actor ON audit(actor, at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: an entry cannot be changed.'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: an entry cannot be removed.'); END;
    """,
    # version 4: requests for approval (components/team/approvals.py). A send that needs one has all
    # its batches planned and one row here per request; `digest` is the SHA-256 of its request
    # bodies when it was asked for, so that what is approved is exactly what is sent. The
    # `confirmation_json` is what the sender confirmed, shown to the approver as it was.
    """
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY,
        send_id INTEGER NOT NULL REFERENCES sends(id),
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'approved', 'rejected', 'withdrawn', 'expired')),
        requested_by TEXT NOT NULL,
        requested_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        digest TEXT NOT NULL,
        reasons_json TEXT NOT NULL DEFAULT '[]',
        confirmation_json TEXT NOT NULL DEFAULT '{}',
        decided_by TEXT,
        decided_at REAL,
        note TEXT
    );
    CREATE INDEX approvals_send ON approvals(send_id, id);
    CREATE INDEX approvals_state ON approvals(state, expires_at);
    """,
    # version 5: scheduled sends (components/sending/schedules.py). A batch is not sent before its
    # `not_before` (NULL: at once); the send says how it was scheduled and by whom, and when it
    # was cancelled (its planned batches are then never sent).
    """
    ALTER TABLE batches ADD COLUMN not_before REAL;
    ALTER TABLE sends ADD COLUMN schedule TEXT;
    ALTER TABLE sends ADD COLUMN scheduled_by TEXT;
    ALTER TABLE sends ADD COLUMN cancelled_at REAL;
    ALTER TABLE sends ADD COLUMN cancelled_by TEXT;
    CREATE INDEX batches_due ON batches(state, not_before);
    """,
    # version 6: the do-not-text list (components/guardrails/do_not_text.py). One row per number
    # ever listed, in the API's form; a removal is kept (removed_at/by/why) and the number is no
    # longer listed; adding it again clears them. `suppression_version` counts the changes and
    # `changed_in` is the version that last changed a row, so that the listed numbers held in memory
    # are brought up to date by reading only what changed since.
    """
    CREATE TABLE suppressions (
        phone_number TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at REAL NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('manual', 'import', 'status')),
        removed_at REAL,
        removed_by TEXT,
        removal_reason TEXT,
        changed_in INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX suppressions_listed ON suppressions(removed_at, added_at);
    CREATE INDEX suppressions_changed ON suppressions(changed_in);
    CREATE TABLE suppression_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO suppression_version (id, version) VALUES (1, 0);
    """,
]
LEGACY_VERSION = len(SCHEMA)


def statements(script: str) -> list[str]:
    """The statements of a script, a trigger's body (with its own semicolons) kept whole."""
    found: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"An incomplete statement in the journal's schema: {pending[:60]!r}")
    return found


def bring_to_last_legacy_version(conn: sqlite3.Connection, version: int) -> None:
    """Runs the scripts after `version` on a file of the old consoles, in the transaction the
    caller holds (its migration lock)."""
    for number in range(version, LEGACY_VERSION):
        for statement in statements(SCHEMA[number]):
            conn.execute(statement)

"""The journal as the console kept it in SQLite before Alembic (its schema version 6): sends and
batches, status snapshots, the append-only audit log, requests for approval, scheduling columns
and the do-not-text list. An SQLite file from before is brought to version 6 by its own scripts
(components/journal/legacy_schema.py) and stamped with this revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_APPEND_ONLY = "The audit log is append-only: an entry cannot be {}."


def upgrade() -> None:
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("program", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("defaults_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("source", sa.Text),
        sa.Column("created_by", sa.Text),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("segments", sa.Integer),
        sa.Column("estimated_cost", sa.Double),
        sa.Column("repeat_of", sa.Integer, sa.ForeignKey("sends.id")),
        sa.Column("schedule", sa.Text),
        sa.Column("scheduled_by", sa.Text),
        sa.Column("cancelled_at", sa.Double),
        sa.Column("cancelled_by", sa.Text),
        sa.CheckConstraint("kind IN ('bulk', 'test')", name="sends_kind"),
    )
    op.create_index("sends_fingerprint", "sends", ["fingerprint"], unique=True)
    op.create_index("sends_created", "sends", ["created_at"])
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("transaction_id", sa.Text),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("owner", sa.Text),
        sa.Column("updated_at", sa.Double, nullable=False),
        sa.Column("cause", sa.Text),
        sa.Column("api_messages_json", sa.Text),
        sa.Column("not_before", sa.Double),
        sa.UniqueConstraint("send_id", "idx", name="batches_send_idx"),
        sa.CheckConstraint(
            "state IN ('planned', 'in_flight', 'accepted', 'rejected', 'unknown')",
            name="batches_state",
        ),
    )
    op.create_index("batches_transaction", "batches", ["transaction_id"])
    op.create_index("batches_due", "batches", ["state", "not_before"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transaction_id", sa.Text, nullable=False),
        sa.Column("taken_at", sa.Double, nullable=False),
        sa.Column("found", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("processed", sa.Integer, nullable=False),
        sa.Column("contacts_json", sa.Text, nullable=False),
        sa.Column("errors_json", sa.Text, nullable=False, server_default="[]"),
    )
    op.create_index("snapshots_transaction", "snapshots", ["transaction_id", "taken_at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Double, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("send_id", sa.Integer),
        sa.Column("details_json", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("audit_at", "audit", ["at"])
    op.create_index("audit_actor", "audit", ["actor", "at"])
    _append_only_audit()
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("requested_at", sa.Double, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("reasons_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("confirmation_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.Double),
        sa.Column("note", sa.Text),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')",
            name="approvals_state",
        ),
    )
    op.create_index("approvals_send", "approvals", ["send_id", "id"])
    op.create_index("approvals_state", "approvals", ["state", "expires_at"])
    op.create_table(
        "suppressions",
        sa.Column("phone_number", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.Double, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("removed_at", sa.Double),
        sa.Column("removed_by", sa.Text),
        sa.Column("removal_reason", sa.Text),
        sa.Column("changed_in", sa.Integer, nullable=False),
        sa.CheckConstraint("source IN ('manual', 'import', 'status')", name="suppressions_source"),
        sqlite_with_rowid=False,
    )
    op.create_index("suppressions_listed", "suppressions", ["removed_at", "added_at"])
    op.create_index("suppressions_changed", "suppressions", ["changed_in"])
    version = op.create_table(
        "suppression_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="suppression_version_one"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def _append_only_audit() -> None:
    """Whoever opens the database, an entry can be neither changed nor removed."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION '{_APPEND_ONLY.format("changed")}';
                  END IF;
                  RAISE EXCEPTION '{_APPEND_ONLY.format("removed")}';
                END $$"""
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        # TRUNCATE skips row triggers: refused by a statement trigger of its own.
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )
        return
    for event, word in (("UPDATE", "changed"), ("DELETE", "removed")):
        op.execute(
            f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY.format(word)}'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

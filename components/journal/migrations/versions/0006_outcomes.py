"""Outcomes followed in the background:

- outcomes: each recipient of an accepted batch (sent, failed with Acoustic's message, or still
  pending), beside the facts of its send that the Overview filters on (when, mode, program,
  template, sender), so that a period's figures are one indexed query.
- outcome_hours: the outcomes counted per hour of their send and per what the Overview filters
  and groups on (mode, program, template, sender, state, Acoustic's message; "" for none), kept
  with every change, so that a period's figures read hours, not every recipient.
- send_outcomes: each send's recipients per outcome (History).
- follows: each accepted batch's transaction, when it is next asked about, how often it was, and
  which replica holds it now (a claim with a lease, as batches are claimed).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("phone_number", sa.Text, primary_key=True),
        sa.Column("send_id", sa.Integer, nullable=False),
        sa.Column("sent_at", sa.Double, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("program", sa.Text, nullable=False),
        sa.Column("template_name", sa.Text),
        sa.Column("created_by", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_index("ix_outcomes_sent_at", "outcomes", ["sent_at", "mode"])
    op.create_index("ix_outcomes_phone_number", "outcomes", ["phone_number", "sent_at"])
    op.create_index("ix_outcomes_send_id", "outcomes", ["send_id"])
    op.create_table(
        "follows",
        sa.Column("transaction_id", sa.Text, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("send_id", sa.Integer, nullable=False),
        sa.Column("started_at", sa.Double, nullable=False),
        sa.Column("next_at", sa.Double),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("finished_at", sa.Double),
        sa.Column("gave_up_at", sa.Double),
        sa.Column("owner", sa.Text),
        sa.Column("claimed_until", sa.Double),
    )
    op.create_index("ix_follows_next_at", "follows", ["next_at"])
    op.create_table(
        "outcome_hours",
        sa.Column("hour", sa.Integer, primary_key=True),
        sa.Column("mode", sa.Text, primary_key=True),
        sa.Column("program", sa.Text, primary_key=True),
        sa.Column("template_name", sa.Text, primary_key=True),
        sa.Column("created_by", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("message", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "send_outcomes",
        sa.Column("send_id", sa.Integer, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

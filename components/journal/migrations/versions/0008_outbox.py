"""Notifications: the outbox, written in the same transaction as each event it tells about, and
delivered by the background worker (components/notifications).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("dedupe", sa.Text, unique=True),
        sa.Column("facts_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("next_at", sa.Double),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delivered_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("owner", sa.Text),
        sa.Column("claimed_until", sa.Double),
        sa.Column("finished_at", sa.Double),
        sa.Column("gave_up_at", sa.Double),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_next_at", "outbox", ["next_at"])


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

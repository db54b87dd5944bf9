"""A send's follow-ups found by its id (whether its last one ended, for send_finished) without
reading every follow-up the journal ever kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_follows_send_id", "follows", ["send_id"])


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

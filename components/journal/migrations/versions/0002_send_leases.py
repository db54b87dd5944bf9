"""Leases on running sends: which replica runs a send, until when (components/sending/leases.py). A
replica renews its leases with a heartbeat; a lease past its time belongs to a replica that died
or stalled, and another replica takes the send over.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_leases",
        sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("acquired_at", sa.Double, nullable=False),
        sa.Column("heartbeat_at", sa.Double, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
    )
    op.create_index("send_leases_expiry", "send_leases", ["expires_at"])


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

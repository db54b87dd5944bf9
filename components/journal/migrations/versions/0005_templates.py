"""Templates: the messages a team sends again and again, each save a new version.

- templates: one row per name (unique, compared without case), archived or not.
- template_versions: what a send needs besides its recipients (message, program, source,
  campaign, expiry, a default per tag), the messages per language (variants_json: language code
  -> message; the default language's is `content`), who saved it and when, and who approved it.
- sends.template_id / template_name / template_version: the version an unchanged send came
  from (the name as it was, for History, Status and exports).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False, unique=True),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("archived_at", sa.Double),
        sa.Column("archived_by", sa.Text),
    )
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("template_id", sa.Integer, sa.ForeignKey("templates.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("program", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("campaign_name", sa.Text, nullable=False),
        sa.Column("ttl_minutes", sa.Integer),
        sa.Column("defaults_json", sa.Text, nullable=False),
        sa.Column("default_language", sa.Text, nullable=False),
        sa.Column("variants_json", sa.Text, nullable=False),
        sa.Column("saved_by", sa.Text, nullable=False),
        sa.Column("saved_subject", sa.Text),
        sa.Column("saved_at", sa.Double, nullable=False),
        sa.Column("approved_by", sa.Text),
        sa.Column("approved_at", sa.Double),
        sa.UniqueConstraint("template_id", "version", name="uq_template_versions_version"),
    )
    with op.batch_alter_table("sends") as table:
        table.add_column(sa.Column("template_id", sa.Integer))
        table.add_column(sa.Column("template_name", sa.Text))
        table.add_column(sa.Column("template_version", sa.Integer))


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

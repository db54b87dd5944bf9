"""The Overview's failures by country:

- outcomes.country: each recipient's country as Status names it (components/core/phone_regions.py
  country_of: an ISO code from the calling code and, for shared codes like +1, the area code),
  written with the outcome.
- outcome_hours gains country among what it counts by: rebuilt from the outcomes.
- send_outcomes is made (and filled from the outcomes) where a journal lacks it: 0006 as first
  committed (9f5be11) had neither of the two count tables.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from components.core.phone_regions import country_of

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PREFIX = 7  # country_of reads no further than this


def upgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("country", sa.Text, nullable=False, server_default=""))
    conn = op.get_bind()
    outcomes = sa.table("outcomes", sa.column("phone_number"), sa.column("country"))
    prefix = sa.func.substr(outcomes.c.phone_number, 1, PREFIX)
    number = outcomes.c.phone_number
    for (start,) in conn.execute(sa.select(prefix).distinct()).all():
        if not start:
            continue
        # The numbers that begin with it, as a range: ix_outcomes_phone_number serves it.
        after = start[:-1] + chr(ord(start[-1]) + 1)
        conn.execute(
            sa.update(outcomes)
            .where(number >= start, number < after)
            .values(country=country_of(start))
        )
    present = set(sa.inspect(conn).get_table_names())
    if "outcome_hours" in present:
        op.drop_table("outcome_hours")
    if "send_outcomes" not in present:
        op.create_table(
            "send_outcomes",
            sa.Column("send_id", sa.Integer, primary_key=True),
            sa.Column("state", sa.Text, primary_key=True),
            sa.Column("count", sa.Integer, nullable=False),
        )
        op.execute(
            "INSERT INTO send_outcomes (send_id, state, count) "
            "SELECT send_id, state, count(*) FROM outcomes GROUP BY send_id, state"
        )
    op.create_table(
        "outcome_hours",
        sa.Column("hour", sa.Integer, primary_key=True),
        sa.Column("mode", sa.Text, primary_key=True),
        sa.Column("program", sa.Text, primary_key=True),
        sa.Column("template_name", sa.Text, primary_key=True),
        sa.Column("created_by", sa.Text, primary_key=True),
        sa.Column("country", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("message", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.execute(
        """
        INSERT INTO outcome_hours
            (hour, mode, program, template_name, created_by, country, state, message, count)
        SELECT CAST(floor(sent_at / 3600) AS INTEGER), mode, program,
               coalesce(template_name, ''), coalesce(created_by, ''), country, state,
               coalesce(message, ''), count(*)
        FROM outcomes
        GROUP BY CAST(floor(sent_at / 3600) AS INTEGER), mode, program,
                 coalesce(template_name, ''), coalesce(created_by, ''), country, state,
                 coalesce(message, '')
        """
    )


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

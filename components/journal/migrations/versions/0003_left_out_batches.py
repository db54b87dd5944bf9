"""The do-not-text list applied when a batch goes out, not only when its send is journaled: a
batch keeps the numbers left out of its request (`left_out_json`, a JSON list in the API's form;
NULL: none), and a batch whose every recipient was listed is never sent and ends "left_out".

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STATES = "state IN ('planned', 'in_flight', 'accepted', 'rejected', 'unknown', 'left_out')"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.add_column("batches", sa.Column("left_out_json", sa.Text))
        op.drop_constraint("batches_state", "batches", type_="check")
        op.create_check_constraint("batches_state", "batches", _STATES)
        return
    # SQLite changes a CHECK only by making the table anew. A file from before Alembic has the
    # old CHECK unnamed (components/journal/legacy_schema.py), which the copy leaves out; one
    # made by 0001 has it named, and it is dropped. Either way the new one is named.
    named = {c["name"] for c in sa.inspect(bind).get_check_constraints("batches")}
    with op.batch_alter_table(
        "batches",
        recreate="always",
        table_args=(sa.CheckConstraint(_STATES, name="batches_state"),),
    ) as batch:
        if "batches_state" in named:
            batch.drop_constraint("batches_state", type_="check")
        batch.add_column(sa.Column("left_out_json", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

"""The rules of a send kept where it is sent (the worker checks them as each batch goes out):

- sends.hours_choice / hours_reason / hours_by: what the send does with recipients outside their
  allowed hours ("each_when_open", "hold_all" or "anyway" with the reason and who gave it). A send
  journaled before this revision with a "quiet hours overridden" entry in the audit log was sent
  anyway; every other one waits for each recipient's hours.
- batches.split_from / held_out_json: a batch whose recipients were partly outside their hours as
  it went out kept those recipients back (held_out_json) and gave them batches of their own, each
  due when their hours begin (split_from names the batch they came from). An approval's digest
  covers the batches as they were journaled, not these.
- approvals.requested_subject: the sign-in provider's subject claim of whoever asked, so that the
  same person signed in under another address cannot approve their own send.
- suppressions: numbers in their canonical form (Argentina's mobile 9 left out), so that every
  spelling of one subscriber matches.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The mobile token phonenumbers knows (_MOBILE_TOKEN_MAPPINGS), spelled out: a migration is
# frozen once released, so it does not import the rule it applies.
_TOKENS = {"54": "9"}


def upgrade() -> None:
    with op.batch_alter_table("sends") as table:
        table.add_column(sa.Column("hours_choice", sa.Text))
        table.add_column(sa.Column("hours_reason", sa.Text))
        table.add_column(sa.Column("hours_by", sa.Text))
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("split_from", sa.Integer))
        table.add_column(sa.Column("held_out_json", sa.Text))
    with op.batch_alter_table("approvals") as table:
        table.add_column(sa.Column("requested_subject", sa.Text))
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE sends SET hours_choice = 'anyway' WHERE id IN (SELECT send_id FROM audit "
            "WHERE action = 'quiet_hours_overridden' AND send_id IS NOT NULL)"
        )
    )
    _canonical_suppressions(bind)


def _canonical(number: str) -> str:
    for code, token in _TOKENS.items():
        if len(number) == 13 and number.startswith(code + token):
            return code + number[3:]
    return number


def _canonical_suppressions(bind: sa.Connection) -> None:
    """Each listed spelling becomes the canonical one; where both exist, the listed row (else the
    newer) is kept."""
    rows = bind.execute(
        sa.text(
            "SELECT phone_number, removed_at, added_at FROM suppressions "
            "WHERE phone_number LIKE '549%'"
        )
    ).all()
    for number, removed_at, added_at in rows:
        canonical = _canonical(number)
        if canonical == number:
            continue
        twin = bind.execute(
            sa.text("SELECT removed_at, added_at FROM suppressions WHERE phone_number = :n"),
            {"n": canonical},
        ).first()
        if twin is None:
            bind.execute(
                sa.text("UPDATE suppressions SET phone_number = :c WHERE phone_number = :n"),
                {"c": canonical, "n": number},
            )
            continue
        this_wins = (removed_at is None, added_at) > (twin.removed_at is None, twin.added_at)
        if this_wins:
            bind.execute(
                sa.text("DELETE FROM suppressions WHERE phone_number = :c"), {"c": canonical}
            )
            bind.execute(
                sa.text("UPDATE suppressions SET phone_number = :c WHERE phone_number = :n"),
                {"c": canonical, "n": number},
            )
        else:
            bind.execute(sa.text("DELETE FROM suppressions WHERE phone_number = :n"), {"n": number})


def downgrade() -> None:
    raise NotImplementedError("The journal is never migrated down: restore a backup instead.")

"""The journal's tables as SQLAlchemy Core sees them, the same on SQLite and PostgreSQL.

The queries are built from these; the tables themselves are created and changed only by the
Alembic migrations in components/journal/migrations (a migration is frozen once released, so it
spells its own columns rather than importing these).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Unix seconds, as time.time() gives them: a double on both backends.
Seconds = sa.Double

sends = sa.Table(
    "sends",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("base_url", sa.Text, nullable=False),
    sa.Column("program", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("defaults_json", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("created_by", sa.Text),
    sa.Column("created_at", Seconds, nullable=False),
    sa.Column("recipients", sa.Integer, nullable=False),
    sa.Column("segments", sa.Integer),
    sa.Column("estimated_cost", sa.Double),
    sa.Column("repeat_of", sa.Integer, sa.ForeignKey("sends.id")),
    sa.Column("schedule", sa.Text),
    sa.Column("scheduled_by", sa.Text),
    sa.Column("cancelled_at", Seconds),
    sa.Column("cancelled_by", sa.Text),
    # The template version an unchanged send came from (NULL: written in Compose).
    sa.Column("template_id", sa.Integer),
    sa.Column("template_name", sa.Text),
    sa.Column("template_version", sa.Integer),
    # What it does with recipients outside their allowed hours (HoursChoice), and for "anyway"
    # why and who said so. NULL: each waits for their hours.
    sa.Column("hours_choice", sa.Text),
    sa.Column("hours_reason", sa.Text),
    sa.Column("hours_by", sa.Text),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("contacts", sa.Integer, nullable=False),
    sa.Column("payload_json", sa.Text, nullable=False),
    sa.Column("transaction_id", sa.Text),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("owner", sa.Text),
    sa.Column("updated_at", Seconds, nullable=False),
    sa.Column("cause", sa.Text),
    sa.Column("api_messages_json", sa.Text),
    sa.Column("not_before", Seconds),
    sa.Column("left_out_json", sa.Text),  # numbers left out of its request: on the list then
    # Recipients of a batch outside their hours as it went out get batches of their own (which
    # name it in split_from); it keeps their numbers in held_out_json and goes without them.
    sa.Column("split_from", sa.Integer),
    sa.Column("held_out_json", sa.Text),
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("transaction_id", sa.Text, nullable=False),
    sa.Column("taken_at", Seconds, nullable=False),
    sa.Column("found", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("processed", sa.Integer, nullable=False),
    sa.Column("contacts_json", sa.Text, nullable=False),
    sa.Column("errors_json", sa.Text, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", Seconds, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("send_id", sa.Integer),
    sa.Column("details_json", sa.Text, nullable=False),
)

approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_subject", sa.Text),  # the sign-in provider's subject claim, if any
    sa.Column("requested_at", Seconds, nullable=False),
    sa.Column("expires_at", Seconds, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("reasons_json", sa.Text, nullable=False),
    sa.Column("confirmation_json", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_at", Seconds),
    sa.Column("note", sa.Text),
)

suppressions = sa.Table(
    "suppressions",
    metadata,
    sa.Column("phone_number", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.Column("added_at", Seconds, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("removed_at", Seconds),
    sa.Column("removed_by", sa.Text),
    sa.Column("removal_reason", sa.Text),
    sa.Column("changed_in", sa.Integer, nullable=False),
)

suppression_version = sa.Table(
    "suppression_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

send_leases = sa.Table(
    "send_leases",
    metadata,
    sa.Column("send_id", sa.Integer, sa.ForeignKey("sends.id"), primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("acquired_at", Seconds, nullable=False),
    sa.Column("heartbeat_at", Seconds, nullable=False),
    sa.Column("expires_at", Seconds, nullable=False),
)

templates = sa.Table(
    "templates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_key", sa.Text, nullable=False, unique=True),  # the name without case
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", Seconds, nullable=False),
    sa.Column("archived_at", Seconds),
    sa.Column("archived_by", sa.Text),
)

template_versions = sa.Table(
    "template_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("template_id", sa.Integer, sa.ForeignKey("templates.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # the default language's message
    sa.Column("program", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("campaign_name", sa.Text, nullable=False),
    sa.Column("ttl_minutes", sa.Integer),
    sa.Column("defaults_json", sa.Text, nullable=False),
    sa.Column("default_language", sa.Text, nullable=False),
    sa.Column("variants_json", sa.Text, nullable=False),  # other languages: code -> message
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_subject", sa.Text),  # the sign-in subject: nobody approves their own
    sa.Column("saved_at", Seconds, nullable=False),
    sa.Column("approved_by", sa.Text),
    sa.Column("approved_at", Seconds),
    sa.UniqueConstraint("template_id", "version", name="uq_template_versions_version"),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("phone_number", sa.Text, primary_key=True),
    sa.Column("send_id", sa.Integer, nullable=False),
    sa.Column("sent_at", Seconds, nullable=False),  # the send's created_at: its period
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("program", sa.Text, nullable=False),
    sa.Column("template_name", sa.Text),
    sa.Column("created_by", sa.Text),
    sa.Column("state", sa.Text, nullable=False),  # OutcomeState
    sa.Column("message", sa.Text),  # Acoustic's, for a failure
    sa.Column("updated_at", Seconds, nullable=False),
    sa.Column("country", sa.Text, nullable=False, server_default=""),  # phone_regions.country_of
    sa.Index("ix_outcomes_sent_at", "sent_at", "mode"),
    sa.Index("ix_outcomes_phone_number", "phone_number", "sent_at"),
    sa.Index("ix_outcomes_send_id", "send_id"),
)

follows = sa.Table(
    "follows",
    metadata,
    sa.Column("transaction_id", sa.Text, primary_key=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
    sa.Column("send_id", sa.Integer, nullable=False),
    sa.Column("started_at", Seconds, nullable=False),
    sa.Column("next_at", Seconds),  # NULL once finished or given up
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("finished_at", Seconds),
    sa.Column("gave_up_at", Seconds),
    sa.Column("owner", sa.Text),  # the replica asking now
    sa.Column("claimed_until", Seconds),
    sa.Index("ix_follows_next_at", "next_at"),
    sa.Index("ix_follows_send_id", "send_id"),
)

# The outcomes per hour of their send (hour = floor(sent_at / 3600)) and per what the Overview
# filters and groups on; "" stands for none (a key column cannot be NULL). Kept with every change
# of `outcomes`, in the same transaction.
outcome_hours = sa.Table(
    "outcome_hours",
    metadata,
    sa.Column("hour", sa.Integer, primary_key=True),
    sa.Column("mode", sa.Text, primary_key=True),
    sa.Column("program", sa.Text, primary_key=True),
    sa.Column("template_name", sa.Text, primary_key=True),
    sa.Column("created_by", sa.Text, primary_key=True),
    sa.Column("country", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, primary_key=True),
    sa.Column("message", sa.Text, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    # Covering, in the order the Overview groups by: a period's counts are read in index order
    # (no sort of every hour's rows), by day and by every breakdown at once.
    sa.Index(
        "ix_outcome_hours_by_hour",
        "hour", "state", "mode", "program", "template_name", "created_by", "count",
    ),
    sa.Index(
        "ix_outcome_hours_breakdowns",
        "state", "message", "program", "template_name", "country", "hour", "mode", "created_by",
        "count",
    ),
)  # fmt: skip

send_outcomes = sa.Table(
    "send_outcomes",
    metadata,
    sa.Column("send_id", sa.Integer, primary_key=True),
    sa.Column("state", sa.Text, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

# Notifications to deliver (components/notifications): written in the same transaction as their
# event, delivered by one replica at a time (a claim with a lease, as batches are), each channel
# once (`delivered_json` names those done).
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event", sa.Text, nullable=False),  # NotificationEvent
    sa.Column("dedupe", sa.Text, unique=True),  # one notification per event of a thing
    sa.Column("facts_json", sa.Text, nullable=False),  # ids, counts, addresses: no contact data
    sa.Column("created_at", Seconds, nullable=False),
    sa.Column("next_at", Seconds),  # NULL once delivered everywhere or given up
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delivered_json", sa.Text, nullable=False, server_default="[]"),
    sa.Column("owner", sa.Text),
    sa.Column("claimed_until", Seconds),
    sa.Column("finished_at", Seconds),
    sa.Column("gave_up_at", Seconds),
    sa.Column("last_error", sa.Text),  # the server's answer, for Settings
    sa.Index("ix_outbox_next_at", "next_at"),
)

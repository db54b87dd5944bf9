"""The journal: every send, its batches and their fate, in one SQLite file (WAL) or a PostgreSQL
database shared by several replicas (components/core/database_url.py says which).

A send and all its batches are written before the first request leaves, and each batch moves
planned -> in_flight -> accepted / rejected / unknown as it goes, each step committed. So after a
crash the journal says exactly what went out: "in_flight" batches left behind become "unknown"
(they may have been processed) and are only resent by an explicit choice of the user.

By concern: tables.py (the tables), schema.py (Alembic's migrations, the file's place), base.py
(engine, one writer at a time), sends.py (sends and batches), snapshots.py (status answers),
history_queries.py (History's list), records.py (what they return), audit_trail.py (the append-only
audit log, see components/team/audit.py), approvals.py (requests for approval, see
components/team/approvals.py), schedules.py (held batches, cancel, reschedule), suppressions.py (the
do-not-text list, see components/guardrails/do_not_text.py), leases.py (which replica runs a send,
see components/sending/leases.py), templates.py (templates and their versions, see
components/templates), outcomes.py (each recipient's outcome, followed in the background),
outcome_counts.py (the figures of a period and of each send, from them), outbox.py (notifications
to deliver, see components/notifications)."""

from __future__ import annotations

from components.core.database_url import default_journal_path
from components.journal.approvals import ApprovalRecord, ApprovalRequests
from components.journal.audit_entries import AuditAction, AuditEntry
from components.journal.audit_trail import AuditTrail
from components.journal.base import JournalUnavailable
from components.journal.history_queries import HistoryQueries
from components.journal.leases import LeaseGrant, SendLeases
from components.journal.outbox import Notification, Outbox
from components.journal.outcome_counts import OutcomeCounts
from components.journal.outcomes import Follow, OutcomeRecord, OutcomeStore
from components.journal.records import BatchRecord, DuplicateSendError, SendRecord, Snapshot
from components.journal.schedules import ScheduledSends
from components.journal.sends import Sends, destination_of
from components.journal.snapshots import Snapshots
from components.journal.suppressions import SuppressionRecord, Suppressions
from components.journal.templates import TemplateConflict, TemplateStore, TemplateVersionRecord

__all__ = [
    "ApprovalRecord",
    "AuditAction",
    "AuditEntry",
    "BatchRecord",
    "DuplicateSendError",
    "Follow",
    "Journal",
    "JournalUnavailable",
    "LeaseGrant",
    "Notification",
    "OutcomeRecord",
    "SendRecord",
    "Snapshot",
    "SuppressionRecord",
    "TemplateConflict",
    "TemplateVersionRecord",
    "default_journal_path",
    "destination_of",
]


class Journal(
    Sends,
    Snapshots,
    HistoryQueries,
    AuditTrail,
    ApprovalRequests,
    ScheduledSends,
    Suppressions,
    SendLeases,
    TemplateStore,
    OutcomeStore,
    OutcomeCounts,
    Outbox,
):
    """Thread-safe access to the journal file; one connection per thread, WAL for readers."""

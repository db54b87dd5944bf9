"""The audit log: who did what, when, and to which send, kept in the journal (append-only for
real: its table refuses UPDATE and DELETE, and no code changes or removes an entry).

Entries are recorded where the action happens (components/sending for sends, starts, resumes and
resends; components/team/approvals.py for decisions; the do-not-text list's rules for its
changes; the export widgets for exports; the identity code for sign-ins), never by a page. What an
entry may hold is components/journal/audit_entries.py's rule. Roles and settings live in the
console's configuration files, which the console never writes: their changes are the deployment's
to track, not entries of this log.
"""

from __future__ import annotations

from collections.abc import Iterable

from components.journal import AuditAction, AuditEntry, Journal
from components.journal.audit_entries import MAX_IDS

# -- the hooks of actions recorded outside the send path ------------------------------------------


def record_sign_in(journal: Journal, actor: str) -> AuditEntry:
    """Called once per session by the identity code (components.ui.audit_view)."""
    return journal.record_audit(actor, AuditAction.SIGN_IN)


def record_export(
    journal: Journal,
    actor: str,
    what: str,
    *,
    rows: int,
    file_name: str,
    send_ids: Iterable[int] = (),
) -> AuditEntry:
    """An export of data (contacts' outcomes, the audit itself): what, how many rows, which
    file; the send when it is one, else the sends it covers."""
    ids = sorted(set(send_ids))
    details: dict[str, object] = {"what": what, "rows": rows, "file": file_name}
    if len(ids) > 1:
        details["send_ids"] = ids[:MAX_IDS]
    return journal.record_audit(
        actor, AuditAction.EXPORT, send_id=ids[0] if len(ids) == 1 else None, details=details
    )

"""The audit log: who did what, when, and to which send, kept in the journal's file.

Entries are recorded where the action happens (components.sending.worker for sends, resumes and
resends; the export widgets for exports; the identity code for sign-ins), never by a page. The log
is append-only for real: the journal's table refuses UPDATE and DELETE (triggers), and no code
changes or removes an entry.

What an entry's details may hold: counts, ids (send ids, transaction ids), file names, the mode,
the program, the choices made (`may_deliver_twice`). Never a secret or token (every text goes
through the process redactor) and never contact data: no phone number, no list of contacts, no
personalization field. Values are scalars or short lists of ids (anything else is refused), and a
text shaped like a phone number is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from components.acoustic.redaction import PROCESS_REDACTOR

if TYPE_CHECKING:
    from components.journal import Journal


class AuditAction(StrEnum):
    """What an entry records; the value is what the journal stores."""

    SIGN_IN = "sign_in"
    TEST_SEND = "test_send"
    SEND_REQUESTED = "send_requested"
    SEND_APPROVED = "send_approved"  # components/team/approvals.py records these four
    SEND_REJECTED = "send_rejected"
    SEND_WITHDRAWN = "send_withdrawn"
    SEND_EXPIRED = "send_expired"
    SEND_SCHEDULED = "send_scheduled"  # components/sending/schedules.py records these three
    SEND_RESCHEDULED = "send_rescheduled"
    SEND_CANCELLED = "send_cancelled"
    QUIET_HOURS_OVERRIDDEN = "quiet_hours_overridden"  # sent outside the hours, with a reason
    SEND_HELD = "send_held"  # recipients outside their hours wait for them (the worker)
    SEND_STARTED = "send_started"
    SEND_FINISHED = "send_finished"
    SEND_TAKEN_OVER = "send_taken_over"  # another replica finishes a send whose replica died
    RESEND = "resend"
    RESUME = "resume"
    ROLE_CHANGED = "role_changed"
    SETTING_CHANGED = "setting_changed"
    EXPORT = "export"
    SUPPRESSION_ADDED = (
        "suppression_added"  # components/guardrails/do_not_text.py records these three
    )
    SUPPRESSION_REMOVED = "suppression_removed"
    SUPPRESSION_IMPORTED = "suppression_imported"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str  # the signed-in identity (email) where there is one
    action: AuditAction | str  # a str only for an action a newer console wrote
    send_id: int | None
    details: dict[str, Any]


MAX_TEXT = 300  # a detail is a name or a short sentence, not a document
MAX_IDS = 100
PHONE_REMOVED = "[phone number removed]"
_SEPARATORS = re.compile(r"[\s().\-]")
_PHONE = re.compile(r"^\+?\d{8,15}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _looks_like_phone(text: str) -> bool:
    return not _DATE.match(text) and bool(_PHONE.match(_SEPARATORS.sub("", text)))


def _clean_text(value: object) -> str:
    text = PROCESS_REDACTOR.redact(value)
    if _looks_like_phone(text):
        return PHONE_REMOVED
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _clean_value(key: str, value: object) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, list | tuple) and len(value) <= MAX_IDS:
        if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return list(value)
        if all(isinstance(item, str) for item in value):
            return [_clean_text(item) for item in value]
    raise TypeError(
        f"Audit detail {key!r} is a {type(value).__name__}: details hold counts, ids and names "
        f"(at most {MAX_IDS} ids), never contact data."
    )


def clean_details(details: Mapping[str, object] | None) -> dict[str, Any]:
    """The details as they may be stored: secrets redacted, phone numbers removed, long texts
    cut. TypeError for a value that is not a scalar or a short list of ids (a contact list)."""
    return {str(key): _clean_value(str(key), value) for key, value in (details or {}).items()}


def clean_actor(actor: str) -> str:
    text = " ".join(str(actor).split())
    if not text:
        raise ValueError("An audit entry needs who did it.")
    return _clean_text(text)


# -- the hooks of actions recorded outside the send path ------------------------------------------


def record_sign_in(journal: Journal, actor: str) -> AuditEntry:
    """Called once per session by the identity code (components.ui.audit_view)."""
    return journal.record_audit(actor, AuditAction.SIGN_IN)


def record_setting_change(
    journal: Journal, actor: str, setting: str, before: object, after: object, *, secret: bool
) -> AuditEntry:
    """One setting changed by `actor`. A secret's values are never stored, only that it
    changed."""
    values = {"before": "(hidden)", "after": "(changed)"} if secret else _change(before, after)
    return journal.record_audit(
        actor, AuditAction.SETTING_CHANGED, details={"setting": setting, **values}
    )


def record_role_change(
    journal: Journal, actor: str, person: str, before: object, after: object
) -> AuditEntry:
    """`actor` gave `person` (an email) another role."""
    return journal.record_audit(
        actor, AuditAction.ROLE_CHANGED, details={"person": person, **_change(before, after)}
    )


def _change(before: object, after: object) -> dict[str, str]:
    return {"before": "" if before is None else str(before), "after": str(after)}


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

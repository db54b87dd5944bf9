"""What an audit entry is and may hold: the actions (one vocabulary, the journal stores the value)
and the rules of its details. Entries hold counts, ids (send ids, transaction ids), file names, the
mode, the program and the choices made (`may_deliver_twice`); never a secret or token (every text
goes through the process redactor) and never contact data: no phone number, no list of contacts,
no personalization field. Values are scalars or short lists of ids (anything else is refused), and
a text shaped like a phone number is replaced. The journal's audit trail (audit_trail.py) stores
them append-only; components/team/audit.py records the ones outside the send path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from components.acoustic.redaction import PROCESS_REDACTOR


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
    EXPORT = "export"
    SUPPRESSION_ADDED = (
        "suppression_added"  # components/guardrails/do_not_text.py records these three
    )
    SUPPRESSION_REMOVED = "suppression_removed"
    SUPPRESSION_IMPORTED = "suppression_imported"
    TEMPLATE_SAVED = "template_saved"  # components/templates records these five
    TEMPLATE_APPROVED = "template_approved"
    TEMPLATE_ARCHIVED = "template_archived"
    TEMPLATE_RESTORED = "template_restored"
    TEMPLATE_IMPORTED = "template_imported"
    NOTIFICATION = "notification"  # components/notifications: each delivery, never its text

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

"""The do-not-text list's rules: who may change it, what the audit says of each change (counts and
the reason, never a number), and the one screening every send goes through.

Adding numbers one by one, or from Status (a sender who sees an opt-out may list it), needs SEND;
an import and a removal need ADMINISTER. `screen` takes the listed recipients out of Compose's
recipients frame before anything is built from it, so the preview, the counts, the requests and
the journal agree; `refuse_listed` is the check at Send that nothing listed slips through (a
number listed between Compose's check and the click). A batch that goes out later (scheduled,
approved after a wait, resumed, resent) is screened again by the worker as it goes out
(`without_listed`): the numbers listed meanwhile are left out of its request, and the journal
keeps which.

The listed numbers are kept in memory per journal and list version: a rerun of Compose with an
unchanged list is a set lookup per recipient (1,000,000 listed, 100,000 recipients: tens of ms),
and after a change only the changed numbers are read (tests/benchmarks/bench_suppression.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components.contacts.phone import canonical_number, normalize_phone
from components.contacts.reading import ContactList, read_contacts
from components.core.unicode_text import has_words
from components.journal import AuditAction, Journal, SuppressionRecord
from components.journal.audit_entries import PHONE_REMOVED
from components.team.auth import Identity, Permission, require

MAX_REASON = 200
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-]{6,}\d")


class SuppressionError(ValueError):
    """A change of the list that cannot be made as asked (no reason, no number)."""


class ListedRecipients(Exception):
    """A send would reach numbers on the do-not-text list: nothing of it was journaled."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(
            f"{count:,} recipient(s) of this send are on the do-not-text list (added meanwhile): "
            "nothing was sent. Check the recipients in Compose again, then send."
        )


def clean_reason(reason: str) -> str:
    """The reason as stored: one line, not empty, not too long."""
    text = " ".join(str(reason).split())
    if not has_words(text):
        raise SuppressionError(
            "Say why, in words (a reason is kept with the change and in the audit log)."
        )
    return text[:MAX_REASON]


def _audited_reason(reason: str) -> str:
    """The reason for the audit log: a number typed into it is removed."""
    return _DIGIT_RUN.sub(PHONE_REMOVED, reason)


def add_numbers(
    journal: Journal, numbers: Iterable[str], reason: str, by: Identity, source: str
) -> list[str]:
    """Lists numbers (in the API's form) for `reason`; an import needs ADMINISTER, one by one
    or from Status needs SEND. Returns those newly listed; audited with counts."""
    require(by, Permission.ADMINISTER if source == "import" else Permission.SEND)
    text = clean_reason(reason)
    wanted = list(dict.fromkeys(map(canonical_number, numbers)))
    if not wanted:
        raise SuppressionError("There is no phone number to add.")
    added = journal.add_suppressions(wanted, reason=text, by=by.actor, source=source)
    journal.record_audit(
        by.actor,
        AuditAction.SUPPRESSION_IMPORTED if source == "import" else AuditAction.SUPPRESSION_ADDED,
        details={
            "source": source,
            "numbers": len(wanted),
            "added": len(added),
            "already_listed": len(wanted) - len(added),
            "reason": _audited_reason(text),
        },
    )
    return added


def add_one(journal: Journal, raw: str, region: str, reason: str, by: Identity) -> str:
    """One number as typed (any spelling Compose reads); InvalidPhoneNumber says what is wrong.
    Returns it in the API's form."""
    require(by, Permission.SEND)
    number = normalize_phone(raw, region)
    add_numbers(journal, [number], reason, by, "manual")
    return number


def read_import(
    data: bytes | str, *, filename: str | None = None, region: str = "US"
) -> ContactList:
    """An import read as Compose reads contacts: the same normalization, the same rejected
    rows (by row and value, with the reason)."""
    return read_contacts(data, filename=filename, default_region=region)


def remove_numbers(
    journal: Journal, numbers: Iterable[str], reason: str, by: Identity
) -> list[str]:
    """Takes numbers off the list (ADMINISTER, with a reason). Returns those that were listed."""
    require(by, Permission.ADMINISTER)
    text = clean_reason(reason)
    wanted = list(dict.fromkeys(map(canonical_number, numbers)))
    removed = journal.remove_suppressions(wanted, reason=text, by=by.actor)
    journal.record_audit(
        by.actor,
        AuditAction.SUPPRESSION_REMOVED,
        details={
            "numbers": len(wanted),
            "removed": len(removed),
            "not_listed": len(wanted) - len(removed),
            "reason": _audited_reason(text),
        },
    )
    return removed


# -- the screening of sends ----------------------------------------------------------------------

_cache: dict[str, tuple[int, AbstractSet[str]]] = {}
_cache_lock = threading.Lock()
_REREAD_ABOVE = 50_000  # changes since the held version: read the whole list again instead


def listed_set(journal: Journal) -> AbstractSet[str]:
    """The listed numbers, held per journal: unchanged while the list's version is, brought up
    to date with only what changed since (an import, a click on Status) when it is not. A
    published set is never changed, so a screening under way is never disturbed."""
    key = journal.location
    version = journal.suppression_version()
    with _cache_lock:
        held = _cache.get(key)
    if held is not None and held[0] == version:
        return held[1]
    listed: AbstractSet[str]
    if held is None or version < held[0]:  # a journal file made anew at the same place
        version, numbers = journal.listed_numbers()
        listed = frozenset(numbers)
    else:
        version, changes = journal.suppression_changes(held[0])
        if len(changes) > _REREAD_ABOVE:
            version, numbers = journal.listed_numbers()
            listed = frozenset(numbers)
        else:
            updated = set(held[1])
            updated.update(number for number, now_listed in changes if now_listed)
            updated.difference_update(number for number, now_listed in changes if not now_listed)
            listed = updated
    with _cache_lock:
        _cache[key] = (version, listed)
    return listed


def listed_mask(numbers: pd.Series | Sequence[str], listed: AbstractSet[str]) -> np.ndarray:
    """True for each number on the list (`listed` holds canonical numbers: any spelling of a
    listed subscriber is listed)."""
    values = numbers.tolist() if isinstance(numbers, pd.Series) else list(numbers)
    if not listed:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (canonical_number(value) in listed for value in values), dtype=bool, count=len(values)
    )


def records_of(journal: Journal, numbers: Sequence[str]) -> list[SuppressionRecord]:
    """The list's entries for these numbers, in any spelling (Compose's left-out list)."""
    return journal.suppressions_of([canonical_number(n) for n in numbers])


def not_listed(journal: Journal, numbers: Iterable[str]) -> list[str]:
    """The numbers (in any spelling) whose subscriber is not on the list, in order."""
    wanted = list(dict.fromkeys(numbers))
    listed = journal.listed_among([canonical_number(n) for n in wanted])
    return [n for n in wanted if canonical_number(n) not in listed]


@dataclass(frozen=True)
class Screened:
    """Recipients with the listed ones taken out, and those (same columns)."""

    recipients: pd.DataFrame
    left_out: pd.DataFrame

    @property
    def everyone_listed(self) -> bool:
        return bool(len(self.left_out)) and not len(self.recipients)


def screen(journal: Journal, recipients: pd.DataFrame) -> Screened:
    """The one place sends leave listed numbers out: bulk sends, resends to the failed (through
    Compose) and test sends all pass their recipients frame here before payloads are built."""
    mask = listed_mask(recipients["phoneNumber"], listed_set(journal))
    if not mask.any():
        return Screened(recipients, recipients.iloc[0:0])
    return Screened(
        recipients[~mask].reset_index(drop=True), recipients[mask].reset_index(drop=True)
    )


def refuse_listed(journal: Journal, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Raises ListedRecipients when a request would reach a listed number (the check at Send;
    the worker screens each batch again as it goes out: `without_listed`)."""
    listed = listed_set(journal)
    if not listed:
        return
    numbers = [str(c.get("phoneNumber", "")) for p in payloads for c in p.get("contacts", [])]
    count = int(listed_mask(numbers, listed).sum())
    if count:
        raise ListedRecipients(count)


def without_listed(
    payload: Mapping[str, Any], listed: AbstractSet[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A request body without its listed contacts, and those contacts (the worker's screening of
    a batch as it goes out; Status parts a journaled body the same way). The body is a shallow
    copy: `payload` is never changed."""
    contacts = payload.get("contacts") or []
    if not listed or not contacts:
        return dict(payload), []
    keep = ~listed_mask([str(c.get("phoneNumber", "")) for c in contacts], listed)
    if keep.all():
        return dict(payload), []
    body = dict(payload)
    body["contacts"] = [c for c, kept in zip(contacts, keep, strict=True) if kept]
    return body, [c for c, kept in zip(contacts, keep, strict=True) if not kept]


def left_out_of(journal: Journal, send_id: int) -> int | None:
    """How many recipients were left out of a send for the list: by Compose before it was
    journaled, and by the worker as its batches went out (None: nothing recorded)."""
    entries = journal.audit_entries(
        send_id=send_id, action=[AuditAction.SEND_REQUESTED, AuditAction.TEST_SEND], limit=1
    )
    value = entries[0].details.get("left_out") if entries else None
    at_compose = int(value) if isinstance(value, int) else None
    at_send = sum(len(batch.left_out) for batch in journal.batches(send_id))
    if at_compose is None and not at_send:
        return None
    return (at_compose or 0) + at_send

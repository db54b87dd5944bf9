"""Status look-ups: Acoustic's answers, the journal's memory, and when to ask again.

Acoustic answers "Transaction status not found" both for a send it is still working on and for an
id that does not exist. Only the journal can tell them apart: an id this console was given a moment
ago is still processing; one it never issued, and that stays unknown, is probably mistyped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from components.acoustic import AcousticClient, AcousticError, ContactStatus, SendStatus
from components.core.states import BatchState, Cause, ContactState, ScheduleKind, Verdict
from components.guardrails.do_not_text import without_listed
from components.journal import BatchRecord, Journal, SendRecord
from components.status.insights import (
    HELD_FOR_HOURS,
    SCHEDULED_REASON,
    build_table,
    contacts_frame,
    status_frame,
)

STILL_PROCESSING_FOR = 30 * 60  # seconds after a send during which "not found" means "not yet"
POLL_INTERVALS = (2, 3, 5, 8, 13, 20, 30)  # seconds between automatic checks, then every 30 s
POLL_LIMIT = 60 * 60  # stop polling on its own after an hour
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,199}$")


def parse_transaction_ids(text: str) -> tuple[list[str], list[str]]:
    """Ids pasted one a line, or separated by spaces, commas or semicolons: (valid, rejected)."""
    valid: list[str] = []
    rejected: list[str] = []
    for token in re.split(r"[\s,;]+", text or ""):
        token = token.strip().strip("\"'")
        if not token:
            continue
        target = valid if _ID.match(token) else rejected
        if token not in target:
            target.append(token)
    return valid, rejected


@dataclass(frozen=True)
class Lookup:
    transaction_id: str
    verdict: Verdict
    message: str
    checked_at: float
    status: SendStatus | None = None
    send_id: int | None = None

    @property
    def settled(self) -> bool:
        """No point asking again automatically."""
        return self.verdict.settled


def stored_lookup(journal: Journal, transaction_id: str) -> Lookup | None:
    """What the console already knows, when it followed this transaction to its end: every
    contact's outcome is stored, so Status shows them at once without asking Acoustic (whose
    status of an older send may have expired). None while the follow-up goes on: ask."""
    follow = journal.follow_state(transaction_id)
    batch = journal.batch_for_transaction(transaction_id)
    if follow is None or follow.get("finished_at") is None or batch is None:
        return None
    records = journal.outcome_records(batch_id=batch.id)
    processed = [o for o in records if o.state is not ContactState.PENDING]
    if not records or len(processed) < len(records):
        return None
    status = SendStatus(
        transaction_id,
        found=True,
        total=len(records),
        processed=len(processed),
        contacts=[
            ContactStatus(o.phone_number, o.state is ContactState.SENT, o.message)
            for o in processed
        ],
    )
    message = (
        f"All {status.total:,} contacts processed, as the console followed them (last change "
        f"{_ago(time.time() - max(o.updated_at for o in records))})."
    )
    return Lookup(
        transaction_id, Verdict.COMPLETE, message, float(follow["finished_at"]), status,
        batch.send_id,
    )  # fmt: skip


def look_up(
    client: AcousticClient, journal: Journal, transaction_id: str, *, now: float | None = None
) -> Lookup:
    now = time.time() if now is None else now
    batch = journal.batch_for_transaction(transaction_id)
    send_id = batch.send_id if batch is not None else None
    try:
        status = client.status(transaction_id)
    except AcousticError as exc:
        return Lookup(transaction_id, Verdict.ERROR, exc.message, now, None, send_id)
    except ValueError:
        return Lookup(
            transaction_id,
            Verdict.NOT_FOUND,
            "This is not a transaction id: check what was pasted.",
            now,
            None,
            send_id,
        )
    journal.add_snapshot(
        transaction_id,
        found=status.found,
        total=status.total,
        processed=status.processed,
        contacts=[
            {"phoneNumber": c.phone_number, "smsSent": c.sent, "message": c.message}
            for c in status.contacts
        ],
        errors=status.errors,
        taken_at=now,
    )
    journal.record_outcomes(
        transaction_id, [(c.phone_number, c.sent, c.message) for c in status.contacts], now=now
    )
    if status.found:
        if status.complete:
            message = f"All {status.total:,} contacts processed."
            return Lookup(transaction_id, Verdict.COMPLETE, message, now, status, send_id)
        message = f"{status.processed:,} of {status.total:,} contacts processed so far."
        return Lookup(transaction_id, Verdict.PROCESSING, message, now, status, send_id)
    if batch is not None:
        age = now - batch.updated_at
        if age < STILL_PROCESSING_FOR:
            return Lookup(
                transaction_id,
                Verdict.NOT_YET,
                f"Acoustic is still processing this send (accepted {_ago(age)}); its status "
                "appears once processing starts.",
                now,
                status,
                send_id,
            )
        return Lookup(
            transaction_id,
            Verdict.NOT_FOUND,
            f"Acoustic has no status for this send, accepted {_ago(age)}. Its status may have "
            "expired, or the send is stuck: check Acoustic's SMS reports.",
            now,
            status,
            send_id,
        )
    return Lookup(
        transaction_id,
        Verdict.NOT_FOUND,
        "Acoustic does not know this transaction id, and this console never received it. Check "
        "the id (and that Settings point to the pod it was sent through).",
        now,
        status,
        None,
    )


def summarize(lookups: Sequence[Lookup]) -> str:
    """One line for the transactions of a many-batch send: how many are in each state, and the
    contacts processed so far."""
    counts: dict[Verdict, int] = {}
    for lookup in lookups:
        counts[lookup.verdict] = counts.get(lookup.verdict, 0) + 1
    states = ", ".join(
        f"{counts[verdict]:,} {verdict.words}" for verdict in Verdict if verdict in counts
    )
    found = [x.status for x in lookups if x.status is not None and x.status.found]
    total = sum(status.total for status in found)
    processed = sum(status.processed for status in found)
    sends = sorted({x.send_id for x in lookups if x.send_id is not None})
    text = f"{len(lookups):,} transactions: {states}."
    if total:
        text += f" {processed:,} of {total:,} contacts processed."
    if sends:
        text += " (" + ", ".join(f"send #{send}" for send in sends) + ")"
    return text


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 5400:
        return f"{int(seconds // 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


@dataclass
class Poller:
    """When to ask again: quickly at first, then every 30 s, never past an hour."""

    started: float = field(default_factory=time.time)
    checks: int = 0

    def next_interval(self) -> float:
        return float(POLL_INTERVALS[min(self.checks, len(POLL_INTERVALS) - 1)])

    def should_continue(self, lookups: Sequence[Lookup], now: float | None = None) -> bool:
        now = time.time() if now is None else now
        if not lookups or all(lookup.settled for lookup in lookups):
            return False
        return now - self.started < POLL_LIMIT


def insight_table(
    journal: Journal,
    lookups: Sequence[Lookup],
    delivered: Callable[[str], Sequence[tuple[str, str]] | None] | None = None,
) -> pd.DataFrame:
    """Every contact of the looked-up transactions: from the journal (with personalization and
    batch) where this console sent them, joined with Acoustic's latest answers. `delivered`
    gives the SMS each phone received where that is known (the sandbox keeps it). "sent by" is
    the send's `created_by`, the identity that sent it."""
    payloads: list[tuple[int, str | None, dict[str, Any]]] = []
    left_out: list[tuple[int, str | None, dict[str, Any]]] = []  # listed as their batch went
    goes_out: dict[int, float] = {}  # held batch -> when it is due
    why: dict[int, str] = {}  # held or left-out batch -> why
    senders: dict[str, str] = {}  # transaction -> who sent it (History's "Who")
    by_send: dict[int, str] = {}
    found = journal.batches_for_transactions([lookup.transaction_id for lookup in lookups])
    for lookup in lookups:
        batch = found.get(lookup.transaction_id)
        if batch is not None:
            sent, left = _parted(journal.batch_payload(batch.id), batch.left_out)
            payloads.append((batch.index + 1, lookup.transaction_id, sent))
            if left is not None:
                left_out.append((batch.index + 1, lookup.transaction_id, left))
            if batch.send_id not in by_send:
                send = journal.get_send(batch.send_id)
                by_send[batch.send_id] = (send.created_by if send else None) or ""
            senders[lookup.transaction_id] = by_send[batch.send_id]
    for send_id in by_send:  # batches without a transaction: held ("scheduled"), or left out
        record = journal.get_send(send_id)
        if record is None or not (record.held or record.batch_states.get(BatchState.LEFT_OUT)):
            continue
        for batch in journal.batches(send_id):
            if batch.state is BatchState.LEFT_OUT:
                left_out.append((batch.index + 1, None, journal.batch_payload(batch.id)))
                if batch.cause is Cause.NO_HOURS:
                    why[batch.index + 1] = NO_HOURS_REASON
            elif record.held and batch.state is BatchState.PLANNED and batch.not_before is not None:
                payloads.append((batch.index + 1, None, journal.batch_payload(batch.id)))
                goes_out[batch.index + 1] = batch.not_before
                why[batch.index + 1] = (
                    HELD_FOR_HOURS if _held_for_hours(record, batch) else SCHEDULED_REASON
                )
    contacts = contacts_frame(payloads, left_out, goes_out=goes_out, why=why)
    answers = {
        lookup.transaction_id: [
            {"phoneNumber": c.phone_number, "smsSent": c.sent, "message": c.message}
            for c in lookup.status.contacts
        ]
        for lookup in lookups
        if lookup.status is not None
    }
    texts = None
    if delivered is not None:
        texts = {lookup.transaction_id: delivered(lookup.transaction_id) for lookup in lookups}
    return build_table(contacts, status_frame(answers), texts, senders)


NO_HOURS_REASON = "No allowed hour of theirs within 48 hours when it was due; not sent"


def _held_for_hours(record: SendRecord, batch: BatchRecord) -> bool:
    """Held for the recipients' hours (by the plan, or as it went out), not for a chosen time."""
    return (
        batch.split_from is not None
        or record.schedule == ScheduleKind.WINDOWS
        or record.scheduled_by is None
    )


def _parted(
    payload: dict[str, Any], numbers: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A journaled request body as it went out (without the `numbers` the worker left out), and
    the body of those left out (None: none was)."""
    sent, left = without_listed(payload, set(numbers))
    return sent, ({**payload, "contacts": left} if left else None)


def snapshots_over_time(journal: Journal, transaction_ids: Sequence[str]) -> pd.DataFrame:
    """Processed and total over time, summed across transactions (each one's latest value at
    every moment a snapshot was taken)."""
    found = journal.batches_for_transactions(transaction_ids)
    # The journal knows a send's size before Acoustic reports it.
    sizes = {i: found[i].contacts if i in found else 0 for i in transaction_ids}
    rows = [
        (taken_at, transaction_id, processed, max(total, sizes[transaction_id]))
        for transaction_id, taken_at, processed, total in journal.progress(transaction_ids)
    ]
    if not rows:
        return pd.DataFrame(columns=["taken_at", "processed", "total"])
    frame = pd.DataFrame(rows, columns=["taken_at", "transaction", "processed", "total"])
    wide = frame.pivot_table(
        index="taken_at", columns="transaction", values=["processed", "total"], aggfunc="last"
    ).sort_index()
    wide = wide.ffill()
    # Every transaction counts towards the total from the start, even before its first answer.
    totals = wide["total"].reindex(columns=list(sizes)).fillna(value=sizes)
    result = pd.DataFrame(
        {
            "taken_at": pd.to_datetime(wide.index, unit="s"),
            "processed": wide["processed"].fillna(0).sum(axis=1).to_numpy(),
            "total": totals.sum(axis=1).to_numpy(),
        }
    )
    return result

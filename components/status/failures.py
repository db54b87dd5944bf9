"""One explanation of a batch that did not (or not yet) go through: what happened, what to do,
and whether resending it as it is is safe. The progress panel and History both show this one.

It reads only what the journal keeps: the state, the cause and Acoustic's own messages as the
client's typed error carried them, the HTTP status and the transaction id. Batches journaled
before causes and messages were kept get the advice their status allows; no sentence is parsed.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.acoustic.limits import CONCURRENCY_REJECTION_STATUS
from components.core.states import BatchState, Cause, SendState
from components.journal import BatchRecord, SendRecord
from components.message.preflight import hint_for_api_message


@dataclass(frozen=True)
class Explanation:
    what_happened: str
    what_to_do: str
    resend_safe: bool  # resending it as it is cannot deliver twice and is worth doing


RESEND = "Then resend the batch: Acoustic processed none of it."
NEVER_SENT = Explanation(
    "Never sent: the console stopped before this batch's turn.",
    "Resume the send to send it; none of its SMS went out.",
    resend_safe=True,
)
LEFT_OUT = Explanation(
    "Not sent: every recipient of this batch was on the do-not-text list when it went out.",
    "Nothing to do: numbers on the list are never texted.",
    resend_safe=False,
)
NO_TRANSACTION_ID = (
    "Whether it went out is unknown: Acoustic gave no transaction id, so its status cannot be "
    "looked up. Resend it only if its recipients may get the SMS twice."
)


def explain(batch: BatchRecord, *, running: bool = False) -> Explanation | None:
    """None for an accepted batch (Status follows it). `running`: a worker is sending its send
    now, so a planned or in-flight batch is simply waiting for its turn or its answer."""
    if batch.state is BatchState.ACCEPTED:
        return None
    if batch.state is BatchState.PLANNED:
        if running:
            return Explanation("Waiting for its turn to be sent.", "Nothing yet.", False)
        return NEVER_SENT
    if batch.state is BatchState.LEFT_OUT:
        return LEFT_OUT
    if batch.state is BatchState.IN_FLIGHT and running:
        return Explanation("Being sent now.", "Wait for Acoustic's answer.", False)
    if batch.state is BatchState.REJECTED:
        what_to_do, safe = _for_rejected(batch)
        return Explanation(batch.error or "Acoustic refused this batch.", what_to_do, safe)
    # unknown, or in flight with nothing sending it (the console stopped a moment ago)
    happened = batch.error or "The console got no answer for this batch."
    if batch.transaction_id:
        return Explanation(
            happened,
            "Check its status before resending: Acoustic may have processed it, and resending "
            "could deliver the SMS twice.",
            resend_safe=False,
        )
    return Explanation(happened, NO_TRANSACTION_ID, resend_safe=False)


def _for_rejected(batch: BatchRecord) -> tuple[str, bool]:
    hints = [hint for m in batch.api_messages if (hint := hint_for_api_message(m))]
    if hints:
        return " ".join(dict.fromkeys(hints)) + " " + RESEND, False
    cause, status = batch.cause, batch.status_code
    if cause is Cause.BUSY or status == CONCURRENCY_REJECTION_STATUS:
        return "Acoustic was at its limit of requests at once. Resend the batch; it is safe.", True
    if cause is Cause.UNREACHABLE:
        return "Check the network and the pod in Settings. " + RESEND, True
    if cause is Cause.NO_PLACE:
        return (
            "Check that the console's database is running and reachable (Settings says where "
            "it is). " + RESEND,
            True,
        )
    if cause in (Cause.CREDENTIALS, Cause.FORBIDDEN) or status in (401, 403):
        return (
            "Fix the connection in Settings, or ask your Acoustic administrator. " + RESEND,
            False,
        )
    if cause is Cause.UNWRITABLE:
        return (
            "Report this fault of the console; resending the batch fails the same way.",
            False,
        )
    if status == 400:
        return "Fix what Acoustic's message names. " + RESEND, False
    return "Acoustic processed none of this batch; it can be resent safely.", True


def interruption(record: SendRecord, *, running: bool) -> str | None:
    """What is true of a send the console stopped in the middle of, with what to do; None for a
    send that is running or ran to its end."""
    if record.state(running=running) is not SendState.INTERRUPTED:
        return None
    counts = record.batch_states
    planned = counts.get(BatchState.PLANNED, 0)
    unknown = counts.get(BatchState.UNKNOWN, 0) + counts.get(BatchState.IN_FLIGHT, 0)
    parts = ["The console stopped before this send was done; nothing is sending it now."]
    if planned:
        parts.append(f"{planned:,} batch(es) were never sent: resume the send to send them.")
    if unknown:
        parts.append(
            f"For {unknown:,} batch(es) whether they went out is unknown: see What to do in "
            "their rows before resending them."
        )
    return " ".join(parts)

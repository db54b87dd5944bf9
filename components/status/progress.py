"""What a page shows about a send while and after it runs, read from the journal alone."""

from __future__ import annotations

from dataclasses import dataclass

from components.core.states import BatchState
from components.journal import Journal
from components.status.failures import Explanation, explain


@dataclass(frozen=True)
class Failure:
    batch: int  # counted from 1, as the pages show it
    state: BatchState
    contacts: int
    explanation: Explanation


@dataclass(frozen=True)
class Progress:
    batches: int
    done: int
    accepted_recipients: int
    rejected_recipients: int
    unknown_recipients: int
    transaction_ids: list[str]
    failures: list[Failure]
    left_out_recipients: int = 0  # on the do-not-text list as their batches went out: not sent


def send_progress(journal: Journal, send_id: int, *, running: bool = False) -> Progress:
    """What a page shows about a send, read from the journal; `running` is the worker's word."""
    batches = journal.batches(send_id)
    failures = [
        Failure(batch.index + 1, batch.state, batch.contacts, explanation)
        for batch in batches
        if batch.state in (BatchState.REJECTED, BatchState.UNKNOWN)
        and (explanation := explain(batch, running=running)) is not None
    ]
    by_state: dict[BatchState, int] = {}
    for batch in batches:  # the recipients its request had: without those left out
        by_state[batch.state] = by_state.get(batch.state, 0) + batch.contacts - len(batch.left_out)
    return Progress(
        batches=len(batches),
        done=sum(1 for b in batches if b.state.final),
        accepted_recipients=by_state.get(BatchState.ACCEPTED, 0),
        rejected_recipients=by_state.get(BatchState.REJECTED, 0),
        unknown_recipients=by_state.get(BatchState.UNKNOWN, 0),
        transaction_ids=[b.transaction_id for b in batches if b.transaction_id],
        failures=failures,
        left_out_recipients=sum(len(b.left_out) for b in batches),
    )

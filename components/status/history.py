"""The History page's tables, computed from the journal without Streamlit."""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import UTC, tzinfo
from typing import Any

import pandas as pd

from components.core.shares import share_text
from components.core.states import ContactState
from components.core.times import shown_time
from components.journal import BatchRecord, SendRecord
from components.status.failures import explain

EXCERPT = 60


def excerpt(text: str, size: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


def sends_table(
    sends: list[SendRecord],
    running: Container[int] = (),
    zone: tzinfo = UTC,
    outcomes: Mapping[int, Mapping[ContactState, int]] | None = None,
) -> pd.DataFrame:
    """One row a send; `running`: the ids the worker is sending now; times in `zone`, the
    reader's; `outcomes`: each send's recipients by outcome, as the console followed them."""
    outcomes = outcomes or {}
    rows = []
    for send in sends:
        states = send.batch_states
        rows.append(
            {
                "Send": send.id,
                "When": shown_time(send.created_at, zone),
                "Mode": send.mode,
                "Kind": send.kind,
                "Program": send.program,
                "Template": send.template_label or "",
                "Message": excerpt(send.content),
                "Recipients": send.recipients,
                "Batches": ", ".join(f"{n} {state}" for state, n in sorted(states.items())),
                "State": str(send.state(running=send.id in running)),
                "Next start": shown_time(send.next_start, zone)
                if send.held and send.next_start is not None
                else "",
                "Who": send.created_by or "",
                "Outcomes": outcome_words(outcomes.get(send.id)),
            }
        )
    columns = [
        "Send",
        "When",
        "State",
        "Next start",
        "Mode",
        "Program",
        "Message",
        "Recipients",
        "Batches",
        "Outcomes",
        "Template",
        "Kind",
        "Who",
    ]
    return pd.DataFrame(rows, columns=columns)


def outcome_words(counts: Mapping[ContactState, int] | None) -> str:
    """ "2 sent · 1 failed · 0 pending (67% success)"; blank before the console knows any."""
    if not counts:
        return ""
    sent = counts.get(ContactState.SENT, 0)
    failed = counts.get(ContactState.FAILED, 0)
    pending = counts.get(ContactState.PENDING, 0)
    words = f"{sent:,} sent · {failed:,} failed · {pending:,} pending"
    known = sent + failed
    return words + (f" ({share_text(sent, known)} success)" if known else "")


def batches_table(batches: list[BatchRecord], *, running: bool = False) -> pd.DataFrame:
    """One row a batch of a send, with the explanation the progress panel gives too."""
    rows = []
    for batch in batches:
        explanation = explain(batch, running=running)
        rows.append(
            {
                "Batch": batch.index + 1,
                "State": str(batch.state),
                "Contacts": batch.contacts,
                "Left out": len(batch.left_out),  # on the do-not-text list as it went out
                "Transaction id": batch.transaction_id or "",
                "HTTP": batch.status_code,
                "What happened": explanation.what_happened if explanation else "",
                "What to do": explanation.what_to_do if explanation else "",
                "Safe to resend": explanation.resend_safe if explanation else None,
                "Attempts": batch.attempts,
            }
        )
    return pd.DataFrame(rows)


def send_options_line(payload: Mapping[str, Any]) -> str:
    """The optional fields a send's batches carried (the same in every batch), or ""."""
    parts = []
    if payload.get("campaignName"):
        parts.append(f"campaign {payload['campaignName']}")
    if payload.get("ttlInMinutes") is not None:
        parts.append(f"expires after {payload['ttlInMinutes']} min")
    return " · ".join(parts)

"""The History page's tables, computed from the journal without Streamlit."""

from __future__ import annotations

import time

import pandas as pd

from components.journal import BatchRecord, SendRecord
from components.sending import BatchResult, hint_for

EXCERPT = 60


def excerpt(text: str, size: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


def sends_table(sends: list[SendRecord]) -> pd.DataFrame:
    rows = []
    for send in sends:
        states = send.batch_states
        rows.append(
            {
                "Send": send.id,
                "When": time.strftime("%Y-%m-%d %H:%M", time.localtime(send.created_at)),
                "Mode": send.mode,
                "Kind": send.kind,
                "Program": send.program,
                "Message": excerpt(send.content),
                "Recipients": send.recipients,
                "Batches": ", ".join(f"{n} {state}" for state, n in sorted(states.items())),
                "State": send.state,
                "Who": send.created_by or "",
            }
        )
    columns = [
        "Send",
        "When",
        "State",
        "Mode",
        "Program",
        "Message",
        "Recipients",
        "Batches",
        "Kind",
        "Who",
    ]
    return pd.DataFrame(rows, columns=columns)


def batches_table(batches: list[BatchRecord]) -> pd.DataFrame:
    rows = []
    for batch in batches:
        hint = ""
        if batch.state in ("rejected", "unknown"):
            hint = hint_for(
                BatchResult(
                    batch.index,
                    batch.state,
                    error=batch.error,  # type: ignore[arg-type]
                    status_code=batch.status_code,
                )
            )
        rows.append(
            {
                "Batch": batch.index + 1,
                "State": batch.state,
                "Contacts": batch.contacts,
                "Transaction id": batch.transaction_id or "",
                "HTTP": batch.status_code,
                "Message": batch.error or "",
                "What to do": hint,
                "Attempts": batch.attempts,
            }
        )
    return pd.DataFrame(rows)

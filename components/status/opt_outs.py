"""The contacts whose failure says they opted out, for the do-not-text list in one click from
Status (the list's rules, who may add and what the audit says, are components/guardrails/
do_not_text.py's)."""

from __future__ import annotations

import pandas as pd

from components.status.insights import FAILED, classify_reason

OPTED_OUT = "opted_out"


def opted_out_contacts(table: pd.DataFrame) -> tuple[list[str], str]:
    """The failed contacts of a Status table whose answer says they opted out, and the reason to
    prefill ("opted out (Acoustic answered ...)", the most common answer)."""
    if table.empty or "message" not in table:
        return [], ""
    failed = table[table["state"] == FAILED]
    messages = failed["message"].fillna("").astype("str")
    opted = failed[[classify_reason(m).key == OPTED_OUT for m in messages]]
    if opted.empty:
        return [], ""
    answer = str(opted["message"].fillna("").astype("str").mode().iloc[0])
    numbers = list(dict.fromkeys(opted["phoneNumber"].astype("str")))
    return numbers, f"opted out (Acoustic answered “{answer}”)"

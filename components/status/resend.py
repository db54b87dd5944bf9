""" "Resend to failed": the failed (and optionally pending) recipients of a send, with their
personalization, as contacts text that Compose reads back, never an automatic resend."""

from __future__ import annotations

import pandas as pd

from components.status.insights import FAILED, PENDING, TABLE_COLUMNS, field_name


def resend_contacts(table: pd.DataFrame, *, include_pending: bool = False) -> str:
    """CSV text: `phone` then the personalization columns, one row per recipient to retry."""
    states = [FAILED, PENDING] if include_pending else [FAILED]
    chosen = table[table["state"].isin(states)]
    fields = [c for c in table.columns if c not in TABLE_COLUMNS]
    out = pd.DataFrame({"phone": "+" + chosen["phoneNumber"].astype("str")})
    for name in fields:
        values = chosen[name].astype("str")
        out[field_name(name)] = values.where(values.notna() & (values != "nan"), "")
    return out.drop_duplicates(subset="phone").to_csv(index=False)

"""What happened to a send, from Acoustic's status answers and the journal.

Acoustic lists only the contacts it has processed, each with `smsSent` and, on failure, a free-text
`message`. The journal knows every contact that was sent (with its personalization and batch), so a
contact missing from the answers is pending. Free-text reasons are grouped into a few categories,
each with a plain cause and what to do.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from components.core.phone_regions import country_of, region_name
from components.core.states import ContactState

SENT, FAILED, PENDING = ContactState.SENT, ContactState.FAILED, ContactState.PENDING
SCHEDULED, LEFT_OUT = ContactState.SCHEDULED, ContactState.LEFT_OUT
# A contact the worker left out of its batch's request (components/guardrails/do_not_text.py): the
# reason column says why, in the console's words (Acoustic never saw it).
LEFT_OUT_REASON = "On the do-not-text list when its batch went out; not sent"
# contacts_frame's rows of contacts left out carry this column (True) into build_table.
LEFT_OUT_MARK = "left out"
GOES_OUT = "goes out"  # when a held recipient's batch is due (Unix time; empty for the others)
WHY = "why"  # why a contact is held or left out, where the batch says
HELD_FOR_HOURS = "Held: outside their allowed hours; goes out when they begin"
SCHEDULED_REASON = "Scheduled: goes out at the time chosen"


@dataclass(frozen=True)
class ReasonCategory:
    key: str
    label: str
    cause: str
    action: str


CATEGORIES: dict[str, ReasonCategory] = {
    category.key: category
    for category in (
        ReasonCategory(
            "invalid_number",
            "Invalid number",
            "The number does not exist or is written wrongly for its country.",
            "Correct the number in the contact source; resending as it is will fail again.",
        ),
        ReasonCategory(
            "opted_out",
            "Opted out",
            "The person unsubscribed from this SMS program (for example by replying STOP).",
            "Do not resend. Remove the number or send through another channel they accepted.",
        ),
        ReasonCategory(
            "blocked",
            "Blocked",
            "A carrier or filter refused the message (spam filtering, blocked sender or content).",
            "Check the content and sender registration with your Acoustic administrator.",
        ),
        ReasonCategory(
            "unreachable",
            "Phone unreachable",
            "The phone was off, out of coverage or cannot receive SMS (e.g. a landline).",
            "Resend later; if it keeps failing, the number may not take SMS.",
        ),
        ReasonCategory(
            "carrier",
            "Carrier or provider error",
            "A temporary problem at the carrier or SMS provider.",
            "Resend to these recipients in a while.",
        ),
        ReasonCategory(
            "unknown",
            "Other",
            "Acoustic gave a reason the console does not recognise.",
            "Read the message; ask Acoustic support if it is unclear.",
        ),
    )
}

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "invalid_number",
        re.compile(
            r"invalid (phone )?number|not a valid|unknown subscriber|"
            r"does not exist|invalid destination",
            re.I,
        ),
    ),
    ("opted_out", re.compile(r"opt(ed)?[- ]?out|unsubscrib|\bstop\b|no consent", re.I)),
    ("blocked", re.compile(r"block|spam|filter|blacklist|denied|reject", re.I)),
    (
        "unreachable",
        re.compile(
            r"unreachable|switched off|absent|handset|not reachable|"
            r"landline|cannot receive",
            re.I,
        ),
    ),
    (
        "carrier",
        re.compile(
            r"carrier|provider|network|smsc|gateway|try again|timeout|"
            r"temporar",
            re.I,
        ),
    ),
)


@lru_cache(maxsize=4096)
def classify_reason(message: str | None) -> ReasonCategory:
    """The category of one of Acoustic's failure messages."""
    text = message or ""
    for key, pattern in _RULES:
        if pattern.search(text):
            return CATEGORIES[key]
    return CATEGORIES["unknown"]


# The table's own columns (and the status answer's, while they are joined). A personalization
# field of the same name ("state" for a US state, "message"...) gets FIELD_SUFFIX instead of
# overwriting them.
TABLE_COLUMNS = (
    "phoneNumber",
    "country",
    "state",
    "reason",
    "message",
    "sms",
    "batch",
    "transaction",
    "sent by",
)
FIELD_SUFFIX = " (field)"
_RESERVED = {*TABLE_COLUMNS, "smsSent", LEFT_OUT_MARK}


def field_column(name: object) -> str:
    """The table column of a personalization field."""
    text = str(name)
    return text + FIELD_SUFFIX if text in _RESERVED else text


def field_name(column: str) -> str:
    """The personalization field behind a table column (the inverse of `field_column`)."""
    base = column.removesuffix(FIELD_SUFFIX)
    return base if column.endswith(FIELD_SUFFIX) and base in _RESERVED else column


def contacts_frame(
    payloads: Iterable[tuple[int, str | None, Mapping[str, Any]]],
    left_out: Iterable[tuple[int, str | None, Mapping[str, Any]]] = (),
    *,
    goes_out: Mapping[int, float] | None = None,
    why: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Every contact that was sent: (batch number, transaction id, payload) -> one row each;
    the contacts in `left_out` (as many, the same way) are marked as left out of their batch's
    request: on the do-not-text list when it went out, unless `why` (by batch number) says
    otherwise. `goes_out` (by batch number) is when a held batch is due."""
    sent = _contacts_frame(payloads)
    left = _contacts_frame(left_out)
    if goes_out:
        sent[GOES_OUT] = sent["batch"].map(goes_out).astype("float")
    if why:
        sent[WHY] = sent["batch"].map(why).fillna("").astype("str")
        left[WHY] = left["batch"].map(why).fillna("").astype("str")
    if not len(left):
        return sent
    return pd.concat(
        [sent.assign(**{LEFT_OUT_MARK: False}), left.assign(**{LEFT_OUT_MARK: True})],
        ignore_index=True,
    )


def _contacts_frame(payloads: Iterable[tuple[int, str | None, Mapping[str, Any]]]) -> pd.DataFrame:
    frames = []
    for batch, transaction_id, payload in payloads:
        contacts = payload.get("contacts") or []
        frame = pd.DataFrame(
            {
                "phoneNumber": [str(c.get("phoneNumber", "")) for c in contacts],
                "batch": batch,
                "transaction": transaction_id or "",
            }
        )
        fields = pd.DataFrame([c.get("personalization") or {} for c in contacts])
        fields.columns = [field_column(name) for name in fields.columns]
        frames.append(pd.concat([frame, fields], axis=1) if len(fields.columns) else frame)
    if not frames:
        return pd.DataFrame(columns=["phoneNumber", "batch", "transaction"])
    return pd.concat(frames, ignore_index=True)


def status_frame(answers: Mapping[str, Sequence[Mapping[str, Any]]]) -> pd.DataFrame:
    """Acoustic's contactStatus lists, per transaction id, as one table."""
    rows: list[tuple[str, str, bool, str]] = []
    for transaction_id, contacts in answers.items():
        for contact in contacts:
            rows.append(
                (
                    transaction_id,
                    str(contact.get("phoneNumber") or contact.get("phone_number") or ""),
                    bool(contact.get("smsSent", contact.get("sent", False))),
                    str(contact.get("message") or ""),
                )
            )
    return pd.DataFrame(rows, columns=["transaction", "phoneNumber", "smsSent", "message"])


def build_table(
    contacts: pd.DataFrame,
    statuses: pd.DataFrame,
    delivered: Mapping[str, Sequence[tuple[str, str]] | None] | None = None,
    senders: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per contact: state, the API's message, its category, country, batch, fields, and
    (where `delivered` knows it, per transaction) the SMS the phone received; with `senders`
    (transaction -> who sent it, as the journal has it) who sent each contact's SMS."""
    merged = contacts.merge(statuses, on=["transaction", "phoneNumber"], how="outer")
    state = pd.Series(PENDING, index=merged.index, dtype="str")
    known = merged["smsSent"].notna()
    sent = merged["smsSent"].astype("boolean").fillna(False).astype(bool)
    state[known & sent] = SENT
    state[known & ~sent] = FAILED
    state[merged["transaction"].fillna("").astype("str") == ""] = SCHEDULED  # a held batch
    if LEFT_OUT_MARK in merged:
        state[merged[LEFT_OUT_MARK].fillna(False).astype(bool)] = LEFT_OUT
    messages = merged["message"].astype("str").fillna("")
    categories = messages.map(lambda m: classify_reason(m).label if m else "")
    categories = categories.where(state == FAILED, "")
    categories[state == LEFT_OUT] = LEFT_OUT_REASON
    if WHY in merged:
        said = merged[WHY].fillna("").astype("str")
        categories = categories.where(~(state.isin([LEFT_OUT, SCHEDULED]) & (said != "")), said)
    countries = merged["phoneNumber"].astype("str").map(country_of)
    names = countries.map(lambda code: region_name(code) if len(code) == 2 else code)
    front = pd.DataFrame(
        {
            "phoneNumber": merged["phoneNumber"].astype("str"),
            "country": names,
            "state": state,
            "reason": categories,
            "message": messages,
            "batch": merged["batch"].astype("Int64") if "batch" in merged else pd.NA,
            "transaction": merged["transaction"].astype("str"),
        }
    )
    if delivered is not None and any(delivered.values()):
        keys = pd.MultiIndex.from_arrays([front["transaction"], front["phoneNumber"]])
        texts = pd.Series(
            {(tx, number): text for tx, pairs in delivered.items() for number, text in pairs or ()}
        )
        front["sms"] = texts.reindex(keys).to_numpy()
    if senders is not None:
        front["sent by"] = front["transaction"].map(defaultdict(str, senders)).astype("str")
    if GOES_OUT in merged:
        front[GOES_OUT] = merged[GOES_OUT].where(state == SCHEDULED)
    own = ("phoneNumber", "batch", "transaction", LEFT_OUT_MARK, GOES_OUT, WHY)
    fields = [c for c in contacts.columns if c not in own]
    for name in fields:
        front[name] = merged[name].astype("str")
    return front


@dataclass(frozen=True)
class Kpis:
    total: int
    processed: int
    sent: int
    failed: int
    pending: int
    scheduled: int = 0
    left_out: int = 0  # on the do-not-text list when their batch went out: never sent

    @property
    def success_rate(self) -> float | None:
        return self.sent / self.processed if self.processed else None


def kpis(table: pd.DataFrame, *, total: int | None = None) -> Kpis:
    counts = table["state"].value_counts()
    sent, failed = int(counts.get(SENT, 0)), int(counts.get(FAILED, 0))
    scheduled, left_out = int(counts.get(SCHEDULED, 0)), int(counts.get(LEFT_OUT, 0))
    overall = max((total or 0) + scheduled + left_out, len(table))  # Acoustic saw neither
    return Kpis(
        total=overall,
        processed=sent + failed,
        sent=sent,
        failed=failed,
        pending=overall - sent - failed - scheduled - left_out,
        scheduled=scheduled,
        left_out=left_out,
    )


def failure_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Failures by category, largest first, with cause, what to do and example messages."""
    failed = table[table["state"] == FAILED]
    columns = ["reason", "recipients", "share", "cause", "what to do", "messages"]
    if failed.empty:
        return pd.DataFrame(columns=columns)
    by_label = {category.label: category for category in CATEGORIES.values()}
    rows = []
    for label, group in failed.groupby("reason", sort=False):
        category = by_label.get(str(label), CATEGORIES["unknown"])
        examples = group["message"].value_counts().head(3).index.tolist()
        rows.append(
            (
                label,
                len(group),
                len(group) / len(failed),
                category.cause,
                category.action,
                " | ".join(examples),
            )
        )
    return pd.DataFrame(rows, columns=columns).sort_values("recipients", ascending=False)

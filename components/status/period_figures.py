"""How the team's sends did over a period, from the outcomes the console follows in the
background (components/status/follow.py): SMS sent, failed and pending, a line per day, and the
failures by reason with what to do (the same categories Status uses), by program, template
and country. A recipient counts in the
period of its send. And one number's story: every SMS this console sent to it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from components.contacts.phone import InvalidPhoneNumber, normalize_phone
from components.core.phone_regions import region_name
from components.core.states import ContactState
from components.journal import Journal
from components.status.insights import classify_reason

STATES = (ContactState.SENT, ContactState.FAILED, ContactState.PENDING)


@dataclass(frozen=True)
class Overview:
    since: datetime
    until: datetime
    sent: int
    failed: int
    pending: int
    by_day: pd.DataFrame  # day (a date in `since`'s zone), sent, failed, pending: every day
    by_reason: pd.DataFrame  # reason, count, cause, what to do: most first
    by_program: pd.DataFrame = field(default_factory=pd.DataFrame)  # program, sent, failed, pending
    by_template: pd.DataFrame = field(default_factory=pd.DataFrame)  # template, sent, failed, ...
    by_country: pd.DataFrame = field(default_factory=pd.DataFrame)  # country (name), code, sent..
    most_failed: pd.DataFrame = field(default_factory=pd.DataFrame)  # send, failed, recipients
    segments: int = 0  # of the sends in the period, as estimated when they were sent
    estimated_cost: float = 0.0

    @property
    def recipients(self) -> int:
        return self.sent + self.failed + self.pending

    @property
    def success_rate(self) -> float | None:
        """Sent of those whose outcome is known; None before any is."""
        known = self.sent + self.failed
        return self.sent / known if known else None


def _aware(at: datetime, name: str) -> float:
    if at.tzinfo is None:
        raise ValueError(f"`{name}` must be a timezone-aware datetime, not {at!r}.")
    return at.timestamp()


def overview(
    journal: Journal,
    *,
    since: datetime,
    until: datetime,
    mode: str | None = None,
    program: str | None = None,
    template: str | None = None,
    sender: str | None = None,
) -> Overview:
    """The figures of the sends made in [since, until), filtered by mode, program, template
    (its name) and sender (who sent it)."""
    start, end = _aware(since, "since"), _aware(until, "until")
    filters = {"mode": mode, "program": program, "template": template, "sender": sender}
    zone = since.tzinfo
    totals: Counter[str] = Counter()
    days: dict[date, Counter[str]] = defaultdict(Counter)
    for hour, state, count in journal.outcome_counts(start, end, group_by="hour", **filters):
        totals[state] += count
        days[datetime.fromtimestamp(float(hour), zone).date()][state] += count
    first = since.date()
    last = (until - timedelta(microseconds=1)).astimezone(zone).date()
    every_day = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    by_day = pd.DataFrame(
        {
            "day": every_day,
            **{str(s): [days[d][str(s)] for d in every_day] for s in STATES},
        }
    )
    # The breakdowns in one pass over the hours: each is a sum over the others' values.
    counted = journal.outcome_counts_by(start, end, BREAKDOWNS, **filters)
    reasons: Counter[str] = Counter()
    categories = {}
    for message, state, count in _summed(counted, "message"):
        if state == ContactState.FAILED:
            category = classify_reason(message)
            reasons[category.label] += count
            categories[category.label] = category
    by_reason = pd.DataFrame(
        [
            (label, count, categories[label].cause, categories[label].action)
            for label, count in reasons.most_common()
        ],
        columns=["reason", "count", "cause", "what to do"],
    )
    segments, cost = journal.send_totals(start, end, **filters)
    return Overview(
        since=since,
        until=until,
        sent=totals[ContactState.SENT],
        failed=totals[ContactState.FAILED],
        pending=totals[ContactState.PENDING],
        by_day=by_day,
        by_reason=by_reason,
        by_program=_grouped(_summed(counted, "program"), "program"),
        by_template=_grouped(_summed(counted, "template"), "template"),
        by_country=_grouped(_summed(counted, "country"), "country"),
        most_failed=_most_failed(journal, start, end, filters),
        segments=segments,
        estimated_cost=cost,
    )


BREAKDOWNS = ("message", "program", "template", "country")


def _summed(counted: list[tuple[tuple[Any, ...], str, int]], by: str) -> list[tuple[Any, str, int]]:
    """(value of `by`, state, recipients) from the counts by every breakdown at once."""
    at = BREAKDOWNS.index(by)
    sums: Counter[tuple[Any, str]] = Counter()
    for values, state, count in counted:
        sums[(values[at], state)] += count
    return [(value, state, count) for (value, state), count in sums.items()]


def _grouped(counts_by: list[tuple[Any, str, int]], by: str) -> pd.DataFrame:
    """Recipients by outcome per program (or template, or country: its name), most failed
    first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for group, state, count in counts_by:
        counts["(none)" if group is None else str(group)][state] += count
    rows = [(name, *(c[str(s)] for s in STATES)) for name, c in counts.items()]
    frame = pd.DataFrame(rows, columns=[by, *(str(s) for s in STATES)])
    if by == "country":  # its name to read, its code to filter History by
        frame.insert(1, "code", frame["country"])
        frame["country"] = [
            region_name(c) if len(c) == 2 else c or "Unknown" for c in frame["code"]
        ]
    return frame.sort_values(["failed", "sent"], ascending=False, ignore_index=True)


def _most_failed(
    journal: Journal, start: float, end: float, filters: dict[str, str | None], top: int = 10
) -> pd.DataFrame:
    """The sends with the most failures, with their recipients."""
    rows = journal.most_failed_sends(start, end, top=top, **filters)
    return pd.DataFrame(rows, columns=["send", "failed", "recipients"])


@dataclass(frozen=True)
class StoryEntry:
    """One SMS this console sent to a number."""

    send_id: int
    sent_at: datetime
    sent_by: str | None
    mode: str
    program: str
    template: str | None
    text: str  # exactly as it was sent to that number: its personalization, the defaults
    outcome: str  # "sent", "failed" or "pending"
    message: str | None  # Acoustic's, for a failure
    reason: str | None  # what the failure means, in the console's words


def number_story(journal: Journal, phone: str, *, region: str = "US") -> list[StoryEntry]:
    """Every SMS this console sent to `phone` (any spelling a person pastes), newest first."""
    try:
        number = normalize_phone(phone, region)
    except InvalidPhoneNumber:
        return []
    entries = []
    records = journal.outcome_records(phone_numbers=[number])
    payloads = journal.batch_payloads([o.batch_id for o in records])
    for outcome in records:
        payload = payloads.get(outcome.batch_id, {})
        failure = outcome.state is ContactState.FAILED
        entries.append(
            StoryEntry(
                send_id=outcome.send_id,
                sent_at=datetime.fromtimestamp(outcome.sent_at, UTC),
                sent_by=outcome.created_by,
                mode=outcome.mode,
                program=outcome.program,
                template=outcome.template_name,
                text=_sent_text(payload, number),
                outcome=str(outcome.state),
                message=outcome.message,
                reason=classify_reason(outcome.message).label if failure else None,
            )
        )
    return entries


def _sent_text(payload: dict, number: str) -> str:
    """The SMS the request asked Acoustic to send to `number`: its content with that contact's
    personalization, else the request's defaults (the tag left as written otherwise)."""
    contact = next(
        (c for c in payload.get("contacts", []) if str(c.get("phoneNumber")) == number), {}
    )
    values = {
        **(payload.get("personalizationDefaults") or {}),
        **(contact.get("personalization") or {}),
    }
    text = str(payload.get("content", ""))
    for spelling, value in values.items():
        text = text.replace(f"%%{spelling}%%", str(value))
    return text

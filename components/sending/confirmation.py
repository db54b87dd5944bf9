"""What a sender confirms before a send, kept whole so that an approver sees exactly the same:
where it goes, the program, how many recipients, requests and segments, the cost, the first SMS,
when it starts, what happens to recipients outside their hours, the preflight warnings and the
earlier-failure warning. One value serves the sender's dialog, the journal's request for approval
and the approver's page; times are kept as instants and shown in each reader's own zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import tzinfo
from typing import Any

from components.core.states import HoursChoice
from components.core.times import shown_time

SANDBOX_TARGET = "Sandbox (nothing reaches a phone)"
LEFT_OUT_FACT = "Left out (on the do-not-text list)"
HOURS_FACT = "Outside their allowed hours"


@dataclass(frozen=True)
class HoursFacts:
    """What the plan does with the recipients outside their allowed hours when it starts."""

    outside: int
    choice: str  # a HoursChoice
    held: int = 0  # recipients whose batch waits for their hours
    until: float | None = None  # when the last of them goes out
    not_sent: int = 0  # whose hours do not begin within 48 hours: left out
    reason: str = ""  # why it goes to them anyway

    def words(self, zone: tzinfo) -> str:
        choice = HoursChoice(self.choice)
        if choice is HoursChoice.ANYWAY:
            return f"{self.outside:,}: sent anyway, because “{self.reason}”"
        until = f" (the last on {shown_time(self.until, zone)})" if self.until else ""
        if choice is HoursChoice.HOLD_ALL:
            return f"{self.outside:,}: everything waits until all are inside their hours{until}"
        left = f"; {self.not_sent:,} left out (no allowed hour within 48 hours)"
        return f"{self.outside:,}: each waits until their hours begin{until}" + (
            left if self.not_sent else ""
        )


TEMPLATE_FACT = "Template"
APPROVAL_FACT = "Approval"
LANGUAGES_FACT = "Languages"


@dataclass(frozen=True)
class Confirmation:
    live: bool
    target: str
    program: str
    recipients: int
    batches: int
    segments: int
    estimated_cost: float
    sample_number: str  # the first recipient, in the API's form (digits)
    sample_text: str  # their SMS exactly as it is sent
    kind: str = "bulk"
    warnings: tuple[str, ...] = ()  # preflight warnings (what, then the fix)
    earlier_failures: int = 0  # recipients whose SMS failed in an earlier send
    approval_reasons: tuple[str, ...] = field(default=())  # why it needs approval, if it does
    starts_at: float | str | None = None  # when it starts (a str: as an older console wrote it)
    left_out: int = 0  # recipients left out because they are on the do-not-text list
    hours: HoursFacts | None = None  # recipients outside their hours, and what happens to them
    template: str = ""  # "One-time code v3 (approved)", or "changed from One-time code v3"
    languages: str = ""  # recipients per language of a template with several
    preapproved: str = ""  # the rule that let it go without a second person, in words

    def facts(self, zone: tzinfo) -> list[tuple[str, str]]:
        """The table the dialog and the approver show, times in the reader's `zone`."""
        left_out = [(LEFT_OUT_FACT, f"{self.left_out:,}")] if self.left_out else []
        hours = [(HOURS_FACT, self.hours.words(zone))] if self.hours else []
        template = [(TEMPLATE_FACT, self.template)] if self.template else []
        template += [(LANGUAGES_FACT, self.languages)] if self.languages else []
        approval = [(APPROVAL_FACT, self.preapproved)] if self.preapproved else []
        return [
            ("Sends to", self.target),
            ("SMS program", self.program),
            ("Recipients", f"{self.recipients:,}"),
            *left_out,
            ("Requests (batches of up to 1000)", f"{self.batches:,}"),
            ("Segments in total", f"{self.segments:,}"),
            ("Estimated cost", f"${self.estimated_cost:,.2f}"),
            ("Starts", self._start(zone)),
            *hours,
            *template,
            *approval,
        ]

    def _start(self, zone: tzinfo) -> str:
        if self.starts_at is None:
            return "as soon as it is confirmed"
        if isinstance(self.starts_at, str):
            return self.starts_at
        return shown_time(self.starts_at, zone)

    @property
    def earlier_failures_warning(self) -> str | None:
        if not self.earlier_failures:
            return None
        return (
            f"{self.earlier_failures:,} recipient(s) failed in an earlier send. They are kept; "
            "check the reasons before sending to them again."
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Confirmation | None:
        """None for a request journaled without one (it can still be decided on its facts)."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for name in ("warnings", "approval_reasons"):
            values[name] = tuple(values.get(name) or ())
        hours = values.get("hours")
        try:
            values["hours"] = HoursFacts(**hours) if isinstance(hours, Mapping) else None
            return cls(**values)
        except TypeError:
            return None


def target_of(*, live: bool, label: str, base_url: str | None) -> str:
    return f"{label} — {base_url}" if live else SANDBOX_TARGET

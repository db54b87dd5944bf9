"""What a sender confirms before a send, kept whole so that an approver sees exactly the same:
where it goes, the program, how many recipients, requests and segments, the cost, the first SMS,
the preflight warnings and the earlier-failure warning. One value serves the sender's dialog,
the journal's request for approval and the approver's page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

SANDBOX_TARGET = "Sandbox (nothing reaches a phone)"
LEFT_OUT_FACT = "Left out (on the do-not-text list)"


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
    starts_at: str | None = None  # when a scheduled send starts, as its sender read it
    left_out: int = 0  # recipients left out because they are on the do-not-text list

    def facts(self) -> list[tuple[str, str]]:
        left_out = [(LEFT_OUT_FACT, f"{self.left_out:,}")] if self.left_out else []
        return [
            ("Sends to", self.target),
            ("SMS program", self.program),
            ("Recipients", f"{self.recipients:,}"),
            *left_out,
            ("Requests (batches of up to 1000)", f"{self.batches:,}"),
            ("Segments in total", f"{self.segments:,}"),
            ("Estimated cost", f"${self.estimated_cost:,.2f}"),
            ("Starts", self.starts_at or "as soon as it is confirmed"),
        ]

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
        try:
            return cls(**values)
        except TypeError:
            return None


def target_of(*, live: bool, label: str, base_url: str | None) -> str:
    return f"{label} — {base_url}" if live else SANDBOX_TARGET

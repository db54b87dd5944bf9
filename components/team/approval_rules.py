"""Which sends need a second person's approval (maker/checker), from `[console.approval]`.

The defaults are the ones a company wants without writing anything: every send to a live pod
needs approval, sandbox sends never do, a test send (one SMS to the sender's own phone) does not.
Thresholds add sends above a number of recipients or an estimated cost. Approval only exists with
sign-in: in local mode one person holds every role and nobody else could approve.

    [console.approval]
    live = true              # every send to a live pod
    above_recipients = 5000  # also any send to more recipients than this (0: off)
    above_cost = 250.0       # also any send whose estimated cost is above this, in USD (0: off)
    sandbox = false          # the thresholds apply to sandbox sends too
    tests = false            # test sends follow the same rule
    expires_after_hours = 24 # a request nobody decided on in time expires
    approved_templates_up_to = 500  # a send from an approved template version, unchanged, to
                                    # at most this many recipients needs nobody (0: off)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from components.core.states import SendKind, is_live

DEFAULT_EXPIRY_HOURS = 24.0
SOURCE = "[console.approval] in secrets.toml"


@dataclass(frozen=True)
class ApprovalRule:
    """`problems` name each bad key and what to write; a bad key keeps its default."""

    enabled: bool = True  # False in local mode: one person, nobody to approve
    live: bool = True
    above_recipients: int = 0
    above_cost: float = 0.0
    sandbox: bool = False
    tests: bool = False
    expires_after_hours: float = DEFAULT_EXPIRY_HOURS
    approved_templates_up_to: int = 0
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def expires_after_seconds(self) -> float:
        return self.expires_after_hours * 3600

    def reasons(
        self,
        *,
        kind: str,
        mode: str,
        recipients: int,
        estimated_cost: float | None,
        approved_template: bool = False,
    ) -> list[str]:
        """Why a send needs approval, in words the confirmation shows; empty when it does not.
        `approved_template`: the send is an approved template version, unchanged."""
        if not self.enabled or (kind == SendKind.TEST and not self.tests):
            return []
        if self.preapproves(approved_template=approved_template, recipients=recipients):
            return []
        live = is_live(mode)
        if not live and not self.sandbox:
            return []
        found: list[str] = []
        if live and self.live:
            found.append("every send to a live pod needs approval")
        if self.above_recipients and recipients > self.above_recipients:
            found.append(f"it goes to more than {self.above_recipients:,} recipients")
        if self.above_cost and (estimated_cost or 0.0) > self.above_cost:
            found.append(f"its estimated cost is above ${self.above_cost:,.2f}")
        return found

    def preapproves(self, *, approved_template: bool, recipients: int) -> bool:
        """The rule that lets an approved template version, unchanged, go out without a second
        person, to at most `approved_templates_up_to` recipients."""
        return (
            self.enabled and approved_template and 0 < recipients <= self.approved_templates_up_to
        )

    def describe(self) -> list[str]:
        """The rule in sentences, for Settings."""
        if not self.enabled:
            return [
                "Local mode: nobody else can approve, so no send needs approval. Configure "
                "sign-in (`[auth]`) to require a second person."
            ]
        lines = []
        if self.live:
            lines.append("Every send to a live pod needs another person's approval.")
        if self.above_recipients:
            lines.append(f"So does any send to more than {self.above_recipients:,} recipients.")
        if self.above_cost:
            lines.append(f"So does any send whose estimated cost is above ${self.above_cost:,.2f}.")
        if not lines:
            lines.append("No send needs approval.")
        if self.approved_templates_up_to:
            lines.append(
                "A send from an approved template version, unchanged, to at most "
                f"{self.approved_templates_up_to:,} recipients needs no second person."
            )
        lines.append(
            "The thresholds apply to sandbox sends too."
            if self.sandbox
            else "Sandbox sends never need approval."
        )
        lines.append(
            "Test sends follow the same rule." if self.tests else "Test sends need no approval."
        )
        lines.append(
            f"A request nobody approves or rejects within {self.expires_after_hours:g} hour(s) "
            "expires."
        )
        return lines


LOCAL_MODE = ApprovalRule(enabled=False)


def parse_approval_rule(section: object) -> ApprovalRule:
    """`[console.approval]` -> ApprovalRule (missing: the defaults). Never raises."""
    if section is None:
        return ApprovalRule()
    if not isinstance(section, Mapping):
        return ApprovalRule(
            problems=(
                "`console.approval` must be a table: `[console.approval]` followed by lines such "
                "as `above_recipients = 5000`. The defaults apply.",
            )
        )
    problems: list[str] = []
    values: dict[str, object] = {}
    for key, value in section.items():
        kind = _KEYS.get(str(key))
        if kind is None:
            known = ", ".join(_KEYS)
            problems.append(f"`{key}` in {SOURCE} is not a setting of approval; use {known}.")
            continue
        parsed = kind(value)
        if parsed is None:
            default = getattr(ApprovalRule(), str(key))
            problems.append(
                f"`{key} = {value!r}` in {SOURCE} is not {_WANTED[kind]}; the console uses "
                f"{default!r}. Write for example `{key} = {_EXAMPLES[str(key)]}`."
            )
            continue
        values[str(key)] = parsed
    return ApprovalRule(**values, problems=tuple(problems))  # type: ignore[arg-type]


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _amount(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def _hours(value: object) -> float | None:
    amount = _amount(value)
    return amount if amount else None  # zero hours would expire every request at once


_KEYS = {
    "live": _flag,
    "above_recipients": _count,
    "above_cost": _amount,
    "sandbox": _flag,
    "tests": _flag,
    "expires_after_hours": _hours,
    "approved_templates_up_to": _count,
}
_WANTED = {
    _flag: "true or false",
    _count: "a whole number of at least 0",
    _amount: "a number of at least 0",
    _hours: "a number of hours above 0",
}
_EXAMPLES = {
    "live": "true",
    "above_recipients": "5000",
    "above_cost": "250.0",
    "sandbox": "false",
    "tests": "false",
    "expires_after_hours": "24",
    "approved_templates_up_to": "500",
}

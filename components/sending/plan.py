"""The planner: what a send will do, decided once and without Streamlit.

`plan_send` turns the recipients, the draft, who acts, the guardrails in force and the choices
made into a `SendPlan`: the batches and their request bodies, who is left out and why, who is held
and until when, whether it needs approval and why, what it costs, and what is still to be chosen
before it can be confirmed. Compose's dialog, the test send, History's way back into Compose and
the approver's page all show a plan; `submit_send` journals one. Nothing a widget decides changes a
send: the widgets ask the choices (`SendChoices`) and show the plan.

The worker checks again, batch by batch, whatever a batch must obey as it goes out (roles,
approval, the do-not-text list, the recipients' hours): batches go out later too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from components.core.states import HoursChoice, IssueLevel, ScheduleKind, SendKind, is_live
from components.core.unicode_text import has_words
from components.guardrails.do_not_text import listed_mask
from components.guardrails.quiet_hours_bulk import WindowSummary, outside_window
from components.guardrails.quiet_hours_plan import common_opening, each_when_open
from components.guardrails.quiet_hours_settings import QuietHours
from components.message.draft import CONTENT_COLUMN, Draft, Summary, payloads_for, summarize
from components.sending.confirmation import Confirmation, HoursFacts, target_of
from components.sending.from_template import preapproval_words, template_words
from components.sending.schedules import Schedule, check_start
from components.team.approval_rules import ApprovalRule
from components.team.auth import Identity
from components.templates import LanguageChoice, TemplateVersion, recipient_languages, unchanged

MAX_REASON = 300


@dataclass(frozen=True)
class Guardrails:
    """The rules in force when the plan is made: the numbers on the do-not-text list, the allowed
    hours and the approval rule (each read from the journal or the configuration by the caller)."""

    listed: AbstractSet[str] = frozenset()
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    approval_rule: ApprovalRule = field(default_factory=ApprovalRule)


@dataclass(frozen=True)
class Destination:
    """Where the requests go: the connection's mode, its label and its address."""

    mode: str
    label: str
    base_url: str

    @property
    def live(self) -> bool:
        return is_live(self.mode)


@dataclass(frozen=True)
class SendChoices:
    """What the person chose: when (None: now), what to do with recipients outside their hours,
    and why it cannot wait when they chose to send anyway; `repeat_of`, the earlier identical
    send they confirmed to repeat."""

    starts_at: datetime | None = None
    hours: HoursChoice = HoursChoice.EACH_WHEN_OPEN
    hours_reason: str = ""
    repeat_of: int | None = None
    language_column: str | None = None  # a template's language per contact, from this column


@dataclass(frozen=True)
class HoursQuestion:
    """Recipients outside their allowed hours when the send starts: the question the
    confirmation asks, with what each answer would do."""

    outside: int
    total: int
    start: time
    end: time
    at: datetime
    opening: datetime | None  # when all of them are inside at once (within 48 hours)
    never_opens: int  # whose hours do not begin within 48 hours

    @property
    def options(self) -> tuple[HoursChoice, ...]:
        """Holding everything is offered only when there is a moment for everyone."""
        if self.opening is None:
            return (HoursChoice.EACH_WHEN_OPEN, HoursChoice.ANYWAY)
        return (HoursChoice.EACH_WHEN_OPEN, HoursChoice.HOLD_ALL, HoursChoice.ANYWAY)


@dataclass(frozen=True)
class PlannedBatch:
    payload: dict[str, Any]
    not_before: float | None  # None: as soon as the send starts

    @property
    def recipients(self) -> int:
        return len(self.payload.get("contacts", []))


@dataclass(frozen=True)
class SendPlan:
    """Everything a send will do, and everything its confirmation shows."""

    kind: SendKind
    destination: Destination
    actor: Identity
    draft: Draft
    batches: tuple[PlannedBatch, ...]
    choices: SendChoices
    listed: tuple[str, ...] = ()  # left out: on the do-not-text list
    no_hours: tuple[str, ...] = ()  # left out: their hours do not begin within 48 hours
    segments: int = 0
    estimated_cost: float = 0.0
    warnings: tuple[str, ...] = ()
    blocking: tuple[str, ...] = ()  # why it cannot be sent at all
    needs: tuple[str, ...] = ()  # what is still to be chosen before it can be confirmed
    hours: HoursQuestion | None = None
    approval_reasons: tuple[str, ...] = ()
    earlier_failures: int = 0
    first_number: str = ""
    first_text: str = ""
    template: TemplateVersion | None = None  # the version it sends, unchanged
    changed_from: TemplateVersion | None = None  # the version it started from, then changed
    preapproved: bool = False  # no second person: an approved template version, unchanged
    languages: LanguageChoice | None = None  # each recipient's language, for a template's variants

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [batch.payload for batch in self.batches]

    @property
    def recipients(self) -> int:
        return sum(batch.recipients for batch in self.batches)

    @property
    def confirmable(self) -> bool:
        return bool(self.batches) and not self.blocking and not self.needs

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)

    @property
    def hours_choice(self) -> HoursChoice | None:
        """The choice that applies to this send's recipients' hours (None: nobody was outside
        when it was planned, and the worker holds whoever is outside as their batch goes out)."""
        return self.choices.hours if self.hours is not None else None

    @cached_property
    def schedule(self) -> Schedule | None:
        """When each batch may go out (None when all go at once, now): "at" one instant, or
        "windows" when batches have times of their own (recipients waiting for their hours)."""
        times = tuple(batch.not_before for batch in self.batches)
        if all(t is None for t in times):
            return None
        kind = ScheduleKind.AT if len(set(times)) == 1 else ScheduleKind.WINDOWS
        return Schedule(kind, times)

    @property
    def held(self) -> int:
        """Recipients whose batch waits for a later time than the start."""
        start = self.choices.starts_at.timestamp() if self.choices.starts_at else None
        return sum(b.recipients for b in self.batches if b.not_before not in (None, start))

    @property
    def starts_at(self) -> float | None:
        return self.schedule.starts_at if self.schedule else None

    def confirmation(self) -> Confirmation:
        """The facts the sender confirms and the approver sees (the same value for both)."""
        return Confirmation(
            live=self.destination.live,
            target=target_of(
                live=self.destination.live,
                label=self.destination.label,
                base_url=self.destination.base_url,
            ),
            program=self.draft.program.strip(),
            recipients=self.recipients,
            batches=len(self.batches),
            segments=self.segments,
            estimated_cost=self.estimated_cost,
            sample_number=self.first_number,
            sample_text=self.first_text,
            kind=str(self.kind),
            warnings=self.warnings,
            earlier_failures=self.earlier_failures,
            approval_reasons=self.approval_reasons,
            starts_at=self.starts_at,
            left_out=len(self.listed),
            hours=self._hours_facts(),
            template=template_words(self.template, self.changed_from),
            languages=self.languages.words(self.template)
            if self.languages is not None and self.template is not None
            else "",
            preapproved=preapproval_words(self.template) if self.preapproved else "",
        )

    def _hours_facts(self) -> HoursFacts | None:
        if self.hours is None:
            return None
        return HoursFacts(
            outside=self.hours.outside,
            choice=str(self.choices.hours),
            held=self.held,
            until=max((b.not_before for b in self.batches if b.not_before), default=None),
            not_sent=len(self.no_hours),
            reason=self.choices.hours_reason.strip(),
        )


def plan_send(
    recipients: pd.DataFrame,
    draft: Draft,
    *,
    actor: Identity,
    destination: Destination,
    guardrails: Guardrails = Guardrails(),
    choices: SendChoices = SendChoices(),
    kind: SendKind = SendKind.BULK,
    price_per_segment: float = 0.0,
    earlier_failures: Mapping[str, object] | None = None,
    summary: Summary | None = None,
    now: datetime | None = None,
    template: TemplateVersion | None = None,
) -> SendPlan:
    """The plan of a send of `draft` to `recipients` (a frame with `phoneNumber` in the API's
    form and a column per field), made by `actor`. `summary`, when given, is Compose's summary
    of the same recipients after the do-not-text list (it is computed per keystroke; the plan
    reuses it). `earlier_failures` maps numbers that failed in an earlier send to anything.
    `template`: the version the draft started from; the send records it only while the draft is
    still that version (`templates.unchanged`)."""
    now = now or datetime.now(UTC)
    kind = SendKind(kind)
    mask = listed_mask(recipients["phoneNumber"], guardrails.listed)
    listed = tuple(recipients["phoneNumber"][mask].astype(str))
    kept = recipients[~mask].reset_index(drop=True) if mask.any() else recipients
    base = SendPlan(kind, destination, actor, draft, (), choices, listed=listed)
    if not len(kept):
        return _nobody(base, recipients)
    kept_template = template if template is not None and unchanged(template, draft) else None
    languages = None
    if kept_template is not None and kept_template.variants:
        languages = recipient_languages(kept, kept_template, column=choices.language_column)
        messages = languages.languages.map(kept_template.message_for)
        kept = kept.assign(**{CONTENT_COLUMN: messages})
        summary = None  # each recipient's own language: rendered and counted again
    if summary is None or len(summary.rendered.texts) != len(kept):
        summary = summarize(kept, draft, price_per_segment)
    blocking = tuple(f"{i.message} {i.fix}" for i in summary.issues if i.level is IssueLevel.ERROR)
    warnings = tuple(
        f"{i.message} {i.fix}" for i in summary.issues if i.level is not IssueLevel.ERROR
    )
    needs: list[str] = []
    start_error = check_start(choices.starts_at, now=now) if choices.starts_at else None
    if start_error:
        needs.append(start_error)
    at = choices.starts_at or now
    start_at = choices.starts_at.timestamp() if choices.starts_at else None
    window_start, window_end = guardrails.quiet_hours.window(draft.program)
    windows = outside_window(kept["phoneNumber"], at, start=window_start, end=window_end)
    batches, included, no_hours, hours = _batches(kept, draft, windows, choices, start_at, needs)
    rows = np.flatnonzero(included)
    segments = int(summary.statistics.segments.iloc[rows].sum()) if len(rows) else 0
    cost = segments * max(price_per_segment, 0.0)
    failed = earlier_failures or {}
    first = _first_row(kept, batches)
    planned = sum(len(b.payload.get("contacts", [])) for b in batches)
    approved_template = kept_template is not None and kept_template.approved
    rule = guardrails.approval_rule
    reasons = rule.reasons(
        kind=str(kind),
        mode=destination.mode,
        recipients=planned,
        estimated_cost=cost,
        approved_template=approved_template,
    )
    preapproved = not reasons and bool(
        rule.reasons(kind=str(kind), mode=destination.mode, recipients=planned, estimated_cost=cost)
    )
    return SendPlan(
        kind=kind,
        destination=destination,
        actor=actor,
        draft=draft,
        batches=tuple(batches),
        choices=choices,
        listed=listed,
        no_hours=tuple(no_hours),
        segments=segments,
        estimated_cost=cost,
        warnings=warnings,
        blocking=blocking or (() if batches else (NOBODY_IN_HOURS,)),
        needs=tuple(needs),
        hours=hours,
        approval_reasons=tuple(reasons),
        earlier_failures=int(kept["phoneNumber"].iloc[rows].isin(failed.keys()).sum())
        if failed
        else 0,
        first_number=str(kept["phoneNumber"].iloc[first]),
        first_text=str(summary.rendered.texts.iloc[first]) if len(summary.rendered.texts) else "",
        template=kept_template,
        changed_from=template if template is not None and kept_template is None else None,
        preapproved=preapproved,
        languages=languages,
    )


NOBODY_IN_HOURS = (
    "Nobody can be sent to this way: no recipient's hours begin within 48 hours. Choose to "
    "send to all of them anyway, with a reason, or check their numbers."
)


def _nobody(base: SendPlan, recipients: pd.DataFrame) -> SendPlan:
    """Everyone on the do-not-text list, or no recipients at all."""
    if not len(recipients):
        why = "There are no recipients: paste or upload contacts first."
    elif base.kind is SendKind.TEST:
        number = recipients["phoneNumber"].iloc[0]
        why = (
            f"+{number} is on the do-not-text list, so no test goes to it and nothing was sent. "
            "Use another test number, or ask an admin to remove it from the list (Do not text)."
        )
    else:
        why = (
            f"All {len(recipients):,} recipients are on the do-not-text list: there is nobody "
            "to send to."
        )
    return SendPlan(
        base.kind,
        base.destination,
        base.actor,
        base.draft,
        (),
        base.choices,
        listed=base.listed,
        blocking=(why,),
    )


def _batches(
    recipients: pd.DataFrame,
    draft: Draft,
    windows: WindowSummary,
    choices: SendChoices,
    start_at: float | None,
    needs: list[str],
) -> tuple[list[PlannedBatch], np.ndarray, list[str], HoursQuestion | None]:
    """The batches as the hours choice makes them, which rows they include, who is left out for
    want of an hour within 48 hours, and the hours question (None: nobody outside)."""
    everyone = np.ones(len(recipients), dtype=bool)
    if not windows.outside:
        return _at(payloads_for(recipients, draft), start_at), everyone, [], None
    question = HoursQuestion(
        outside=windows.outside,
        total=windows.total,
        start=windows.start,
        end=windows.end,
        at=windows.at,
        opening=common_opening(windows),
        never_opens=windows.never_opens,
    )
    choice = choices.hours
    if choice is HoursChoice.HOLD_ALL and question.opening is None:
        choice = HoursChoice.EACH_WHEN_OPEN  # nothing to hold for: the default answer
    if choice is HoursChoice.ANYWAY:
        if not has_words(choices.hours_reason):
            needs.append(
                "The Send button appears once you say why it cannot wait (in a few words: it "
                "is recorded in the audit log)."
            )
        elif len(choices.hours_reason.strip()) > MAX_REASON:
            needs.append(f"Say why in at most {MAX_REASON} characters.")
        return _at(payloads_for(recipients, draft), start_at), everyone, [], question
    if choice is HoursChoice.HOLD_ALL:
        assert question.opening is not None
        opening = question.opening.timestamp()
        batches = [PlannedBatch(p, opening) for p in payloads_for(recipients, draft)]
        return batches, everyone, [], question
    planned = each_when_open(recipients, draft, windows, start_at=start_at)
    included = ~np.isin(np.arange(len(recipients)), planned.left_out_rows)
    no_hours = recipients["phoneNumber"].iloc[planned.left_out_rows].astype(str).tolist()
    batches = [
        PlannedBatch(p, t) for p, t in zip(planned.payloads, planned.not_before, strict=True)
    ]
    return batches, included, no_hours, question


def _first_row(recipients: pd.DataFrame, batches: Sequence[PlannedBatch]) -> int:
    """The row of the first recipient of the first batch: the confirmation's sample is someone
    who goes first."""
    if not batches or not batches[0].payload.get("contacts"):
        return 0
    first = str(batches[0].payload["contacts"][0].get("phoneNumber", ""))
    found = np.flatnonzero(recipients["phoneNumber"].astype(str).to_numpy() == first)
    return int(found[0]) if len(found) else 0


def _at(payloads: Sequence[dict[str, Any]], start_at: float | None) -> list[PlannedBatch]:
    return [PlannedBatch(p, start_at) for p in payloads]

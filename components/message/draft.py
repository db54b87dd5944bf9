"""What the Compose page shows, computed without Streamlit: rendering for every recipient,
statistics, preflight issues, the request bodies and the cost estimate, all from one tag mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from components.acoustic import Program
from components.core.states import IssueLevel
from components.message.mapping import TAG_PATTERN, TagMapping, map_tags
from components.message.payloads import MAX_CONTACTS_PER_SEND, build_payloads
from components.message.preflight import Issue, preflight
from components.message.rendering import (
    MAX_CONTENT_CHARACTERS,
    MessageStatistics,
    RenderResult,
    message_statistics,
    render_all,
)
from components.message.segments import SegmentCount, count_segments

DEFAULT_PRICE_PER_SEGMENT = 0.0079  # USD; a typical US carrier-inclusive rate, editable


@dataclass(frozen=True)
class Draft:
    content: str = ""
    program: str = ""
    source: str = ""
    defaults: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)  # tag -> column, where several fit
    ttl_minutes: int | None = None  # discard an SMS not sent within this time (None: never)
    campaign_name: str = ""

    def mapping(self, recipients: pd.DataFrame) -> TagMapping:
        """The one rule that fills each tag for these recipients (preview and request alike)."""
        return map_tags(self.content, list(recipients.columns), self.defaults, self.columns)

    def used_defaults(self) -> dict[str, str]:
        """Each spelling of a used tag -> its default, as the request carries them."""
        return map_tags(self.content, [], self.defaults).defaults


@dataclass(frozen=True)
class Summary:
    template: SegmentCount
    rendered: RenderResult
    statistics: MessageStatistics
    issues: list[Issue]
    batches: int
    estimated_cost: float
    mapping: TagMapping = field(default_factory=lambda: TagMapping(()))
    truncated: bool = False  # the message is over the limit: only its first part was rendered

    @property
    def blocking(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level is IssueLevel.ERROR]

    @property
    def sendable(self) -> bool:
        return not self.blocking


def renderable_part(content: str) -> str:
    """A message over Acoustic's limit cannot be sent, so only as much of it as could be is
    rendered: rendering stays bounded however long the text (a pasted document, 1,200 tags)."""
    if len(content) <= MAX_CONTENT_CHARACTERS:
        return content
    cut = MAX_CONTENT_CHARACTERS
    for match in TAG_PATTERN.finditer(content):
        if match.start() >= cut:
            break
        if match.end() > cut:  # never leave half a tag
            cut = match.start()
            break
    return content[:cut]


def summarize(
    recipients: pd.DataFrame,
    draft: Draft,
    price_per_segment: float,
    *,
    programs: Sequence[Program] | None = None,
) -> Summary:
    """Everything Compose shows for this draft; `programs` is Acoustic's list when it is known
    (None: not known, so no id can be found missing from it)."""
    shown = renderable_part(draft.content)
    mapping = map_tags(shown, list(recipients.columns), draft.defaults, draft.columns)
    rendered = render_all(shown, recipients, None, mapping=mapping)
    statistics = message_statistics(rendered.texts)
    template = count_segments(draft.content)
    ucs2 = statistics.ucs2_recipients > 0 if len(recipients) else not template.is_gsm
    issues = preflight(
        draft.content,
        draft.program,
        len(recipients),
        coverage=rendered.coverage,
        longest_rendered=statistics.max_characters if len(recipients) else None,
        ucs2=ucs2,
        defaults={s.tag: s.default for s in mapping.sources if s.default is not None},
        ttl_minutes=draft.ttl_minutes,
        programs=programs,
    )
    batches = -(-len(recipients) // MAX_CONTACTS_PER_SEND)
    return Summary(
        template=template,
        rendered=rendered,
        statistics=statistics,
        issues=issues,
        batches=batches,
        estimated_cost=statistics.total_segments * max(price_per_segment, 0.0),
        mapping=mapping,
        truncated=shown != draft.content,
    )


def payloads_for(recipients: pd.DataFrame, draft: Draft) -> list[dict]:
    return build_payloads(
        recipients,
        content=draft.content,
        program=draft.program,
        source=draft.source,
        mapping=draft.mapping(recipients),
        ttl_minutes=draft.ttl_minutes,
        campaign_name=draft.campaign_name,
    )

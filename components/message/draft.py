"""What the Compose page shows, computed without Streamlit: rendering for every recipient,
statistics, preflight issues, the request bodies and the cost estimate, all from one tag mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

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
# A recipient's own message (a template's language variant), as a column of the recipients:
# where present, it replaces the draft's content for that row. A tag cannot contain "%", so no
# tag ever names this column.
CONTENT_COLUMN = "%%content"


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


def _summarize_one(
    recipients: pd.DataFrame,
    draft: Draft,
    price_per_segment: float,
    *,
    programs: Sequence[Program] | None = None,
) -> Summary:
    """The summary of one message for every recipient (see `summarize`)."""
    shown = renderable_part(draft.content)
    mapping = map_tags(shown, list(recipients.columns), draft.defaults, draft.columns)
    rendered = render_all(shown, recipients, None, mapping=mapping)
    statistics = message_statistics(rendered.texts, rendered.facts)
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


def summarize(
    recipients: pd.DataFrame,
    draft: Draft,
    price_per_segment: float,
    *,
    programs: Sequence[Program] | None = None,
) -> Summary:
    """Everything Compose shows for this draft; `programs` is Acoustic's list when it is known
    (None: not known, so no id can be found missing from it). Recipients with a message of
    their own (CONTENT_COLUMN) are rendered, counted and checked with it: one summary over all,
    whose issues are each message's."""
    if CONTENT_COLUMN not in recipients.columns:
        return _summarize_one(recipients, draft, price_per_segment, programs=programs)
    parts = []
    for content, rows in _by_content(recipients, draft):
        group = recipients.loc[rows].drop(columns=[CONTENT_COLUMN])
        parts.append(
            (
                rows,
                _summarize_one(
                    group, replace(draft, content=content), price_per_segment, programs=programs
                ),
            )
        )
    texts = pd.concat([part.rendered.texts.set_axis(rows) for rows, part in parts]).reindex(
        recipients.index
    )
    statistics = message_statistics(texts)
    issues = list({(i.level, i.message): i for _, part in parts for i in part.issues}.values())
    first = parts[0][1]
    return Summary(
        template=count_segments(draft.content),
        rendered=RenderResult(texts=texts, coverage=first.rendered.coverage),
        statistics=statistics,
        issues=issues,
        batches=sum(part.batches for _, part in parts),
        estimated_cost=statistics.total_segments * max(price_per_segment, 0.0),
        mapping=first.mapping,
        truncated=any(part.truncated for _, part in parts),
    )


def _by_content(recipients: pd.DataFrame, draft: Draft) -> list[tuple[str, pd.Index]]:
    """The rows of each message, in the order each first appears (a blank: the draft's)."""
    own = recipients[CONTENT_COLUMN].astype("str").fillna("")
    own = own.where(own.str.strip() != "", draft.content)
    return [(str(content), rows) for content, rows in own.groupby(own, sort=False).groups.items()]


def payloads_for(recipients: pd.DataFrame, draft: Draft) -> list[dict]:
    """The request bodies, in batches of at most 1000; recipients with a message of their own
    (CONTENT_COLUMN) get batches of their own per message: a request carries one content."""
    if CONTENT_COLUMN in recipients.columns:
        return [
            payload
            for content, rows in _by_content(recipients, draft)
            for payload in payloads_for(
                recipients.loc[rows].drop(columns=[CONTENT_COLUMN]), replace(draft, content=content)
            )
        ]
    return build_payloads(
        recipients,
        content=draft.content,
        program=draft.program,
        source=draft.source,
        mapping=draft.mapping(recipients),
        ttl_minutes=draft.ttl_minutes,
        campaign_name=draft.campaign_name,
    )

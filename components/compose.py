"""What the Compose page shows, computed without Streamlit: rendering for every recipient,
statistics, preflight issues, the request bodies and the cost estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from components.message import (
    Issue,
    MessageStatistics,
    RenderResult,
    message_statistics,
    preflight,
    render_all,
    tags,
)
from components.payloads import MAX_CONTACTS_PER_SEND, build_payloads
from components.segments import SegmentCount, count_segments

DEFAULT_PRICE_PER_SEGMENT = 0.0079  # USD; a typical US carrier-inclusive rate, editable


@dataclass(frozen=True)
class Draft:
    content: str = ""
    program: str = ""
    source: str = ""
    defaults: Mapping[str, str] = field(default_factory=dict)

    def used_defaults(self) -> dict[str, str]:
        """Defaults of the tags the message uses, non-empty only."""
        wanted = {t.strip().casefold() for t in tags(self.content)}
        return {k: v for k, v in self.defaults.items() if v and k.strip().casefold() in wanted}


@dataclass(frozen=True)
class Summary:
    template: SegmentCount
    rendered: RenderResult
    statistics: MessageStatistics
    issues: list[Issue]
    batches: int
    estimated_cost: float

    @property
    def blocking(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def sendable(self) -> bool:
        return not self.blocking


def summarize(recipients: pd.DataFrame, draft: Draft, price_per_segment: float) -> Summary:
    rendered = render_all(draft.content, recipients, draft.used_defaults())
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
        defaults=draft.used_defaults(),
    )
    batches = -(-len(recipients) // MAX_CONTACTS_PER_SEND)
    return Summary(
        template=template,
        rendered=rendered,
        statistics=statistics,
        issues=issues,
        batches=batches,
        estimated_cost=statistics.total_segments * max(price_per_segment, 0.0),
    )


def payloads_for(recipients: pd.DataFrame, draft: Draft) -> list[dict]:
    return build_payloads(
        recipients,
        content=draft.content,
        program=draft.program,
        defaults=draft.used_defaults(),
        source=draft.source,
    )

"""The message: every recipient's SMS rendered by the draft's one tag mapping
(`components.message.mapping`), and the length and segment statistics over all of them.

A contact's own value wins, then the default, else the tag stays in the text unresolved (and
preflight says so). Values are inserted verbatim: a value that itself looks like a tag is not
rendered again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from components.message.mapping import (
    PHONE_FIELD,
    TAG_PATTERN,
    TagMapping,
    is_present,
    map_tags,
    tag_key,
    tag_spellings,
    tags,
)
from components.message.segments import (
    GSM_CHARACTERS,
    GSM_EXTENDED,
    PART_SEPTETS,
    PART_UNITS,
    SINGLE_SEPTETS,
    SINGLE_UNITS,
    beyond_length_pattern,
    count_segments,
)

__all__ = [  # tags and tag_spellings live with the mapping; callers know them from here
    "MAX_CONTENT_CHARACTERS",
    "RenderResult",
    "TagCoverage",
    "render",
    "render_all",
    "tag_spellings",
    "tags",
]

MAX_CONTENT_CHARACTERS = 800
ANY_TAG = re.compile(TAG_PATTERN.pattern.replace("(", "(?:", 1))  # the same, without a group


def render_with_report(
    content: str, personalization: Mapping[str, object] | None, defaults: Mapping[str, object]
) -> tuple[str, list[str]]:
    """The rendered text and the tags left unresolved (no value and no default)."""
    own = dict(personalization or {})
    mapping = map_tags(content, list(own), defaults)
    unresolved: list[str] = []

    def replace(match: re.Match[str]) -> str:
        source = mapping.source_of(match.group(1))
        if source is None:  # "%% %%" names no field
            return match.group(0)
        if source.column is not None and is_present(own.get(source.column)):
            return str(own[source.column])
        if source.default is not None:
            return source.default
        if match.group(1) not in unresolved:
            unresolved.append(match.group(1))
        return match.group(0)

    return TAG_PATTERN.sub(replace, content or ""), unresolved


def render(
    content: str, personalization: Mapping[str, object] | None, defaults: Mapping[str, object]
) -> str:
    """One recipient's SMS."""
    return render_with_report(content, personalization, defaults)[0]


@dataclass(frozen=True)
class TagCoverage:
    tag: str
    column: str | None
    own: int
    default: int
    missing: int
    missing_examples: tuple[str, ...] = ()  # a few numbers left without a value, to go and look
    candidates: tuple[str, ...] = ()  # every column with the tag's name (more than one: a choice)
    blank_default: bool = False  # the default typed is only spaces, so it fills nothing
    tagged_values: int = 0  # recipients whose own value contains a %%TAG%%
    tagged_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderResult:
    texts: pd.Series
    coverage: list[TagCoverage]

    @property
    def unresolved(self) -> dict[str, int]:
        """Tag -> recipients for whom it stays unresolved."""
        return {c.tag: c.missing for c in self.coverage if c.missing}


def _examples(recipients: pd.DataFrame, chosen: pd.Series) -> tuple[str, ...]:
    if PHONE_FIELD not in recipients:
        return ()
    numbers = recipients.loc[chosen.to_numpy(), PHONE_FIELD].head(3)
    return tuple(f"+{number}" for number in numbers.astype("str"))


def render_all(
    content: str,
    recipients: pd.DataFrame,
    defaults: Mapping[str, object] | None,
    *,
    mapping: TagMapping | None = None,
) -> RenderResult:
    """Every recipient's SMS at once (vectorized), with per-tag coverage, by the draft's one
    mapping (built here from `defaults` when not given)."""
    content = content or ""
    if mapping is None:
        mapping = map_tags(content, list(recipients.columns), defaults)
    pieces = TAG_PATTERN.split(content)  # literal, tag, literal, tag, ..., literal
    index = recipients.index
    texts = pd.Series(pieces[0], index=index, dtype="str")
    filled: dict[str, pd.Series] = {}  # tag key -> every recipient's value for it
    coverage: list[TagCoverage] = []
    for source in mapping.sources:
        if source.column is not None:
            values = recipients[source.column].astype("str")
            present = values.notna() & (values.str.strip() != "")
            values = values.where(present)
            tagged = present & values.str.contains(ANY_TAG, regex=True).fillna(False)
        else:
            values = pd.Series(pd.NA, index=index, dtype="str")
            present = tagged = pd.Series(False, index=index)
        own = int(present.sum())
        rest = len(index) - own
        has_default = source.default is not None
        filled[tag_key(source.tag)] = values.fillna(source.default) if has_default else values
        coverage.append(
            TagCoverage(
                tag=source.tag,
                column=source.column,
                own=own,
                default=rest if has_default else 0,
                missing=0 if has_default else rest,
                missing_examples=() if has_default else _examples(recipients, ~present),
                candidates=source.candidates,
                blank_default=source.blank_default,
                tagged_values=int(tagged.sum()),
                tagged_examples=_examples(recipients, tagged),
            )
        )
    for position in range(1, len(pieces), 2):
        name, literal = pieces[position], pieces[position + 1]
        values = filled.get(tag_key(name)) if name.strip() else None
        texts = texts + (f"%%{name}%%" if values is None else values.fillna(f"%%{name}%%"))
        texts = texts + literal
    return RenderResult(texts=texts, coverage=coverage)


@dataclass(frozen=True)
class MessageStatistics:
    recipients: int
    min_characters: int
    median_characters: float
    max_characters: int
    min_segments: int
    median_segments: float
    max_segments: int
    total_segments: int
    segments_histogram: dict[int, int] = field(default_factory=dict)
    ucs2_recipients: int = 0
    characters: pd.Series | None = None  # as the 800-character limit counts them
    segments: pd.Series | None = None
    units: pd.Series | None = None  # septets (GSM-7) or UTF-16 units (UCS-2)
    ucs2: pd.Series | None = None


_NON_GSM_PATTERN = "[^" + "".join(re.escape(c) for c in sorted(GSM_CHARACTERS)) + "]"
_EXTENDED_PATTERN = "[" + "".join(re.escape(c) for c in sorted(GSM_EXTENDED)) + "]"


def segments_per_text(texts: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(characters, units, segments, is_ucs2) for every text; vectorized for the common GSM-7 case
    and exact (the reference's rules) for the rest. `characters` are counted as the 800-character
    limit counts them; `units` are what a segment holds: septets (GSM-7) or UTF-16 units."""
    texts = texts.astype("str").fillna("")
    ucs2 = texts.str.contains(_NON_GSM_PATTERN, regex=True)
    characters = texts.str.len().astype("int64")
    septets = characters + texts.str.count(_EXTENDED_PATTERN)
    units = septets.astype("int64")
    segments = pd.Series(1, index=texts.index, dtype="int64")
    multi = ~ucs2 & (septets > SINGLE_SEPTETS)
    segments[multi] = -(-septets[multi] // PART_SEPTETS)
    # UCS-2 with one unit and one grapheme per character (most names with an accent or a
    # non-Latin script) is counted here too; joining or astral characters go to the counter.
    plain_ucs2 = ucs2 & ~texts.str.contains(beyond_length_pattern(), regex=True)
    long_ucs2 = plain_ucs2 & (characters > SINGLE_UNITS)
    segments[long_ucs2] = -(-characters[long_ucs2] // PART_UNITS)
    exact = (multi & (septets > characters)) | (ucs2 & ~plain_ucs2)
    units[plain_ucs2] = characters[plain_ucs2]
    if exact.any():
        counted = {text: count_segments(text) for text in texts[exact].unique()}
        segments[exact] = texts[exact].map(lambda t: counted[t].segments).astype("int64")
        units[exact] = texts[exact].map(lambda t: counted[t].units).astype("int64")
    return characters, units, segments, ucs2


def message_statistics(texts: pd.Series) -> MessageStatistics:
    """Length and segment distribution over all recipients' rendered messages."""
    if len(texts) == 0:
        return MessageStatistics(0, 0, 0, 0, 0, 0, 0, 0)
    characters, units, segments, ucs2 = segments_per_text(texts)
    histogram = {int(k): int(v) for k, v in segments.value_counts().sort_index().items()}
    return MessageStatistics(
        recipients=len(texts),
        min_characters=int(characters.min()),
        median_characters=float(characters.median()),
        max_characters=int(characters.max()),
        min_segments=int(segments.min()),
        median_segments=float(segments.median()),
        max_segments=int(segments.max()),
        total_segments=int(segments.sum()),
        segments_histogram=histogram,
        ucs2_recipients=int(ucs2.sum()),
        characters=characters,
        segments=segments,
        units=units,
        ucs2=ucs2,
    )

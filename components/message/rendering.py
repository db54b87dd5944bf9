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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
    PART_SEPTETS,
    PART_UNITS,
    SINGLE_SEPTETS,
    SINGLE_UNITS,
    count_segments,
)
from components.message.text_facts import EXAMPLES, ColumnFacts, TextFacts, column_facts

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
    # What the segment count needs of each text, composed from the parts (None: measure texts).
    facts: TextFacts | None = field(default=None, compare=False, repr=False)

    @property
    def unresolved(self) -> dict[str, int]:
        """Tag -> recipients for whom it stays unresolved."""
        return {c.tag: c.missing for c in self.coverage if c.missing}


def _examples(recipients: pd.DataFrame, rows: np.ndarray) -> tuple[str, ...]:
    """The numbers of these rows (a few), to go and look."""
    if not len(rows) or PHONE_FIELD not in recipients:
        return ()
    numbers = recipients[PHONE_FIELD].iloc[rows]
    return tuple(f"+{number}" for number in numbers.astype("str"))


def _joined(parts: list[pa.Array | str], index: pd.Index) -> pd.Series:
    """The parts (each recipient's value, or one text for all) end to end, in one pass."""
    if not any(isinstance(part, pa.Array) for part in parts):
        return pd.Series("".join(parts), index=index, dtype="str")  # type: ignore[arg-type]
    text = pa.large_string()
    args = [part if isinstance(part, pa.Array) else pa.scalar(part, text) for part in parts]
    joined = pc.binary_join_element_wise(*args, pa.scalar("", text))
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=index).astype("str")


def render_all(
    content: str,
    recipients: pd.DataFrame,
    defaults: Mapping[str, object] | None,
    *,
    mapping: TagMapping | None = None,
) -> RenderResult:
    """Every recipient's SMS at once (vectorized), with per-tag coverage, by the draft's one
    mapping (built here from `defaults` when not given). Each column is measured once for all
    messages (text_facts), so a keystroke measures only the message's own text."""
    content = content or ""
    if mapping is None:
        mapping = map_tags(content, list(recipients.columns), defaults)
    pieces = TAG_PATTERN.split(content)  # literal, tag, literal, tag, ..., literal
    index = recipients.index
    rows = len(index)
    parts: list[pa.Array | str] = [pieces[0]]
    facts = TextFacts.of_text(pieces[0], rows)
    sources: dict[str, tuple[ColumnFacts | None, str | None]] = {}  # tag key -> column, default
    coverage: list[TagCoverage] = []
    for source in mapping.sources:
        column = column_facts(recipients[source.column]) if source.column is not None else None
        if column is None:  # no column of the tag's name: nobody has a value
            present = tagged = np.zeros(rows, dtype=bool)
            first_missing, first_tagged = np.arange(min(rows, EXAMPLES)), np.arange(0)
        else:
            present, tagged = column.present, column.tagged
            first_missing, first_tagged = column.first_missing, column.first_tagged
        own = int(present.sum())
        rest = rows - own
        has_default = source.default is not None
        sources[tag_key(source.tag)] = (column, source.default)
        coverage.append(
            TagCoverage(
                tag=source.tag,
                column=source.column,
                own=own,
                default=rest if has_default else 0,
                missing=0 if has_default else rest,
                missing_examples=() if has_default else _examples(recipients, first_missing),
                candidates=source.candidates,
                blank_default=source.blank_default,
                tagged_values=int(tagged.sum()),
                tagged_examples=_examples(recipients, first_tagged),
            )
        )
    for position in range(1, len(pieces), 2):
        name, literal = pieces[position], pieces[position + 1]
        written = f"%%{name}%%"  # what stays in the text where nothing fills the tag
        column, default = sources.get(tag_key(name), (None, None)) if name.strip() else (None, None)
        fill = written if default is None else default
        if column is None:
            parts.append(fill)
            facts = facts.plus(TextFacts.of_text(fill, rows))
        else:
            parts.append(pc.fill_null(column.values, pa.scalar(fill, pa.large_string())))
            facts = facts.plus(column.facts.where(column.present, TextFacts.of_text(fill, rows)))
        parts.append(literal)
        facts = facts.plus(TextFacts.of_text(literal, rows))
    return RenderResult(texts=_joined(parts, index), coverage=coverage, facts=facts)


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


def segments_per_text(
    texts: pd.Series, facts: TextFacts | None = None
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(characters, units, segments, is_ucs2) for every text, vectorized; only a long text near a
    part's end goes to the exact counter (the reference's rules). `characters` are counted as the
    800-character limit counts them; `units` are what a segment holds: septets (GSM-7) or UTF-16
    units. `facts`: the texts' facts when known (composed by render_all, whose texts are never
    missing), else they are measured."""
    if facts is None:
        texts = texts.astype("str").fillna("")
        facts = TextFacts.of_texts(texts)
    index = texts.index
    ucs2 = facts.non_gsm
    characters = facts.characters
    # Two septets for an extension character, two UTF-16 units for an astral one (an emoji).
    units = np.where(ucs2, characters + facts.astral, characters + facts.extended)
    # A part never ends inside an escape or surrogate pair, or inside a grapheme: the widest
    # such group, in units (1 when there is none).
    pairs = np.where(ucs2, facts.astral, facts.extended) > 0
    widest = np.where(facts.joining > 0, 2 + 4 * facts.joining, 1 + pairs)
    long = units > np.where(ucs2, SINGLE_UNITS, SINGLE_SEPTETS)
    part = np.where(ucs2, PART_UNITS, PART_SEPTETS)
    segments = np.where(long, _parts_if_known(units, widest, part), 1)
    exact = segments == 0
    if exact.any():
        # Each distinct text counted once (and count_segments keeps its counts).
        for position, text in zip(np.flatnonzero(exact), texts.iloc[exact], strict=True):
            segments[position] = count_segments(text).segments
    return (
        pd.Series(characters, index=index, dtype="int64"),
        pd.Series(units, index=index, dtype="int64"),
        pd.Series(segments, index=index, dtype="int64"),
        pd.Series(ucs2, index=index, dtype=bool),
    )


def _parts_if_known(units: np.ndarray, widest: np.ndarray, part: np.ndarray) -> np.ndarray:
    """The parts of each text longer than one segment where its units alone decide them, else
    0. Parts are filled greedily without splitting a group of up to `widest` units (1 where no
    pair or grapheme can be split; a grapheme is at most 2 units for its base and 4 for each
    joining character: itself, and what a ZWJ joins), so every part but the last holds more
    than `part - widest`: between ceil(units / part) and 1 + (units - 1) // (part + 1 - widest)
    parts, the same when `widest` is 1."""
    fewest = -(-units // part)
    most = 1 + (units - 1) // np.maximum(part + 1 - widest, 1)
    return np.where(fewest == most, fewest, 0)


def message_statistics(texts: pd.Series, facts: TextFacts | None = None) -> MessageStatistics:
    """Length and segment distribution over all recipients' rendered messages (`facts`: theirs,
    when render_all composed them)."""
    if len(texts) == 0:
        return MessageStatistics(0, 0, 0, 0, 0, 0, 0, 0)
    characters, units, segments, ucs2 = segments_per_text(texts, facts)
    counts = np.bincount(segments.to_numpy())
    histogram = {int(k): int(counts[k]) for k in np.flatnonzero(counts)}
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

"""SMS segment counting that agrees with Twilio's open-source message segment calculator.

Carriers bill per segment, and Twilio's calculator (TwilioDevEd/message-segment-calculator) is the
reference their bills follow: GSM-7 when every character is in the GSM 03.38 tables (extension
characters cost two septets), otherwise the whole message is UCS-2 (UTF-16 units); 160 septets or
70 units fit one segment, 153 or 67 each part of a longer message, and an escape pair, a surrogate
pair or any grapheme cluster is never split across parts. Smart replacement of look-alikes (curly
quotes, dashes, ellipsis...) uses the calculator's own table, so a marketer can turn an accidental
UCS-2 message back into GSM-7.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from components.message.lookalikes import SMART_REPLACEMENTS

GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED: frozenset[str] = frozenset("\f^{}\\[~]|€")
GSM_CHARACTERS: frozenset[str] = GSM_BASIC | GSM_EXTENDED

SINGLE_SEPTETS, PART_SEPTETS = 160, 153
SINGLE_UNITS, PART_UNITS = 70, 67

# The character classes, as text for pandas' vectorized `str` methods and compiled for Python's.
NON_GSM_PATTERN = "[^" + "".join(re.escape(c) for c in sorted(GSM_CHARACTERS)) + "]"
EXTENDED_PATTERN = "[" + "".join(re.escape(c) for c in sorted(GSM_EXTENDED)) + "]"
NON_GSM = re.compile(NON_GSM_PATTERN)
EXTENDED = re.compile(EXTENDED_PATTERN)
_GRAPHEME = regex.compile(r"\X")
# Characters that can join a neighbour into one grapheme cluster. Text without any of them has
# one grapheme per code point (CR LF is split anyway), which spares the slow cluster split.
JOINING = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}\p{Grapheme_Cluster_Break=Prepend}"
    r"\p{Grapheme_Cluster_Break=Regional_Indicator}\p{Grapheme_Cluster_Break=L}"
    r"\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}\p{Grapheme_Cluster_Break=LV}"
    r"\p{Grapheme_Cluster_Break=LVT}]"
)
_UTF16_NATIVE = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_ESCAPED = {ord(c): "\x1b" + c for c in GSM_EXTENDED}
# Astral code points: two UTF-16 units each (for pandas' `str.count`, Python's re and RE2 alike).
ASTRAL_PATTERN = "[" + chr(0x10000) + "-" + chr(0x10FFFF) + "]"
ASTRAL = re.compile(ASTRAL_PATTERN)


@cache
def joining_pattern() -> str:
    """A character class (for pandas' vectorized `str.count`, Python's re and RE2 alike) of the
    characters that can join a neighbour into one grapheme cluster, astral ones included. A
    UCS-2 text without any, and without astral characters, has one unit and one grapheme per
    character. Built once per process (about 0.25 s), from `JOINING` over every code point."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    ranges: list[list[int]] = []
    for point in sorted({ord(c) for c in JOINING.findall(every)}):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    spans = "".join(
        re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges
    )
    return "[" + spans + "]"


@dataclass(frozen=True)
class SegmentCount:
    """How an SMS travels. `units` are septets (GSM-7) or UTF-16 units (UCS-2); `characters` is
    what the reference calls characters: septets for GSM-7, graphemes for UCS-2."""

    text: str
    encoding: str
    segments: int
    units: int
    characters: int
    unicode_chars: int
    segment_units: tuple[int, ...]
    non_gsm: tuple[str, ...]

    @property
    def is_gsm(self) -> bool:
        return self.encoding == "GSM-7"

    @property
    def per_segment(self) -> int:
        """Capacity of one segment for this message (what the next part can hold)."""
        if self.segments == 1:
            return SINGLE_SEPTETS if self.is_gsm else SINGLE_UNITS
        return PART_SEPTETS if self.is_gsm else PART_UNITS


def smart_replace(text: str) -> str:
    """Replaces look-alikes by GSM characters, code point by code point (the reference's step 1)."""
    return text.translate(SMART_REPLACEMENTS)


@dataclass(frozen=True)
class SmartFix:
    """What "replace look-alikes" would do to a message."""

    text: str
    changed: bool
    encoding: str
    remaining_non_gsm: tuple[str, ...]


def smart_fix(text: str) -> SmartFix:
    fixed = smart_replace(text)
    counted = count_segments(fixed)
    return SmartFix(fixed, fixed != text, counted.encoding, counted.non_gsm)


def count_segments(text: str, smart: bool = False) -> SegmentCount:
    """Counts like the reference calculator (encoding "auto"); `smart` applies smart replacement
    first. Never raises for any str."""
    if smart:
        text = smart_replace(text)
    return _count(text)


@lru_cache(maxsize=200_000)
def _count(text: str) -> SegmentCount:
    if NON_GSM.search(text) is None:
        return _count_gsm(text)
    return _count_ucs2(text)


def _count_gsm(text: str) -> SegmentCount:
    extended = len(EXTENDED.findall(text))
    septets = len(text) + extended
    if septets <= SINGLE_SEPTETS:
        parts: tuple[int, ...] = (septets,)
    elif extended == 0:
        full, rest = divmod(septets, PART_SEPTETS)
        parts = (PART_SEPTETS,) * full + ((rest,) if rest else ())
    else:
        # One character per septet, ESC before each extension character: a part may not end
        # between an ESC and its character.
        parts = _split_units(text.translate(_ESCAPED), PART_SEPTETS, lambda unit: unit == "\x1b")
    return SegmentCount(
        text=text,
        encoding="GSM-7",
        segments=len(parts),
        units=septets,
        characters=septets,
        unicode_chars=len(text),
        segment_units=parts,
        non_gsm=(),
    )


def _count_ucs2(text: str) -> SegmentCount:
    if JOINING.search(text) is None:
        return _count_ucs2_simple(text)
    graphemes = _graphemes(text)
    costs = [len(g) + sum(1 for c in g if ord(c) > 0xFFFF) for g in graphemes]
    units = sum(costs)
    parts = (units,) if units <= SINGLE_UNITS else _pack(costs, SINGLE_UNITS, PART_UNITS)
    non_gsm = tuple(dict.fromkeys(g for g in graphemes if len(g) != 1 or g not in GSM_CHARACTERS))
    return SegmentCount(
        text=text,
        encoding="UCS-2",
        segments=len(parts),
        units=units,
        characters=len(graphemes),
        unicode_chars=len(text),
        segment_units=parts,
        non_gsm=non_gsm,
    )


def _count_ucs2_simple(text: str) -> SegmentCount:
    """UCS-2 text where every code point is its own grapheme."""
    astral = len(ASTRAL.findall(text))
    units = len(text) + astral
    if units <= SINGLE_UNITS:
        parts: tuple[int, ...] = (units,)
    elif astral == 0:
        full, rest = divmod(units, PART_UNITS)
        parts = (PART_UNITS,) * full + ((rest,) if rest else ())
    else:
        code_units = memoryview(text.encode(_UTF16_NATIVE)).cast("H")
        parts = _split_units(code_units, PART_UNITS, lambda unit: 0xD800 <= unit <= 0xDBFF)
    return SegmentCount(
        text=text,
        encoding="UCS-2",
        segments=len(parts),
        units=units,
        characters=len(text),
        unicode_chars=len(text),
        segment_units=parts,
        non_gsm=tuple(dict.fromkeys(NON_GSM.findall(text))),
    )


def _graphemes(text: str) -> list[str]:
    """Extended grapheme clusters, with CR LF split in two as the reference does."""
    result: list[str] = []
    for grapheme in _GRAPHEME.findall(text):
        if grapheme == "\r\n":
            result += ["\r", "\n"]
        else:
            result.append(grapheme)
    return result


def _split_units(
    units: Sequence[object], part: int, opens_pair: Callable[[object], bool]
) -> tuple[int, ...]:
    """Greedy parts over a unit stream whose only unbreakable groups are pairs (escape or
    surrogate): the same as the reference's packing when no grapheme is longer than 2 units."""
    parts: list[int] = []
    start, total = 0, len(units)
    while total - start > part:
        end = start + part
        if opens_pair(units[end - 1]):
            end -= 1
        parts.append(end - start)
        start = end
    parts.append(total - start)
    return tuple(parts)


def _pack(costs: list[int], single: int, part: int) -> tuple[int, ...]:
    """The reference's packing, literally: fill one header-less segment; on the first overflow
    give it a header (moving trailing graphemes on to the next part), then carry on greedily."""
    segments: list[list[int]] = [[]]
    used = [0]
    capacity = [single]
    for cost in costs:
        if capacity[-1] - used[-1] < cost:
            segments.append([])
            used.append(0)
            capacity.append(part)
            if capacity[-2] == single:
                capacity[-2] = part
                moved: list[int] = []
                while used[-2] > part and segments[-2]:
                    last = segments[-2].pop()
                    used[-2] -= last
                    moved.insert(0, last)
                segments[-1].extend(moved)
                used[-1] += sum(moved)
        segments[-1].append(cost)
        used[-1] += cost
    return tuple(used)

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
from functools import lru_cache

import regex

GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED: frozenset[str] = frozenset("\f^{}\\[~]|€")
GSM_CHARACTERS: frozenset[str] = GSM_BASIC | GSM_EXTENDED

SINGLE_SEPTETS, PART_SEPTETS = 160, 153
SINGLE_UNITS, PART_UNITS = 70, 67

_NON_GSM = re.compile("[^" + "".join(re.escape(c) for c in sorted(GSM_CHARACTERS)) + "]")
_EXTENDED = re.compile("[" + "".join(re.escape(c) for c in sorted(GSM_EXTENDED)) + "]")
_GRAPHEME = regex.compile(r"\X")
# Characters that can join a neighbour into one grapheme cluster. Text without any of them has
# one grapheme per code point (CR LF is split anyway), which spares the slow cluster split.
_JOINING = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}\p{Grapheme_Cluster_Break=Prepend}"
    r"\p{Grapheme_Cluster_Break=Regional_Indicator}\p{Grapheme_Cluster_Break=L}"
    r"\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}\p{Grapheme_Cluster_Break=LV}"
    r"\p{Grapheme_Cluster_Break=LVT}]"
)
_UTF16_NATIVE = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_ESCAPED = {ord(c): "\x1b" + c for c in GSM_EXTENDED}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_SMART_REPLACEMENTS: tuple[tuple[str, tuple[int, ...]], ...] = (
    (
        '"',
        (
            0x00AB,
            0x00BB,
            0x201C,
            0x201D,
            0x02BA,
            0x02EE,
            0x201F,
            0x201E,
            0x275D,
            0x275E,
            0x301D,
            0x301E,
            0xFF02,
        ),
    ),
    (
        "'",
        (
            0x2018,
            0x2019,
            0x02BB,
            0x02C8,
            0x02BC,
            0x02BD,
            0x02B9,
            0x201B,
            0xFF07,
            0x00B4,
            0x02CA,
            0x0060,
            0x02CB,
            0x275B,
            0x275C,
            0x0313,
            0x0314,
            0xFE10,
            0xFE11,
        ),
    ),
    (
        "/",
        (
            0x00F7,
            0x29F8,
            0x0337,
            0x0338,
            0x2044,
            0x2215,
            0xFF0F,
        ),
    ),
    ("1/4", (0x00BC,)),
    ("1/2", (0x00BD,)),
    ("3/4", (0x00BE,)),
    (
        "\\",
        (
            0x29F9,
            0x29F5,
            0x20E5,
            0xFE68,
            0xFF3C,
        ),
    ),
    (
        "_",
        (
            0x0332,
            0xFF3F,
            0x2017,
        ),
    ),
    (
        "|",
        (
            0x20D2,
            0x20D3,
            0x2223,
            0xFF5C,
            0x23B8,
            0x23B9,
            0x23D0,
            0x239C,
            0x239F,
        ),
    ),
    (
        "-",
        (
            0x23BC,
            0x23BD,
            0x2015,
            0xFE63,
            0xFF0D,
            0x2010,
            0x2043,
            0x2014,
            0x2013,
            0x2022,
        ),
    ),
    (
        "@",
        (
            0xFE6B,
            0xFF20,
        ),
    ),
    (
        "$",
        (
            0xFE69,
            0xFF04,
        ),
    ),
    (
        "!",
        (
            0x01C3,
            0xFE15,
            0xFE57,
            0xFF01,
        ),
    ),
    (
        "#",
        (
            0xFE5F,
            0xFF03,
        ),
    ),
    (
        "%",
        (
            0xFE6A,
            0xFF05,
        ),
    ),
    (
        "&",
        (
            0xFE60,
            0xFF06,
        ),
    ),
    (
        ",",
        (
            0x201A,
            0x0326,
            0xFE50,
            0xFE51,
            0xFF0C,
            0xFF64,
            0x3001,
        ),
    ),
    (
        "(",
        (
            0x2768,
            0x276A,
            0xFE59,
            0xFF08,
            0x27EE,
            0x2985,
        ),
    ),
    (
        ")",
        (
            0x2769,
            0x276B,
            0xFE5A,
            0xFF09,
            0x27EF,
            0x2986,
        ),
    ),
    (
        "*",
        (
            0x204E,
            0x2217,
            0x229B,
            0x2722,
            0x2723,
            0x2724,
            0x2725,
            0x2731,
            0x2732,
            0x2733,
            0x273A,
            0x273B,
            0x273C,
            0x273D,
            0x2743,
            0x2749,
            0x274A,
            0x274B,
            0x29C6,
            0xFE61,
            0xFF0A,
        ),
    ),
    (
        "+",
        (
            0x02D6,
            0xFE62,
            0xFF0B,
        ),
    ),
    (
        ".",
        (
            0x3002,
            0xFE52,
            0xFF0E,
            0xFF61,
        ),
    ),
    ("0", (0xFF10,)),
    ("1", (0xFF11,)),
    ("2", (0xFF12,)),
    ("3", (0xFF13,)),
    ("4", (0xFF14,)),
    ("5", (0xFF15,)),
    ("6", (0xFF16,)),
    ("7", (0xFF17,)),
    ("8", (0xFF18,)),
    ("9", (0xFF19,)),
    (
        ":",
        (
            0x02D0,
            0x02F8,
            0x2982,
            0xA789,
            0xFE13,
            0xFF1A,
        ),
    ),
    (
        ";",
        (
            0x204F,
            0xFE14,
            0xFE54,
            0xFF1B,
        ),
    ),
    (
        "<",
        (
            0xFE64,
            0xFF1C,
            0x203A,
        ),
    ),
    (
        "=",
        (
            0x0347,
            0xA78A,
            0xFE66,
            0xFF1D,
        ),
    ),
    (
        ">",
        (
            0xFE65,
            0xFF1E,
            0x2039,
        ),
    ),
    (
        "?",
        (
            0xFE16,
            0xFE56,
            0xFF1F,
        ),
    ),
    (
        "A",
        (
            0xFF21,
            0x1D00,
        ),
    ),
    (
        "B",
        (
            0xFF22,
            0x0299,
        ),
    ),
    (
        "C",
        (
            0xFF23,
            0x1D04,
        ),
    ),
    (
        "D",
        (
            0xFF24,
            0x1D05,
        ),
    ),
    (
        "E",
        (
            0xFF25,
            0x1D07,
        ),
    ),
    (
        "F",
        (
            0xFF26,
            0xA730,
        ),
    ),
    (
        "G",
        (
            0xFF27,
            0x0262,
        ),
    ),
    (
        "H",
        (
            0xFF28,
            0x029C,
        ),
    ),
    (
        "I",
        (
            0xFF29,
            0x026A,
        ),
    ),
    (
        "J",
        (
            0xFF2A,
            0x1D0A,
        ),
    ),
    (
        "K",
        (
            0xFF2B,
            0x1D0B,
        ),
    ),
    (
        "L",
        (
            0xFF2C,
            0x029F,
        ),
    ),
    (
        "M",
        (
            0xFF2D,
            0x1D0D,
        ),
    ),
    (
        "N",
        (
            0xFF2E,
            0x0274,
        ),
    ),
    (
        "O",
        (
            0xFF2F,
            0x1D0F,
        ),
    ),
    (
        "P",
        (
            0xFF30,
            0x1D18,
        ),
    ),
    ("Q", (0xFF31,)),
    (
        "R",
        (
            0xFF32,
            0x0280,
        ),
    ),
    (
        "S",
        (
            0xFF33,
            0xA731,
        ),
    ),
    (
        "T",
        (
            0xFF34,
            0x1D1B,
        ),
    ),
    (
        "U",
        (
            0xFF35,
            0x1D1C,
        ),
    ),
    (
        "V",
        (
            0xFF36,
            0x1D20,
        ),
    ),
    (
        "W",
        (
            0xFF37,
            0x1D21,
        ),
    ),
    ("X", (0xFF38,)),
    (
        "Y",
        (
            0xFF39,
            0x028F,
        ),
    ),
    (
        "Z",
        (
            0xFF3A,
            0x1D22,
        ),
    ),
    (
        "^",
        (
            0x02C6,
            0x0302,
            0xFF3E,
            0x1DCD,
        ),
    ),
    (
        "{",
        (
            0x2774,
            0xFE5B,
            0xFF5B,
        ),
    ),
    (
        "}",
        (
            0x2775,
            0xFE5C,
            0xFF5D,
        ),
    ),
    ("[", (0xFF3B,)),
    ("]", (0xFF3D,)),
    (
        "~",
        (
            0x02DC,
            0x02F7,
            0x0303,
            0x0330,
            0x0334,
            0x223C,
            0xFF5E,
        ),
    ),
    (
        "  ",
        (
            0x00A0,
            0x2000,
            0x2002,
            0x2003,
            0x2004,
            0x2005,
            0x2006,
            0x2007,
            0x2008,
            0x2009,
            0x200A,
            0x202F,
            0x205F,
            0x3000,
            0x008D,
            0x009F,
            0x0080,
            0x0090,
            0x009B,
        ),
    ),
    (
        "",
        (
            0x0010,
            0x0000,
            0x0003,
            0x0004,
            0x0017,
            0x0019,
            0x0011,
            0x0012,
            0x0013,
            0x0014,
            0x2060,
            0x200B,
            0xFEFF,
        ),
    ),
    ("       ", (0x0009,)),
    ("!!", (0x203C,)),
    (
        " ",
        (
            0x2028,
            0x2029,
            0x2001,
        ),
    ),
    ("...", (0x2026,)),
)

SMART_REPLACEMENTS: dict[int, str] = {
    code_point: replacement
    for replacement, code_points in _SMART_REPLACEMENTS
    for code_point in code_points
}


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
    if _NON_GSM.search(text) is None:
        return _count_gsm(text)
    return _count_ucs2(text)


def _count_gsm(text: str) -> SegmentCount:
    extended = len(_EXTENDED.findall(text))
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
    if _JOINING.search(text) is None:
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
    astral = len(_ASTRAL.findall(text))
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
        non_gsm=tuple(dict.fromkeys(_NON_GSM.findall(text))),
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

"""Text as people paste it: invisible format characters and digits of any script.

Exports from right-to-left sheets, chat apps and web pages carry format characters (Unicode
category Cf: bidi marks and isolates, zero-width spaces and joiners, a byte-order mark, the soft
hyphen...) that nobody can see, and numbers typed on Arabic, Persian, Indian or East Asian
keyboards come in their own digits or in full-width forms. Phone numbers and header names are
cleaned of the former; phone numbers alone also get ASCII digits. Other cells are kept as they
are: a zero-width joiner is part of an emoji (👨‍👩‍👧).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

# Characters nobody can see that are not format characters, so they stay and make a number
# unreadable: the reason has to name them.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # Hangul fillers, Braille blank
_UNSEEN_CATEGORIES = {
    "Cc": "a control character",
    "Co": "a private-use character",
    "Cn": "an unassigned character",
    "Cs": "a broken character (half of a surrogate pair)",
}
_NAMES = {"\ufeff": "byte-order mark"}


class _NumberCleaning(dict[int, str | None]):
    """str.translate's table for number text, filled in as characters are first seen."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if unicodedata.category(char) == "Cf":
            value: str | None = None
        elif char.isdecimal():
            value = str(unicodedata.decimal(char))  # ٤, ４, ४, 𝟜 -> 4
        elif 0xFF01 <= code <= 0xFF5E:
            value = chr(code - 0xFEE0)  # full-width forms: ＋（）－ -> +()-, as NFKC reads them
        else:
            value = char
        if len(self) < 65_536:  # what real files hold, many times over
            self[code] = value
        return value


_NUMBER_CLEANING = _NumberCleaning()


def clean_number_text(text: str) -> str:
    """Number text without format characters, in ASCII digits and ASCII punctuation (what
    phonenumbers reads the same way); ASCII text is returned as it is, at no cost."""
    if text.isascii():
        return text
    return text.translate(_NUMBER_CLEANING)


def without_format_characters(text: str) -> str:
    """The text without its invisible format characters (for header names)."""
    if text.isascii():
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def format_characters(text: str) -> list[str]:
    """The distinct format characters of the text, in order of appearance."""
    if text.isascii():
        return []
    return list(dict.fromkeys(char for char in text if unicodedata.category(char) == "Cf"))


def is_unseen(char: str) -> bool:
    """A character that shows as nothing (or a box) but is not a format character or a space."""
    return char in _BLANK_LETTERS or unicodedata.category(char) in _UNSEEN_CATEGORIES


def describe(char: str) -> str:
    """`U+200B (zero width space)`: a character a marketer cannot see, named so it can be found."""
    name = _NAMES.get(char) or unicodedata.name(char, "").lower()
    if not name or unicodedata.category(char) in _UNSEEN_CATEGORIES:
        name = _UNSEEN_CATEGORIES.get(unicodedata.category(char), name or "a character")
    return f"U+{ord(char):04X} ({name})"


def invisible(chars: list[str]) -> str:
    """`an invisible U+200B (zero width space)`, or several of them, for a reason's sentence."""
    named = [describe(char) for char in chars]
    if len(named) == 1:
        return f"an invisible {named[0]}"
    return f"invisible characters {', '.join(named[:-1])} and {named[-1]}"


_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Repaired:
    text: str
    removed_lines: tuple[int, ...] = ()  # line (1-based) of each broken character removed

    @property
    def removed(self) -> int:
        return len(self.removed_lines)


def without_lone_surrogates(text: str) -> Repaired:
    """The text with halves of surrogate pairs rejoined where both halves are there and removed
    where one is alone (a bad copy-paste, a cut emoji): no encoder, Acoustic's included, accepts
    them, so they would crash whatever touches the text next."""
    if text.isascii() or not _SURROGATE.search(text):
        return Repaired(text)
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    lines = tuple(joined.count("\n", 0, m.start()) + 1 for m in _SURROGATE.finditer(joined))
    return Repaired(_SURROGATE.sub("", joined), lines)


def broken_characters_note(repaired: Repaired, where: str) -> str:
    """A plain sentence for the marketer: how many broken characters were removed, and where."""
    lines = list(dict.fromkeys(repaired.removed_lines))
    shown = ", ".join(str(line) for line in lines[:5]) + (", …" if len(lines) > 5 else "")
    count = repaired.removed
    return (
        f"Removed {count} broken character{'s' if count != 1 else ''} from {where} "
        f"(line{'s' if len(lines) > 1 else ''} {shown}): half of an emoji or symbol, usually "
        "left by a copy-paste. Check the text there."
    )


# A letter or a digit that shows: Hangul fillers are letters (Lo) that nobody sees.
_VISIBLE_WORD = regex.compile(r"[\p{L}\p{N}--\p{Default_Ignorable_Code_Point}]", regex.V1)


def has_words(text: str) -> bool:
    """True when `text` holds at least one visible letter or digit: a reason made only of spaces,
    zero-width characters, Braille blanks or Hangul fillers says nothing to whoever reads it."""
    return bool(_VISIBLE_WORD.search(str(text or "")))

"""Which contact column and which default fill each `%%TAG%%` of a message: the one rule.

The preview, tag coverage, preflight, the confirmation and the request bodies all read the mapping
built here, so what Compose shows is what Acoustic renders from the bodies. A tag matches a column
whatever its case and surrounding spaces (`casefold`, so `STRASSE` and `Straße` are one name). The
request carries a value under every spelling the message writes, because Acoustic renders each
`%%spelling%%` from the field of exactly that name, then from the default of exactly that name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

TAG_PATTERN = re.compile(r"%%([^%\r\n]+?)%%")
PHONE_FIELD = "phoneNumber"


def tag_key(name: str) -> str:
    """The name a tag and a column are matched by."""
    return str(name).strip().casefold()


def is_present(value: object) -> bool:
    """Whether a value fills a tag: text other than spaces. Nothing else (None, NaN, "", "  ")
    is sent, so nothing else may show in the preview."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return str(value).strip() != ""


def tag_spellings(content: str) -> list[str]:
    """Every distinct way the message writes a tag (`%%First Name%%` and `%%FIRST NAME%%` are two),
    in order of first appearance; `%% %%` names no field and is not a tag."""
    return list(dict.fromkeys(n for n in TAG_PATTERN.findall(content or "") if n.strip()))


def tags(content: str) -> list[str]:
    """The tags of a message, each once as first written, in order of first appearance."""
    seen: dict[str, str] = {}
    for name in tag_spellings(content):
        seen.setdefault(tag_key(name), name)
    return list(seen.values())


@dataclass(frozen=True)
class TagSource:
    """Where one tag's value comes from, for every spelling the message writes it in."""

    tag: str  # as first written
    spellings: tuple[str, ...]
    column: str | None  # the contact column used, None when no column has the tag's name
    candidates: tuple[str, ...]  # every column with the tag's name, in file order
    default: str | None  # a default that fills the tag, else None
    blank_default: bool = False  # a default was typed, but only spaces: it fills nothing

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass(frozen=True)
class TagMapping:
    sources: tuple[TagSource, ...]

    def source_of(self, spelling: str) -> TagSource | None:
        key = tag_key(spelling)
        return next((s for s in self.sources if tag_key(s.tag) == key), None)

    @property
    def columns(self) -> dict[str, str]:
        """Spelling -> column, for every spelling a column serves."""
        return {sp: s.column for s in self.sources if s.column for sp in s.spellings}

    @property
    def defaults(self) -> dict[str, str]:
        """Spelling -> default, for every spelling with a default: the request's
        `personalizationDefaults`."""
        return {sp: s.default for s in self.sources if s.default is not None for sp in s.spellings}

    @property
    def ambiguous(self) -> list[TagSource]:
        return [s for s in self.sources if s.ambiguous]


def map_tags(
    content: str,
    columns: Sequence[object],
    defaults: Mapping[str, object] | None = None,
    chosen: Mapping[str, str] | None = None,
) -> TagMapping:
    """The mapping for one message over one set of contact columns. `defaults` are keyed by any
    spelling of a tag; `chosen` picks a column (by tag key) where several have the tag's name."""
    names = [str(c) for c in columns if str(c) != PHONE_FIELD]
    given: dict[str, object] = {}  # tag key -> the first default that fills it, else the first
    for name, value in (defaults or {}).items():
        key = tag_key(name)
        if key not in given or (is_present(value) and not is_present(given[key])):
            given[key] = value
    picks = {tag_key(k): v for k, v in (chosen or {}).items()}
    spellings = tag_spellings(content)
    sources = []
    for tag in tags(content):
        key = tag_key(tag)
        own = tuple(sp for sp in spellings if tag_key(sp) == key)
        candidates = tuple(n for n in names if tag_key(n) == key)
        default = given.get(key)
        sources.append(
            TagSource(
                tag=tag,
                spellings=own,
                column=_pick(candidates, own, picks.get(key)),
                candidates=candidates,
                default=str(default) if is_present(default) else None,
                blank_default=default not in (None, "") and not is_present(default),
            )
        )
    return TagMapping(tuple(sources))


def _pick(
    candidates: tuple[str, ...], spellings: tuple[str, ...], chosen: str | None
) -> str | None:
    """The user's pick, else a column spelled exactly as the tag, else the first in file order."""
    if chosen in candidates:
        return chosen
    for spelling in spellings:
        for exact in (spelling, spelling.strip()):
            if exact in candidates:
                return exact
    return candidates[0] if candidates else None

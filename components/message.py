"""The message: `%%TAG%%` personalization, rendering for every recipient, statistics, and the
preflight that lists everything Acoustic would refuse before anything is sent.

Tag names may contain spaces (`%%FIRST NAME%%`). Acoustic matches them to database fields without
regard to case, so lookups here ignore case and surrounding spaces too; the tag is kept as written.
A contact's own non-empty value wins, then the default, else the tag stays in the text unresolved
(and preflight says so). Values are inserted verbatim: a value that itself looks like a tag is
not rendered again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from components.segments import (
    GSM_CHARACTERS,
    GSM_EXTENDED,
    PART_SEPTETS,
    SINGLE_SEPTETS,
    count_segments,
)

MAX_CONTENT_CHARACTERS = 800
UCS2_WARNING_CHARACTERS = 350
LONG_LINK_CHARACTERS = 23

TAG_PATTERN = re.compile(r"%%([^%\r\n]+?)%%")
_LINK = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)

# Acoustic's documented 400 messages (ACOUSTIC_API.md), for hints when the API refuses a send.
API_WRONG_TAGS = "Wrong personalization tags"
API_BAD_REQUEST = "Bad request"
API_PROGRAM_INACTIVE = "SMS Program is inactive or not found with identifier"
API_PROGRAM_MISSING = "Channel qualifier should be present"
API_TOO_LONG = "The message exceeded the maximum 800 character limit."
API_CONTENT_MISSING = "SMS content should be present"
API_CONTACT_COUNT = (
    "Contacts must contain at least 1 contact and cannot exceed more than 1000 contacts."
)
API_CONTACT_EMPTY = (
    "Contact information is empty. Please provide contact identifier or lookup keys."
)

_HINTS = (
    (
        API_WRONG_TAGS,
        "A %%TAG%% in the message is not a field of the Acoustic database behind this SMS "
        "program. Check the spelling against the database's field names, or remove the tag.",
    ),
    (
        API_PROGRAM_INACTIVE,
        "The program id is unknown or the program is not active. Copy the id of an active SMS "
        "program from Acoustic (Settings > SMS programs).",
    ),
    (API_PROGRAM_MISSING, "Enter the SMS program id (Acoustic calls it channel qualifier)."),
    (API_TOO_LONG, "Shorten the message to 800 characters or fewer."),
    (API_CONTENT_MISSING, "Write the message text."),
    (API_CONTACT_COUNT, "A send needs 1 to 1000 contacts; the console batches larger lists."),
    (API_CONTACT_EMPTY, "A contact had no phone number; check the recipients table."),
    (API_BAD_REQUEST, "Acoustic could not read the request. This is a bug: please report it."),
)


def hint_for_api_message(message: str) -> str | None:
    """What to do about one of Acoustic's documented 400 messages, in plain words. The message
    may come prefixed by its field ("contacts: ...") or joined with others."""
    for documented, hint in _HINTS:
        if documented in message:
            return hint
    return None


def _key(name: str) -> str:
    return name.strip().casefold()


def tags(content: str) -> list[str]:
    """The tags of a message in order of first appearance, each once (as first written). `%% %%`
    names no field: it is not a tag (preflight reports it)."""
    seen: dict[str, str] = {}
    for name in TAG_PATTERN.findall(content or ""):
        if name.strip():
            seen.setdefault(_key(name), name)
    return list(seen.values())


def tag_spellings(content: str) -> list[str]:
    """Every distinct way the message writes a tag (`%%First Name%%` and `%%FIRST NAME%%` are two):
    a request carries a value under each, since the API does not document whether field names
    match regardless of case."""
    return list(dict.fromkeys(n for n in TAG_PATTERN.findall(content or "") if n.strip()))


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if value is pd.NA:
        return False
    return str(value).strip() != ""


def _lookup(values: Mapping[str, object] | None) -> dict[str, str]:
    return {_key(k): str(v) for k, v in (values or {}).items() if _present(v)}


def render_with_report(
    content: str, personalization: Mapping[str, object] | None, defaults: Mapping[str, object]
) -> tuple[str, list[str]]:
    """The rendered text and the tags left unresolved (no value and no default)."""
    own, fallback = _lookup(personalization), _lookup(defaults)
    unresolved: list[str] = []

    def replace(match: re.Match[str]) -> str:
        key = _key(match.group(1))
        if key in own:
            return own[key]
        if key in fallback:
            return fallback[key]
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


@dataclass(frozen=True)
class RenderResult:
    texts: pd.Series
    coverage: list[TagCoverage]

    @property
    def unresolved(self) -> dict[str, int]:
        """Tag -> recipients for whom it stays unresolved."""
        return {c.tag: c.missing for c in self.coverage if c.missing}


def column_for(tag: str, columns: Sequence[str]) -> str | None:
    key = _key(tag)
    for column in columns:
        if _key(str(column)) == key and column != "phoneNumber":
            return str(column)
    return None


def render_all(
    content: str, recipients: pd.DataFrame, defaults: Mapping[str, object] | None
) -> RenderResult:
    """Every recipient's SMS at once (vectorized), with per-tag coverage."""
    content = content or ""
    pieces = TAG_PATTERN.split(content)  # literal, tag, literal, tag, ..., literal
    fallback = _lookup(defaults)
    index = recipients.index
    texts = pd.Series(pieces[0], index=index, dtype="str")
    coverage: dict[str, TagCoverage] = {}
    for position in range(1, len(pieces), 2):
        name, literal = pieces[position], pieces[position + 1]
        if not name.strip():  # "%% %%" is not a tag: it stays as written
            texts = texts + f"%%{name}%%" + literal
            continue
        column = column_for(name, list(recipients.columns))
        if column is not None:
            values = recipients[column].astype("str")
            present = values.notna() & (values.str.strip() != "")
            values = values.where(present)
        else:
            values = pd.Series(pd.NA, index=index, dtype="str")
            present = pd.Series(False, index=index)
        key = _key(name)
        filled = values.fillna(fallback.get(key, f"%%{name}%%"))
        texts = texts + filled + literal
        if key not in {_key(c.tag) for c in coverage.values()}:
            own = int(present.sum())
            rest = len(index) - own
            examples: tuple[str, ...] = ()
            if rest and key not in fallback and "phoneNumber" in recipients:
                lacking = recipients.loc[~present.to_numpy(), "phoneNumber"].head(3)
                examples = tuple(f"+{number}" for number in lacking.astype("str"))
            coverage[name] = TagCoverage(
                tag=name,
                column=column,
                own=own,
                default=rest if key in fallback else 0,
                missing=0 if key in fallback else rest,
                missing_examples=examples,
            )
    return RenderResult(texts=texts, coverage=list(coverage.values()))


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
    exact = (multi & (septets > characters)) | ucs2
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


# -- preflight ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """`error` blocks the send (Acoustic would refuse it); `warning` is worth a look."""

    level: str
    message: str
    fix: str


def preflight(
    content: str,
    program: str,
    recipients: int,
    *,
    coverage: Sequence[TagCoverage] = (),
    longest_rendered: int | None = None,
    ucs2: bool | None = None,
    defaults: Mapping[str, object] | None = None,
) -> list[Issue]:
    """Everything the API would reject with a 400, errors first, then warnings."""
    issues: list[Issue] = []
    content = content or ""
    if any(not name.strip() for name in TAG_PATTERN.findall(content)):
        issues.append(
            Issue(
                "error",
                "The message has an empty tag (%% %%): Acoustic refuses tags that name no field.",
                "Write a field name between the %% marks, such as %%FIRST NAME%%, or remove them.",
            )
        )
    for name in tag_spellings(content):
        if name != name.strip():
            issues.append(
                Issue(
                    "warning",
                    f"%%{name}%% has spaces inside the %% marks: Acoustic may not match it to the "
                    f"field {name.strip()}.",
                    f"Write it %%{name.strip()}%%.",
                )
            )
    for name, value in (defaults or {}).items():
        if isinstance(value, str) and TAG_PATTERN.search(value):
            issues.append(
                Issue(
                    "warning",
                    f"The default of %%{name}%% contains a tag ({value[:40]}): Acoustic puts a "
                    "default in as written, so recipients would see the %% marks.",
                    "Write the default as plain text.",
                )
            )
    if not content.strip():
        issues.append(Issue("error", "The message is empty.", "Write the message text."))
    if not (program or "").strip():
        issues.append(
            Issue(
                "error",
                "No SMS program id is set.",
                "Enter the id of an active SMS program (Acoustic's channel qualifier).",
            )
        )
    if len(content) > MAX_CONTENT_CHARACTERS:
        over = len(content) - MAX_CONTENT_CHARACTERS
        issues.append(
            Issue(
                "error",
                f"The message is {len(content)} characters long; Acoustic accepts at most "
                f"{MAX_CONTENT_CHARACTERS}.",
                f"Remove at least {over} character{'s' if over != 1 else ''}.",
            )
        )
    if recipients == 0:
        issues.append(
            Issue("error", "There are no valid recipients.", "Paste or upload phone numbers.")
        )
    for item in coverage:
        if item.missing:
            where = (
                f"the column {item.column!r} is empty for them"
                if item.column
                else "no contact column has that name"
            )
            examples = ""
            if item.missing_examples:
                more = ", …" if item.missing > len(item.missing_examples) else ""
                examples = f": {', '.join(item.missing_examples)}{more}"
            issues.append(
                Issue(
                    "error",
                    f"%%{item.tag}%% has no value for {item.missing:,} recipient"
                    f"{'s' if item.missing != 1 else ''} ({where}) and no default{examples}.",
                    f"Enter a default for {item.tag}, fill the column, or remove the tag.",
                )
            )
    if ucs2 is None:
        ucs2 = not count_segments(content).is_gsm
    length = longest_rendered if longest_rendered is not None else len(content)
    if ucs2 and length > UCS2_WARNING_CHARACTERS:
        issues.append(
            Issue(
                "warning",
                f"This UCS-2 (Unicode) message reaches {length} characters; Acoustic's own editor "
                f"stops 16-bit messages at {UCS2_WARNING_CHARACTERS}.",
                "Shorten it, or replace the characters that force UCS-2.",
            )
        )
    for link in dict.fromkeys(_LINK.findall(content)):
        if len(link) > LONG_LINK_CHARACTERS:
            issues.append(
                Issue(
                    "warning",
                    f"The link {link[:40]}{'…' if len(link) > 40 else ''} counts in full "
                    f"({len(link)} characters): transactional sends are not shortened.",
                    "Use a shorter link if the segments matter.",
                )
            )
    return sorted(issues, key=lambda issue: issue.level != "error")

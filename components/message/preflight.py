"""Preflight: everything Acoustic would refuse with a 400, found before anything is sent, and
what to do about each of Acoustic's documented 400 messages when it refuses anyway."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.acoustic import Program
from components.core.states import IssueLevel
from components.message.mapping import TAG_PATTERN, tag_spellings
from components.message.payloads import ttl_problem
from components.message.rendering import MAX_CONTENT_CHARACTERS, TagCoverage
from components.message.segments import count_segments

UCS2_WARNING_CHARACTERS = 350
LONG_LINK_CHARACTERS = 23
_SAID_ONE_BY_ONE = 5  # like issues beyond this are counted in one line, however long the text
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


@dataclass(frozen=True)
class Issue:
    """`error` blocks the send (Acoustic would refuse it); `warning` is worth a look."""

    level: IssueLevel
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
    ttl_minutes: int | None = None,
    programs: Sequence[Program] | None = None,
) -> list[Issue]:
    """Everything the API would reject with a 400, errors first, then warnings. `programs` is
    Acoustic's list of SMS programs when it is known (None: unknown, nothing to compare with)."""
    issues: list[Issue] = []
    content = content or ""
    if any(not name.strip() for name in TAG_PATTERN.findall(content)):
        issues.append(
            Issue(
                IssueLevel.ERROR,
                "The message has an empty tag (%% %%): Acoustic refuses tags that name no field.",
                "Write a field name between the %% marks, such as %%FIRST NAME%%, or remove them.",
            )
        )
    spaced = [name for name in tag_spellings(content) if name != name.strip()]
    for name in spaced[:_SAID_ONE_BY_ONE]:
        issues.append(
            Issue(
                IssueLevel.WARNING,
                f"%%{name}%% has spaces inside the %% marks: Acoustic may not match it to the "
                f"field {name.strip()}.",
                f"Write it %%{name.strip()}%%.",
            )
        )
    if len(spaced) > _SAID_ONE_BY_ONE:
        more = len(spaced) - _SAID_ONE_BY_ONE
        issues.append(
            Issue(
                IssueLevel.WARNING,
                f"{more:,} more tags have spaces inside the %% marks.",
                "Remove the spaces between the %% marks and the field names.",
            )
        )
    for name, value in (defaults or {}).items():
        if isinstance(value, str) and TAG_PATTERN.search(value):
            issues.append(
                Issue(
                    IssueLevel.WARNING,
                    f"The default of %%{name}%% contains a tag ({value[:40]}): Acoustic puts a "
                    "default in as written, so recipients would see the %% marks.",
                    "Write the default as plain text.",
                )
            )
    if not content.strip():
        issues.append(Issue(IssueLevel.ERROR, "The message is empty.", "Write the message text."))
    if not (program or "").strip():
        issues.append(
            Issue(
                IssueLevel.ERROR,
                "No SMS program id is set.",
                "Enter the id of an active SMS program (Acoustic's channel qualifier).",
            )
        )
    issues.extend(program_issues(program, programs))
    problem = ttl_problem(ttl_minutes)
    if problem is not None:
        issues.append(
            Issue(IssueLevel.ERROR, problem, "Enter whole minutes, or leave the expiry empty.")
        )
    if len(content) > MAX_CONTENT_CHARACTERS:
        over = len(content) - MAX_CONTENT_CHARACTERS
        issues.append(
            Issue(
                IssueLevel.ERROR,
                f"The message is {len(content)} characters long; Acoustic accepts at most "
                f"{MAX_CONTENT_CHARACTERS}.",
                f"Remove at least {over} character{'s' if over != 1 else ''}.",
            )
        )
    if recipients == 0:
        issues.append(
            Issue(
                IssueLevel.ERROR, "There are no valid recipients.", "Paste or upload phone numbers."
            )
        )
    issues.extend(issue for item in coverage for issue in coverage_issues(item))
    if ucs2 is None:
        ucs2 = not count_segments(content).is_gsm
    length = longest_rendered if longest_rendered is not None else len(content)
    if ucs2 and length > UCS2_WARNING_CHARACTERS:
        issues.append(
            Issue(
                IssueLevel.WARNING,
                f"This UCS-2 (Unicode) message reaches {length} characters; Acoustic's own editor "
                f"stops 16-bit messages at {UCS2_WARNING_CHARACTERS}.",
                "Shorten it, or replace the characters that force UCS-2.",
            )
        )
    for link in dict.fromkeys(_LINK.findall(content)):
        if len(link) > LONG_LINK_CHARACTERS:
            issues.append(
                Issue(
                    IssueLevel.WARNING,
                    f"The link {link[:40]}{'…' if len(link) > 40 else ''} counts in full "
                    f"({len(link)} characters): transactional sends are not shortened.",
                    "Use a shorter link if the segments matter.",
                )
            )
    return sorted(issues, key=lambda issue: issue.level is not IssueLevel.ERROR)


def program_issues(program: str, programs: Sequence[Program] | None) -> list[Issue]:
    """A program id Acoustic does not list, or lists as not active: it would refuse the send
    ("SMS Program is inactive or not found"). Warnings only: the list may be out of date."""
    wanted = (program or "").strip()
    if not wanted or programs is None:
        return []
    found = next((p for p in programs if p.id.strip().casefold() == wanted.casefold()), None)
    if found is None:
        among = (
            f"is not among the {_plural(len(programs), 'SMS program')} Acoustic lists"
            if programs
            else "cannot be checked: Acoustic lists no SMS program"
        )
        return [
            Issue(
                IssueLevel.WARNING,
                f"The SMS program id {wanted} {among} for this organisation. Acoustic refuses "
                "a send with an unknown program id.",
                "Choose a program from the list, or check the id in Acoustic.",
            )
        ]
    if not found.active:
        named = f"{found.name} ({found.id})" if found.name else found.id
        return [
            Issue(
                IssueLevel.WARNING,
                f"The SMS program {named} is {found.status.lower() or 'not active'}: Acoustic "
                "refuses a send with a program that is not active.",
                "Choose an active program, or have the program activated in Acoustic.",
            )
        ]
    return []


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def _examples(examples: tuple[str, ...], count: int) -> str:
    if not examples:
        return ""
    return f": {', '.join(examples)}{', …' if count > len(examples) else ''}"


def coverage_issues(item: TagCoverage) -> list[Issue]:
    """What the mapping of one tag means for the send: no value, a choice of columns, a value
    that would show its %% marks."""
    issues = []
    if item.missing:
        where = (
            f"the column {item.column!r} is empty for them"
            if item.column
            else "no contact column has that name"
        )
        blank = (
            " (the default typed is only spaces, which fills nothing)" if item.blank_default else ""
        )
        issues.append(
            Issue(
                IssueLevel.ERROR,
                f"%%{item.tag}%% has no value for {_plural(item.missing, 'recipient')} ({where}) "
                f"and no default{blank}{_examples(item.missing_examples, item.missing)}.",
                f"Enter a default for {item.tag}, fill the column, or remove the tag.",
            )
        )
    if len(item.candidates) > 1:
        names = ", ".join(repr(c) for c in item.candidates)
        issues.append(
            Issue(
                IssueLevel.WARNING,
                f"%%{item.tag}%% could be filled from {len(item.candidates)} columns ({names}): "
                f"the console uses {item.column!r}, in the preview and in the request alike.",
                "Choose the column for this tag below the message, or remove or rename the "
                "other columns.",
            )
        )
    if item.tagged_values:
        issues.append(
            Issue(
                IssueLevel.WARNING,
                f"The column {item.column!r} that fills %%{item.tag}%% holds a tag (%%…%%) for "
                f"{_plural(item.tagged_values, 'recipient')}"
                f"{_examples(item.tagged_examples, item.tagged_values)}: Acoustic puts a value in "
                "as written, so they would see the %% marks.",
                "Write those values as plain text.",
            )
        )
    return issues

"""The allowed hours (each recipient's local time), from `[console.quiet_hours]`.

Without anything written, texts may go out from 08:00 to 21:00 local time. A program can have
hours of its own (a program of one-time passwords may allow more, a marketing one fewer); what an
override leaves out comes from the console's hours.

    [console.quiet_hours]
    start = "08:00"
    end = "21:00"

    [console.quiet_hours.programs]
    "12345" = { start = "09:00", end = "20:00" }
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

from components.guardrails.quiet_hours import DEFAULT_END, DEFAULT_START

SOURCE = "[console.quiet_hours] in secrets.toml"
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_KEYS = ("start", "end")


@dataclass(frozen=True)
class QuietHours:
    """`problems` name each bad setting and what to write; a bad setting keeps its default."""

    start: time = DEFAULT_START
    end: time = DEFAULT_END
    programs: Mapping[str, tuple[time, time]] = field(default_factory=dict)
    problems: tuple[str, ...] = field(default=(), compare=False)

    def window(self, program: str) -> tuple[time, time]:
        """The (start, end) a send of `program` follows."""
        return self.programs.get(str(program).strip(), (self.start, self.end))


def parse_quiet_hours(section: object) -> QuietHours:
    """`[console.quiet_hours]` -> QuietHours (missing: the defaults). Never raises."""
    if section is None:
        return QuietHours()
    if not isinstance(section, Mapping):
        return QuietHours(
            problems=(
                "`console.quiet_hours` must be a table: `[console.quiet_hours]` followed by lines "
                'such as `start = "08:00"`. The default hours (08:00 to 21:00) apply.',
            )
        )
    problems: list[str] = []
    for key in section:
        if str(key) not in (*_KEYS, "programs"):
            problems.append(
                f"`{key}` in {SOURCE} is not a setting of quiet hours; use start, end and programs."
            )
    start, end = _window(section, (DEFAULT_START, DEFAULT_END), SOURCE, problems)
    programs: dict[str, tuple[time, time]] = {}
    overrides = section.get("programs")
    if overrides is not None and not isinstance(overrides, Mapping):
        problems.append(
            "`programs` in [console.quiet_hours] must be a table: "
            "`[console.quiet_hours.programs]` followed by lines such as "
            '`"12345" = { start = "09:00", end = "20:00" }`.'
        )
    for program, override in (overrides or {}).items() if isinstance(overrides, Mapping) else ():
        where = f'program "{program}" in [console.quiet_hours.programs]'
        if not isinstance(override, Mapping):
            problems.append(
                f'The hours of {where} must be a table such as `"{program}" = '
                '{ start = "09:00", end = "20:00" }`; the console\'s hours apply to it.'
            )
            continue
        unknown = [str(key) for key in override if str(key) not in _KEYS]
        if unknown:
            problems.append(f"{where}: {', '.join(unknown)} is not a setting; use start and end.")
        programs[str(program).strip()] = _window(override, (start, end), where, problems)
    return QuietHours(start, end, programs, tuple(problems))


def _window(
    table: Mapping, fallback: tuple[time, time], where: str, problems: list[str]
) -> tuple[time, time]:
    """A table's start and end, each defaulting to `fallback`'s; an empty window is refused."""
    found = list(fallback)
    for index, key in enumerate(_KEYS):
        if key not in table:
            continue
        value = parse_clock(table[key])
        if value is None:
            problems.append(
                f"`{key} = {table[key]!r}` in {where} is not a time of day; the console uses "
                f'{fallback[index]:%H:%M}. Write it as 24-hour time, e.g. `{key} = "08:00"`.'
            )
        else:
            found[index] = value
    if found[0] == found[1]:
        problems.append(
            f"The hours in {where} start and end at the same time ({found[0]:%H:%M}), which "
            f"would allow no hour at all; the console uses {fallback[0]:%H:%M} to "
            f"{fallback[1]:%H:%M}."
        )
        return fallback
    return found[0], found[1]


def parse_clock(value: object) -> time | None:
    """ "08:00", "8:00", "20:30:00" or a TOML local time -> time; None if it is none of those."""
    if isinstance(value, time):
        return value if value.tzinfo is None else None
    if not isinstance(value, str):
        return None
    match = _CLOCK.match(value)
    if not match:
        return None
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def describe(start: time, end: time) -> str:
    """ "08:00 to 21:00" (with "next day" for a window that wraps past midnight)."""
    suffix = " the next day" if end < start else ""
    return f"{_clock(start)} to {_clock(end)}{suffix}"


def _clock(value: time) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"

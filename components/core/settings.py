"""The console's own numeric settings (SMS_CONSOLE_*), read from the environment in one place.

A bad value must not stop the console: it is replaced by the default and reported, in words the
Settings page shows as they are, so that whoever set it can see what the console does instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from components.acoustic import ACOUSTIC_MAX_IN_FLIGHT

CONFIRM_ABOVE = "SMS_CONSOLE_CONFIRM_ABOVE"
MAX_IN_FLIGHT = "SMS_CONSOLE_MAX_IN_FLIGHT"
LEASE_SECONDS = "SMS_CONSOLE_LEASE_SECONDS"
# How long the console follows a send's outcomes after it is accepted, in hours.
FOLLOW_HOURS = "SMS_CONSOLE_FOLLOW_HOURS"
DEFAULT_FOLLOW_HOURS = 48
# The built-in sandbox's pace (sandbox mode only): how long a new send's status answers "not
# found", and over how many seconds its contacts are processed then. Unset: the sandbox's own.
SANDBOX_STATUS_DELAY = "SMS_CONSOLE_SANDBOX_STATUS_DELAY"
SANDBOX_DELIVERY_SECONDS = "SMS_CONSOLE_SANDBOX_DELIVERY_SECONDS"
DEFAULT_LEASE_SECONDS = 30
DEFAULT_CONFIRM_ABOVE = 1000


@dataclass(frozen=True)
class SettingProblem:
    variable: str
    value: str
    message: str


@dataclass(frozen=True)
class ConsoleSettings:
    confirm_above: int
    """Sends to more recipients than this need the count typed to confirm."""
    max_in_flight: int
    """Requests in flight at most for the whole process (never above Acoustic's 10)."""
    problems: tuple[SettingProblem, ...] = ()
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    """Seconds a replica's lease on a running send lasts without a heartbeat
    (components/sending/leases.py); after that another replica takes the send over."""
    sandbox_pace: Mapping[str, float] = field(default_factory=dict)
    """The built-in sandbox's status_delay and delivery_seconds, where they are set."""
    follow_hours: int = DEFAULT_FOLLOW_HOURS
    """Hours after acceptance during which a send's outcomes are followed in the background."""


def console_settings(environ: Mapping[str, str]) -> ConsoleSettings:
    """The settings in force: a value that is not a whole number replaced by the default, one out
    of range by the nearest allowed number, and each reported."""
    problems: list[SettingProblem] = []
    confirm_above = _whole_number(environ, CONFIRM_ABOVE, DEFAULT_CONFIRM_ABOVE, 0, problems)
    max_in_flight = _whole_number(
        environ, MAX_IN_FLIGHT, ACOUSTIC_MAX_IN_FLIGHT, 1, problems, most=ACOUSTIC_MAX_IN_FLIGHT
    )
    lease_seconds = _whole_number(
        environ, LEASE_SECONDS, DEFAULT_LEASE_SECONDS, 3, problems, most=3600
    )
    pace = {
        knob: seconds
        for knob, variable in (
            ("status_delay", SANDBOX_STATUS_DELAY),
            ("delivery_seconds", SANDBOX_DELIVERY_SECONDS),
        )
        if (seconds := _seconds(environ, variable, problems)) is not None
    }
    follow_hours = _whole_number(
        environ, FOLLOW_HOURS, DEFAULT_FOLLOW_HOURS, 1, problems, most=24 * 30
    )
    return ConsoleSettings(
        confirm_above, max_in_flight, tuple(problems), lease_seconds, pace, follow_hours
    )


def _seconds(
    environ: Mapping[str, str], variable: str, problems: list[SettingProblem]
) -> float | None:
    """A number of seconds from 0 to an hour; None when unset or not one (reported)."""
    raw = environ.get(variable)
    if raw is None or not raw.strip():
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        message = (
            f"{variable} is '{raw}', which is not a number of seconds from 0 to 3600; the "
            "sandbox keeps its own pace. Set it to a number such as 0.5, or remove it."
        )
        problems.append(SettingProblem(variable, raw, message))
        return None
    return seconds


def _whole_number(
    environ: Mapping[str, str],
    variable: str,
    default: int,
    least: int,
    problems: list[SettingProblem],
    most: int | None = None,
) -> int:
    raw = environ.get(variable)
    if raw is None or not raw.strip():
        return default
    digits = raw.strip().removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        message = (
            f"{variable} is '{raw}', which is not a whole number; the console uses {default}. "
            f"Set it to a whole number such as {default}, or remove it."
        )
        problems.append(SettingProblem(variable, raw, message))
        return default
    number = int(raw)
    allowed = f"of at least {least}" if most is None else f"from {least} to {most}"
    if number < least:
        used, why = least, f"below {least}"
    elif most is not None and number > most:
        used, why = most, f"above Acoustic's limit of {most}"
    else:
        return number
    message = (
        f"{variable} is '{raw}', {why}; the console uses {used}. Set it to a whole number "
        f"{allowed}, or remove it."
    )
    problems.append(SettingProblem(variable, raw, message))
    return used

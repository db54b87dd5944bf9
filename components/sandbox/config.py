"""The sandbox's knobs. Defaults behave like a healthy pod with a short processing delay."""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import get_type_hints

# A program id of the newer kind (a UUID), listed by the sandbox beside the numeric ones.
UUID_PROGRAM = "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c"


@dataclass
class SandboxConfig:
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"
    refresh_token: str = "sandbox-refresh"
    token_lifetime: float = 14400.0
    """Seconds an access token lives (Acoustic: 4 hours)."""
    latency: float = 0.0
    """Seconds from a request's arrival to its answer (at least the processing time), holding
    a concurrency slot meanwhile."""
    status_delay: float = 2.0
    """Seconds during which the status of a new send answers "not found"."""
    delivery_seconds: float = 5.0
    """Seconds over which the contacts of a send are processed, after status_delay."""
    sms_enabled: bool = True
    max_concurrent: int = 10
    active_programs: tuple[str, ...] = ("12345", "129856", UUID_PROGRAM)
    """Ids a send may use (listed ACTIVE by the programs call; details in programs.py)."""
    inactive_programs: tuple[str, ...] = ("55555",)
    """Ids the programs call lists INACTIVE; a send with one is refused like an unknown id."""
    fields: tuple[str, ...] = ("FIRST NAME", "LAST NAME", "PIN", "Tracking")
    page_size: int = 0
    """Contacts per status page (0: all in one answer)."""
    bare_accepted: bool = False
    """Answer a send with the bare {"location", "id"} instead of the {"meta", "data"} envelope
    (Acoustic's documentation shows both)."""
    error_rate: float = 0.0
    """Share of send/status requests answered with a 500 (after processing)."""
    drop_rate: float = 0.0
    """Share of send/status requests whose connection is dropped (after processing)."""
    slow_rate: float = 0.0
    """Share of send/status requests answered only after slow_seconds."""
    slow_seconds: float = 30.0
    seed: int | None = None

    def update(self, **knobs: object) -> None:
        """Sets knobs by name, all or none: ValueError names a knob that is unknown or of the
        wrong type (a JSON number for a float knob, a list of strings for a tuple)."""
        checked = {name: _checked(name, value) for name, value in knobs.items()}
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


# A knob's type -> what it needs, said for a person, the check, and the conversion.
_KINDS: dict[object, tuple[str, Callable[[object], bool], Callable[[object], object]]] = {
    str: ("a string", lambda value: isinstance(value, str), str),
    bool: ("true or false", lambda value: isinstance(value, bool), bool),
    int: ("a whole number", _whole, int),
    float: ("a number", _number, float),
    tuple[str, ...]: ("a list of strings", _strings, tuple),
    int | None: ("a whole number or null", lambda value: value is None or _whole(value), int),
}
# Every knob's type must be in _KINDS: a new knob of a new type fails here, at import.
_KNOB_KINDS = {name: _KINDS[kind] for name, kind in get_type_hints(SandboxConfig).items()}


def _checked(name: str, value: object) -> object:
    if name not in _KNOB_KINDS:
        raise ValueError(f"Unknown sandbox knob {name!r}; the knobs are {', '.join(_KNOB_KINDS)}.")
    needs, fits, convert = _KNOB_KINDS[name]
    if not fits(value):
        raise ValueError(f"The sandbox knob {name} must be {needs}, not {reprlib.repr(value)}.")
    low, high = _RANGES.get(name, (None, None))  # knobs with a range are numbers, checked above
    if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
        within = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"The sandbox knob {name} must be {within}, not {value!r}.")
    return value if value is None else convert(value)


# Numbers outside these make a sandbox that answers nonsense (429 "at most -1 requests").
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "token_lifetime": (0, None),
    "latency": (0, None),
    "status_delay": (0, None),
    "delivery_seconds": (0, None),
    "max_concurrent": (1, None),
    "page_size": (0, None),
    "error_rate": (0, 1),
    "drop_rate": (0, 1),
    "slow_rate": (0, 1),
    "slow_seconds": (0, None),
}

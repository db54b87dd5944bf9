"""Which sends History lists when the Overview opens it: a bar of a breakdown, or the period's
figures, become address parameters (?program=P1&since=…) that History reads back. One place
writes them and reads them, so the two pages cannot disagree on what a link means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from components.core.phone_regions import region_name

_TEXT = ("program", "template", "sender", "country", "mode")
_TIMES = ("since", "until")
MAX_TEXT = 200  # longer is not a value the Overview offered: ignored


@dataclass(frozen=True)
class HistoryFilter:
    program: str | None = None
    template: str | None = None
    sender: str | None = None
    country: str | None = None  # ISO code, as outcomes store it
    mode: str | None = None  # "pod" or "sandbox"
    since: float | None = None  # epoch seconds: sends made in [since, until)
    until: float | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in asdict(self).values())

    def with_picked(self, **values: Any) -> HistoryFilter:
        return replace(self, **values)

    def params(self) -> dict[str, str]:
        """The address parameters of this filter (what History reads back)."""
        found: dict[str, str] = {}
        for name in _TEXT:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        for name in _TIMES:
            value = getattr(self, name)
            if value is not None:
                found[name] = str(int(value))
        return found

    def query(self) -> dict[str, Any]:
        """The journal's list_sends arguments."""
        return asdict(self)

    def words(self, zone: tzinfo) -> str:
        """What History is narrowed to, for the line above its table."""
        parts = []
        if self.program is not None:
            parts.append(f"program {self.program}")
        if self.template is not None:
            parts.append(f"template {self.template or '(none)'}")
        if self.sender is not None:
            parts.append(f"sent by {self.sender or 'unknown'}")
        if self.country is not None:
            parts.append(f"with recipients in {region_name(self.country)}")
        if self.mode is not None:
            parts.append("live sends" if self.mode == "pod" else "sandbox sends")
        if self.since is not None and self.until is not None:
            first = datetime.fromtimestamp(self.since, zone)
            last = datetime.fromtimestamp(self.until, zone) - timedelta(microseconds=1)
            parts.append(f"made {first:%a %-d %b %Y} to {last:%a %-d %b %Y}")
        return ", ".join(parts)


def history_filter_from(params: Mapping[str, Any]) -> HistoryFilter:
    """The filter an address carries; a value that is not one the Overview writes is ignored."""
    values: dict[str, Any] = {}
    for name in _TEXT:
        value = params.get(name)
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            values[name] = value
    if values.get("mode") not in (None, "pod", "sandbox"):
        del values["mode"]
    for name in _TIMES:
        value = params.get(name)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
            values[name] = float(value)
    return HistoryFilter(**values)

"""The organisation's SMS programs, read from `GET /rest/channels/sms/programs`.

Wire notes (from the project's API notes; their sources are the channels Swagger and the docs
page "Get SMS programs"):
- The call lists the organisation's programs (One-Way and Text-to-Join) with `id`,
  `programName`, `campaignName`, `code`, `senderId`, `status`, `type` and `country`, in the
  usual `{"meta": ..., "data": ...}` envelope; `GET /rest/channels/sms/program/{id}` gives one.
- 403 `Forbidden` when SMS is not enabled for the organisation (the client's ForbiddenError).
- The docs say it lists the *active* programs; whether inactive ones appear too is not public, so
  each program's `status` is kept and read.
- Program ids (the send's `channelQualifier`) are opaque strings: numeric ids and UUIDs are both
  seen. A numeric id written as a JSON number is read as its digits.
- Assumed (not public): the exact field spellings beyond the names above, whether `data` is the
  list itself or an object holding it, and the spelling of `status` ("ACTIVE" assumed). So
  everything here is read tolerantly: the alternatives below are guesses kept in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answers import data_of

PROGRAMS_PATH = "/rest/channels/sms/programs"
PROGRAM_PATH = "/rest/channels/sms/program/{program_id}"

# Assumed spellings, first the documented one.
_ID_FIELDS = ("id", "programId", "channelQualifier")
_NAME_FIELDS = ("programName", "name")
_LIST_FIELDS = ("programs", "smsPrograms", "items", "content", "data")
# A status that says the program can send; no status at all counts as active, since the docs
# say the call lists active programs.
ACTIVE_STATUSES = frozenset({"active", "enabled", "live", "true"})


@dataclass(frozen=True)
class Program:
    """One SMS program as Acoustic lists it; `id` is what a send's `channelQualifier` carries."""

    id: str
    name: str = ""
    status: str = ""
    type: str = ""
    country: str = ""
    code: str = ""

    @property
    def active(self) -> bool:
        return not self.status or self.status.strip().casefold() in ACTIVE_STATUSES


def programs_of(body: Any) -> list[Program] | None:
    """The programs of a list answer (wrapped or bare); None when the answer holds no list at
    all (not JSON, or another shape), which is not the same as an empty list."""
    data = data_of(body)
    items = _list_in(data)
    if items is None:
        return None
    programs = [program for item in items if (program := program_of(item)) is not None]
    return list({program.id: program for program in programs}.values())  # one per id


def program_of(item: Any) -> Program | None:
    """One program, or None for an entry without an id (nothing could send with it)."""
    if not isinstance(item, Mapping):
        return None
    program_id = _text(_first(item, _ID_FIELDS))
    if not program_id:
        return None
    return Program(
        id=program_id,
        name=_text(_first(item, _NAME_FIELDS)),
        status=_text(item.get("status")),
        type=_text(item.get("type")),
        country=_text(item.get("country")),
        code=_text(item.get("code")),
    )


def _list_in(data: Any) -> Sequence[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for name in _LIST_FIELDS:
            if isinstance(data.get(name), list):
                return data[name]
    return None


def _first(item: Mapping[str, Any], names: Sequence[str]) -> Any:
    for name in names:
        if item.get(name) not in (None, ""):
            return item[name]
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, Mapping | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()

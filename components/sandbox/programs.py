"""The sandbox's SMS programs: `GET /rest/channels/sms/programs` and `/program/{id}`.

The programs are the configured `active_programs` and `inactive_programs` (both listed, each with
its status), with the details below; an id configured without details gets plain ones. Field
names follow the documented ones (`id`, `programName`, `campaignName`, `code`, `senderId`,
`status`, `type`, `country`) in the `{"meta", "data"}` envelope with `data` the list itself;
that shape, the status spellings and the 404 of an unknown id are assumed (not public).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from components.acoustic.programs import PROGRAM_PATH, PROGRAMS_PATH

from .config import UUID_PROGRAM

if TYPE_CHECKING:
    from .state import SandboxState

ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"

# id -> (programName, type, country, code, senderId)
DETAILS: dict[str, tuple[str, str, str, str, str]] = {
    "12345": ("Order updates", "One-Way", "US", "55123", "55123"),
    "129856": ("Login codes", "One-Way", "US", "40404", "40404"),
    UUID_PROGRAM: ("Appointment reminders UK", "One-Way", "GB", "60777", "ACME"),
    "55555": ("Spring sale 2023", "Text-to-Join", "US", "77777", "77777"),
}


def program_entry(program_id: str, status: str) -> dict[str, Any]:
    name, kind, country, code, sender = DETAILS.get(
        program_id, (f"Sandbox program {program_id}", "One-Way", "US", "", "")
    )
    return {
        "id": program_id,
        "programName": name,
        "campaignName": "",
        "code": code,
        "senderId": sender,
        "status": status,
        "type": kind,
        "country": country,
    }


def program_routes(
    state: SandboxState,
    authorize: Callable[[Request], Response | None],
    answer: Callable[[Any], Response],
    refuse: Callable[[int, str], Response],
) -> list[Route]:
    """The two routes, behind the same token and SMS-enabled checks as the send."""
    config = state.config

    def entries() -> list[dict[str, Any]]:
        listed = dict.fromkeys(config.active_programs, ACTIVE)  # an id in both lists can send
        for pid in config.inactive_programs:
            listed.setdefault(pid, INACTIVE)
        return [program_entry(pid, status) for pid, status in listed.items()]

    async def programs(request: Request) -> Response:
        with state.lock:
            state.counters["program_requests"] += 1
        refused = authorize(request)
        return refused if refused is not None else answer(entries())

    async def program(request: Request) -> Response:
        refused = authorize(request)
        if refused is not None:
            return refused
        wanted = request.path_params["program_id"]
        for entry in entries():
            if entry["id"] == wanted:
                return answer(entry)
        return refuse(404, f"SMS Program not found with identifier {wanted}.")

    return [
        Route(PROGRAMS_PATH, programs, methods=["GET"]),
        Route(PROGRAM_PATH, program, methods=["GET"]),
    ]

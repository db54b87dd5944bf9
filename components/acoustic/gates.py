"""One gate per organisation (the same host and API client) for the whole process: every client,
job and look-up of that organisation passes it, so all sessions together keep Acoustic's limit.
Its places are this process's (`limits.InFlightGate`), or held in a PostgreSQL database that every
process sending for the organisation shares (`shared_places.SharedPlaces`)."""

from __future__ import annotations

import threading

from .limits import CountingGate, InFlightGate
from .shared_places import SharedPlaces

_gates: dict[tuple[str, str, str], CountingGate] = {}
_gates_lock = threading.Lock()


def organisation_gate(
    base_url: str, client_id: str, limit: int | None = None, places_database: str = ""
) -> CountingGate:
    """The gate of one organisation (the same host and API client) for this process: its places
    in the PostgreSQL database `places_database` names (a libpq URL), shared by every process
    using it, or in this process when it is empty. A `limit` lowers it for every client, job and
    look-up of that organisation in the process."""
    key = (base_url, client_id, places_database)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            if places_database:
                gate = SharedPlaces(places_database, f"{base_url}\0{client_id}")
            else:
                gate = InFlightGate()
            _gates[key] = gate
    if limit is not None:
        gate.lower_to(limit)
    return gate


def clear_gates() -> None:
    """Every gate of this process back to its full width, and the places held in a database given
    back (tests start each from gates Acoustic never narrowed; clients made before keep theirs)."""
    with _gates_lock:
        shared = [key for key in _gates if key[2]]
        gates = list(_gates.values())
        dropped = [_gates.pop(key) for key in shared]
    for gate in gates:
        gate.width.restore()
    for gate in dropped:
        gate.close()

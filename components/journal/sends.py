"""Sends and their batches: written before the first request leaves, then moved batch by batch
planned -> in_flight -> accepted / rejected / unknown, each step committed."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from components.journal.base import JournalBase
from components.journal.records import (
    BatchRecord,
    DuplicateSendError,
    SendRecord,
    batch_from_row,
    select_sends,
)
from components.states import BatchState, Cause

_INTERRUPTED_ERROR = (
    "The console stopped while this batch was being sent: it may or may not have been processed."
)


def destination_of(mode: str, base_url: str) -> str:
    """Where a send goes, as "the same send" understands it: the pod's address, or the built-in
    sandbox whatever port it had (it gets a new one each time the console starts)."""
    return "built-in sandbox" if mode == "sandbox" else base_url


def send_fingerprint(
    *,
    kind: str,
    mode: str,
    base_url: str,
    payloads: Sequence[Mapping[str, Any]],
    nonce: str = "",
) -> str:
    """Identifies "the same send": same destination, same request bodies (content, program,
    defaults, source and every contact), plus a nonce when the user asked for a deliberate
    repeat."""
    digest = hashlib.sha256()
    digest.update(f"{kind}\0{destination_of(mode, base_url)}\0{nonce}\0".encode())
    for payload in payloads:
        digest.update(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\0")
    return digest.hexdigest()


class Sends(JournalBase):
    # -- sends ---------------------------------------------------------------------------------

    def create_send(
        self,
        *,
        kind: str,
        mode: str,
        base_url: str,
        program: str,
        content: str,
        payloads: Sequence[Mapping[str, Any]],
        defaults: Mapping[str, str] | None = None,
        source: str | None = None,
        created_by: str | None = None,
        segments: int | None = None,
        estimated_cost: float | None = None,
        repeat_of: int | None = None,
        not_before: Sequence[float | None] | None = None,
        schedule: str | None = None,
        scheduled_by: str | None = None,
    ) -> SendRecord:
        """Writes the send and all its batches (state planned) in one transaction; batch i is not
        sent before `not_before[i]` (None: at once) of a send scheduled as `schedule`.

        Raises DuplicateSendError when the same send was journaled before, unless `repeat_of`
        names it: a deliberate repeat the user confirmed.
        """
        if not payloads:
            raise ValueError("A send needs at least one batch.")
        times = list(not_before) if not_before is not None else [None] * len(payloads)
        if len(times) != len(payloads):
            raise ValueError("A scheduled send needs one start time per batch.")
        nonce = f"repeat-of-{repeat_of}-{time.time_ns()}" if repeat_of is not None else ""
        fingerprint = send_fingerprint(
            kind=kind, mode=mode, base_url=base_url, payloads=payloads, nonce=nonce
        )
        now = time.time()
        recipients = sum(len(p.get("contacts", [])) for p in payloads)
        with self._write() as conn:
            existing = select_sends(conn, "s.fingerprint = ?", (fingerprint,))
            if existing:
                raise DuplicateSendError(existing[0])
            cursor = conn.execute(
                """INSERT INTO sends (fingerprint, kind, mode, base_url, program, content,
                       defaults_json, source, created_by, created_at, recipients, segments,
                       estimated_cost, repeat_of, schedule, scheduled_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    fingerprint,
                    kind,
                    mode,
                    base_url,
                    program,
                    content,
                    json.dumps(dict(defaults or {}), ensure_ascii=False),
                    source,
                    created_by,
                    now,
                    recipients,
                    segments,
                    estimated_cost,
                    repeat_of,
                    schedule,
                    scheduled_by,
                ),
            )
            send_id = int(cursor.lastrowid or 0)
            conn.executemany(
                """INSERT INTO batches (send_id, idx, state, contacts, payload_json, updated_at,
                       not_before)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        send_id,
                        index,
                        BatchState.PLANNED,
                        len(payload.get("contacts", [])),
                        json.dumps(payload, ensure_ascii=False),
                        now,
                        times[index],
                    )
                    for index, payload in enumerate(payloads)
                ],
            )
            return select_sends(conn, "s.id = ?", (send_id,))[0]

    def find_duplicate(
        self, *, kind: str, mode: str, base_url: str, payloads: Sequence[Mapping[str, Any]]
    ) -> SendRecord | None:
        """The journaled send identical to this one, if any (to warn before confirming)."""
        fingerprint = send_fingerprint(kind=kind, mode=mode, base_url=base_url, payloads=payloads)
        with self._connection() as conn:
            found = select_sends(conn, "s.fingerprint = ?", (fingerprint,))
        return found[0] if found else None

    def get_send(self, send_id: int) -> SendRecord | None:
        with self._connection() as conn:
            found = select_sends(conn, "s.id = ?", (send_id,))
        return found[0] if found else None

    # -- batches -------------------------------------------------------------------------------

    def batches(self, send_id: int) -> list[BatchRecord]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM batches WHERE send_id = ? ORDER BY idx", (send_id,)
            ).fetchall()
        return [batch_from_row(row) for row in rows]

    def batch_payload(self, batch_id: int) -> dict[str, Any]:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT payload_json FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
        if row is None:
            raise LookupError(f"No batch {batch_id} in the journal.")
        text = row["payload_json"]
        try:
            return orjson.loads(text)  # read back just before its batch is sent: the fast way
        except orjson.JSONDecodeError:
            return json.loads(text)  # what orjson refuses and `json` wrote: NaN, Infinity

    def batch_for_transaction(self, transaction_id: str) -> BatchRecord | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT * FROM batches WHERE transaction_id = ?", (transaction_id,)
            ).fetchone()
        return batch_from_row(row) if row else None

    def claim_batch(self, batch_id: int, owner: str) -> bool:
        """planned -> in_flight, atomically: only one worker ever sends a batch."""
        with self._write() as conn:
            cursor = conn.execute(
                """UPDATE batches SET state = ?, owner = ?, attempts = attempts + 1,
                       updated_at = ?
                   WHERE id = ? AND state = ?""",
                (BatchState.IN_FLIGHT, owner, time.time(), batch_id, BatchState.PLANNED),
            )
            return cursor.rowcount == 1

    def finish_batch(
        self,
        batch_id: int,
        state: BatchState,
        *,
        transaction_id: str | None = None,
        status_code: int | None = None,
        error: str | None = None,
        cause: Cause | None = None,
        api_messages: Sequence[str] = (),
    ) -> None:
        """in_flight -> a final state, with what the answer (or its absence) said."""
        if not BatchState(state).final:
            raise ValueError(f"{state!r} is not a final batch state.")
        with self._write() as conn:
            conn.execute(
                """UPDATE batches SET state = ?, transaction_id = ?, status_code = ?, error = ?,
                       cause = ?, api_messages_json = ?, updated_at = ?
                   WHERE id = ? AND state = ?""",
                (
                    state,
                    transaction_id,
                    status_code,
                    error,
                    cause,
                    json.dumps(list(api_messages), ensure_ascii=False) if api_messages else None,
                    time.time(),
                    batch_id,
                    BatchState.IN_FLIGHT,
                ),
            )

    def mark_interrupted(self, *, alive_owners: Sequence[str] = ()) -> int:
        """in_flight batches whose worker is gone become unknown (they may have been sent)."""
        placeholders = ",".join("?" for _ in alive_owners) or "''"
        with self._write() as conn:
            cursor = conn.execute(
                f"""UPDATE batches SET state = ?, cause = ?, error = ?, updated_at = ?
                    WHERE state = ? AND IFNULL(owner, '') NOT IN ({placeholders})""",
                (
                    BatchState.UNKNOWN,
                    Cause.INTERRUPTED,
                    _INTERRUPTED_ERROR,
                    time.time(),
                    BatchState.IN_FLIGHT,
                    *alive_owners,
                ),
            )
            return cursor.rowcount

    def in_flight_owners(self) -> list[str]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT IFNULL(owner, '') FROM batches WHERE state = ?",
                (BatchState.IN_FLIGHT,),
            ).fetchall()
        return [row[0] for row in rows]

    def requeue(self, send_id: int, batch_ids: Sequence[int], *, include_unknown: bool) -> int:
        """Makes batches sendable again: rejected always; unknown only when the user chose to
        accept possible duplicates."""
        states = [BatchState.REJECTED] + ([BatchState.UNKNOWN] if include_unknown else [])
        marks = ",".join("?" for _ in batch_ids) or "NULL"
        with self._write() as conn:
            cursor = conn.execute(
                f"""UPDATE batches SET state = ?, updated_at = ?
                    WHERE send_id = ? AND id IN ({marks})
                      AND state IN ({",".join("?" for _ in states)})""",
                (BatchState.PLANNED, time.time(), send_id, *batch_ids, *states),
            )
            return cursor.rowcount

"""Sends and their batches: written before the first request leaves, then moved batch by batch
planned -> in_flight -> accepted / rejected / unknown (or planned -> left_out, never sent), each
step committed."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from components.core.states import BatchState, Cause, ConnectionMode
from components.journal.base import JournalBase, in_chunks
from components.journal.outcomes import start_following
from components.journal.records import (
    BatchRecord,
    DuplicateSendError,
    SendRecord,
    batch_from_row,
    select_batch_records,
    select_sends,
)
from components.journal.tables import batches, send_leases, sends

_INTERRUPTED_ERROR = (
    "The console stopped while this batch was being sent: it may or may not have been processed."
)


def destination_of(mode: str, base_url: str) -> str:
    """Where a send goes, as "the same send" understands it: the pod's address, or the built-in
    sandbox whatever port it had (it gets a new one each time the console starts)."""
    return "built-in sandbox" if mode == ConnectionMode.SANDBOX else base_url


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
        hours_choice: str | None = None,
        hours_reason: str | None = None,
        hours_by: str | None = None,
        template: tuple[int, str, int] | None = None,
    ) -> SendRecord:
        """Writes the send and all its batches (state planned) in one transaction; batch i is not
        sent before `not_before[i]` (None: at once) of a send scheduled as `schedule`;
        `hours_choice` says what the worker does with recipients outside their hours (with the
        reason and who gave it, for "anyway"); `template` is (id, name, version) of the template
        version it came from, unchanged.

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
            existing = select_sends(conn, sends.c.fingerprint == fingerprint)
            if existing:
                raise DuplicateSendError(existing[0])
            send_id = conn.execute(
                sa.insert(sends)
                .values(
                    fingerprint=fingerprint,
                    kind=kind,
                    mode=mode,
                    base_url=base_url,
                    program=program,
                    content=content,
                    defaults_json=json.dumps(dict(defaults or {}), ensure_ascii=False),
                    source=source,
                    created_by=created_by,
                    created_at=now,
                    recipients=recipients,
                    segments=segments,
                    estimated_cost=estimated_cost,
                    repeat_of=repeat_of,
                    schedule=schedule,
                    scheduled_by=scheduled_by,
                    hours_choice=hours_choice,
                    hours_reason=hours_reason,
                    hours_by=hours_by,
                    template_id=template[0] if template else None,
                    template_name=template[1] if template else None,
                    template_version=template[2] if template else None,
                )
                .returning(sends.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(batches),
                [
                    {
                        "send_id": send_id,
                        "idx": index,
                        "state": BatchState.PLANNED.value,
                        "contacts": len(payload.get("contacts", [])),
                        "payload_json": json.dumps(payload, ensure_ascii=False),
                        "attempts": 0,
                        "updated_at": now,
                        "not_before": times[index],
                    }
                    for index, payload in enumerate(payloads)
                ],
            )
            return select_sends(conn, sends.c.id == send_id)[0]

    def find_duplicate(
        self, *, kind: str, mode: str, base_url: str, payloads: Sequence[Mapping[str, Any]]
    ) -> SendRecord | None:
        """The journaled send identical to this one, if any (to warn before confirming)."""
        fingerprint = send_fingerprint(kind=kind, mode=mode, base_url=base_url, payloads=payloads)
        with self._connection() as conn:
            found = select_sends(conn, sends.c.fingerprint == fingerprint)
        return found[0] if found else None

    def get_send(self, send_id: int) -> SendRecord | None:
        with self._connection() as conn:
            found = select_sends(conn, sends.c.id == send_id)
        return found[0] if found else None

    # -- batches -------------------------------------------------------------------------------

    def batches(self, send_id: int) -> list[BatchRecord]:
        b = batches.c
        with self._connection() as conn:
            rows = conn.execute(
                select_batch_records().where(b.send_id == send_id).order_by(b.idx)
            ).mappings()
            return [batch_from_row(row) for row in rows]

    def batch_payload(self, batch_id: int) -> dict[str, Any]:
        """The batch's request body as it stands: without the recipients it handed on to
        batches of their own, for their allowed hours (its journaled body, which an approval's
        digest covers, keeps them)."""
        found = self.batch_payloads([batch_id])
        if batch_id not in found:
            raise LookupError(f"No batch {batch_id} in the journal.")
        return found[batch_id]

    def batch_payloads(self, batch_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """batch_payload of each of these batches, in a query per 500 (one number's story reads
        one body per SMS)."""
        found: dict[int, dict[str, Any]] = {}
        with self._connection() as conn:
            for chunk in in_chunks(list(dict.fromkeys(batch_ids))):
                rows = conn.execute(
                    sa.select(batches.c.id, batches.c.payload_json, batches.c.held_out_json).where(
                        batches.c.id.in_(chunk)
                    )
                )
                for row in rows:
                    found[row.id] = _payload_of(row.payload_json, row.held_out_json)
        return found

    def batch_for_transaction(self, transaction_id: str) -> BatchRecord | None:
        return self.batches_for_transactions([transaction_id]).get(transaction_id)

    def batches_for_transactions(self, transaction_ids: Sequence[str]) -> dict[str, BatchRecord]:
        """The batches Acoustic gave these transaction ids, by id, in a query per 500 ids (a
        send of many batches is looked up whole on Status)."""
        found: dict[str, BatchRecord] = {}
        with self._connection() as conn:
            for chunk in in_chunks(transaction_ids):
                rows = conn.execute(
                    select_batch_records().where(batches.c.transaction_id.in_(chunk))
                ).mappings()
                for row in rows:
                    found.setdefault(row["transaction_id"], batch_from_row(row))
        return found

    def claim_batch(
        self,
        batch_id: int,
        owner: str,
        *,
        left_out: Sequence[str] = (),
        lease_of: int | None = None,
    ) -> bool:
        """planned -> in_flight, atomically: only one worker ever sends a batch. `left_out`: the
        numbers its request goes without (on the do-not-text list now); its journaled request
        body stays as it was (an approval's digest covers it). `lease_of`: the send whose lease
        `owner` must hold, in the same statement. A replica that stalled and lost the send to
        another then claims nothing more: what it has in flight ends, the rest is the other's."""
        return self._claim(batch_id, owner, BatchState.IN_FLIGHT, left_out, lease_of)

    def leave_out_batch(self, batch_id: int, owner: str, left_out: Sequence[str]) -> bool:
        """planned -> left_out, atomically, for a batch whose every recipient (`left_out`) is on
        the do-not-text list: it is never sent. False when someone else has it."""
        return self._claim(batch_id, owner, BatchState.LEFT_OUT, left_out)

    def _claim(
        self,
        batch_id: int,
        owner: str,
        state: BatchState,
        left_out: Sequence[str],
        lease_of: int | None = None,
    ) -> bool:
        b = batches.c
        held = sa.true()
        if lease_of is not None:
            lease = send_leases.c
            held = sa.exists().where(lease.send_id == lease_of, lease.owner == owner)
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(batches)
                .where(
                    b.id == batch_id, b.state == BatchState.PLANNED.value, _not_cancelled(b), held
                )
                .values(
                    state=state.value,
                    owner=owner,
                    attempts=b.attempts + int(state is BatchState.IN_FLIGHT),
                    updated_at=time.time(),
                    left_out_json=json.dumps(list(left_out)) if left_out else None,
                )
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
        owner: str | None = None,
        unclaimed: bool = False,
    ) -> None:
        """in_flight -> a final state, with what the answer (or its absence) said. The answer
        of `owner` also corrects the "unknown" another replica wrote when it took the send over
        from `owner`, which had only stalled: what Acoustic answered is better than a guess.
        `unclaimed`: the batch failed before it held a place (so it is still planned), which is
        certainly "rejected": planned -> rejected."""
        if not BatchState(state).final:
            raise ValueError(f"{state!r} is not a final batch state.")
        b = batches.c
        movable = b.state == BatchState.IN_FLIGHT.value
        if unclaimed:
            if BatchState(state) is not BatchState.REJECTED:
                raise ValueError("A batch that never held a place can only be rejected.")
            movable = sa.and_(b.state == BatchState.PLANNED.value, _not_cancelled(b))
        if owner is not None:
            movable = sa.or_(
                movable,
                sa.and_(
                    b.state == BatchState.UNKNOWN.value,
                    b.cause == Cause.INTERRUPTED.value,
                    b.owner == owner,
                ),
            )
        now = time.time()
        with self._write() as conn:
            moved = conn.execute(
                sa.update(batches)
                .where(b.id == batch_id, movable)
                .values(
                    state=BatchState(state).value,
                    owner=owner if unclaimed else b.owner,
                    transaction_id=transaction_id,
                    status_code=status_code,
                    error=error,
                    cause=None if cause is None else Cause(cause).value,
                    api_messages_json=(
                        json.dumps(list(api_messages), ensure_ascii=False) if api_messages else None
                    ),
                    updated_at=now,
                )
            )
            if moved.rowcount and BatchState(state) is BatchState.ACCEPTED and transaction_id:
                # In the same transaction: an accepted batch is followed, whatever happens next.
                start_following(conn, batch_id, transaction_id, now)

    def mark_interrupted(self, *, alive_owners: Sequence[str] = ()) -> int:
        """in_flight batches whose worker is gone become unknown (they may have been sent)."""
        b = batches.c
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(batches)
                .where(
                    b.state == BatchState.IN_FLIGHT.value,
                    sa.func.coalesce(b.owner, "").not_in(list(alive_owners) or [""]),
                )
                .values(
                    state=BatchState.UNKNOWN.value,
                    cause=Cause.INTERRUPTED.value,
                    error=_INTERRUPTED_ERROR,
                    updated_at=time.time(),
                )
            )
            return cursor.rowcount

    def in_flight_owners(self) -> list[str]:
        with self._connection() as conn:
            owners = conn.execute(
                sa.select(sa.func.coalesce(batches.c.owner, ""))
                .where(batches.c.state == BatchState.IN_FLIGHT.value)
                .distinct()
            ).scalars()
            return list(owners)

    def requeue(self, send_id: int, batch_ids: Sequence[int], *, include_unknown: bool) -> int:
        """Makes batches sendable again: rejected always; unknown only when the user chose to
        accept possible duplicates."""
        states = [BatchState.REJECTED] + ([BatchState.UNKNOWN] if include_unknown else [])
        b = batches.c
        with self._write() as conn:
            cursor = conn.execute(
                sa.update(batches)
                .where(
                    b.send_id == send_id,
                    b.id.in_(list(batch_ids)),
                    b.state.in_([state.value for state in states]),
                )
                .values(state=BatchState.PLANNED.value, updated_at=time.time())
            )
            return cursor.rowcount


def _not_cancelled(b: Any) -> sa.ColumnElement[bool]:
    """The batch's send is not cancelled: a cancel made on any replica stops the batches that
    replica's worker, or another's, has not claimed yet."""
    return (
        sa.select(sends.c.id)
        .where(sends.c.id == b.send_id, sends.c.cancelled_at.is_(None))
        .exists()
    )


def _payload_of(payload_json: str, held_out_json: str | None) -> dict[str, Any]:
    try:
        payload = orjson.loads(payload_json)  # read just before it is sent: the fast way
    except orjson.JSONDecodeError:
        payload = json.loads(payload_json)  # what orjson refuses: NaN, Infinity
    if held_out_json:
        held = set(json.loads(held_out_json))
        payload["contacts"] = [
            c for c in payload.get("contacts", []) if str(c.get("phoneNumber", "")) not in held
        ]
    return payload

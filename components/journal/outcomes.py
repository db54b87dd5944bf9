"""Outcomes in the journal: each recipient of an accepted batch, pending until Acoustic's status
answers say sent or failed, and the follow-up of each accepted transaction (claimed by one
replica at a time, asked again on a backoff). The rules (when to ask, what a place costs) are
components/status/follow.py's; the figures over a period, components/status/period_figures.py's."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from components.core.phone_regions import country_of
from components.core.states import ContactState
from components.journal.base import JournalBase, in_chunks, insert_for
from components.journal.outbox import notify_if_send_followed
from components.journal.outcome_counts import HOUR
from components.journal.tables import (
    batches,
    follows,
    outcome_hours,
    outcomes,
    send_outcomes,
    sends,
)

FIRST_LOOK_AFTER = 15.0  # seconds after acceptance: Acoustic processes a batch in seconds


@dataclass(frozen=True)
class Follow:
    transaction_id: str
    batch_id: int
    send_id: int
    started_at: float
    attempts: int


@dataclass(frozen=True)
class OutcomeRecord:
    send_id: int
    batch_id: int
    phone_number: str
    sent_at: float
    mode: str
    program: str
    template_name: str | None
    created_by: str | None
    state: ContactState
    message: str | None
    updated_at: float
    country: str


def start_following(conn: sa.Connection, batch_id: int, transaction_id: str, now: float) -> None:
    """Within the write that accepts a batch: its recipients pending, its transaction followed."""
    row = conn.execute(
        sa.select(
            batches.c.send_id,
            batches.c.payload_json,
            batches.c.held_out_json,
            batches.c.left_out_json,
            sends.c.created_at,
            sends.c.mode,
            sends.c.program,
            sends.c.template_name,
            sends.c.created_by,
        )
        .select_from(batches.join(sends, sends.c.id == batches.c.send_id))
        .where(batches.c.id == batch_id)
    ).first()
    if row is None:
        return
    skipped = set(json.loads(row.held_out_json or "[]")) | set(
        json.loads(row.left_out_json or "[]")
    )
    numbers = [
        str(contact.get("phoneNumber", ""))
        for contact in json.loads(row.payload_json).get("contacts", [])
    ]
    numbers = [n for n in dict.fromkeys(numbers) if n and n not in skipped]
    known = conn.execute(
        sa.select(outcomes.c.phone_number).where(outcomes.c.batch_id == batch_id).limit(1)
    ).first()
    if numbers and known is None:
        facts = {
            "sent_at": row.created_at,
            "mode": row.mode,
            "program": row.program,
            "template_name": row.template_name,
            "created_by": row.created_by,
        }
        countries = {number: country_of(number) for number in numbers}
        _bump(
            conn,
            row.send_id,
            facts,
            Counter((ContactState.PENDING.value, "", c) for c in countries.values()),
        )
        conn.execute(
            sa.insert(outcomes),
            [
                {
                    **facts,
                    "batch_id": batch_id,
                    "phone_number": number,
                    "send_id": row.send_id,
                    "state": ContactState.PENDING.value,
                    "message": None,
                    "updated_at": now,
                    "country": country,
                }
                for number, country in countries.items()
            ],
        )
    exists = conn.execute(
        sa.select(follows.c.transaction_id).where(follows.c.transaction_id == transaction_id)
    ).first()
    if exists is None:
        conn.execute(
            sa.insert(follows).values(
                transaction_id=transaction_id,
                batch_id=batch_id,
                send_id=row.send_id,
                started_at=now,
                next_at=now + FIRST_LOOK_AFTER,
                attempts=0,
            )
        )


def _bump(
    conn: sa.Connection,
    send_id: int,
    facts: Mapping[str, Any],
    changes: Counter[tuple[str, str, str]],
) -> None:
    """Adds `changes` ((state, message, country) -> recipients, negative to take away) to the
    hour of the send and to the send's own counts, in the caller's transaction."""
    insert = insert_for(conn.dialect.name)
    key = {
        "hour": int(float(facts["sent_at"]) // HOUR),
        "mode": facts["mode"],
        "program": facts["program"],
        "template_name": facts["template_name"] or "",
        "created_by": facts["created_by"] or "",
    }
    per_state: Counter[str] = Counter()
    for (state, message, country), by in changes.items():
        if not by:
            continue
        per_state[state] += by
        row = insert(outcome_hours).values(
            **key, country=country, state=state, message=message, count=by
        )
        conn.execute(
            row.on_conflict_do_update(
                index_elements=[*key, "country", "state", "message"],
                set_={"count": outcome_hours.c.count + by},
            )
        )
    for state, by in per_state.items():
        if not by:
            continue
        row = insert(send_outcomes).values(send_id=send_id, state=state, count=by)
        conn.execute(
            row.on_conflict_do_update(
                index_elements=["send_id", "state"], set_={"count": send_outcomes.c.count + by}
            )
        )


class OutcomeStore(JournalBase):
    def claim_due_follows(
        self, owner: str, *, now: float | None = None, limit: int = 5, lease: float = 120.0
    ) -> list[Follow]:
        """Up to `limit` transactions due to be asked about, claimed for `owner` for `lease`
        seconds: no other replica asks about them meanwhile (a replica that dies lets its claim
        run out)."""
        now = time.time() if now is None else now
        f = follows.c
        free = sa.or_(f.claimed_until.is_(None), f.claimed_until < now)
        with self._write() as conn:
            due = conn.execute(
                sa.select(f.transaction_id, f.batch_id, f.send_id, f.started_at, f.attempts)
                .where(f.next_at.is_not(None), f.next_at <= now, free)
                .order_by(f.next_at)
                .limit(limit)
            ).all()
            if not due:
                return []
            conn.execute(
                sa.update(follows)
                .where(f.transaction_id.in_([d.transaction_id for d in due]))
                .values(owner=owner, claimed_until=now + lease)
            )
        return [Follow(*d) for d in due]

    def record_outcomes(
        self,
        transaction_id: str,
        contacts: Iterable[tuple[str, bool, str | None]],
        *,
        now: float | None = None,
    ) -> int:
        """What a status answer said of its contacts (number, sent?, Acoustic's message), from
        the follower or a Status look-up. Returns how many outcomes changed."""
        now = time.time() if now is None else now
        o = outcomes.c
        answers = {str(number): (sent, message) for number, sent, message in contacts}
        with self._write() as conn:
            batch_id = conn.execute(
                sa.select(batches.c.id).where(batches.c.transaction_id == transaction_id)
            ).scalar()
            if batch_id is None or not answers:
                return 0
            known = {
                row.phone_number: row
                for chunk in in_chunks(list(answers))
                for row in conn.execute(
                    sa.select(o.phone_number, o.state, o.message, o.send_id, o.sent_at, o.mode,
                              o.program, o.template_name, o.created_by, o.country)
                    .where(o.batch_id == batch_id, o.phone_number.in_(chunk))
                )
            }  # fmt: skip
            changes: Counter[tuple[str, str, str]] = Counter()
            facts = None
            for number, (sent, message) in answers.items():
                row = known.get(number)
                state = (ContactState.SENT if sent else ContactState.FAILED).value
                if row is None or (row.state, row.message or "") == (state, message or ""):
                    continue
                facts = row
                conn.execute(
                    sa.update(outcomes)
                    .where(o.batch_id == batch_id, o.phone_number == number)
                    .values(state=state, message=message, updated_at=now)
                )
                changes[(row.state, row.message or "", row.country)] -= 1
                changes[(state, message or "", row.country)] += 1
            if facts is not None:
                _bump(conn, facts.send_id, facts._mapping, changes)
        return sum(by for by in changes.values() if by > 0)

    def reschedule_follow(
        self,
        transaction_id: str,
        *,
        next_at: float | None,
        finished: bool = False,
        gave_up: bool = False,
        now: float | None = None,
    ) -> None:
        """After a look-up by the follower: when to ask again (None: never), and why not."""
        now = time.time() if now is None else now
        f = follows.c
        with self._write() as conn:
            conn.execute(
                sa.update(follows)
                .where(f.transaction_id == transaction_id)
                .values(
                    next_at=next_at,
                    attempts=f.attempts + 1,
                    finished_at=now if finished else None,
                    gave_up_at=now if gave_up else None,
                    owner=None,
                    claimed_until=None,
                )
            )
            if next_at is None:
                send_id = conn.execute(
                    sa.select(f.send_id).where(f.transaction_id == transaction_id)
                ).scalar()
                if send_id is not None:
                    notify_if_send_followed(conn, int(send_id), now)

    def follow_state(self, transaction_id: str) -> Mapping[str, Any] | None:
        with self._connection() as conn:
            row = (
                conn.execute(sa.select(follows).where(follows.c.transaction_id == transaction_id))
                .mappings()
                .first()
            )
        return dict(row) if row is not None else None

    def outcome_records(
        self,
        *,
        send_id: int | None = None,
        batch_id: int | None = None,
        phone_numbers: Sequence[str] | None = None,
    ) -> list[OutcomeRecord]:
        """Outcomes of one send, one batch, or some numbers (newest send first)."""
        query = sa.select(outcomes).order_by(outcomes.c.sent_at.desc(), outcomes.c.batch_id)
        if send_id is not None:
            query = query.where(outcomes.c.send_id == send_id)
        if batch_id is not None:
            query = query.where(outcomes.c.batch_id == batch_id)
        if phone_numbers is not None:
            query = query.where(outcomes.c.phone_number.in_(list(phone_numbers)))
        with self._connection() as conn:
            rows = conn.execute(query).mappings().all()
        return [OutcomeRecord(**{**dict(row), "state": ContactState(row["state"])}) for row in rows]

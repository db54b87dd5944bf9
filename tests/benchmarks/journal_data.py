"""A journal of many sends for the History and Status benchmarks, written fast and deterministic.

Going through Journal.create_send + claim/finish_batch + record_audit costs ~20 ms per send of
1,000 contacts on SQLite (each step its own committed transaction), ~30 s for the 1,000,000
contacts of the large journal on each backend. So the rows are inserted with SQLAlchemy Core
executemany in one transaction, spelled as those methods write them (the same fingerprint, the
same payload JSON, audit details through audit.clean_details); `check_against_create_send` proves
it column by column on one send before anything is measured.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from components.acoustic import ContactStatus, SendStatus
from components.core.states import BatchState, Cause, Verdict
from components.core.times import utc_text
from components.journal import AuditAction, Journal
from components.journal.audit_entries import clean_details
from components.journal.sends import send_fingerprint
from components.journal.tables import audit, batches, sends, snapshots
from components.status.lookups import Lookup

DAY = 24 * 3600
POD = "https://api-campaign-us-6.goacoustic.com"
SANDBOX = "http://127.0.0.1:8765"
PROGRAMS = ["12345", "67890", "24680", "SMS-ALERTS", "PROMO-US"]
TOPICS = ["delivery", "appointment", "order", "payment", "loyalty", "survey", "flight"]
RARE = "Gate B12"  # in the message of a few sends only: what a text search looks for
ACTORS = ["ann@example.com", "bob@example.com", "mia@example.com"]
_AREAS = ["949", "212", "415", "646"]
NAMES = ["Ann", "Bob", "Zoé", "Chloé", "Jürgen", "Mia", "Raj", "Siân", "Élodie", "Li"]
FAILURES = [
    "Invalid phone number.",
    "Message blocked by the carrier.",
    "Unable to deliver: the handset is unreachable or switched off.",
]


@dataclass
class Shape:
    """How many recipients each send has (oldest first); batches of at most 1,000."""

    sizes: list[int]

    @property
    def recipients(self) -> int:
        return sum(self.sizes)

    @property
    def batches(self) -> int:
        return sum(-(-size // 1000) for size in self.sizes)


def large_shape(seed: int = 12) -> Shape:
    """1,000 sends, 1,000,000 recipients: one of 100,000, nine of 15,000, ninety of 3,000 and
    900 of 100 to 1,000, in a shuffled order."""
    sizes = [100_000] + [15_000] * 9 + [3_000] * 90 + [100, 550, 1000] * 300
    random.Random(seed).shuffle(sizes)
    return Shape(sizes)


def small_shape() -> Shape:
    """10 sends: one of 1,000 recipients (the Status send both journals have), nine of 100."""
    return Shape([100] * 4 + [1000] + [100] * 5)


@dataclass
class Loaded:
    """What the benchmark needs to know about the journal it loaded."""

    send_ids: list[int] = field(default_factory=list)
    largest: int = 0
    one_batch: int = 0  # the newest send of exactly 1,000 recipients, all accepted
    lookups: dict[int, list[Lookup]] = field(default_factory=dict)  # recorded answers


def _contacts(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """US and UK mobiles with a name and a PIN; one draw of the generator each (1M are made)."""
    contacts = []
    for index in range(count):
        draw = rng.getrandbits(40)
        line = (draw >> 13) % 8_000_000 + 2_000_000
        if (draw >> 6) % 100 < 85:
            number = f"1{_AREAS[draw & 3]}{line}"
        else:
            number = f"447911{line % 900_000 + 100_000}"
        contacts.append(
            {
                "phoneNumber": number,
                "personalization": {"FIRST NAME": NAMES[(draw >> 2) % 10], "PIN": f"{index:04d}"},
            }
        )
    return contacts


def send_payloads(rng: random.Random, number: int, size: int) -> tuple[str, str, list[dict]]:
    """(program, content, request bodies) of send `number`, as build_payloads makes them."""
    program = PROGRAMS[number % len(PROGRAMS)]
    topic = RARE if number % 97 == 13 else TOPICS[number % len(TOPICS)]
    content = f"Hi %%FIRST NAME%%, your {topic} code is %%PIN%% (#{number}). Reply STOP to opt out."
    base = {
        "channelQualifier": program,
        "content": content,
        "personalizationDefaults": {"FIRST NAME": "there"},
    }
    contacts = _contacts(rng, size)
    bodies = [{**base, "contacts": contacts[i : i + 1000]} for i in range(0, size, 1000)]
    return program, content, bodies


def _fate(rng: random.Random, batches_count: int, plain: bool) -> list[BatchState]:
    """The final state of each batch: mostly accepted, some rejected, some unknown."""
    roll = 1.0 if plain else rng.random()
    states = [BatchState.ACCEPTED] * batches_count
    if roll < 0.03:
        return [BatchState.REJECTED] * batches_count
    if roll < 0.08:
        states[rng.randrange(batches_count)] = BatchState.REJECTED
    elif roll < 0.12:
        states[rng.randrange(batches_count)] = BatchState.UNKNOWN
    return states


_OUTCOMES = {
    BatchState.ACCEPTED: {},
    BatchState.REJECTED: {
        "status_code": 400,
        "cause": Cause.REFUSED.value,
        "error": "Acoustic refused this batch: its request is not valid.",
        "api_messages_json": json.dumps(["Invalid channel qualifier."]),
    },
    BatchState.UNKNOWN: {
        "cause": Cause.ANSWER_LOST.value,
        "error": "No answer came back: Acoustic may or may not have processed this batch.",
    },
}


def _answers(rng: random.Random, body: dict) -> list[dict[str, Any]]:
    """Acoustic's contactStatus for a batch: 95% processed, a few failed."""
    answered = []
    for contact in body["contacts"]:
        if rng.random() < 0.95:
            failed = rng.random() < 0.08
            answered.append(
                {
                    "phoneNumber": contact["phoneNumber"],
                    "smsSent": not failed,
                    "message": rng.choice(FAILURES) if failed else None,
                }
            )
    return answered


def _rows(
    shape: Shape, now: float, seed: int
) -> Iterator[tuple[dict, list[dict], list[tuple], list[dict]]]:
    """(send row, batch rows, audit entries, request bodies) of every send, oldest first."""
    rng = random.Random(seed)
    count = len(shape.sizes)
    largest, newest_plain = _measured(shape)
    held_ones = _held(shape)
    for number, size in enumerate(shape.sizes):
        program, content, bodies = send_payloads(rng, number, size)
        mode = "sandbox" if number % 5 == 0 else "pod"
        base_url = SANDBOX if mode == "sandbox" else POD
        created = now - (count - number) * (365 * DAY / count)
        actor = ACTORS[number % len(ACTORS)]
        held = number in held_ones  # they wait for their time
        cancelled = held and number == count - 1
        send = {
            "fingerprint": send_fingerprint(
                kind="bulk", mode=mode, base_url=base_url, payloads=bodies
            ),
            "kind": "bulk",
            "mode": mode,
            "base_url": base_url,
            "program": program,
            "content": content,
            "defaults_json": json.dumps({"FIRST NAME": "there"}, ensure_ascii=False),
            "source": None,
            "created_by": actor,
            "created_at": created,
            "recipients": size,
            "segments": 1,
            "estimated_cost": round(size * 0.0075, 2),
            "repeat_of": None,
            "schedule": "at" if held else None,
            "scheduled_by": actor if held else None,
            "cancelled_at": created + 60 if cancelled else None,
            "cancelled_by": actor if cancelled else None,
        }
        start = now + 30 * DAY if held else None
        fates = _fate(rng, len(bodies), number in (newest_plain, largest))
        rows = []
        for index, body in enumerate(bodies):
            state = BatchState.PLANNED if held else fates[index]
            rows.append(
                {
                    "idx": index,
                    "state": state.value,
                    "contacts": len(body["contacts"]),
                    "payload_json": json.dumps(body, ensure_ascii=False),
                    "transaction_id": f"{number:06x}-18f-{rng.getrandbits(128):032x}"
                    if state is BatchState.ACCEPTED
                    else None,
                    "status_code": None,
                    "error": None,
                    "attempts": 0 if held else 1,
                    "owner": None if held else "bench-host:4242:1",
                    "updated_at": created + 5 + index,
                    "cause": None,
                    "api_messages_json": None,
                    "not_before": start,
                    **_OUTCOMES.get(state, {}),
                }
            )
        entries = [
            (
                created,
                AuditAction.SEND_REQUESTED,
                {
                    "kind": "bulk",
                    "mode": mode,
                    "program": program,
                    "recipients": size,
                    "batches": len(bodies),
                    "repeat_of": None,
                    "awaiting_approval": False,
                    "left_out": number % 3,
                },
            )
        ]
        if held:
            entries.append(
                (
                    created,
                    AuditAction.SEND_SCHEDULED,
                    {"schedule": "at", "starts_at": utc_text(start), "held_batches": len(bodies)},
                )
            )
            if cancelled:
                entries.append((created + 60, AuditAction.SEND_CANCELLED, {"batches": len(rows)}))
        else:
            entries.append(
                (created + 1, AuditAction.SEND_STARTED, {"batches": len(rows), "recipients": size})
            )
            outcome: dict[str, object] = {"batches": len(rows)}
            for state in (BatchState.ACCEPTED, BatchState.REJECTED, BatchState.UNKNOWN):
                outcome[str(state)] = sum(r["contacts"] for r in rows if r["state"] == state)
            entries.append((created + 5 + len(rows), AuditAction.SEND_FINISHED, outcome))
        yield send, rows, [(at, actor, action, details) for at, action, details in entries], bodies


@dataclass
class Dataset:
    """The rows of a journal, built once and loaded into each backend."""

    shape: Shape
    sends: list[tuple[dict, list[dict], list[tuple]]]
    recorded: dict[int, tuple[list[dict], list[SendStatus]]]  # send number -> snapshots, answers
    largest: int  # send numbers (0 = the oldest)
    one_batch: int


def _measured(shape: Shape) -> tuple[int, int]:
    """(the largest send, the newest send of exactly 1,000 recipients that is not held)."""
    held = _held(shape)
    plain = max(
        (i for i, size in enumerate(shape.sizes) if size == 1000 and i not in held), default=-1
    )
    return shape.sizes.index(max(shape.sizes)), plain


def _held(shape: Shape) -> set[int]:
    """The newest two sends of a journal of more than five wait for their time."""
    count = len(shape.sizes)
    return {count - 2, count - 1} if count > 5 else set()


def build(shape: Shape, *, now: float, seed: int = 20261124) -> Dataset:
    """Every row of the journal of `shape`; the largest send and the newest plain 1,000-recipient
    send get Acoustic's recorded answers (two snapshots per transaction, as two look-ups a few
    minutes apart leave them)."""
    largest, one_batch = _measured(shape)
    rng = random.Random(seed + 1)
    rows, recorded = [], {}
    for number, (send, batch_rows, entries, bodies) in enumerate(_rows(shape, now, seed)):
        rows.append((send, batch_rows, entries))
        if number in (largest, one_batch):
            recorded[number] = _recorded(rng, batch_rows, bodies, now)
    return Dataset(shape, rows, recorded, largest, one_batch)


def load(journal: Journal, data: Dataset) -> Loaded:
    """Writes the dataset into an empty, migrated journal, in one transaction."""
    loaded = Loaded()
    with journal._write() as conn:
        for number, (send, rows, entries) in enumerate(data.sends):
            send_id = conn.execute(sa.insert(sends).values(send).returning(sends.c.id)).scalar_one()
            loaded.send_ids.append(send_id)
            conn.execute(sa.insert(batches), [{"send_id": send_id, **row} for row in rows])
            conn.execute(
                sa.insert(audit),
                [
                    {
                        "at": at,
                        "actor": actor,
                        "action": str(action),
                        "send_id": send_id,
                        "details_json": json.dumps(clean_details(details), ensure_ascii=False),
                    }
                    for at, actor, action, details in entries
                ],
            )
            if number in data.recorded:
                written, answers = data.recorded[number]
                conn.execute(sa.insert(snapshots), written)
                checked = max(row["taken_at"] for row in written)
                loaded.lookups[send_id] = [
                    Lookup(a.transaction_id, Verdict.PROCESSING, "", checked, a, send_id)
                    for a in answers
                ]
    loaded.largest = loaded.send_ids[data.largest]
    loaded.one_batch = loaded.send_ids[data.one_batch]
    return loaded


def _recorded(
    rng: random.Random, rows: list[dict], bodies: list[dict], now: float
) -> tuple[list[dict], list[SendStatus]]:
    """Two snapshots per transaction of a send, and the answers the later one holds."""
    written, answers = [], []
    for row, body in zip(rows, bodies, strict=True):
        answered = _answers(rng, body)
        half = answered[: len(answered) // 2]
        for taken_at, contacts in ((now - 300, half), (now - 60, answered)):
            written.append(
                {
                    "transaction_id": row["transaction_id"],
                    "taken_at": taken_at,
                    "found": 1,
                    "total": len(body["contacts"]),
                    "processed": len(contacts),
                    "contacts_json": json.dumps(contacts, ensure_ascii=False),
                    "errors_json": "[]",
                }
            )
        answers.append(
            SendStatus(
                row["transaction_id"],
                True,
                len(body["contacts"]),
                len(answered),
                [ContactStatus(a["phoneNumber"], a["smsSent"], a["message"]) for a in answered],
            )
        )
    return written, answers


_PLANNED = ("idx", "contacts", "payload_json", "not_before")


def check_against_create_send(journal: Journal, *, now: float) -> None:
    """The loader writes a send's row and its batches' rows exactly as create_send does (its
    planned batches before anything is sent), checked on a send of three batches in a journal
    of its own. AssertionError naming the columns that differ."""
    send, rows, _, bodies = next(_rows(Shape([2500]), now, 7))
    record = journal.create_send(
        kind=send["kind"],
        mode=send["mode"],
        base_url=send["base_url"],
        program=send["program"],
        content=send["content"],
        payloads=bodies,
        defaults=json.loads(send["defaults_json"]),
        created_by=send["created_by"],
        segments=send["segments"],
        estimated_cost=send["estimated_cost"],
    )
    with journal._connection() as conn:
        written = conn.execute(sa.select(sends).where(sends.c.id == record.id)).mappings().one()
        written_batches = conn.execute(
            sa.select(batches).where(batches.c.send_id == record.id).order_by(batches.c.idx)
        ).mappings()
        written_batches = [dict(row) for row in written_batches]
    differ = [k for k in send if k != "created_at" and written[k] != send[k]]
    for ours, theirs in zip(rows, written_batches, strict=True):  # what sending does not change
        differ += [f"batches.{k}" for k in _PLANNED if ours[k] != theirs[k]]
    assert len(rows) == len(written_batches), "the loader writes another number of batches"
    assert not differ, f"the loader writes these columns unlike create_send: {differ}"


def sizes_line(shape: Shape) -> str:
    return f"{len(shape.sizes):,} sends, {shape.recipients:,} recipients, {shape.batches:,} batches"

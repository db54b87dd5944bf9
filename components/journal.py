"""The journal: every send, its batches and their fate, in one SQLite file (WAL).

A send and all its batches are written before the first request leaves, and each batch moves
planned -> in_flight -> accepted / rejected / unknown as it goes, each step committed. So after a
crash the journal says exactly what went out: "in_flight" batches left behind become "unknown"
(they may have been processed) and are only resent by an explicit choice of the user.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from components.history_search import clean_search
from components.private_files import ensure_private_file

SCHEMA_VERSION = 1
BATCH_STATES = ("planned", "in_flight", "accepted", "rejected", "unknown")
FINAL_STATES = ("accepted", "rejected", "unknown")

_SCHEMA = [
    # version 1
    """
    CREATE TABLE sends (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('bulk', 'test')),
        mode TEXT NOT NULL,
        base_url TEXT NOT NULL,
        program TEXT NOT NULL,
        content TEXT NOT NULL,
        defaults_json TEXT NOT NULL DEFAULT '{}',
        source TEXT,
        created_by TEXT,
        created_at REAL NOT NULL,
        recipients INTEGER NOT NULL,
        segments INTEGER,
        estimated_cost REAL,
        repeat_of INTEGER REFERENCES sends(id)
    );
    CREATE UNIQUE INDEX sends_fingerprint ON sends(fingerprint);
    CREATE INDEX sends_created ON sends(created_at);
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        send_id INTEGER NOT NULL REFERENCES sends(id),
        idx INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('planned', 'in_flight', 'accepted', 'rejected', 'unknown')),
        contacts INTEGER NOT NULL,
        payload_json TEXT NOT NULL,
        transaction_id TEXT,
        status_code INTEGER,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        updated_at REAL NOT NULL,
        UNIQUE (send_id, idx)
    );
    CREATE INDEX batches_transaction ON batches(transaction_id);
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        transaction_id TEXT NOT NULL,
        taken_at REAL NOT NULL,
        found INTEGER NOT NULL,
        total INTEGER NOT NULL,
        processed INTEGER NOT NULL,
        contacts_json TEXT NOT NULL,
        errors_json TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX snapshots_transaction ON snapshots(transaction_id, taken_at);
    """,
]


def default_journal_path(environ: Mapping[str, str] | None = None) -> Path:
    """SMS_CONSOLE_JOURNAL, else SMS_CONSOLE_DATA_DIR/journal.sqlite3, else a per-user folder."""
    env = os.environ if environ is None else environ
    if env.get("SMS_CONSOLE_JOURNAL"):
        return Path(env["SMS_CONSOLE_JOURNAL"]).expanduser()
    if env.get("SMS_CONSOLE_DATA_DIR"):
        return Path(env["SMS_CONSOLE_DATA_DIR"]).expanduser() / "journal.sqlite3"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sms-console" / "journal.sqlite3"


@dataclass(frozen=True)
class SendRecord:
    id: int
    fingerprint: str
    kind: str
    mode: str
    base_url: str
    program: str
    content: str
    defaults: dict[str, str]
    source: str | None
    created_by: str | None
    created_at: float
    recipients: int
    segments: int | None
    estimated_cost: float | None
    repeat_of: int | None
    batch_states: dict[str, int] = field(default_factory=dict)

    @property
    def batches(self) -> int:
        return sum(self.batch_states.values())

    @property
    def finished(self) -> bool:
        return self.batches > 0 and all(s in FINAL_STATES for s in self.batch_states)

    @property
    def state(self) -> str:
        """One word for the whole send, worst first."""
        states = self.batch_states
        if states.get("in_flight") or (states.get("planned") and len(states) > 1):
            return "running"
        if states.get("planned"):
            return "planned"
        if states.get("unknown"):
            return "unknown"
        if states.get("rejected"):
            return "partly rejected" if states.get("accepted") else "rejected"
        return "accepted"


@dataclass(frozen=True)
class BatchRecord:
    id: int
    send_id: int
    index: int
    state: str
    contacts: int
    transaction_id: str | None
    status_code: int | None
    error: str | None
    attempts: int
    updated_at: float

    def payload(self, journal: Journal) -> dict[str, Any]:
        return journal.batch_payload(self.id)


@dataclass(frozen=True)
class Snapshot:
    transaction_id: str
    taken_at: float
    found: bool
    total: int
    processed: int
    contacts: list[dict[str, Any]]
    errors: list[str]


class DuplicateSendError(Exception):
    """The same content to the same recipients was already journaled: never a second job."""

    def __init__(self, existing: SendRecord) -> None:
        super().__init__(
            f"This exact send (same message, program and recipients) was already started on "
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(existing.created_at))} "
            f"(send #{existing.id}). Open it in History instead of sending it again."
        )
        self.existing = existing


_PHONE_SEARCH = re.compile(r"\+?[\d\s().\-/]{6,}")


def _phone_digits(text: str) -> str:
    """The digits to look for when a search is a phone number, however it is written: "tel:"
    links, "+44 (0) 7911 ...", exit codes ("001 ...") and national zeros ("07911 ...") lose
    what the API's form does not have. Empty when the search is not a phone number."""
    candidate = text.removeprefix("tel:").replace("(0)", "")
    if not _PHONE_SEARCH.fullmatch(candidate):
        return ""
    return re.sub(r"\D", "", candidate).lstrip("0")


def _literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


class Journal:
    """Thread-safe access to the journal file; one connection per thread, WAL for readers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # Before SQLite opens it: the file, its folders and its -wal/-shm for the owner only.
        ensure_private_file(self.path, companions=("-wal", "-shm"))
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            self._migrate(conn)

    # -- plumbing ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before the request it announces goes out. With NORMAL a power
        # cut could roll back "in flight" after the batch was sent, and it would look unsent.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time in this process; IMMEDIATE so other processes wait, not fail."""
        with self._write_lock, self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"The journal at {self.path} was written by a newer version of the console "
                f"(schema {version}); update the console or point SMS_CONSOLE_JOURNAL elsewhere."
            )
        with self._write_lock:
            for number in range(version, SCHEMA_VERSION):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _SCHEMA[number].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number + 1}")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

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
    ) -> SendRecord:
        """Writes the send and all its batches (state planned) in one transaction.

        Raises DuplicateSendError when the same send was journaled before, unless `repeat_of`
        names it: a deliberate repeat the user confirmed.
        """
        if not payloads:
            raise ValueError("A send needs at least one batch.")
        nonce = f"repeat-of-{repeat_of}-{time.time_ns()}" if repeat_of is not None else ""
        fingerprint = send_fingerprint(
            kind=kind, mode=mode, base_url=base_url, payloads=payloads, nonce=nonce
        )
        now = time.time()
        recipients = sum(len(p.get("contacts", [])) for p in payloads)
        with self._write() as conn:
            row = conn.execute("SELECT id FROM sends WHERE fingerprint = ?", (fingerprint,))
            existing = row.fetchone()
            if existing is not None:
                raise DuplicateSendError(self._send(conn, existing["id"]))
            cursor = conn.execute(
                """INSERT INTO sends (fingerprint, kind, mode, base_url, program, content,
                       defaults_json, source, created_by, created_at, recipients, segments,
                       estimated_cost, repeat_of)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                ),
            )
            send_id = int(cursor.lastrowid or 0)
            conn.executemany(
                """INSERT INTO batches (send_id, idx, state, contacts, payload_json, updated_at)
                   VALUES (?, ?, 'planned', ?, ?, ?)""",
                [
                    (
                        send_id,
                        index,
                        len(payload.get("contacts", [])),
                        json.dumps(payload, ensure_ascii=False),
                        now,
                    )
                    for index, payload in enumerate(payloads)
                ],
            )
            return self._send(conn, send_id)

    def find_duplicate(
        self, *, kind: str, mode: str, base_url: str, payloads: Sequence[Mapping[str, Any]]
    ) -> SendRecord | None:
        """The journaled send identical to this one, if any (to warn before confirming)."""
        fingerprint = send_fingerprint(kind=kind, mode=mode, base_url=base_url, payloads=payloads)
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id FROM sends WHERE fingerprint = ?", (fingerprint,)
            ).fetchone()
            return self._send(conn, row["id"]) if row else None

    def get_send(self, send_id: int) -> SendRecord | None:
        with self._connection() as conn:
            try:
                return self._send(conn, send_id)
            except LookupError:
                return None

    def list_sends(
        self, *, limit: int = 200, search: str = "", mode: str | None = None
    ) -> list[SendRecord]:
        """Newest first; `search` matches content, program, source, a transaction id or a
        phone number of the send."""
        clauses: list[str] = []
        params: list[Any] = []
        if mode:
            clauses.append("s.mode = ?")
            params.append(mode)
        text = clean_search(search).text  # bounded and encodable: no text breaks the query
        if text:
            # A phone number is searched by its digits, however it is written: "+1 (949)
            # 500-1234" finds 19495001234. % and _ in the text are literal, not wildcards.
            digits = _phone_digits(text)
            like = f"%{_literal(text)}%"
            phone = f'%"phoneNumber": "%{_literal(digits or text)}%'
            clauses.append(
                """(s.content LIKE ? ESCAPE '\\' OR s.program LIKE ? ESCAPE '\\'
                    OR IFNULL(s.source, '') LIKE ? ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM batches b WHERE b.send_id = s.id
                               AND (b.transaction_id LIKE ? ESCAPE '\\'
                                    OR b.payload_json LIKE ? ESCAPE '\\')))"""
            )
            params += [like, like, like, like, phone]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connection() as conn:
            ids = [
                row["id"]
                for row in conn.execute(
                    f"SELECT s.id FROM sends s {where} ORDER BY s.created_at DESC, s.id DESC "
                    "LIMIT ?",
                    (*params, limit),
                )
            ]
            return [self._send(conn, send_id) for send_id in ids]

    def _send(self, conn: sqlite3.Connection, send_id: int) -> SendRecord:
        row = conn.execute("SELECT * FROM sends WHERE id = ?", (send_id,)).fetchone()
        if row is None:
            raise LookupError(f"No send #{send_id} in the journal.")
        states = {
            r["state"]: r["n"]
            for r in conn.execute(
                "SELECT state, COUNT(*) AS n FROM batches WHERE send_id = ? GROUP BY state",
                (send_id,),
            )
        }
        return SendRecord(
            id=row["id"],
            fingerprint=row["fingerprint"],
            kind=row["kind"],
            mode=row["mode"],
            base_url=row["base_url"],
            program=row["program"],
            content=row["content"],
            defaults=json.loads(row["defaults_json"] or "{}"),
            source=row["source"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            recipients=row["recipients"],
            segments=row["segments"],
            estimated_cost=row["estimated_cost"],
            repeat_of=row["repeat_of"],
            batch_states=states,
        )

    # -- batches -------------------------------------------------------------------------------

    def batches(self, send_id: int) -> list[BatchRecord]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM batches WHERE send_id = ? ORDER BY idx", (send_id,)
            ).fetchall()
        return [_batch(row) for row in rows]

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

    def claim_batch(self, batch_id: int, owner: str) -> bool:
        """planned -> in_flight, atomically: only one worker ever sends a batch."""
        with self._write() as conn:
            cursor = conn.execute(
                """UPDATE batches SET state = 'in_flight', owner = ?, attempts = attempts + 1,
                       updated_at = ?
                   WHERE id = ? AND state = 'planned'""",
                (owner, time.time(), batch_id),
            )
            return cursor.rowcount == 1

    def finish_batch(
        self,
        batch_id: int,
        state: str,
        *,
        transaction_id: str | None = None,
        status_code: int | None = None,
        error: str | None = None,
    ) -> None:
        if state not in FINAL_STATES:
            raise ValueError(f"{state!r} is not a final batch state.")
        with self._write() as conn:
            conn.execute(
                """UPDATE batches SET state = ?, transaction_id = ?, status_code = ?, error = ?,
                       updated_at = ?
                   WHERE id = ? AND state = 'in_flight'""",
                (state, transaction_id, status_code, error, time.time(), batch_id),
            )

    def mark_interrupted(self, *, alive_owners: Sequence[str] = ()) -> int:
        """in_flight batches whose worker is gone become unknown (they may have been sent)."""
        placeholders = ",".join("?" for _ in alive_owners) or "''"
        with self._write() as conn:
            cursor = conn.execute(
                f"""UPDATE batches SET state = 'unknown', updated_at = ?,
                        error = 'The console stopped while this batch was being sent: it may '
                                || 'or may not have been processed.'
                    WHERE state = 'in_flight' AND IFNULL(owner, '') NOT IN ({placeholders})""",
                (time.time(), *alive_owners),
            )
            return cursor.rowcount

    def in_flight_owners(self) -> list[str]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT IFNULL(owner, '') FROM batches WHERE state = 'in_flight'"
            ).fetchall()
        return [row[0] for row in rows]

    def requeue(self, send_id: int, batch_ids: Sequence[int], *, include_unknown: bool) -> int:
        """Makes batches sendable again: rejected always; unknown only when the user chose to
        accept possible duplicates."""
        states = ("rejected", "unknown") if include_unknown else ("rejected",)
        marks = ",".join("?" for _ in batch_ids) or "NULL"
        with self._write() as conn:
            cursor = conn.execute(
                f"""UPDATE batches SET state = 'planned', updated_at = ?
                    WHERE send_id = ? AND id IN ({marks})
                      AND state IN ({",".join("?" for _ in states)})""",
                (time.time(), send_id, *batch_ids, *states),
            )
            return cursor.rowcount

    # -- transactions and snapshots ------------------------------------------------------------

    def batch_for_transaction(self, transaction_id: str) -> BatchRecord | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT * FROM batches WHERE transaction_id = ?", (transaction_id,)
            ).fetchone()
        return _batch(row) if row else None

    def add_snapshot(
        self,
        transaction_id: str,
        *,
        found: bool,
        total: int,
        processed: int,
        contacts: Sequence[Mapping[str, Any]],
        errors: Sequence[str] = (),
        taken_at: float | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                """INSERT INTO snapshots (transaction_id, taken_at, found, total, processed,
                       contacts_json, errors_json) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    transaction_id,
                    taken_at if taken_at is not None else time.time(),
                    int(found),
                    total,
                    processed,
                    json.dumps(list(contacts), ensure_ascii=False),
                    json.dumps(list(errors), ensure_ascii=False),
                ),
            )

    def snapshots(self, transaction_id: str) -> list[Snapshot]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM snapshots WHERE transaction_id = ? ORDER BY taken_at",
                (transaction_id,),
            ).fetchall()
        return [
            Snapshot(
                transaction_id=row["transaction_id"],
                taken_at=row["taken_at"],
                found=bool(row["found"]),
                total=row["total"],
                processed=row["processed"],
                contacts=json.loads(row["contacts_json"]),
                errors=json.loads(row["errors_json"]),
            )
            for row in rows
        ]

    def snapshot_count(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0])

    def earlier_failures(self, *, transactions: int = 500) -> dict[str, tuple[str, float]]:
        """Phone number -> (Acoustic's message, when) for contacts that failed in the latest
        status answer of the most recent transactions."""
        with self._connection() as conn:
            rows = conn.execute(
                """SELECT s.contacts_json, s.taken_at FROM snapshots s
                   JOIN (SELECT transaction_id, MAX(taken_at) AS latest FROM snapshots
                         GROUP BY transaction_id ORDER BY latest DESC LIMIT ?) last
                     ON s.transaction_id = last.transaction_id AND s.taken_at = last.latest""",
                (transactions,),
            ).fetchall()
        failures: dict[str, tuple[str, float]] = {}
        for row in rows:
            for contact in json.loads(row["contacts_json"]):
                if contact.get("smsSent") is False:
                    number = str(contact.get("phoneNumber") or "")
                    known = failures.get(number)
                    if known is None or known[1] < row["taken_at"]:
                        failures[number] = (str(contact.get("message") or ""), row["taken_at"])
        return failures


def _batch(row: sqlite3.Row) -> BatchRecord:
    return BatchRecord(
        id=row["id"],
        send_id=row["send_id"],
        index=row["idx"],
        state=row["state"],
        contacts=row["contacts"],
        transaction_id=row["transaction_id"],
        status_code=row["status_code"],
        error=row["error"],
        attempts=row["attempts"],
        updated_at=row["updated_at"],
    )

"""The journal's plumbing: one SQLite connection per thread, WAL, and one writer at a time."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from components.journal.schema import migrate
from components.private_files import ensure_private_file


class JournalBase:
    """Opens (and migrates) the journal file; the concerns of the journal build on this."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # Before SQLite opens it: the file, its folders and its -wal/-shm for the owner only.
        ensure_private_file(self.path, companions=("-wal", "-shm"))
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            with self._write_lock:
                migrate(conn, self.path)

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

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

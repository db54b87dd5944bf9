"""The journal's plumbing: an SQLAlchemy engine on SQLite (embedded, one file, WAL) or PostgreSQL
(several replicas), and one writer at a time.

Writers are serialized journal-wide, as SQLite always did: on SQLite by BEGIN IMMEDIATE (other
processes wait, not fail), on PostgreSQL by a transaction-level advisory lock taken first in every
write. So a read-then-write inside `_write` sees nobody else's write in between, on both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from components.core.database_url import DatabaseURL, parse_database_url, sqlite_url
from components.core.private_files import ensure_private_file
from components.journal.schema import migrate

# pg_advisory_xact_lock's key for "one writer at a time" (any fixed number).
WRITE_LOCK = 0x534D5302


def journal_url(where: str | Path | DatabaseURL) -> DatabaseURL:
    """A DatabaseURL as given, a URL string parsed, a plain path taken as an SQLite file."""
    if isinstance(where, DatabaseURL):
        return where
    if isinstance(where, str) and "://" in where:
        return parse_database_url(where, "the journal's database URL")
    return sqlite_url(where)


class JournalUnavailable(RuntimeError):
    """The journal's database cannot be opened (down, refused, wrong name or password)."""

    def __init__(self, url: DatabaseURL, exc: sa_exc.DBAPIError) -> None:
        said = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        password = url.url.password
        if password:
            said = said.replace(str(password), "***")
        super().__init__(
            f"The journal's database at {url.shown} cannot be opened ({said}). Nothing can be "
            f"sent until it can: check {url.origin} and that the database server is running."
        )


class JournalBase:
    """Opens (and migrates) the journal; the concerns of the journal build on this."""

    def __init__(self, where: str | Path | DatabaseURL) -> None:
        self.url = journal_url(where)
        self.dialect = "postgresql" if self.url.is_postgresql else "sqlite"
        self._write_lock = threading.Lock()
        if self.url.is_postgresql:
            self.engine = create_engine(
                self.url.sqlalchemy, pool_size=10, max_overflow=40, pool_pre_ping=True
            )
        else:
            path = self.url.sqlite_path
            assert path is not None
            # Before SQLite opens it: the file, its folders and its -wal/-shm for the owner only.
            ensure_private_file(path, companions=("-wal", "-shm"))
            self.engine = create_engine(
                self.url.sqlalchemy,
                connect_args={"timeout": 30, "check_same_thread": False},
                pool_size=10,
                max_overflow=40,
            )
            event.listen(self.engine, "connect", _sqlite_connected)
            event.listen(self.engine, "begin", _sqlite_begin)
            # WAL once, outside any transaction: it stays with the file. (On every new
            # connection it could fail at once, without waiting, while another one writes.)
            raw = self.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")
            finally:
                raw.close()
        try:
            with self._write_lock:
                migrate(self.engine, self.location)
        except sa_exc.DBAPIError as exc:
            self.engine.dispose()
            raise JournalUnavailable(self.url, exc) from None

    @property
    def location(self) -> str:
        """Where the journal is, as a page or a log may say it (never a password)."""
        return self.url.shown

    @property
    def path(self) -> Path | None:
        """The SQLite file, None on PostgreSQL."""
        return self.url.sqlite_path

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection for reads; what it reads in one block is one snapshot on SQLite (one
        transaction) and statement by statement on PostgreSQL unless `_snapshot` is used.
        Read the rows inside the block: the connection goes back to the pool at its end."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """Reads that must agree with each other (a version and the rows of that version)."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One writer at a time, journal-wide (see the module's docstring)."""
        with self._write_lock, self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn = conn.execution_options(sqlite_immediate=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
                yield conn

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (below); the driver must not start transactions of its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a commit is on disk before the request it announces goes out. With NORMAL a power
    # cut could roll back "in flight" after the batch was sent, and it would look unsent.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def insert_for(dialect: str) -> Callable[..., Any]:
    """The INSERT that knows ON CONFLICT: SQLAlchemy's own for each backend (same API)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def in_chunks(values: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    """The distinct `values` in lists of at most `size`, for IN (...) queries of any length."""
    distinct = list(dict.fromkeys(values))
    for start in range(0, len(distinct), size):
        yield distinct[start : start + size]

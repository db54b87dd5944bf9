"""Which database the journal (sends, audit, approvals, schedules, the do-not-text list) lives in.

`SMS_CONSOLE_DATABASE_URL`, else `[console] database_url` in the secrets, else the embedded SQLite
file (`SMS_CONSOLE_JOURNAL` / `SMS_CONSOLE_DATA_DIR` / a per-user folder, as before). SQLite needs
nothing set up and serves one console process; PostgreSQL is what several replicas share, and its
server also holds the organisation's in-flight places (components/acoustic/shared_places.py).

The URL is parsed by SQLAlchemy's own parser; its password never reaches a page, a log or an
error (`shown` is what may be printed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DATABASE_URL = "SMS_CONSOLE_DATABASE_URL"
_POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg"}


class DatabaseURLError(ValueError):
    """The configured database URL is not one the console can use (the message says why)."""


@dataclass(frozen=True)
class DatabaseURL:
    url: URL
    origin: str
    """Where it was configured: the variable, the secrets, or the default file."""

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def sqlite_path(self) -> Path | None:
        return None if self.is_postgresql else Path(self.url.database or "")

    @property
    def sqlalchemy(self) -> str:
        """For SQLAlchemy's create_engine (psycopg 3 for PostgreSQL), password included."""
        return self.url.render_as_string(hide_password=False)

    @property
    def libpq(self) -> str:
        """For psycopg.connect (a plain postgresql:// URL), password included."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    @property
    def shown(self) -> str:
        """What a page, a log or an error may say: the password masked."""
        if not self.is_postgresql:
            return str(self.sqlite_path)
        return self.url.render_as_string(hide_password=True)


def parse_database_url(raw: str, origin: str = DATABASE_URL) -> DatabaseURL:
    """A sqlite:///path or postgresql://user:pass@host/db URL; anything else is refused in
    words that never repeat the password."""
    text = raw.strip()
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseURLError(
            f"{origin} is not a database URL the console understands. Use "
            "sqlite:///path/to/journal.sqlite3 or postgresql://user:password@host:5432/dbname."
        ) from None
    if url.drivername in _POSTGRES_DRIVERS:
        return DatabaseURL(url.set(drivername="postgresql+psycopg"), origin)
    if url.drivername == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseURLError(
                f"{origin} names an SQLite database without a file; the journal must outlive "
                "the console. Use sqlite:///path/to/journal.sqlite3."
            )
        path = Path(url.database).expanduser().absolute()
        return DatabaseURL(url.set(database=str(path)), origin)
    raise DatabaseURLError(
        f"{origin} names a {url.get_backend_name()} database; the console keeps its journal in "
        "SQLite or PostgreSQL only."
    )


def sqlite_url(path: str | Path) -> DatabaseURL:
    """The embedded journal file at `path`."""
    return DatabaseURL(make_url(f"sqlite:///{Path(path).expanduser().absolute()}"), "file")


def database_url(
    environ: Mapping[str, str] | None = None,
    console_secrets: Mapping[str, object] | None = None,
) -> DatabaseURL:
    """The database in force: the variable, else the secrets' [console] database_url, else the
    default SQLite file. Raises DatabaseURLError for one that cannot be used."""
    env = os.environ if environ is None else environ
    if env.get(DATABASE_URL, "").strip():
        return parse_database_url(env[DATABASE_URL], DATABASE_URL)
    configured = (console_secrets or {}).get("database_url")
    if isinstance(configured, str) and configured.strip():
        return parse_database_url(configured, "[console] database_url in the secrets")
    return sqlite_url(default_journal_path(env))


def default_journal_path(environ: Mapping[str, str] | None = None) -> Path:
    """SMS_CONSOLE_JOURNAL, else SMS_CONSOLE_DATA_DIR/journal.sqlite3, else a per-user folder."""
    env = os.environ if environ is None else environ
    if env.get("SMS_CONSOLE_JOURNAL"):
        return Path(env["SMS_CONSOLE_JOURNAL"]).expanduser()
    if env.get("SMS_CONSOLE_DATA_DIR"):
        return Path(env["SMS_CONSOLE_DATA_DIR"]).expanduser() / "journal.sqlite3"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sms-console" / "journal.sqlite3"

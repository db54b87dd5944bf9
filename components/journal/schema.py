"""Where the embedded journal lives, and how any journal is brought up to date: Alembic's
revisions (components/journal/migrations), run by the console when it opens the database (and
by `alembic upgrade head`, alembic.ini).

Several replicas may start at once: the migration runs under a lock (an advisory lock on
PostgreSQL, SQLite's write lock), so one migrates and the others find it done. A database written
by a newer console is refused rather than misread. An SQLite file of the consoles before Alembic
(user_version 1..6) is first brought to version 6 by its own scripts, then stamped.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from components.journal.legacy_schema import LEGACY_VERSION, bring_to_last_legacy_version

MIGRATIONS = Path(__file__).parent / "migrations"
FIRST_REVISION = "0001"
# What an SQLite journal's user_version says once Alembic keeps it: higher than any version the
# consoles before Alembic knew, so that one of them refuses the file instead of misreading it.
ALEMBIC_USER_VERSION = 100
# pg_advisory_xact_lock's key for "the journal is being migrated" (any fixed number).
MIGRATION_LOCK = 0x534D5301


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, shown: str) -> None:
    """Brings the journal at `engine` (described as `shown`, no password) to the newest
    revision, under the migration lock. A journal already up to date is only read."""
    with engine.connect() as conn:
        if _current_revision(conn) == head_revision():
            return
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        lock_migrations(conn)
        known = _current_revision(conn)
        if known is not None and known not in _revisions():
            raise RuntimeError(
                f"The journal at {shown} was written by a newer version of the console "
                f"(revision {known}); update the console or point it at another database."
            )
        if known is None and engine.dialect.name == "sqlite":
            _adopt_legacy_file(conn, shown)
        try:
            command.upgrade(alembic_config(conn), "head")
        except CommandError as exc:
            raise RuntimeError(
                f"The journal at {shown} could not be brought up to date: {exc}"
            ) from None
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA user_version={ALEMBIC_USER_VERSION}")


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return str(_scripts().get_current_head())


def _revisions() -> set[str]:
    return {rev.revision for rev in _scripts().walk_revisions()}


def lock_migrations(conn: Connection) -> None:
    """Holds "the journal is being migrated" until `conn`'s transaction ends: by the console
    and by `alembic upgrade head` run by hand (migrations/env.py), so only one migrates."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    # SQLite: the transaction began IMMEDIATE (base.py's begin hook): other writers wait.


def _current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def _adopt_legacy_file(conn: Connection, shown: str) -> None:
    """A file of the consoles before Alembic: its own scripts bring it to their last version,
    and Alembic takes it from there."""
    version = int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
    if version == 0:
        return  # a new file: Alembic creates everything
    if version > LEGACY_VERSION:
        raise RuntimeError(
            f"The journal at {shown} was written by a newer version of the console "
            f"(schema {version}); update the console or point it at another database."
        )
    bring_to_last_legacy_version(conn.connection.driver_connection, version)  # type: ignore[arg-type]
    command.stamp(alembic_config(conn), FIRST_REVISION)

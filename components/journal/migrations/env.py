"""Alembic's entry point for the journal. The console runs it itself (components/journal/
schema.py passes its connection, inside the transaction that holds the migration lock); by hand,
`alembic upgrade head` from the project folder (alembic.ini) migrates the database
SMS_CONSOLE_DATABASE_URL names, under the same lock."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from components.core.database_url import database_url
from components.journal.schema import lock_migrations

connection = context.config.attributes.get("connection")


def _run(conn) -> None:  # noqa: ANN001 - Alembic's own hook
    # Batch mode: SQLite changes a table by copying it, which Alembic does for us.
    context.configure(connection=conn, render_as_batch=True, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    engine = create_engine(database_url().sqlalchemy)
    with engine.begin() as conn:
        lock_migrations(conn)  # replicas starting meanwhile wait, then find it done
        _run(conn)

"""Alembic's entry point for the journal. The console runs it itself (components/journal/
migrate.py passes its connection, inside the transaction that holds the migration lock); by hand,
`alembic upgrade head` from the project folder migrates the database SMS_CONSOLE_DATABASE_URL
names."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from components.database_url import database_url

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
        _run(conn)

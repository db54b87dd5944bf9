"""Reaching into a test's journal behind its back (a tampered row, a clock moved), on either
backend, through the journal's own engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from components.journal import Journal


def tamper(journal: Journal, statement: str, params: Mapping[str, Any] | None = None) -> int:
    """Runs one SQL statement (named :parameters) as somebody else would; returns rows hit."""
    with journal.engine.begin() as conn:
        return conn.execute(sa.text(statement), dict(params or {})).rowcount


def peek(journal: Journal, query: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
    """The rows of one SQL query, read as somebody else would."""
    with journal.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(query), dict(params or {}))]

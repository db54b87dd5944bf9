"""History's queries: the list of sends, newest first, searched and filtered, in one statement."""

from __future__ import annotations

import re

import sqlalchemy as sa

from components.core.unicode_text import clean_number_text
from components.journal.base import JournalBase
from components.journal.records import SendRecord, select_sends
from components.journal.search import clean_search
from components.journal.tables import batches, outcomes, sends

_PHONE_SEARCH = re.compile(r"\+?[\d\s().\-/]{6,}")
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#)\s*\d+$", re.IGNORECASE)  # "+1 949 500 1234 ext 5"


def _phone_digits(text: str) -> str:
    """The digits to look for when a search is a phone number, however it is written: "tel:"
    links, "+44 (0) 7911 ...", exit codes ("001 ...") and national zeros ("07911 ...") lose
    what the API's form does not have. Empty when the search is not a phone number."""
    candidate = clean_number_text(text).strip().removeprefix("tel:").replace("(0)", "")
    candidate = _EXTENSION.sub("", candidate)
    if not _PHONE_SEARCH.fullmatch(candidate):
        return ""
    return re.sub(r"\D", "", candidate).lstrip("0")


def _number_part(text: str) -> str:
    """What to look for among a send's phone numbers: a phone number's digits however it is
    written, or a short run of digits (part of a number). Empty for any other text: the numbers
    in a payload are digits only, so its payloads (~80 kB a batch) need not be read at all."""
    digits = _phone_digits(text)
    if digits:
        return digits
    candidate = clean_number_text(text).strip()
    return candidate if candidate.isascii() and candidate.isdigit() else ""


def _literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HistoryQueries(JournalBase):
    def list_sends(
        self,
        *,
        limit: int = 200,
        search: str = "",
        mode: str | None = None,
        program: str | None = None,
        template: str | None = None,
        sender: str | None = None,
        country: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[SendRecord]:
        """Newest first; `search` matches content, program, source, a transaction id or a
        phone number of the send. The Overview's filters narrow it: made in [since, until), by
        program, template (name), sender, and with recipients in `country` (an ISO code)."""
        sent = sends.c
        clauses: list[sa.ColumnElement[bool]] = []
        if mode:
            clauses.append(sent.mode == mode)
        for column, value in (
            (sent.program, program),
            (sent.template_name, template),
            (sent.created_by, sender),
        ):
            if value is not None:  # "" is none: a send from no template, by nobody known
                clauses.append(column.is_(None) if value == "" else column == value)
        if since is not None:
            clauses.append(sent.created_at >= since)
        if until is not None:
            clauses.append(sent.created_at < until)
        if country is not None:
            o = outcomes.c
            clauses.append(sa.select(1).where(o.send_id == sent.id, o.country == country).exists())
        text = clean_search(search).text  # bounded and encodable: no text breaks the query
        if text:
            # A phone number is searched by its digits, however it is written: "+1 (949)
            # 500-1234" finds 19495001234. % and _ in the text are literal, not wildcards; case
            # does not matter (SQLite's LIKE ignores it, PostgreSQL's ILIKE too).
            number = _number_part(text)
            like = f"%{_literal(text)}%"
            b = batches.c
            in_batch = [b.transaction_id.ilike(like, escape="\\")]
            if number:
                in_batch.append(
                    b.payload_json.like(f'%"phoneNumber": "%{_literal(number)}%', escape="\\")
                )
            in_a_batch = sa.select(1).where(b.send_id == sent.id, sa.or_(*in_batch)).exists()
            clauses.append(
                sa.or_(
                    sent.content.ilike(like, escape="\\"),
                    sent.program.ilike(like, escape="\\"),
                    sa.func.coalesce(sent.source, "").ilike(like, escape="\\"),
                    in_a_batch,
                )
            )
        where = sa.and_(*clauses) if clauses else None
        with self._connection() as conn:
            return select_sends(conn, where, newest_first=True, limit=limit)

"""The Audit page's parts, and the sign-in entry written once a session."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.journal import AuditAction, Journal
from components.team.audit import record_sign_in
from components.team.audit_report import AuditQuery, audit_csv, audit_table
from components.ui.exports import audited_csv_download
from components.ui.local_time import user_zone
from components.ui.persistence import KEEP
from components.ui.sending import journal

_SIGNED_IN = "audit.signed_in"
SHOWN = 1000  # rows in the table; the export has every matching entry


def audit_sign_in_once(email: str) -> None:
    """Records the sign-in of `email` once per browser session, and again when another identity
    signs in within the same session. The identity code calls this after each sign-in check."""
    if st.session_state.get(_SIGNED_IN) == email:
        return
    record_sign_in(journal(), email)
    st.session_state[_SIGNED_IN] = email


def audit_filters(log: Journal) -> AuditQuery:
    """Person, action and dates; from the oldest entry to today unless the reader changes it."""
    people, actions, dates = st.columns([2, 2, 1])
    actors = people.multiselect(
        "Person", log.audit_actors(), key="audit.actors", persist_state=KEEP, placeholder="All"
    )
    chosen = actions.multiselect(
        "Action",
        list(AuditAction),
        format_func=lambda action: action.words,
        key="audit.actions",
        persist_state=KEEP,
        placeholder="All",
    )
    first_at = log.audit_first_at()
    today = date.today()
    oldest = date.fromtimestamp(first_at) if first_at is not None else today
    days = dates.date_input(
        "Dates", value=(oldest, today), key="audit.dates", persist_state=KEEP, format="YYYY-MM-DD"
    )
    picked = list(days) if isinstance(days, list | tuple) else [days]
    return AuditQuery(
        actors=tuple(actors),
        actions=tuple(chosen),
        first_day=picked[0] if picked else None,
        last_day=picked[1] if len(picked) > 1 else None,  # while the end is being picked
    )


def entries_table(log: Journal, query: AuditQuery) -> int:
    """The matching entries, newest first; returns how many are shown."""
    entries = query.entries(log, limit=SHOWN + 1)
    if not entries:
        st.info("No audit entry matches these filters.", icon=":material/filter_alt_off:")
        return 0
    if len(entries) > SHOWN:
        st.caption(f"The newest {SHOWN:,} matching entries are shown; the export has them all.")
    st.dataframe(
        audit_table(entries[:SHOWN], user_zone()),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={
            "Send": st.column_config.NumberColumn(format="#%d"),
            "Details": st.column_config.TextColumn(width="large"),
        },
    )
    return min(len(entries), SHOWN)


def export_button(log: Journal, query: AuditQuery, *, actor: str) -> None:
    """Every matching entry as CSV; the export is itself an entry of the log."""

    def build() -> tuple[bytes, int]:
        entries = query.entries(log)
        return audit_csv(entries), len(entries)

    audited_csv_download(
        build, journal=log, actor=actor, what="audit log", file_stem="sms-audit", key="audit.export"
    )

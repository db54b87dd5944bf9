"""The one way data leaves the console as a file: a CSV built when the button is clicked (not on
every rerun), and each download recorded in the audit log with who, what and how many rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import streamlit as st

from components.journal import Journal
from components.team.audit import record_export


def audited_csv_download(
    build: Callable[[], tuple[bytes, int]],
    *,
    journal: Journal,
    actor: str,
    what: str,
    file_stem: str,
    key: str,
    send_ids: Iterable[int] = (),
) -> None:
    """`build` returns the file (formula-neutralized, insights.to_csv) and its number of rows."""
    file_name = f"{file_stem}-{time.strftime('%Y%m%d-%H%M%SZ', time.gmtime())}.csv"
    ids = list(send_ids)

    def export() -> bytes:
        data, rows = build()
        record_export(journal, actor, what, rows=rows, file_name=file_name, send_ids=ids)
        return data

    st.download_button(
        "Export CSV",
        data=export,
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=key,
        on_click="ignore",
    )

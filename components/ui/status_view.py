"""The Status page's parts: polling, the outcome, the charts that filter the table."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.acoustic import AcousticClient
from components.core.csv_files import to_csv
from components.core.states import ConnectionMode, Verdict
from components.core.times import utc_text
from components.journal import Journal
from components.status import charts
from components.status.insights import (
    FAILED,
    GOES_OUT,
    LEFT_OUT,
    PENDING,
    SCHEDULED,
    SENT,
    failure_groups,
    kpis,
)
from components.status.lookups import (
    Lookup,
    Poller,
    insight_table,
    look_up,
    snapshots_over_time,
    stored_lookup,
    summarize,
)
from components.ui.chart_picks import picked_values
from components.ui.connection import current_settings, sandbox_server
from components.ui.exports import audited_csv_download
from components.ui.local_time import local_time
from components.ui.overview_view import story_button
from components.ui.persistence import KEEP
from components.ui.text import md

VERDICT_ICONS = {
    Verdict.COMPLETE: ":material/check_circle:",
    Verdict.PROCESSING: ":material/progress_activity:",
    Verdict.NOT_YET: ":material/hourglass_top:",
    Verdict.NOT_FOUND: ":material/search_off:",
    Verdict.ERROR: ":material/error:",
}


def ignored_ids_warning(rejected: Sequence[str]) -> None:
    """What was pasted or linked that is not a transaction id, shortened: it can be anything."""
    shown = [md(r if len(r) <= 40 else r[:39] + "…") for r in rejected[:5]]
    more = f" and {len(rejected) - 5:,} more" if len(rejected) > 5 else ""
    st.warning("Not transaction ids, ignored: " + ", ".join(shown) + more)


_IDS = "status.ids"
_LOOKUPS = "status.lookups"
_POLLER = "status.poller"
_ASK_ACOUSTIC = "status.ask_acoustic"


def looked_up_ids() -> list[str]:
    """The transaction ids the Status page is showing."""
    return st.session_state.get(_IDS, [])


def reset_lookups(ids: Sequence[str], *, ask_acoustic: bool = False) -> None:
    """Shows these ids from scratch: earlier answers dropped, polling started anew; with
    `ask_acoustic` ("Refresh now"), Acoustic is asked even where the console has every outcome."""
    st.session_state[_IDS] = list(ids)
    st.session_state.pop(_LOOKUPS, None)
    st.session_state[_POLLER] = Poller()
    st.session_state[_ASK_ACOUSTIC] = ask_acoustic


def refresh(client: AcousticClient, journal: Journal, ids: Sequence[str]) -> None:
    """Every id that is not settled yet: from the outcomes the console followed to the end,
    else (and on "Refresh now") from Acoustic; keeps the answers in the session."""
    lookups: dict[str, Lookup] = st.session_state.setdefault(_LOOKUPS, {})
    due = [i for i in ids if lookups.get(i) is None or not lookups[i].settled]
    if not st.session_state.get(_ASK_ACOUSTIC):
        for transaction_id in due:
            stored = stored_lookup(journal, transaction_id)
            if stored is not None:
                lookups[transaction_id] = stored
        due = [i for i in due if i not in lookups]
    # A send of many batches has many transactions: ask in parallel (the client's gate keeps
    # the organisation at 10 requests in flight).
    with ThreadPoolExecutor(max_workers=min(10, max(len(due), 1))) as pool:
        for lookup in pool.map(lambda i: look_up(client, journal, i), due):
            lookups[lookup.transaction_id] = lookup
    poller: Poller = st.session_state.setdefault(_POLLER, Poller())
    poller.checks += 1
    st.session_state["status.next_check"] = time.time() + poller.next_interval()


def current_lookups(ids: Sequence[str]) -> list[Lookup]:
    lookups: dict[str, Lookup] = st.session_state.get(_LOOKUPS, {})
    return [lookups[i] for i in ids if i in lookups]


def polling(client: AcousticClient, journal: Journal, ids: Sequence[str]) -> None:
    """A small fragment that asks again when due and reruns the page only on news."""
    poller: Poller = st.session_state.setdefault(_POLLER, Poller())
    active = poller.should_continue(current_lookups(ids))

    @st.fragment(run_every=1.0 if active else None)
    def ticker() -> None:
        lookups = current_lookups(ids)
        if not poller.should_continue(lookups):
            if active:
                st.rerun()
            return
        if time.time() >= st.session_state.get("status.next_check", 0):
            refresh(client, journal, ids)
            st.rerun()
        wait = int(st.session_state.get("status.next_check", 0) - time.time())
        st.caption(
            f"Checking again in {wait} s while contacts are processing."
            if wait >= 1
            else "Checking again…"
        )

    ticker()


SHOWN_ONE_BY_ONE = 3  # more transactions than this (a many-batch send) get a summary line


def verdicts(lookups: Sequence[Lookup]) -> None:
    if len(lookups) <= SHOWN_ONE_BY_ONE:
        for lookup in lookups:
            _verdict(lookup)
        return
    st.markdown(md(summarize(lookups)))
    problems = [x for x in lookups if x.verdict.problem]
    for lookup in problems[:SHOWN_ONE_BY_ONE]:  # problems stay in sight
        _verdict(lookup)
    with st.expander(f"Each transaction ({len(lookups):,})", icon=":material/list:"):
        for lookup in lookups:
            _verdict(lookup)


def _verdict(lookup: Lookup) -> None:
    text = f"`{lookup.transaction_id}` — {md(lookup.message)}"
    if lookup.send_id is not None:
        text += f" (send #{lookup.send_id})"
    if lookup.verdict.problem:
        st.warning(text, icon=VERDICT_ICONS[lookup.verdict])
    else:
        st.markdown(text)


@st.cache_data(show_spinner=False, max_entries=4)
def _table(
    _journal: Journal, key: tuple, _lookups: tuple[Lookup, ...], sandbox: bool
) -> pd.DataFrame:
    delivered = sandbox_server().delivered if sandbox else None
    return insight_table(_journal, list(_lookups), delivered)


def outcome_table(journal: Journal, lookups: Sequence[Lookup]) -> pd.DataFrame:
    """The per-contact table; in sandbox mode with the SMS each phone "received"."""
    key = tuple((lookup.transaction_id, lookup.checked_at) for lookup in lookups)
    sandbox = current_settings().mode is ConnectionMode.SANDBOX
    return _table(journal, key, tuple(lookups), sandbox)


def kpi_row(table: pd.DataFrame, lookups: Sequence[Lookup]) -> None:
    total = sum(lookup.status.total for lookup in lookups if lookup.status and lookup.status.found)
    figures = kpis(table, total=total)
    columns = st.columns(5)
    columns[0].metric("Total", f"{figures.total:,}")
    columns[1].metric("Processed", f"{figures.processed:,}")
    columns[2].metric("Sent", f"{figures.sent:,}")
    columns[3].metric("Failed", f"{figures.failed:,}")
    if figures.scheduled:
        st.caption(
            f"{figures.scheduled:,} more recipient(s) of these sends are scheduled: this console "
            "holds them until their time, so Acoustic has not seen them yet."
        )
    if figures.left_out:
        st.caption(
            f"{figures.left_out:,} recipient(s) were left out: they were on the do-not-text list "
            "when their batch went out, so they were not sent."
        )
    rate = figures.success_rate
    columns[4].metric(
        "Success rate", "–" if rate is None else f"{rate:.1%}", help="Sent / processed"
    )


def charts_row(table: pd.DataFrame, journal: Journal, ids: Sequence[str]) -> None:
    figures = kpis(table)
    groups = failure_groups(table)
    left, right = st.columns(2)
    with left:
        _chart(
            charts.outcome_donut(
                figures.sent, figures.failed, figures.pending, figures.scheduled, figures.left_out
            )
        )
    with right:
        if len(groups):
            _filtering_chart(charts.failures_by_reason(groups), "reason")
        else:
            st.info("No failures.", icon=":material/check_circle:")
    left, right = st.columns(2)
    with left:
        _filtering_chart(charts.failures_by_country(table), "country")
    with right:
        _chart(charts.outcome_by_batch(table))
    over_time = snapshots_over_time(journal, ids)
    if len(over_time) > 1:
        _chart(charts.processed_over_time(over_time))
    if len(groups):
        # A static table: the cause and what to do are sentences, and they must wrap.
        st.table(
            groups.assign(share=groups["share"].map("{:.0%}".format)).rename(
                columns={"messages": "Acoustic's words"}
            ),
            hide_index=True,
        )


def _chart(figure: go.Figure) -> None:
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
    st.caption(charts.text_alternative(figure))


def _filtering_chart(figure: go.Figure, name: str) -> None:
    """A chart whose bars, when clicked, filter the contacts table by `name` (the filter above
    the table does the same by keyboard)."""
    event = st.plotly_chart(
        figure,
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key=f"status.{name}_chart",
        config={"displayModeBar": False},
    )
    st.caption(charts.text_alternative(figure))
    _apply_pick(name, picked_values(event))


def _apply_pick(name: str, picked: list[str]) -> None:
    """A click on a bar filters the table once; the filter can then be changed or cleared."""
    last = st.session_state.get(f"status.last_pick.{name}")
    if picked and picked != last:
        st.session_state[f"status.filter.{name}"] = picked
    st.session_state[f"status.last_pick.{name}"] = picked


def filtered_table(table: pd.DataFrame) -> pd.DataFrame:
    state = st.session_state
    columns = st.columns([2, 3, 3, 3])
    states = columns[0].multiselect(
        "State",
        [SENT, FAILED, PENDING, SCHEDULED, LEFT_OUT],
        key="status.filter.state",
        persist_state=KEEP,
    )
    reasons = columns[1].multiselect(
        "Reason",
        sorted(r for r in table["reason"].unique() if r),
        key="status.filter.reason",
        persist_state=KEEP,
    )
    countries = columns[2].multiselect(
        "Country",
        sorted(table["country"].unique()),
        key="status.filter.country",
        persist_state=KEEP,
    )
    search = columns[3].text_input(
        "Search a number", key="status.filter.search", persist_state=KEEP
    )
    shown = table
    if states:
        shown = shown[shown["state"].isin(states)]
    if reasons:
        shown = shown[shown["reason"].isin(reasons)]
    if countries:
        shown = shown[shown["country"].isin(countries)]
    if search.strip():
        story_button(search, key="status.story")
        digits = "".join(ch for ch in search if ch.isdigit())
        shown = shown[shown["phoneNumber"].str.contains(digits or search.strip(), regex=False)]
    if len(shown) != len(table):
        st.caption(f"{len(shown):,} of {len(table):,} contacts match the filters.")
        if state.get("status.filter.reason") or state.get("status.filter.country"):
            st.button("Clear filters", on_click=clear_filters, key="status.clear_filters")
    return shown


def clear_filters() -> None:
    for key in ("status.filter.state", "status.filter.reason", "status.filter.country"):
        st.session_state[key] = []
    st.session_state["status.filter.search"] = ""


def contacts_grid(table: pd.DataFrame) -> None:
    """The per-contact table, the investigator's columns first and the ids last; when a held
    recipient goes out, in the reader's zone."""
    table = _with_times(table, local_time)
    first = [
        c
        for c in ("phoneNumber", "state", "reason", GOES_OUT, "message", "sms", "country")
        if c in table
    ]
    last = [c for c in ("batch", "transaction", "sent by") if c in table]
    fields = [c for c in table.columns if c not in first and c not in last]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height="auto" if len(table) <= 12 else 440,
        column_order=[*first, *fields, *last],
        placeholder="",
        column_config={
            "phoneNumber": st.column_config.TextColumn("phone number"),
            "message": st.column_config.TextColumn("Acoustic's message", width="medium"),
            "sms": st.column_config.TextColumn(
                "SMS received (sandbox)",
                width="large",
                help="The text the sandbox rendered from the request for this phone.",
            ),
            "batch": st.column_config.NumberColumn("batch", format="#%d"),
        },
    )


def _with_times(table: pd.DataFrame, shown: Callable[[float], str]) -> pd.DataFrame:
    """The table with when each held recipient goes out as text (`shown` writes an instant)."""
    if GOES_OUT not in table:
        return table
    times = table[GOES_OUT].map(lambda at: shown(float(at)) if pd.notna(at) else "")
    return table.assign(**{GOES_OUT: times})


def export_button(
    table: pd.DataFrame, journal: Journal, lookups: Sequence[Lookup], *, actor: str
) -> None:
    """The contacts' outcomes as CSV (100,000 rows: ~0.3 s, built on the click)."""

    def build() -> tuple[bytes, int]:
        exported = _with_times(table, utc_text).rename(columns={GOES_OUT: f"{GOES_OUT} (UTC)"})
        return to_csv(exported), len(exported)

    audited_csv_download(
        build,
        journal=journal,
        actor=actor,
        what="contacts' outcomes (Status)",
        file_stem="sms-status",
        key="status.export",
        send_ids=[lookup.send_id for lookup in lookups if lookup.send_id is not None],
    )

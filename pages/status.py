"""Status: what happened to a send, in numbers and pictures."""

import time

import streamlit as st

from components.lookups import Poller, parse_transaction_ids
from components.resend import resend_contacts
from components.ui.connection import current_connection
from components.ui.sending import journal
from components.ui.shell import ensure_app_shell
from components.ui.status_view import (
    charts_row,
    contacts_grid,
    current_lookups,
    export_button,
    filtered_table,
    ignored_ids_warning,
    kpi_row,
    outcome_table,
    polling,
    refresh,
    verdicts,
)
from components.ui.tag_fields import default_key

ensure_app_shell()

state = st.session_state
st.title("Status")

linked, bad_links = parse_transaction_ids(" ".join(st.query_params.get_all("tx")))
if bad_links:
    ignored_ids_warning(bad_links)
if linked and linked != state.get("status.ids"):
    state["status.ids"] = linked
    state["status.input"] = "\n".join(state["status.ids"])
    state.pop("status.lookups", None)
    state["status.poller"] = Poller()

with st.form("status.lookup", border=False):
    text = st.text_area(
        "Transaction ids",
        key="status.input",
        height=90,
        placeholder="One or more transaction ids, one a line (from History, a send, or Acoustic)",
    )
    submitted = st.form_submit_button("Look up", icon=":material/search:")
if submitted:
    ids, rejected = parse_transaction_ids(text)
    if rejected:
        ignored_ids_warning(rejected)
    state["status.ids"] = ids
    state.pop("status.lookups", None)
    state["status.poller"] = Poller()
    st.query_params["tx"] = ids

ids = state.get("status.ids", [])
if not ids:
    st.info("Paste a transaction id, or open a send from History.", icon=":material/monitoring:")
    st.stop()

connection = current_connection()
if connection.client is None:
    st.error("The Acoustic connection is incomplete: see Settings.", icon=":material/error:")
    st.stop()

if not current_lookups(ids) or len(current_lookups(ids)) < len(ids):
    with st.spinner("Asking Acoustic…"):
        refresh(connection.client, journal(), ids)

lookups = current_lookups(ids)
header, button = st.columns([4, 1], vertical_alignment="center")
checked = max(lookup.checked_at for lookup in lookups)
header.caption("Last checked " + time.strftime("%H:%M:%S", time.localtime(checked)))
if button.button("Refresh now", icon=":material/refresh:", key="status.refresh"):
    state.pop("status.lookups", None)
    state["status.poller"] = Poller()
    st.rerun()
polling(connection.client, journal(), ids)
verdicts(lookups)

table = outcome_table(journal(), lookups)
if table.empty:
    st.info("No contact has been processed yet.", icon=":material/hourglass_top:")
    st.stop()

kpi_row(table, lookups)
charts_row(table, journal(), ids)

st.subheader("Contacts")
shown = filtered_table(table)
contacts_grid(shown)
export_button(shown)

failed = int((table["state"] == "failed").sum())
pending = int((table["state"] == "pending").sum())
if failed or pending:
    st.subheader("Resend")
    include_pending = st.checkbox(
        f"Also the {pending:,} pending recipient(s)",
        key="status.resend_pending",
        disabled=not pending,
    )
    if st.button(
        f"Put the {failed + (pending if include_pending else 0):,} recipient(s) back into Compose",
        icon=":material/edit_note:",
        help="Nothing is sent: Compose opens with these recipients, the message and its "
        "defaults, for you to check and send.",
        key="status.resend",
    ):
        send = next((journal().get_send(x.send_id) for x in lookups if x.send_id is not None), None)
        state["compose.contacts_source"] = "Paste"
        state["compose.paste"] = resend_contacts(table, include_pending=include_pending)
        if send is not None:
            state["compose.content"] = send.content
            state["compose.content_version"] = state.get("compose.content_version", 0) + 1
            state["compose.program"] = send.program
            state["compose.source"] = send.source or ""
            for name, value in send.defaults.items():
                state[default_key(name)] = value
        st.switch_page("pages/compose.py")

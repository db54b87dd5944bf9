"""Status: what happened to a send, in numbers and pictures."""

import streamlit as st

from components.core.states import ContactState
from components.status.lookups import parse_transaction_ids
from components.status.resend import resend_contacts
from components.team.auth import PAGE_PERMISSIONS
from components.ui.compose_state import prefill_compose
from components.ui.connection import current_connection
from components.ui.identity import require_page
from components.ui.local_time import local_clock
from components.ui.persistence import KEEP
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
    looked_up_ids,
    outcome_table,
    polling,
    refresh,
    reset_lookups,
    verdicts,
)
from components.ui.suppression_view import opted_out_offer

ensure_app_shell()
identity = require_page("Status")

state = st.session_state
st.title("Status")

linked, bad_links = parse_transaction_ids(" ".join(st.query_params.get_all("tx")))
if bad_links:
    ignored_ids_warning(bad_links)
if linked and linked != looked_up_ids():
    reset_lookups(linked)
    state["status.input"] = "\n".join(linked)

with st.form("status.lookup", border=False):
    text = st.text_area(
        "Transaction ids",
        key="status.input",
        persist_state=KEEP,
        height=90,
        placeholder="One or more transaction ids, one a line (from History, a send, or Acoustic)",
    )
    submitted = st.form_submit_button("Look up", icon=":material/search:")
if submitted:
    ids, rejected = parse_transaction_ids(text)
    if rejected:
        ignored_ids_warning(rejected)
    reset_lookups(ids)
    st.query_params["tx"] = ids

ids = looked_up_ids()
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
header.caption("Last checked " + local_clock(checked))
if button.button("Refresh now", icon=":material/refresh:", key="status.refresh"):
    reset_lookups(ids, ask_acoustic=True)
    st.rerun()
polling(connection.client, journal(), ids)
verdicts(lookups)

table = outcome_table(journal(), lookups)
if table.empty:
    st.info("No contact has been processed yet.", icon=":material/hourglass_top:")
    st.stop()

kpi_row(table, lookups)
charts_row(table, journal(), ids)

st.header("Contacts")
shown = filtered_table(table)
contacts_grid(shown)
export_button(shown, journal(), lookups, actor=identity.actor)
opted_out_offer(journal(), table, identity)

failed = int((table["state"] == ContactState.FAILED).sum())
pending = int((table["state"] == ContactState.PENDING).sum())
if (failed or pending) and identity.may(PAGE_PERMISSIONS["Compose"]):
    st.header("Resend")
    # Offered only when there are pending ones: a disabled box is drawn in a grey that does not
    # reach WCAG AA contrast, and offers nothing.
    include_pending = pending > 0 and st.checkbox(
        f"Also the {pending:,} pending recipient(s)", key="status.resend_pending"
    )
    if st.button(
        f"Put the {failed + (pending if include_pending else 0):,} recipient(s) back into Compose",
        icon=":material/edit_note:",
        help="Nothing is sent: Compose opens with these recipients, the message and its "
        "defaults, for you to check and send.",
        key="status.resend",
    ):
        send = next((journal().get_send(x.send_id) for x in lookups if x.send_id is not None), None)
        contacts_text = resend_contacts(table, include_pending=include_pending)
        if send is None:
            prefill_compose(contacts_text=contacts_text)
        else:
            sent = journal().batches(send.id)
            prefill_compose(
                contacts_text=contacts_text,
                content=send.content,
                program=send.program,
                source=send.source or "",
                defaults=send.defaults,
                options=journal().batch_payload(sent[0].id) if sent else None,
            )
        st.switch_page("pages/compose.py")

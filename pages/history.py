"""History: every send made from this console, newest first; open one to see its batches."""

import streamlit as st

from components.guardrails.do_not_text import left_out_of
from components.journal.search import clean_search
from components.status.failures import interruption
from components.status.history import (
    batches_table,
    excerpt,
    outcome_words,
    send_options_line,
    sends_table,
)
from components.status.history_filter import history_filter_from
from components.ui.history_view import (
    no_sends_notice,
    selected_send_id,
    send_actions,
    shown_by_overview,
)
from components.ui.identity import require_page
from components.ui.local_time import user_zone
from components.ui.overview_view import story_button
from components.ui.persistence import KEEP
from components.ui.sending import journal, worker
from components.ui.shell import ensure_app_shell
from components.ui.text import md

ensure_app_shell()
identity = require_page("History")

st.title("History")
search_column, mode_column = st.columns([3, 1])
search = search_column.text_input(
    "Search",
    placeholder="Message text, program, source, transaction id or phone number",
    key="history.search",
    persist_state=KEEP,
)
mode = mode_column.selectbox(
    "Mode", ["All", "sandbox", "pod"], key="history.mode", persist_state=KEEP
)
query = clean_search(search)
if query.notice:
    st.warning(query.notice, icon=":material/search:")
search = query.text
if search:
    story_button(search, key="history.story")
narrowed = history_filter_from(st.query_params.to_dict())
if narrowed:
    shown_by_overview(narrowed)
chosen_mode = None if mode == "All" else mode
sends = journal().list_sends(
    search=search, **narrowed.with_picked(mode=chosen_mode or narrowed.mode).query()
)
if not sends:
    no_sends_notice(filtered=bool(search) or mode != "All" or bool(narrowed))
    st.stop()

table = sends_table(
    sends,
    worker().running_sends(),
    user_zone(),
    journal().outcome_totals([send.id for send in sends]),
)
send_id = selected_send_id(table, search, f"{mode}|{sorted(narrowed.params().items())}")
if send_id is None:
    st.caption(
        "Select a send to see its batches. From the keyboard: Tab into the table (past its "
        "toolbar; the first row has the focus), go to the send's row with the arrow keys and "
        "press Shift+Space."
    )
    st.stop()

record = journal().get_send(send_id)
if record is None:
    st.warning(f"There is no send #{send_id} in the journal.")
    st.stop()

running = worker().is_running(record.id)
st.divider()
st.header(f"Send #{record.id} · {record.state(running=running)}")
st.caption(
    f"{record.kind} · {record.mode} · program {md(record.program)} · {record.recipients:,} "
    f"recipients · by {md(record.created_by or 'unknown')} · {md(record.base_url)}"
    + (f" · from the template {md(record.template_label)}" if record.template_label else "")
)
outcomes = outcome_words(journal().outcome_totals([record.id]).get(record.id))
if outcomes:
    st.markdown(f"**Outcomes**: {outcomes}, as Acoustic reported them; the console follows them.")
left_out = left_out_of(journal(), record.id)
if left_out:
    st.caption(f"{left_out:,} recipient(s) were left out: on the do-not-text list.")
st.text(excerpt(record.content, 500))
stopped = interruption(record, running=running)
if stopped:
    st.warning(stopped, icon=":material/power_off:")
batches = journal().batches(record.id)
options = send_options_line(journal().batch_payload(batches[0].id)) if batches else ""
if options:
    st.caption(md(options))
st.dataframe(
    batches_table(batches, running=running),
    hide_index=True,
    width="stretch",
    placeholder="",
    column_config={"Safe to resend": st.column_config.CheckboxColumn()},
)

transaction_ids = [b.transaction_id for b in batches if b.transaction_id]
if transaction_ids:
    st.page_link(
        "pages/status.py",
        label=f"Status of its {len(transaction_ids)} transaction(s)",
        icon=":material/monitoring:",
        query_params={"tx": transaction_ids},
    )

send_actions(record, batches, identity, running=running)

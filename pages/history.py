"""History: every send made from this console, newest first; open one to see its batches."""

import zlib

import streamlit as st

from components.auth import NEEDED_ROLE
from components.failures import interruption
from components.history import batches_table, excerpt, sends_table
from components.history_search import clean_search
from components.journal import destination_of
from components.send_decisions import resend_batches, resume_send
from components.sending import permission_to_send
from components.states import BatchState
from components.ui.connection import current_connection
from components.ui.identity import require_page
from components.ui.persistence import KEEP, note_for_next_run, noted_in_previous_run
from components.ui.sending import journal, permitted, progress_panel, worker
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
sends = journal().list_sends(search=search, mode=None if mode == "All" else mode)
if not sends:
    if search or mode != "All":
        st.info(
            "No send matches this search. Search by message text, program, source, transaction "
            "id or phone number, or clear the search.",
            icon=":material/search_off:",
        )
    else:
        st.info(
            "No sends yet. Compose a message and send it; it will be listed here.",
            icon=":material/history:",
        )
    st.stop()

table = sends_table(sends, worker().running_sends())
wanted = st.query_params.get("send")
linked_rows = table.index[table["Send"].astype(str) == wanted].tolist() if wanted else []
event = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    selection_default={"selection": {"rows": linked_rows[:1]}} if linked_rows else None,
    # A row is selected by position: a new search is a new table, whose selection starts from
    # the open send (kept when it is still listed).
    key=f"history.table.{zlib.crc32(f'{search}|{mode}'.encode())}",
    placeholder="",
    column_config={
        "Send": st.column_config.NumberColumn(format="#%d"),
        "Message": st.column_config.TextColumn(width="medium"),
    },
)
selected_rows = [row for row in event.selection.rows if row < len(table)] if event else []
send_id: int | None = None
if selected_rows:
    send_id = int(table.iloc[selected_rows[0]]["Send"])
    st.query_params["send"] = str(send_id)  # the address bar links to the open send
    note_for_next_run("history.selected", send_id)
elif noted_in_previous_run("history.selected") is not None:
    st.query_params.pop("send", None)  # the marketer cleared the selection: close the send
elif wanted and wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:  # 64-bit ids
    send_id = int(wanted)
if send_id is None:
    st.caption(
        "Select a send to see its batches. From the keyboard: Tab into the table, go to the "
        "send's row with the arrow keys and press Shift+Space."
    )
    st.stop()

record = journal().get_send(send_id)
if record is None:
    st.warning(f"There is no send #{send_id} in the journal.")
    st.stop()

running = worker().is_running(record.id)
st.divider()
st.subheader(f"Send #{record.id} · {record.state(running=running)}")
st.caption(
    f"{record.kind} · {record.mode} · program {md(record.program)} · {record.recipients:,} "
    f"recipients · by {md(record.created_by or 'unknown')} · {md(record.base_url)}"
)
st.text(excerpt(record.content, 500))
stopped = interruption(record, running=running)
if stopped:
    st.warning(stopped, icon=":material/power_off:")
batches = journal().batches(record.id)
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

connection = current_connection()
planned = [b for b in batches if b.state is BatchState.PLANNED]
rejected = [b for b in batches if b.state is BatchState.REJECTED]
unknown = [b for b in batches if b.state is BatchState.UNKNOWN]
if running:
    progress_panel(record.id)
elif planned or rejected or unknown:
    if not identity.may(permission_to_send(record.kind)):
        st.caption(
            f"Resuming or resending needs the {NEEDED_ROLE[permission_to_send(record.kind)]} "
            f"role; ask {md(identity.contact)} for it."
        )
    elif connection.client is None or destination_of(
        connection.settings.mode, connection.client.base_url
    ) != destination_of(record.mode, record.base_url):
        st.info(
            "This send was made through another connection; switch to it to resume or resend.",
            icon=":material/link_off:",
        )
    else:
        client = connection.client
        if (
            planned
            and st.button(
                f"Resume: send the {len(planned)} planned batch(es)", icon=":material/play_arrow:"
            )
            and permitted(lambda: resume_send(worker(), client, record.id, by=identity))
        ):
            st.rerun()

        if (
            rejected
            and st.button(
                f"Resend the {len(rejected)} rejected batch(es)",
                icon=":material/replay:",
                help="Acoustic processed none of them, so a resend cannot deliver twice; one it "
                "refused for its content (see What to do) is refused again until that is fixed.",
            )
            and permitted(
                lambda: resend_batches(
                    worker(),
                    client,
                    record.id,
                    [b.id for b in rejected],
                    may_deliver_twice=False,
                    by=identity,
                )
            )
        ):
            st.rerun()
        if unknown:
            st.warning(
                f"{len(unknown)} batch(es) have an unknown outcome: Acoustic may already have "
                "sent them. See What to do in their rows first.",
                icon=":material/help:",
            )
            accept = st.checkbox(
                "I understand that resending may deliver these SMS twice",
                key=f"history.accept_duplicates.{record.id}",
            )
            if st.button(
                f"Resend the {len(unknown)} batch(es) with an unknown outcome",
                icon=":material/warning:",
                disabled=not accept,
            ) and permitted(
                lambda: resend_batches(
                    worker(),
                    client,
                    record.id,
                    [b.id for b in unknown],
                    may_deliver_twice=accept,
                    by=identity,
                )
            ):
                st.rerun()

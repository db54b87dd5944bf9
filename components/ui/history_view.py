"""The History page's parts: which send is open (the table's selection or a ?send= link), and
what the marketer may do about one that did not go through completely (resume or resend)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from components.acoustic import AcousticClient
from components.core.states import ApprovalState, BatchState
from components.journal import BatchRecord, SendRecord, destination_of
from components.sending.decisions import resend_batches, resume_send
from components.status.history_filter import HistoryFilter
from components.team.auth import NEEDED_ROLE, Identity, Permission, permission_to_send
from components.ui.connection import current_connection
from components.ui.local_time import user_zone
from components.ui.persistence import note_for_next_run, noted_in_previous_run
from components.ui.progress_panel import progress_panel, withdraw_button
from components.ui.schedule_view import schedule_panel
from components.ui.send_confirmation import APPROVALS_ICON, approval_status
from components.ui.sending import permitted, worker
from components.ui.text import md

_SELECTED = "history.selected"


def no_sends_notice(*, filtered: bool) -> None:
    """Why the table is empty: the search or mode matches nothing, or nothing was sent yet."""
    if filtered:
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


def shown_by_overview(narrowed: HistoryFilter) -> None:
    """What the Overview's link narrowed History to, and the way back to every send."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.info(
        f"From the Overview: the sends {md(narrowed.words(user_zone()))}.",
        icon=":material/filter_alt:",
    )
    if right.button("Show every send", key="history.clear_filter", icon=":material/close:"):
        for name in narrowed.params():
            st.query_params.pop(name, None)
        st.rerun()


def selected_send_id(table: pd.DataFrame, search: str, mode: str) -> int | None:
    """Draws the sends table and returns the id of the open send: the selected row, else the
    send the address links to (?send=), unless the marketer has just cleared the selection."""
    wanted = st.query_params.get("send")
    linked_rows = table.index[table["Send"].astype(str) == wanted].tolist() if wanted else []
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        selection_default={"selection": {"rows": linked_rows[:1]}} if linked_rows else None,
        # A row is selected by position: a new search is a new table, whose selection starts
        # from the open send (kept when it is still listed).
        key=f"history.table.{zlib.crc32(f'{search}|{mode}'.encode())}",
        placeholder="",
        column_config={
            "Send": st.column_config.NumberColumn(format="#%d"),
            "Message": st.column_config.TextColumn(width="medium"),
        },
    )
    selected_rows = [row for row in event.selection.rows if row < len(table)] if event else []
    if selected_rows:
        send_id = int(table.iloc[selected_rows[0]]["Send"])
        st.query_params["send"] = str(send_id)  # the address bar links to the open send
        note_for_next_run(_SELECTED, send_id)
        return send_id
    if noted_in_previous_run(_SELECTED) is not None:
        st.query_params.pop("send", None)  # the marketer cleared the selection: close the send
        return None
    if wanted and wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:  # 64-bit ids
        return int(wanted)
    return None


def send_actions(
    record: SendRecord, batches: Sequence[BatchRecord], identity: Identity, *, running: bool
) -> None:
    """The progress of a running send; otherwise resume / resend for what did not go through,
    when `identity` may send it and the console is connected where the send was made."""
    if running:
        progress_panel(record.id)
        return
    approval = worker().journal.latest_approval(record.id) if record.approval else None
    if approval is not None:
        approval_status(approval, identity)
        if approval.state is not ApprovalState.APPROVED:
            withdraw_button(approval)
            if approval.state is ApprovalState.PENDING and identity.may(Permission.APPROVE):
                st.page_link("pages/approvals.py", label="Open Approvals", icon=APPROVALS_ICON)
            return  # nothing of it may be sent without approval
    if record.held or record.cancelled_at is not None:
        schedule_panel(record, identity)
        return  # the scheduler sends what waits; a cancelled send is not resumed
    planned = [b for b in batches if b.state is BatchState.PLANNED]
    rejected = [b for b in batches if b.state is BatchState.REJECTED]
    unknown = [b for b in batches if b.state is BatchState.UNKNOWN]
    if not (planned or rejected or unknown):
        return
    needed = permission_to_send(record.kind)
    if not identity.may(needed):
        st.caption(
            f"Resuming or resending needs the {NEEDED_ROLE[needed]} role; "
            f"ask {md(identity.contact)} for it."
        )
        return
    connection = current_connection()
    client = connection.client
    if client is None or destination_of(
        connection.settings.mode, client.base_url
    ) != destination_of(record.mode, record.base_url):
        st.info(
            "This send was made through another connection; switch to it to resume or resend.",
            icon=":material/link_off:",
        )
        return
    if (
        planned
        and st.button(
            f"Resume: send the {len(planned)} planned batch(es)", icon=":material/play_arrow:"
        )
        and permitted(lambda: resume_send(worker(), client, record.id, by=identity))
    ):
        st.rerun()
    if rejected:
        _resend_button(
            f"Resend the {len(rejected)} rejected batch(es)",
            client,
            record,
            rejected,
            identity,
            icon=":material/replay:",
            help="Acoustic processed none of them, so a resend cannot deliver twice; one it "
            "refused for its content (see What to do) is refused again until that is fixed.",
        )
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
        _resend_button(
            f"Resend the {len(unknown)} batch(es) with an unknown outcome",
            client,
            record,
            unknown,
            identity,
            icon=":material/warning:",
            disabled=not accept,
            may_deliver_twice=accept,
        )


def _resend_button(
    label: str,
    client: AcousticClient,
    record: SendRecord,
    batches: Sequence[BatchRecord],
    identity: Identity,
    *,
    icon: str,
    help: str | None = None,
    disabled: bool = False,
    may_deliver_twice: bool = False,
) -> None:
    """A button that resends `batches` of the send through `client` when pressed and `identity`
    may (otherwise the refusal is shown); the unknown ones only when `may_deliver_twice`."""
    if st.button(label, icon=icon, help=help, disabled=disabled) and permitted(
        lambda: resend_batches(
            worker(),
            client,
            record.id,
            [b.id for b in batches],
            may_deliver_twice=may_deliver_twice,
            by=identity,
        )
    ):
        st.rerun()

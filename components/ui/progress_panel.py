"""A send's progress where its sender follows it (Compose, History): refreshed while it runs,
waits for approval or for its time, with the request's state, Withdraw and the schedule."""

from __future__ import annotations

import streamlit as st

from components.core.states import ApprovalState, BatchState, ContactState, SendKind
from components.journal import ApprovalRecord, SendRecord
from components.status.history import outcome_words
from components.status.progress import send_progress
from components.team.approvals import asked_by, withdraw
from components.ui.connection import in_flight_narrowing
from components.ui.schedule_view import schedule_panel
from components.ui.send_confirmation import approval_status
from components.ui.sending import acting_identity, journal, permitted, worker
from components.ui.text import md


def progress_panel(send_id: int) -> None:
    """The progress of a send, refreshed every second while it runs and every few seconds while
    it waits for approval (a fragment)."""
    running = worker().is_running(send_id)
    waiting = _awaiting_approval(send_id) or _held(send_id)
    following = _outcomes_pending(send_id)

    # While the console follows the outcomes in the background, the panel reads them slowly.
    @st.fragment(run_every=1.0 if running else 3.0 if waiting else 5.0 if following else None)
    def panel() -> None:
        still_running = worker().is_running(send_id)
        record: SendRecord | None = journal().get_send(send_id)
        if record is None:
            return
        title = "Test send" if record.kind == SendKind.TEST else "Send"
        st.markdown(
            f"**{title} #{send_id}** · {record.mode} · {record.state(running=still_running)}"
        )
        approval = journal().latest_approval(send_id)
        if approval is not None:
            approval_status(approval, acting_identity())
            if approval.state is not ApprovalState.APPROVED:
                withdraw_button(approval)
                if (approval.state is ApprovalState.PENDING) != waiting:
                    st.rerun()  # switch the automatic refresh on or off
                return
        if not still_running:
            schedule_panel(record, acting_identity())
        progress = send_progress(journal(), send_id, running=still_running)
        st.progress(
            progress.done / progress.batches if progress.batches else 1.0,
            text=f"{progress.done} of {progress.batches} batch(es) done",
        )
        if still_running and (narrowing := in_flight_narrowing()) is not None:
            st.info(narrowing.explanation(), icon=":material/speed:")
        accepted, rejected, unknown = st.columns(3)
        accepted.metric("Accepted", f"{progress.accepted_recipients:,}")
        rejected.metric("Rejected", f"{progress.rejected_recipients:,}")
        unknown.metric("Outcome unknown", f"{progress.unknown_recipients:,}")
        outcomes = journal().outcome_totals([send_id]).get(send_id)
        if outcomes:
            st.markdown(
                f"**Outcomes**: {outcome_words(outcomes)}"
                + (", followed by the console" if outcomes.get(ContactState.PENDING) else "")
            )
        if progress.left_out_recipients:
            st.caption(
                f"{progress.left_out_recipients:,} recipient(s) left out: on the do-not-text "
                "list when their batch went out, so not sent."
            )
        for failure in progress.failures:
            refused = failure.state is BatchState.REJECTED
            (st.error if refused else st.warning)(
                f"Batch {failure.batch} ({failure.contacts:,} contacts) {failure.state}: "
                f"{md(failure.explanation.what_happened)}  \n"
                f"**What to do:** {md(failure.explanation.what_to_do)}",
                icon=":material/error:" if refused else ":material/help:",
            )
        if progress.transaction_ids:
            st.page_link(
                "pages/status.py",
                label=f"Status of {len(progress.transaction_ids)} transaction(s)",
                icon=":material/monitoring:",
                query_params={"tx": progress.transaction_ids},
            )
            with st.expander("Transaction ids"):
                st.code("\n".join(progress.transaction_ids), language=None)
        now_following = bool(outcomes and outcomes.get(ContactState.PENDING))
        if still_running != running or record.held != waiting or now_following != following:
            st.rerun()  # switch the automatic refresh on or off

    panel()


def _outcomes_pending(send_id: int) -> bool:
    outcomes = journal().outcome_totals([send_id]).get(send_id) or {}
    return bool(outcomes.get(ContactState.PENDING))


def _held(send_id: int) -> bool:
    record = journal().get_send(send_id)
    return record is not None and record.held


def _awaiting_approval(send_id: int) -> bool:
    approval = journal().latest_approval(send_id)
    return approval is not None and approval.state is ApprovalState.PENDING


def withdraw_button(approval: ApprovalRecord) -> None:
    """Its sender may take back a request that is still waiting."""
    identity = acting_identity()
    send_id = approval.send_id
    if not _awaiting_approval(send_id) or not asked_by(identity, approval):
        return
    if st.button(
        "Withdraw the request", icon=":material/undo:", key=f"send.withdraw.{send_id}"
    ) and permitted(lambda: withdraw(journal(), send_id, by=identity)):
        st.rerun()

"""The confirmation of a send, drawn the same for its sender (the dialog before sending) and for
its approver (the Approvals page), and a send's request for approval as its sender follows it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.core.states import ApprovalState
from components.journal import ApprovalRecord
from components.sending.confirmation import Confirmation
from components.team.approvals import asked_by, closed_words
from components.team.auth import Identity
from components.ui.compose_widgets import phone_bubble
from components.ui.local_time import local_time, user_zone
from components.ui.text import md

APPROVALS_ICON = ":material/approval:"


def show_confirmation(confirmation: Confirmation) -> None:
    if confirmation.live:
        st.error(
            f"This sends **real SMS** to **{confirmation.recipients:,} phones** through "
            f"{md(confirmation.target)}. They cannot be recalled.",
            icon=":material/cell_tower:",
        )
    else:
        st.info(
            "Sandbox mode: the built-in sandbox answers like Acoustic, but nothing reaches a "
            "phone.",
            icon=":material/science:",
        )
    st.dataframe(
        pd.DataFrame(confirmation.facts(user_zone()), columns=["Fact", "Value"]),
        hide_index=True,
        width="stretch",
    )
    st.caption("The first recipient's SMS:")
    phone_bubble(
        confirmation.sample_text,
        "+" + confirmation.sample_number,
        f"1 of {confirmation.recipients:,}",
    )
    for warning in confirmation.warnings:
        st.warning(md(warning), icon=":material/warning:")
    if confirmation.earlier_failures_warning:
        st.warning(confirmation.earlier_failures_warning, icon=":material/history:")


def approval_reasons_note(reasons: tuple[str, ...] | list[str], expires_after_hours: float) -> None:
    """Said before a send that needs approval is asked for."""
    st.info(
        f"This send needs approval: {md('; '.join(reasons))}. Another person with the approver "
        "role sees this same confirmation, and it goes out exactly as shown once they approve "
        f"it. The request expires after {expires_after_hours:g} hour(s).",
        icon=":material/approval:",
    )


def approval_status(approval: ApprovalRecord, identity: Identity) -> None:
    """Where a request for approval stands, in the words its sender and others read."""
    asked = "You asked" if asked_by(identity, approval) else f"{md(approval.requested_by)} asked"
    zone = user_zone()
    if approval.state is ApprovalState.PENDING:
        st.info(
            f"{asked} for approval on {local_time(approval.requested_at)}. It is waiting for an "
            f"approver and expires on {local_time(approval.expires_at)}; nothing is sent before "
            "it is approved.",
            icon=":material/pending_actions:",
        )
    elif approval.state is ApprovalState.REJECTED:
        st.error(
            f"Not approved: {md(closed_words(approval, zone))} Nothing was sent. Change what the "
            "note asks for and send again.",
            icon=":material/thumb_down:",
        )
    elif approval.state is ApprovalState.APPROVED:
        st.success(md(closed_words(approval, zone)), icon=":material/verified:")
    else:
        st.info(f"{md(closed_words(approval, zone))} Nothing was sent.", icon=":material/block:")

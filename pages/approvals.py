"""Approvals: the sends waiting for a second person, each with the confirmation its sender saw."""

import streamlit as st

from components.ui.approvals_view import (
    approval_rule,
    decision_done,
    recent_decisions,
    waiting_requests,
)
from components.ui.identity import require_page
from components.ui.shell import ensure_app_shell

ensure_app_shell()
identity = require_page("Approvals")

st.title("Approvals")
st.caption(
    "A send that needs approval goes out exactly as its sender confirmed it, once another "
    "approver approves it. Nobody approves their own send."
)
decision_done()
waiting_requests(identity)
recent_decisions()
with st.expander("Which sends need approval", icon=":material/rule:"):
    approval_rule()

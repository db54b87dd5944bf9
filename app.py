"""Entry point: who is signed in, the page map their role allows, and the sidebar every page
shares."""

import streamlit as st

from components.team.auth import menu
from components.ui.approvals_view import approvals_badge
from components.ui.audit_view import audit_sign_in_once
from components.ui.connection import current_settings
from components.ui.identity import sign_in_gate, signed_in_as
from components.ui.overview_view import number_lookup_link
from components.ui.persistence import start_run
from components.ui.return_link import return_after_sign_in
from components.ui.send_confirmation import APPROVALS_ICON
from components.ui.sending import start_background_work
from components.ui.sidebar import render_mode_badge

st.set_page_config(page_title="SMS Console", page_icon=":material/sms:", layout="wide")

start_background_work()  # once per run: the worker and scheduler (console.py did it at start)
identity = sign_in_gate()
listed = menu(identity)  # a page left out of the menu still answers its address, and says why
pages = [
    st.Page(
        f"pages/{title.lower().replace(' ', '_')}.py",
        title=title,
        icon=icon,
        default=title == listed[0],
        visibility="visible" if title in listed else "hidden",
    )
    for title, icon in [
        ("Compose", ":material/edit_note:"),
        ("Overview", ":material/insights:"),
        ("Status", ":material/monitoring:"),
        ("History", ":material/history:"),
        ("Templates", ":material/library_books:"),
        ("Approvals", APPROVALS_ICON),
        ("Audit", ":material/policy:"),
        ("Do not text", ":material/do_not_disturb_on:"),
        ("Settings", ":material/settings:"),
    ]
]
navigation = st.navigation(pages)
return_after_sign_in()  # the page a link named before its reader signed in, once
start_run()
signed_in_as(identity)
audit_sign_in_once(identity.actor)
render_mode_badge(current_settings())
approvals_badge(identity)
number_lookup_link(identity)
navigation.run()

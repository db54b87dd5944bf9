"""Back to the link a reader opened before signing in (components/team/deep_links.py says why): kept
in a cookie of the browser for ten minutes by the sign-in page, followed once after sign-in, then
cleared."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from components.team.deep_links import link_from_cookie, return_link

COOKIE = "sms_console_return_to"
_FOLLOWED = "auth.return_link"  # session state: "followed", then "cleared"


def remember_link_before_sign_in() -> None:
    """On the sign-in page: the console page and ids the address names, for after sign-in."""
    # st.context.url is the address without its query; the query is st.query_params'.
    query = [(name, value) for name in st.query_params for value in st.query_params.get_all(name)]
    address = st.context.url.split("?", 1)[0] if isinstance(st.context.url, str) else ""
    link = return_link(f"{address}?{urlencode(query)}")
    if link is None:
        return
    _cookie_script(f"{COOKIE}={link.cookie_value()}; path=/; max-age=600; samesite=lax")


def return_after_sign_in() -> None:
    """Once per session, right after sign-in: open the page the reader's link named (the page
    itself then checks their role, as for any address)."""
    value = st.context.cookies.get(COOKIE)
    if not isinstance(value, str) or not value:  # (AppTest has no browser, nor cookies)
        return
    state = st.session_state
    if state.get(_FOLLOWED) == "followed":
        _cookie_script(f"{COOKIE}=; path=/; max-age=0; samesite=lax")
        state[_FOLLOWED] = "cleared"
    if state.get(_FOLLOWED):
        return
    state[_FOLLOWED] = "followed"
    link = link_from_cookie(value)
    if link is not None:
        st.switch_page(link.script, query_params=link.query_params)


def _cookie_script(cookie: str) -> None:
    # The value is the console's own: a page name and ids checked by deep_links, percent-encoded.
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )

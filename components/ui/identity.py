"""The signed-in person on every page: Streamlit's own OIDC sign-in (`st.login`, `st.user`) when
an `[auth]` section is configured, else local mode, one person on their own machine, who holds
every role. `sign_in_gate` runs before the page map: nobody sees a page before this says who
they are and that they have a role; `require_page` is each page's own check, for deep links."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import streamlit as st

from components.team.approval_rules import LOCAL_MODE, ApprovalRule, parse_approval_rule
from components.team.auth import (
    PAGE_PERMISSIONS,
    Identity,
    PermissionDenied,
    RoleRules,
    local_identity,
    parse_role_rules,
)
from components.team.deep_links import PAGES as CONSOLE_PAGES
from components.team.serving import request_refusal, serving_refusal
from components.ui.connection import read_secrets
from components.ui.return_link import remember_link_before_sign_in
from components.ui.text import md

AUTH_SECTION = "auth"


def auth_configured(secrets: Mapping[str, object] | None) -> bool:
    return bool(secrets) and isinstance(secrets.get(AUTH_SECTION), Mapping)  # type: ignore[union-attr]


def role_rules(secrets: Mapping[str, object] | None) -> RoleRules:
    """`[console.roles]`; a `roles_file` in it is read relative to the folder the console was
    started in."""
    console = (secrets or {}).get("console")
    section = console.get("roles") if isinstance(console, Mapping) else None
    return parse_role_rules(section, base=Path.cwd())


def current_approval_rule() -> ApprovalRule:
    """`[console.approval]` with sign-in; in local mode nobody else could approve, so none."""
    secrets = read_secrets()
    if not auth_configured(secrets):
        return LOCAL_MODE
    console = (secrets or {}).get("console")
    return parse_approval_rule(console.get("approval") if isinstance(console, Mapping) else None)


def _account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container's bare uid): only a label is lost
        return ""


def current_identity() -> Identity | None:
    """Who is using this session; None while sign-in is required and nobody has signed in."""
    secrets = read_secrets()
    if not auth_configured(secrets):
        return local_identity(_account())
    user = st.user
    if not user.get("is_logged_in"):
        return None
    groups = user.get("groups") or ()
    groups = [groups] if isinstance(groups, str) else [str(g) for g in groups]  # type: ignore[union-attr]
    return role_rules(secrets).identity(
        str(user.get("email") or ""),
        str(user.get("name") or ""),
        groups,
        email_verified=user.get("email_verified") is not False,
        subject=str(user.get("sub") or ""),
    )


def sign_in_gate() -> Identity:
    """Returns the identity of a person who may use the console; otherwise shows the one page
    they may see (sign in, no role, or why the console refuses to serve) and stops the run."""
    secrets = read_secrets()
    if not auth_configured(secrets):
        headers = st.context.headers
        refusal = serving_refusal(st.get_option("server.address"), os.environ) or (
            request_refusal(headers.get("Origin"), headers.get("Host"), os.environ)
        )
        if refusal:
            _only_page(lambda: _refused(refusal), "Not served here")
        return local_identity(_account())
    identity = current_identity()
    if identity is None:
        _only_page(_sign_in, "Sign in")
    assert identity is not None
    if identity.highest is None:
        _only_page(lambda: _no_role(identity), "No role")
    return identity


def _only_page(render: Callable[[], None], title: str) -> None:
    """A page map of this one page (no other page can be opened), then the run stops. The
    addresses of the console's pages show it too: a link to Status opened before sign-in gets the
    sign-in page, not "Page not found", and is followed after sign-in (ui/return_link.py)."""
    pages = [st.Page(render, title=title, url_path="welcome", default=True)]
    pages += [st.Page(lambda: render(), title=title, url_path=path) for path in CONSOLE_PAGES]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _refused(message: str) -> None:
    st.title("SMS Console")
    st.error(md(message), icon=":material/gpp_bad:")  # it quotes the request's own headers


def _sign_in() -> None:
    remember_link_before_sign_in()
    st.title("SMS Console")
    st.markdown(
        "Sends transactional SMS through Acoustic Campaign and shows what happened to them. "
        "Sign in with your organisation's account to use it."
    )
    if st.button("Sign in", type="primary", icon=":material/login:", key="auth.sign_in"):
        try:
            st.login()
        except Exception as exc:  # a misconfigured [auth] section: say so, do not crash
            st.error(
                f"Sign-in is not set up correctly: {md(exc)} Check the `[auth]` section of "
                "`.streamlit/secrets.toml` (see the README).",
                icon=":material/error:",
            )


def _no_role(identity: Identity) -> None:
    st.title("SMS Console")
    st.warning(
        f"You are signed in as {md(identity.email or identity.name or 'an unnamed account')}, "
        f"but you have no role in this console yet. Ask {md(identity.contact)} to give you one.",
        icon=":material/person_off:",
    )
    if identity.notice:
        st.info(identity.notice, icon=":material/info:")
    show_rule_problems(role_rules(read_secrets()))
    signed_in_as(identity)


def show_rule_problems(rules: RoleRules) -> None:
    for problem in rules.problems:
        st.error(md(problem), icon=":material/rule:")


def signed_in_as(identity: Identity) -> None:
    """The sidebar's identity: name and email and Sign out, or local mode."""
    with st.sidebar:
        if identity.local:
            st.badge("Local mode", icon=":material/computer:", color="blue")
            account = f" (account {md(identity.account)})" if identity.account else ""
            st.caption(f"One person on this machine{account}, with every role; no sign-in.")
            return
        st.markdown(f"**{md(identity.name or identity.email)}**")
        if identity.name:
            st.caption(md(identity.email))
        if identity.highest is not None:
            st.caption(f"Role: {identity.highest}")
        if st.button("Sign out", icon=":material/logout:", key="auth.sign_out"):
            st.logout()


def require_page(page: str) -> Identity:
    """The first line of a page after the shell: who may use it (auth.PAGE_PERMISSIONS). A deep
    link by someone whose role does not allow the page says so and shows nothing else."""
    permission = PAGE_PERMISSIONS[page]
    identity = current_identity()
    if identity is not None and identity.may(permission):
        return identity
    st.title(page)
    if identity is None:
        st.info("Sign in to use the console.", icon=":material/login:")
    else:
        st.error(
            f"{page} is not open to your role. {md(PermissionDenied(identity, permission))}",
            icon=":material/block:",
        )
    st.stop()

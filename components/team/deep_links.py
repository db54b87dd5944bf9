"""The page a link opened before its reader signed in, to open after: Streamlit's sign-in starts
a new session on the app's root (its issue #10162), so the console keeps the link in a short-lived
cookie of the browser and returns to it once.

Only the console's own pages and the query parameters they read (`tx`, `send`, made of id
characters) are ever kept: whatever else a cookie says is ignored, so it cannot send anyone
elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

PAGES = ("compose", "status", "history", "approvals", "audit", "do_not_text", "settings")
PARAMETERS = ("tx", "send")
MOST_VALUES = 50
_ID = re.compile(r"[A-Za-z0-9._~-]{1,100}")


@dataclass(frozen=True)
class ReturnLink:
    page: str  # one of PAGES (its url path)
    query: tuple[tuple[str, str], ...] = ()

    @property
    def script(self) -> str:
        """The page's file, as st.switch_page takes it."""
        return f"pages/{self.page}.py"

    @property
    def query_params(self) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        for name, value in self.query:
            params.setdefault(name, []).append(value)
        return params

    def cookie_value(self) -> str:
        return quote(self.page + ("?" + urlencode(self.query) if self.query else ""), safe="")


def return_link(url: str) -> ReturnLink | None:
    """The link to come back to from the address a signed-out reader opened, or None when it
    is the root or not one of the console's pages."""
    parts = urlsplit(url or "")
    page = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if page not in PAGES:
        return None
    query = tuple(
        (name, value)
        for name, value in parse_qsl(parts.query)
        if name in PARAMETERS and _ID.fullmatch(value)
    )[:MOST_VALUES]
    return ReturnLink(page, query)


def link_from_cookie(value: str | None) -> ReturnLink | None:
    """What a return cookie names, checked as strictly as the address it was taken from."""
    if not value:
        return None
    return return_link("/" + unquote(value))

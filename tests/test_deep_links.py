"""The link kept across sign-in: only the console's pages and the ids they read."""

from __future__ import annotations

import pytest

from components.team.deep_links import ReturnLink, link_from_cookie, return_link


def test_a_status_link_with_its_ids_is_kept_and_comes_back_from_its_cookie():
    link = return_link("http://console.example:8501/status?tx=abc-123&tx=def_456&x=1")
    assert link == ReturnLink("status", (("tx", "abc-123"), ("tx", "def_456")))
    assert link.script == "pages/status.py"
    assert link.query_params == {"tx": ["abc-123", "def_456"]}
    cookie = link.cookie_value()
    assert ";" not in cookie and " " not in cookie and "=" not in cookie
    assert link_from_cookie(cookie) == link
    assert return_link("https://host/base/path/history?send=42") == ReturnLink(
        "history", (("send", "42"),)
    )


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://host/",
        "http://host/welcome",
        "http://host/oauth2callback?code=secret",
        "http://host/../../etc/passwd",
        "https://evil.example/phish",
    ],
)
def test_the_root_and_anything_that_is_not_a_console_page_is_not_kept(url):
    assert return_link(url) is None


def test_a_cookie_cannot_name_another_site_or_smuggle_values():
    assert link_from_cookie(None) is None
    assert link_from_cookie("https%3A%2F%2Fevil.example%2Fstatus") == ReturnLink("status")
    forged = link_from_cookie("status%3Ftx%3D%3Cscript%3E%26send%3D7%26next%3Dhttp%3A%2F%2Fx")
    assert forged == ReturnLink("status", (("send", "7"),))
    many = "status%3F" + "%26".join(f"tx%3D{n}" for n in range(80))
    assert len(link_from_cookie(many).query) == 50

"""Sign-in for real: Streamlit's OIDC flow in Chromium against an OIDC provider on loopback
(oidc-provider-mock), two people in two browsers; and, without sign-in, a page of another local
port that opens the console's WebSocket gets nothing of the console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    SIGNED_IN_SECRETS,
    StreamlitApp,
    menu,
    running,
    seen,
    sidebar,
    sign_in,
    wait_idle,
)


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[str]:
    secrets = SIGNED_IN_SECRETS.format(provider=provider)
    app = StreamlitApp(tmp_path_factory.mktemp("signed"), secrets=secrets)
    with running(app):
        yield app.url


def test_two_people_sign_in_and_see_what_their_roles_allow(page, second_page, signed_app):
    page.goto(signed_app)
    page.get_by_role("button", name="Sign in").wait_for()
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    assert "Sends transactional SMS through Acoustic Campaign" in main.inner_text()
    assert main.get_by_role("button").count() == 1  # Sign in, nothing else
    assert menu(page) == [] and page.locator("textarea").count() == 0  # nothing else

    sign_in(page, signed_app, "sam@example.com")
    page.get_by_role("heading", name="Compose").wait_for()
    assert menu(page) == ["Compose", "Overview", "Status", "History", "Templates", "Do not text"]
    shown = seen(sidebar(page))
    assert "Sam Sender" in shown and "sam@example.com" in shown and "Role: sender" in shown

    sign_in(second_page, signed_app, "vera@example.com")
    second_page.get_by_role("heading", name="Overview", level=1).wait_for()  # a viewer lands here
    assert menu(second_page) == ["Overview", "Status", "History", "Templates", "Do not text"]
    assert "Vera Viewer" in seen(sidebar(second_page))
    second_page.goto(f"{signed_app}/compose")
    wait_idle(second_page)
    refusal = seen(second_page.locator("[data-testid='stAlert']"))
    assert "Compose is not open to your role" in refusal and "needs the sender role" in refusal
    assert second_page.locator("textarea").count() == 0

    # Each keeps their own identity; then Sam signs out (the provider ends the session too).
    page.reload()
    wait_idle(page)
    assert "sam@example.com" in seen(sidebar(page))
    sidebar(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{signed_app}/**")
    wait_idle(page)
    page.get_by_role("button", name="Sign in").wait_for()
    assert "sam@example.com" not in page.content()
    second_page.reload()
    wait_idle(second_page)
    assert "vera@example.com" in seen(sidebar(second_page))


def test_a_page_of_another_local_port_gets_nothing_of_the_console(own_app: StreamlitApp):
    """Streamlit lets any localhost origin open its WebSocket; the console runs nothing for it."""
    foreign = drive(own_app, origin="http://localhost:1")
    assert "A page from another site" in foreign
    assert "Compose" not in foreign and "Sandbox mode" not in foreign
    own = drive(own_app, origin=own_app.url)
    assert "Compose" in own and "A page from another site" not in own


def drive(app: StreamlitApp, origin: str) -> str:
    """Opens the console's WebSocket as a page of `origin` would, asks for a run of the main
    page, and returns the text of everything the run sent."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    url = app.url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(url, origin=origin, max_size=None, open_timeout=30) as socket:
        request = BackMsg()
        request.rerun_script.query_string = ""
        socket.send(request.SerializeToString())
        seen: list[str] = []
        while True:
            message = ForwardMsg()
            message.ParseFromString(socket.recv(timeout=60))
            seen.append(str(message))
            if message.WhichOneof("type") == "script_finished":
                return "\n".join(seen)


def test_a_link_opened_before_sign_in_opens_after_it(page, signed_app):
    """Streamlit's sign-in lands on the app's root; the console takes its reader back once."""
    page.goto(f"{signed_app}/status?tx=tx-from-an-email")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name='sub']").fill("sam@example.com")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/status?tx=tx-from-an-email")
    wait_idle(page)
    page.get_by_role("heading", name="Status").wait_for()
    assert "tx-from-an-email" in seen(page.locator("[data-testid='stMain']"))
    # Followed once: the console's root is Sam's first page again, not the old link.
    page.goto(signed_app)
    wait_idle(page)
    page.get_by_role("heading", name="Compose").wait_for()
    assert "tx-from-an-email" not in page.url
    cookies = {c["name"] for c in page.context.cookies()}
    assert "sms_console_return_to" not in cookies

"""Sign-in and roles on the pages (Streamlit's AppTest): local mode, signed out, each role, a
deep link beyond the role, no role, a bad role configuration, local-only serving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from components.journal import Journal
from components.team.serving import ALLOW_NETWORK_VARIABLE
from components.ui.text import plain
from tests.apptest_support import (
    composed,
    journaled_send,
    new_app,
    signed_in,
    texts,
    wait_for_send,
)

pytestmark = pytest.mark.usefixtures("app_environment")

PAGES = ["pages/compose.py", "pages/status.py", "pages/history.py", "pages/settings.py"]


def sidebar_texts(at: AppTest) -> str:
    return "\n".join(plain(str(e.value)) for e in [*at.sidebar.markdown, *at.sidebar.caption])


@pytest.fixture
def listening_on() -> Iterator[object]:
    """Sets server.address for a test, as STREAMLIT_SERVER_ADDRESS or --server.address would."""
    before = config.get_option("server.address")

    def listen(address: str) -> None:
        config.set_option("server.address", address)

    yield listen
    config.set_option("server.address", before)


def test_local_mode_says_so_in_the_sidebar_and_every_page_opens():
    at = new_app().run()
    assert not at.exception
    assert "Local mode" in sidebar_texts(at)
    assert "One person on this machine" in sidebar_texts(at)
    assert not [b for b in at.sidebar.button if b.label == "Sign out"]
    for page, title in zip(PAGES, ["Compose", "Status", "History", "Settings"], strict=True):
        at.switch_page(page).run()
        assert not at.exception
        assert at.title[0].value == title
        assert "not open to your role" not in texts(at)


def test_local_mode_records_a_local_user_never_an_os_account_as_who(tmp_path):
    at = composed("Hi", "+1 949 500 1234\n")
    at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
    at.button(key="compose.send_test").click().run()
    journal = Journal(tmp_path / "journal.sqlite3")
    send_id = at.session_state["send.active_id"]
    wait_for_send(journal, send_id)
    assert journal.get_send(send_id).created_by == "local user"


def test_signed_out_sees_what_the_console_is_and_a_sign_in_button_only():
    at = signed_in(None).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Sends transactional SMS through Acoustic Campaign" in texts(at)
    assert [t.value for t in at.title] == ["SMS Console"]
    assert not sidebar_texts(at)  # no mode badge, no identity: nothing but sign-in


def test_a_viewer_lands_on_the_overview_and_a_deep_link_to_compose_says_they_may_not():
    at = signed_in("vera@example.com", name="Vera Viewer").run()
    assert not at.exception
    assert at.title[0].value == "Overview"  # Compose is not their first page
    shown = sidebar_texts(at)
    assert "Vera Viewer" in shown and "vera@example.com" in shown and "Role: viewer" in shown
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    at.switch_page("pages/compose.py").run()
    refusal = texts(at)
    assert "Compose is not open to your role" in refusal
    assert "needs the sender role" in refusal and "Ask ops@example.com" in refusal
    assert not at.text_area  # nothing of the page itself
    at.switch_page("pages/history.py").run()
    assert at.title[0].value == "History" and not at.exception


def test_a_viewer_sees_a_send_in_history_without_resume_or_resend(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    payload = {"channelQualifier": "12345", "content": "Hi", "contacts": [{"phoneNumber": "1"}]}
    record = journaled_send(journal, [payload], created_by="sam@example.com")
    at = signed_in("vera@example.com")
    at.query_params["send"] = str(record.id)
    at.switch_page("pages/history.py").run()
    assert f"Send #{record.id}" in at.header[0].value
    assert not [b for b in at.button if b.label.startswith(("Resume", "Resend"))]
    assert "Resuming or resending needs the sender role; ask ops@example.com" in texts(at)


def test_a_sender_composes_and_is_recorded_by_email_but_may_not_open_settings(tmp_path):
    at = signed_in("sam@example.com", name="Sam Sender")
    at.run()
    assert at.title[0].value == "Compose"
    at.session_state["compose.content"] = "Hi"
    at.text_area(key="compose.paste").set_value("+1 949 500 1234\n")
    at.text_input(key="compose.program").set_value("12345")
    at.run()
    at.text_input(key="compose.test_number").set_value("+1 949 500 1299").run()
    at.button(key="compose.send_test").click().run()
    assert not at.exception
    journal = Journal(tmp_path / "journal.sqlite3")
    send_id = at.session_state["send.active_id"]
    wait_for_send(journal, send_id)
    assert journal.get_send(send_id).created_by == "sam@example.com"
    at.switch_page("pages/settings.py").run()
    assert "Settings is not open to your role" in texts(at)
    assert not at.dataframe


def test_an_admin_sees_settings_with_the_role_overview():
    at = signed_in("OPS@example.com")
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    overview = at.dataframe[-1].value
    assert overview.to_dict("records") == [
        {"Entry": "carol@example.com", "Kind": "address", "Roles": "approver"},
        {"Entry": "ops@example.com", "Kind": "address", "Roles": "admin"},
        {"Entry": "vera@example.com", "Kind": "address", "Roles": "viewer"},
        {"Entry": "@example.com", "Kind": "domain", "Roles": "sender"},
        {"Entry": "@partner.example", "Kind": "domain", "Roles": "viewer"},
    ]


def test_someone_without_a_role_is_told_so_and_whom_to_ask():
    at = signed_in("eve@elsewhere.example", name="Eve").run()
    assert not at.exception
    shown = texts(at)
    assert "signed in as eve@elsewhere.example, but you have no role" in shown
    assert "Ask ops@example.com to give you one" in shown
    assert [b.label for b in at.button] == ["Sign out"]
    assert [t.value for t in at.title] == ["SMS Console"]  # no page of the console


def test_a_group_claim_gives_its_role():
    rules = {"sender": ["group:sms-senders"]}
    at = signed_in("gus@elsewhere.example", rules, groups=["sms-senders"]).run()
    assert at.title[0].value == "Compose"


def test_a_bad_role_configuration_is_shown_on_the_page_not_a_crash():
    at = signed_in("ops@example.com", {"admins": ["ops@example.com"], "viewer": "not an address"})
    at.run()
    assert not at.exception
    errors = texts(at)
    assert "`admins` in [console.roles] in secrets.toml is not a role" in errors
    assert '"not an address" is neither an email address' in errors


def test_without_auth_the_console_refuses_to_serve_on_another_address(listening_on, monkeypatch):
    listening_on("0.0.0.0")
    at = new_app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["SMS Console"]
    refusal = texts(at)
    assert "listening on 0.0.0.0, but no sign-in is configured" in refusal
    assert ALLOW_NETWORK_VARIABLE in refusal
    assert not at.button and not sidebar_texts(at)

    monkeypatch.setenv(ALLOW_NETWORK_VARIABLE, "1")  # the operator accepts the risk
    at = new_app().run()
    assert at.title[0].value == "Compose"


def test_with_auth_the_console_may_serve_on_another_address(listening_on):
    listening_on("0.0.0.0")
    at = signed_in(None).run()
    assert [b.label for b in at.button] == ["Sign in"]

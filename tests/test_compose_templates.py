"""Compose's "Start from a template" with AppTest: the draft filled with the version, the line
that says whether the draft is still it, and the template's columns the contacts lack."""

from __future__ import annotations

import pytest

from components.journal import Journal
from components.message.draft import Draft
from components.templates import save_template
from tests.apptest_support import journaled_send, new_app, texts

pytestmark = pytest.mark.usefixtures("app_environment")

PASTE = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 201 234 5678,Bob\n"
OTP = Draft(
    content="Hi %%FIRST NAME%%, your code is %%PIN%%.",
    program="777",
    source="web",
    defaults={"PIN": "0000"},
    ttl_minutes=15,
    campaign_name="otp",
)


def test_a_template_fills_the_draft_and_says_when_it_is_changed(tmp_path):
    save_template(
        Journal(tmp_path / "journal.sqlite3"), "One-time code", OTP, actor="sam@example.com",
        description="Sign-in codes",
    )  # fmt: skip
    at = new_app().run()
    at.text_area(key="compose.paste").set_value(PASTE).run()
    picker = at.selectbox(key="compose.template_choice")
    assert picker.options[1] == "One-time code — Sign-in codes"
    picker.set_value("One-time code").run()
    assert not at.exception
    state = at.session_state
    assert state["compose.content"] == OTP.content and state["compose.program"] == "777"
    assert state["compose.source"] == "web" and state["compose.ttl"] == 15
    assert state["compose.campaign"] == "otp"
    assert at.text_input(key="compose.default.pin").value == "0000"
    text = texts(at)
    assert "From the template One-time code v1; the send records it." in text
    assert "The contacts have no column PIN, which One-time code uses" in text
    at.text_input(key="compose.program").set_value("12345").run()
    assert "Changed from One-time code v1: this send records no template version" in texts(at)


def test_a_template_in_two_languages_previews_each_recipient_in_theirs(tmp_path):
    save_template(
        Journal(tmp_path / "journal.sqlite3"),
        "Hello",
        Draft(content="Hi %%FIRST NAME%%", program="777"),
        actor="sam@example.com",
        variants={"de": "Hallo %%FIRST NAME%%"},
    )
    at = new_app().run()
    paste = "phone,FIRST NAME,LANG\n+1 949 500 1234,Ann,de\n+49 30 1234567,Bea,\n"
    at.text_area(key="compose.paste").set_value(paste).run()
    at.selectbox(key="compose.template_choice").set_value("Hello").run()
    assert not at.exception
    assert "Languages: en 1 · de 1. Each language goes in requests of its own." in texts(at)
    bubbles = [str(h.proto) for h in at.get("html")]
    assert any("Hi Ann" in b for b in bubbles)
    at.selectbox(key="compose.language_column").set_value("LANG").run()
    assert "Languages: de 2." in texts(at)
    assert any("Hallo Ann" in str(h.proto) for h in at.get("html"))


def test_history_names_the_template_version_a_send_came_from(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    version = save_template(journal, "Hello", Draft(content="Hi", program="12345"), actor="s@x.y")
    payload = {"channelQualifier": "12345", "content": "Hi", "contacts": [{"phoneNumber": "1949"}]}
    record = journaled_send(
        journal, [payload], template=(version.template_id, version.name, version.version)
    )
    at = new_app().run()
    at.switch_page("pages/history.py")
    at.query_params["send"] = str(record.id)
    at.run()
    assert not at.exception
    assert "from the template Hello v1" in texts(at)
    assert at.dataframe[0].value["Template"].tolist() == ["Hello v1"]

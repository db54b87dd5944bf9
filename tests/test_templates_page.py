"""The Templates page with AppTest: create, a new version, approve (by another person), compare,
archive, preview, export and import, each as the role that may do it."""

from __future__ import annotations

import json

import pytest

from components.journal import AuditAction, Journal
from components.message.draft import Draft
from components.templates import save_template, template_versions
from tests.apptest_support import new_app, signed_in, texts

pytestmark = pytest.mark.usefixtures("app_environment")

OTP = Draft(content="Hi %%FIRST NAME%%, your code is %%PIN%%.", program="12345")


def open_page(at):
    return at.switch_page("pages/templates.py").run()


def journal_of(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def test_a_sender_creates_a_template_with_a_second_language(tmp_path):
    at = open_page(signed_in("sam@example.com").run())
    assert "No templates yet." in texts(at)
    at.text_input(key="templates.edit.(new).name").set_value("One-time code")
    at.text_input(key="templates.edit.(new).description").set_value("Sign-in codes")
    at.text_area(key="templates.edit.(new).message").set_value(OTP.content)
    at.text_input(key="templates.edit.(new).program").set_value("12345").run()
    at.text_input(key="templates.edit.(new).default.FIRST NAME").set_value("there")
    at.button(key="templates.edit.(new).save").click().run()
    assert not at.exception
    assert "Saved One-time code v1." in texts(at)
    (version,) = template_versions(journal_of(tmp_path), "One-time code")
    assert version.draft.defaults == {"FIRST NAME": "there"}
    assert version.saved_by == "sam@example.com" and version.description == "Sign-in codes"
    assert at.selectbox(key="templates.open").value == "One-time code"
    # A new version from the Edit tab: the message changed.
    at.text_area(key="templates.edit.One-time code.message").set_value(OTP.content + " Bye.")
    at.button(key="templates.edit.One-time code.save").click().run()
    assert "Saved One-time code v2." in texts(at)
    assert [v.version for v in template_versions(journal_of(tmp_path), "One-time code")] == [1, 2]


def test_a_bad_template_says_what_to_fix_and_keeps_what_was_typed(tmp_path):
    at = open_page(signed_in("sam@example.com").run())
    at.text_input(key="templates.edit.(new).name").set_value("Gate")
    at.text_area(key="templates.edit.(new).message").set_value("  ")
    at.button(key="templates.edit.(new).save").click().run()
    assert "The template's message is empty: write the message first." in texts(at)
    assert at.text_input(key="templates.edit.(new).name").value == "Gate"
    assert template_versions(journal_of(tmp_path), "Gate") == []


def test_an_approver_compares_and_approves_another_persons_version(tmp_path):
    journal = journal_of(tmp_path)
    save_template(journal, "OTP", OTP, actor="sam@example.com")
    save_template(
        journal, "OTP", Draft(content=OTP.content, program="777"), actor="carol@example.com"
    )
    at = open_page(signed_in("carol@example.com").run())
    assert "**SMS program**: 12345 → 777" in texts(at)  # v1 against v2
    at.selectbox(key="templates.approve_which").set_value("v2")
    at.button(key="templates.approve").click().run()
    assert "nobody may approve their own template" in texts(at)
    at.selectbox(key="templates.approve_which").set_value("v1")
    at.button(key="templates.approve").click().run()
    assert "Approved OTP v1." in texts(at)
    assert template_versions(journal, "OTP")[0].approved_by == "carol@example.com"


def test_a_viewer_reads_but_changes_nothing(tmp_path):
    save_template(journal_of(tmp_path), "OTP", OTP, actor="sam@example.com")
    at = open_page(signed_in("vera@example.com").run())
    assert not at.exception
    assert "Senders, approvers and admins create and change templates." in texts(at)
    keys = {getattr(b, "key", None) for b in at.button}
    assert not {"templates.approve", "templates.archive", "templates.duplicate"} & keys


def test_an_admin_archives_and_the_list_filters_by_state(tmp_path):
    journal = journal_of(tmp_path)
    save_template(journal, "OTP", OTP, actor="sam@example.com")
    save_template(journal, "Gate", Draft(content="Gate %%GATE%%"), actor="sam@example.com")
    at = open_page(signed_in("ops@example.com").run())
    at.selectbox(key="templates.open").set_value("OTP").run()
    at.button(key="templates.archive").click().run()
    assert "OTP is archived." in texts(at)
    assert at.dataframe[0].value["Template"].tolist() == ["Gate"]
    at.selectbox(key="templates.state").set_value("Archived").run()
    assert at.dataframe[0].value["Template"].tolist() == ["OTP"]
    at.text_input(key="templates.search").set_value("nothing like it").run()
    assert "No template matches." in texts(at)
    (entry,) = journal.audit_entries(action=AuditAction.TEMPLATE_ARCHIVED)
    assert entry.actor == "ops@example.com"


def test_preview_with_sample_values_in_each_language_and_an_example_file(tmp_path, downloads):
    save_template(
        journal_of(tmp_path),
        "OTP",
        OTP,
        actor="sam@example.com",
        variants={"de": "Hallo %%FIRST NAME%%, dein Code ist %%PIN%%."},
    )
    at = open_page(new_app().run())
    at.text_input(key="templates.sample.OTP.FIRST NAME").set_value("Ann")
    at.text_input(key="templates.sample.OTP.PIN").set_value("1234").run()
    shown = [c.value for c in at.code]
    assert "Hi Ann, your code is 1234." in shown and "Hallo Ann, dein Code ist 1234." in shown
    example = downloads["templates.example"]()
    assert example.decode("utf-8-sig").splitlines()[0] == "phone,FIRST NAME,PIN"


def test_export_holds_every_version_and_language(tmp_path, downloads):
    journal = journal_of(tmp_path)
    save_template(journal, "OTP", OTP, actor="sam@example.com")
    save_template(
        journal, "OTP", OTP, actor="sam@example.com", variants={"de": "Code %%PIN%% %%FIRST NAME%%"}
    )
    open_page(signed_in("sam@example.com").run())
    document = json.loads(downloads["templates.export"]())
    (template,) = document["templates"]
    assert template["name"] == "OTP" and [v["version"] for v in template["versions"]] == [1, 2]
    assert template["versions"][1]["variants"] == {"de": "Code %%PIN%% %%FIRST NAME%%"}


def test_a_language_is_added_by_its_code_and_checked_for_the_same_fields(tmp_path):
    at = open_page(signed_in("sam@example.com").run())
    key = "templates.edit.(new)"
    at.text_input(key=f"{key}.name").set_value("Doors")
    at.text_area(key=f"{key}.message").set_value("Doors open at 9, %%FIRST NAME%%.")
    at.text_input(key=f"{key}.new_language").set_value("Deutsch")
    at.button(key=f"{key}.add_language").click().run()
    assert "Deutsch is not a language code." in texts(at)
    at.text_input(key=f"{key}.new_language").set_value("DE")
    at.button(key=f"{key}.add_language").click().run()
    at.text_area(key=f"{key}.variant.de").set_value("Türen öffnen um 9.")
    at.button(key=f"{key}.save").click().run()
    assert "The de message lacks %%FIRST NAME%%" in texts(at)
    at.text_area(key=f"{key}.variant.de").set_value("Türen öffnen um 9, %%FIRST NAME%%.")
    at.button(key=f"{key}.save").click().run()
    assert "Saved Doors v1." in texts(at)
    (version,) = template_versions(journal_of(tmp_path), "Doors")
    assert version.variants == {"de": "Türen öffnen um 9, %%FIRST NAME%%."}
    counts = next(d.value for d in at.dataframe if "Encoding" in d.value.columns)
    assert counts["Language"].tolist() == ["en", "de"]
    assert counts["Encoding"].tolist() == ["GSM-7", "GSM-7"]  # ö and ü are GSM-7 characters

"""Templates: versions, languages, approval, archiving and moving them between consoles. The
store's contract runs on SQLite and on PostgreSQL (marked `storage`)."""

from __future__ import annotations

import json

import pytest

from components.journal import AuditAction, Journal, TemplateConflict
from components.message.draft import Draft
from components.team.auth import Identity, PermissionDenied, Role
from components.templates import (
    TemplateError,
    approve_template,
    archive_template,
    differences,
    draft_from,
    export_templates,
    import_templates,
    newest_versions,
    save_template,
    template_version,
    template_versions,
    unchanged,
)

OTP = Draft(
    content="Hi %%FIRST NAME%%, your code is %%PIN%%.",
    program="12345",
    source="web",
    defaults={"FIRST NAME": "there", "UNUSED": "x"},
    ttl_minutes=10,
    campaign_name="otp",
)
GERMAN = "Hallo %%FIRST NAME%%, dein Code ist %%PIN%%."


def person(role: str, email: str = "ann@example.com") -> Identity:
    return Identity(email=email, roles=frozenset({Role(role)}), subject=f"sub-{email}")


SENDER = person("sender")
APPROVER = person("approver", "bo@example.com")
ADMIN = person("admin", "cy@example.com")


@pytest.mark.storage
def test_every_save_is_a_new_version_and_old_ones_stay_readable(journal):
    first = save_template(journal, "One-time code", OTP, actor=SENDER, description="Sign-in")
    second = save_template(
        journal,
        "one-time  CODE",  # the same template, whatever the case and spaces
        Draft(content=OTP.content + " Valid 10 min.", program="12345"),
        actor="script@example.com",
        variants={"de": GERMAN},
    )
    versions = template_versions(journal, "ONE-TIME CODE")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0] == first and versions[1] == second
    assert first.name == second.name == "One-time code"
    assert first.draft.defaults == {"FIRST NAME": "there"}  # only the message's tags
    assert first.draft.ttl_minutes == 10 and first.description == "Sign-in"
    assert first.saved_by == "ann@example.com" and second.saved_by == "script@example.com"
    assert first.saved_at.tzinfo is not None and first.saved_at <= second.saved_at
    assert second.variants == {"de": GERMAN} and second.languages == ["en", "de"]
    assert second.message_for("de") == GERMAN and second.message_for("fr") == second.draft.content
    assert draft_from(first) == first.draft and first.tags == ["FIRST NAME", "PIN"]
    assert template_versions(journal, "nothing") == []
    assert [v.label for v in newest_versions(journal)] == ["One-time code v2"]
    saved = journal.audit_entries(action=AuditAction.TEMPLATE_SAVED)
    assert [e.details for e in saved] == [
        {"template": "One-time code", "version": 2},
        {"template": "One-time code", "version": 1},
    ]


@pytest.mark.storage
def test_a_save_over_a_newer_version_is_refused(journal):
    save_template(journal, "Gate change", OTP, actor=SENDER)
    save_template(journal, "Gate change", OTP, actor=SENDER, expected_version=1)
    with pytest.raises(TemplateConflict, match="newer version"):
        save_template(journal, "Gate change", OTP, actor=SENDER, expected_version=1)


@pytest.mark.parametrize(
    ("variants", "said"),
    [
        ({"de": "Hallo %%FIRST NAME%%"}, "lacks %%PIN%%"),
        ({"de": GERMAN + " %%CITY%%"}, "has %%CITY%% besides"),
        ({"deutsch!": GERMAN}, "not a language code"),
        ({"de": "  "}, "The de message is empty"),
        ({"en": "Another English text %%FIRST NAME%% %%PIN%%"}, "default language"),
    ],
)
def test_every_language_has_the_template_fields_and_a_real_code(journal, variants, said):
    with pytest.raises(TemplateError, match=said):
        save_template(journal, "OTP", OTP, actor=SENDER, variants=variants)
    assert template_versions(journal, "OTP") == []


def test_what_cannot_be_saved_says_what_to_do(journal):
    with pytest.raises(TemplateError, match="needs a name"):
        save_template(journal, "  ", OTP, actor=SENDER)
    with pytest.raises(TemplateError, match="message is empty"):
        save_template(journal, "Empty", Draft(content=" "), actor=SENDER)
    with pytest.raises(TemplateError, match="800"):
        save_template(journal, "Long", Draft(content="x" * 801), actor=SENDER)
    with pytest.raises(TemplateError, match="expiry"):
        save_template(journal, "TTL", Draft(content="x", ttl_minutes=0), actor=SENDER)
    with pytest.raises(PermissionDenied):
        save_template(journal, "Viewer's", OTP, actor=person("viewer"))


@pytest.mark.storage
def test_an_approver_approves_a_version_but_not_their_own(journal):
    save_template(journal, "OTP", OTP, actor=SENDER)
    save_template(journal, "OTP", OTP, actor=APPROVER)
    with pytest.raises(PermissionDenied):
        approve_template(journal, "OTP", 1, by=SENDER)
    with pytest.raises(TemplateError, match="nobody may approve their own"):
        approve_template(journal, "OTP", 2, by=APPROVER)
    approved = approve_template(journal, "OTP", 1, by=APPROVER)
    assert approved.approved and approved.approved_by == "bo@example.com"
    assert not template_version(journal, "OTP", 2).approved
    with pytest.raises(TemplateError, match="approved already"):
        approve_template(journal, "OTP", 1, by=ADMIN)
    with pytest.raises(TemplateError, match="no version 7"):
        approve_template(journal, "OTP", 7, by=ADMIN)
    (entry,) = journal.audit_entries(action=AuditAction.TEMPLATE_APPROVED)
    assert entry.actor == "bo@example.com" and entry.details == {"template": "OTP", "version": 1}


@pytest.mark.storage
def test_admins_archive_and_bring_back(journal):
    save_template(journal, "OTP", OTP, actor=SENDER)
    save_template(journal, "Gate", Draft(content="Gate %%GATE%%"), actor=SENDER)
    with pytest.raises(PermissionDenied):
        archive_template(journal, "OTP", by=APPROVER)
    archive_template(journal, "OTP", by=ADMIN)
    assert [v.name for v in newest_versions(journal)] == ["Gate"]
    assert [v.name for v in newest_versions(journal, archived=True)] == ["OTP"]
    assert template_versions(journal, "OTP")[0].archived  # still readable
    with pytest.raises(TemplateError, match="archived: bring it back"):
        approve_template(journal, "OTP", 1, by=APPROVER)
    with pytest.raises(TemplateError, match="archived already"):
        archive_template(journal, "OTP", by=ADMIN)
    archive_template(journal, "OTP", by=ADMIN, archived=False)
    assert [v.name for v in newest_versions(journal)] == ["Gate", "OTP"]
    actions = [e.action for e in journal.audit_entries(actor="cy@example.com")]
    assert actions == [AuditAction.TEMPLATE_RESTORED, AuditAction.TEMPLATE_ARCHIVED]


def test_a_draft_is_the_version_until_its_message_program_expiry_or_defaults_change(journal):
    version = save_template(journal, "OTP", OTP, actor=SENDER)
    draft = draft_from(version)
    assert unchanged(version, draft)
    # What a recipient does not get may change: source, campaign, a default of no tag.
    assert unchanged(version, Draft(**{**draft.__dict__, "source": "app", "campaign_name": "x"}))
    assert unchanged(version, Draft(**{**draft.__dict__, "defaults": {"first name": "there"}}))
    for change in (
        {"content": draft.content + "!"},
        {"program": "999"},
        {"ttl_minutes": 60},
        {"defaults": {"FIRST NAME": "friend"}},
        {"defaults": {}},
    ):
        assert not unchanged(version, Draft(**{**draft.__dict__, **change})), change


def test_differences_name_each_change_and_compare_messages_by_line(journal):
    older = save_template(journal, "OTP", OTP, actor=SENDER)
    newer = save_template(
        journal,
        "OTP",
        Draft(content=OTP.content.replace("code", "PIN code"), program="777", ttl_minutes=10),
        actor=SENDER,
        variants={"de": GERMAN},
    )
    changes = {c.what: c for c in differences(older, newer)}
    assert set(changes) == {
        "SMS program",
        "Source",
        "Campaign name",
        "Defaults",
        "Message",
        "Message (de)",
    }
    assert (changes["SMS program"].before, changes["SMS program"].after) == ("12345", "777")
    assert changes["Message"].lines == (
        "@@ -1 +1 @@",
        "-Hi %%FIRST NAME%%, your code is %%PIN%%.",
        "+Hi %%FIRST NAME%%, your PIN code is %%PIN%%.",
    )
    assert changes["Message (de)"].before == "—"
    assert differences(newer, newer) == []


@pytest.mark.storage
def test_export_then_import_elsewhere_adds_versions_and_never_overwrites(journal, tmp_path):
    save_template(journal, "OTP", OTP, actor=SENDER, description="Sign-in")
    save_template(journal, "OTP", OTP, actor=SENDER, variants={"de": GERMAN})
    save_template(journal, "Gate", Draft(content="Gate %%GATE%%"), actor=SENDER)
    approve_template(journal, "OTP", 2, by=APPROVER)
    exported = export_templates(
        [template_versions(journal, v.name) for v in newest_versions(journal)]
    )
    assert json.loads(exported)["format"] == "sms-console-templates"
    other = Journal(tmp_path / "other.sqlite3")
    save_template(other, "OTP", Draft(content="Local text"), actor=SENDER)
    result = import_templates(other, exported, by=SENDER)
    assert result.added == ["Gate v1", "OTP v2", "OTP v3"] and result.unchanged == 0
    versions = template_versions(other, "OTP")
    assert versions[0].draft.content == "Local text"  # kept as it was
    assert versions[2].variants == {"de": GERMAN} and versions[1].description == "Sign-in"
    assert not versions[2].approved  # an approval belongs to the console that gave it
    again = import_templates(other, exported, by=SENDER)
    assert again.added == [] and again.unchanged == 3
    (entry, _) = other.audit_entries(action=AuditAction.TEMPLATE_IMPORTED)
    assert entry.details == {"versions_added": 0, "versions_unchanged": 3}
    other.close()


def test_a_bad_import_says_why_and_saves_nothing(journal):
    with pytest.raises(TemplateError, match="not JSON"):
        import_templates(journal, "{oops", by=SENDER)
    with pytest.raises(TemplateError, match="not a templates export"):
        import_templates(journal, json.dumps({"templates": []}), by=SENDER)
    good = {"message": "Fine %%A%%", "version": 1}
    bad = {"message": "Fine %%A%%", "variants": {"de": "Gut"}, "version": 2, "saved_by": "x@y"}
    document = {
        "format": "sms-console-templates",
        "format_version": 1,
        "templates": [{"name": "T", "versions": [good, bad]}],
    }
    with pytest.raises(TemplateError, match=r"T \(v2 by x@y\) cannot be imported"):
        import_templates(journal, json.dumps(document), by=SENDER)
    assert template_versions(journal, "T") == []
    with pytest.raises(PermissionDenied):
        import_templates(journal, json.dumps(document), by=person("viewer"))

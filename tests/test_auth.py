"""Roles from configuration and the one permission check (components.team.auth), and the worker's
own refusal of a send by someone whose role does not allow it."""

from __future__ import annotations

import pytest

from components.acoustic import AcousticClient
from components.core.states import BatchState, SendKind
from components.sending.decisions import resend_batches, resume_send
from components.sending.submit import submit_send
from components.team.auth import (
    Identity,
    Permission,
    PermissionDenied,
    Role,
    local_identity,
    menu,
    parse_role_rules,
    require,
)
from tests.sending_support import plan_of

RULES = parse_role_rules(
    {
        "admin": ["Ops@Example.com"],
        "approver": ["group:sms-approvers"],
        "sender": ["@example.com"],
        "viewer": ["bob@example.com", "@partner.example"],
    }
)


def roles(*names: str) -> frozenset[Role]:
    return frozenset(Role(name) for name in names)


@pytest.mark.parametrize(
    ("email", "groups", "expected"),
    [
        ("ops@example.com", (), roles("admin")),  # an address, in any case
        ("OPS@EXAMPLE.COM", (), roles("admin")),
        ("ann@example.com", (), roles("sender")),  # the domain
        ("ann@sub.example.com", (), frozenset()),  # a domain is that domain, not its subdomains
        ("pat@partner.example", (), roles("viewer")),
        ("gil@elsewhere.example", ["sms-approvers"], roles("approver")),  # the groups claim
        ("ann@example.com", ["sms-approvers"], roles("sender", "approver")),  # they add up
        ("gil@elsewhere.example", ["SMS-APPROVERS"], frozenset()),  # groups match exactly
        ("eve@elsewhere.example", ["other"], frozenset()),
        ("", (), frozenset()),
    ],
)
def test_roles_from_addresses_domains_and_groups(email, groups, expected):
    assert RULES.roles_for(email, groups) == expected


def test_an_address_listed_by_name_gets_exactly_its_roles_not_its_domains():
    # bob is of example.com (sender), but listed by name as a viewer: the name wins
    assert RULES.roles_for("bob@example.com") == roles("viewer")
    assert not RULES.identity("bob@example.com").may(Permission.SEND)


def test_an_unverified_address_is_not_matched_but_its_groups_are():
    assert RULES.roles_for("ops@example.com", email_verified=False) == frozenset()
    assert RULES.roles_for("x@example.com", ["sms-approvers"], email_verified=False) == roles(
        "approver"
    )
    identity = RULES.identity("ops@example.com", email_verified=False)
    assert "not verified" in identity.notice and identity.highest is None


def test_roles_are_nested_admin_approver_sender_viewer():
    def who(*names: str) -> Identity:
        return Identity(email="a@b.c", roles=roles(*names))

    assert [p for p in Permission if who("viewer").may(p)] == [Permission.VIEW]
    assert [p for p in Permission if who("sender").may(p)] == [
        Permission.VIEW,
        Permission.SEND_TEST,
        Permission.SEND,
    ]
    assert not who("approver").may(Permission.ADMINISTER)
    assert who("approver").may(Permission.APPROVE) and who("approver").may(Permission.SEND)
    assert all(who("admin").may(p) for p in Permission)
    assert not any(Identity(email="a@b.c").may(p) for p in Permission)


def test_the_menu_lists_only_the_pages_a_role_may_use():
    listed = "Do not text"
    assert menu(Identity(email="v@x.y", roles=roles("viewer"))) == [
        "Overview",
        "Status",
        "History",
        "Templates",
        listed,
    ]
    assert menu(Identity(email="s@x.y", roles=roles("sender"))) == [
        "Compose",
        "Overview",
        "Status",
        "History",
        "Templates",
        listed,
    ]
    assert menu(Identity(email="p@x.y", roles=roles("approver"))) == [
        "Compose",
        "Overview",
        "Status",
        "History",
        "Templates",
        "Approvals",
        "Audit",
        listed,
    ]
    assert menu(Identity(email="a@x.y", roles=roles("admin"))) == [
        "Compose",
        "Overview",
        "Status",
        "History",
        "Templates",
        "Approvals",
        "Audit",
        listed,
        "Settings",
    ]


def test_local_mode_is_one_person_with_every_role_and_no_address():
    identity = local_identity("jdoe")
    assert all(identity.may(p) for p in Permission)
    assert identity.email == "" and identity.actor == "local user" and identity.account == "jdoe"


def test_a_refusal_says_what_was_tried_which_role_it_needs_and_whom_to_ask():
    viewer = RULES.identity("pat@partner.example", "Pat")
    with pytest.raises(PermissionDenied) as refused:
        require(viewer, Permission.SEND)
    assert str(refused.value) == (
        "Sending SMS needs the sender role, and pat@partner.example has the viewer role. "
        "Ask ops@example.com for it."
    )
    assert refused.value.needed is Role.SENDER
    nobody = parse_role_rules({"sender": ["@example.com"]}).identity("eve@elsewhere.example")
    with pytest.raises(PermissionDenied, match=r"has no role in this console\. Ask the person"):
        require(nobody, Permission.VIEW)


def test_no_email_from_the_provider_is_explained():
    identity = RULES.identity("", "Anonymous")
    assert identity.highest is None and "no email address" in identity.notice


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"admins": ["a@b.org"]}, "`admins` in [console.roles] in secrets.toml is not a role"),
        ({"admin": {"x": 1}}, "`admin` in [console.roles] in secrets.toml must be a list"),
        ({"admin": ["ops"]}, '"ops" is neither an email address (ops@example.com), a domain'),
        ({"admin": ["@localhost"]}, '"@localhost" is neither'),
        ({"admin": ["a b@example.com"]}, '"a b@example.com" is neither'),
        ({"admin": [42]}, "42 is not text"),
        ({"admin": ["group:"]}, '"group:" names no group'),
        ("admin", "`console.roles` must be a table"),
    ],
)
def test_a_bad_entry_is_a_problem_that_names_it_and_the_rest_still_counts(section, problem):
    rules = parse_role_rules(
        {**section, "sender": ["@example.com"]} if isinstance(section, dict) else section
    )
    assert len(rules.problems) == 1 and problem in rules.problems[0]
    if isinstance(section, dict):
        assert rules.roles_for("ann@example.com") == roles("sender")


def test_a_single_entry_may_be_written_without_a_list():
    rules = parse_role_rules({"admin": "ops@example.com"})
    assert not rules.problems and rules.roles_for("ops@example.com") == roles("admin")


def test_roles_from_a_file_relative_to_the_start_folder(tmp_path):
    (tmp_path / "roles.toml").write_text('admin = ["ops@example.com"]\nsender = ["@example.com"]\n')
    rules = parse_role_rules({"roles_file": "roles.toml"}, base=tmp_path)
    assert not rules.problems
    assert rules.roles_for("ann@example.com") == roles("sender")
    assert rules.source == str(tmp_path / "roles.toml") and rules.contact == "ops@example.com"


def test_a_missing_or_broken_roles_file_gives_nobody_a_role_and_says_why(tmp_path):
    missing = parse_role_rules({"roles_file": "nowhere.toml"}, base=tmp_path)
    assert missing.problems == (f"The roles file {tmp_path / 'nowhere.toml'} does not exist.",)
    assert missing.roles_for("ops@example.com") == frozenset()
    (tmp_path / "bad.toml").write_text("admin = [\n")
    broken = parse_role_rules({"roles_file": "bad.toml"}, base=tmp_path)
    assert "is not valid TOML" in broken.problems[0]
    (tmp_path / "roles.toml").write_text('admin = ["ops@example.com"]\n')
    extra = parse_role_rules({"roles_file": "roles.toml", "sender": ["@x.org"]}, base=tmp_path)
    assert "its other keys (sender) are ignored" in extra.problems[0]
    assert extra.roles_for("a@x.org") == frozenset()


def test_no_roles_configured_means_nobody_has_one_and_the_contact_is_generic():
    rules = parse_role_rules(None)
    assert rules.roles_for("ops@example.com") == frozenset()
    assert rules.contact == "the person who runs this console"


# -- the worker refuses, whatever the page shows ------------------------------------------------

PAYLOADS = [{"channelQualifier": "12345", "content": "Hi", "contacts": [{"phoneNumber": "1"}]}]
VIEWER = Identity(email="pat@partner.example", roles=roles("viewer"), contact="ops@example.com")
SENDER = Identity(email="ann@example.com", roles=roles("sender"))


def unreachable_client() -> AcousticClient:
    """A client that would fail if it were ever used: the refusal comes before any request."""
    return AcousticClient("http://127.0.0.1:9", "id", "test-secret", "test-refresh")


@pytest.mark.parametrize("kind", ["test", "bulk"])
def test_submit_send_by_a_viewer_is_refused_before_anything_is_journaled(worker, kind):
    with pytest.raises(PermissionDenied, match="needs the sender role"):
        submit_send(worker, unreachable_client(), plan_of(PAYLOADS, VIEWER, kind=SendKind(kind)))
    assert worker.journal.list_sends() == []


def test_the_worker_refuses_to_start_or_resend_for_a_viewer(worker):
    record = worker.journal.create_send(
        kind="bulk",
        mode="sandbox",
        base_url="http://127.0.0.1:9",
        program="12345",
        content="Hi",
        payloads=PAYLOADS,
        created_by=SENDER.actor,
    )
    client = unreachable_client()
    with pytest.raises(PermissionDenied):
        worker.start(record.id, client, by=VIEWER)
    assert not worker.is_running(record.id)
    batch = worker.journal.batches(record.id)[0]
    assert batch.state is BatchState.PLANNED  # the refused start claimed nothing
    worker.journal.claim_batch(batch.id, "test")
    worker.journal.finish_batch(batch.id, BatchState.REJECTED, error="refused")
    with pytest.raises(PermissionDenied):
        resend_batches(worker, client, record.id, [batch.id], may_deliver_twice=False, by=VIEWER)
    assert worker.journal.batches(record.id)[0].state is BatchState.REJECTED  # not requeued
    with pytest.raises(PermissionDenied):
        resume_send(worker, client, record.id, by=VIEWER)
    with pytest.raises(LookupError):
        worker.start(record.id + 1, client, by=SENDER)

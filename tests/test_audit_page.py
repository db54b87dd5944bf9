"""The Audit page, and who the entries of a send made in the app name, with Streamlit's AppTest."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from components.journal import AuditAction, Journal, audit_trail
from tests.apptest_support import composed, signed_in, wait_for_send
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("app_environment")

CAROL = "carol@example.com"
FORMULA = "=HYPERLINK(evil)"


def seed(tmp_path, monkeypatch) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    with monkeypatch.context() as patched:
        for day, actor, action, send_id, details in [
            (10, "ann@example.com", AuditAction.SIGN_IN, None, None),
            (10, "ann@example.com", AuditAction.SEND_REQUESTED, 1, {"recipients": 2}),
            (11, "bob@example.com", AuditAction.RESEND, 1, {"may_deliver_twice": True}),
            (12, FORMULA, AuditAction.SIGN_IN, None, None),
        ]:
            at = datetime(2025, 3, day, 12, 0).timestamp()
            patched.setattr(audit_trail, "time", SimpleNamespace(time=lambda at=at: at))
            journal.record_audit(actor, action, send_id=send_id, details=details)
    journal.close()


def shown(at: AppTest) -> list[tuple[str, str]]:
    table = at.dataframe[0].value
    return list(zip(table["Who"], table["Action"], strict=True))


def test_the_filters_narrow_the_table_and_the_export_has_what_is_shown(
    tmp_path, monkeypatch, downloads
):
    seed(tmp_path, monkeypatch)
    at = signed_in(CAROL).run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert shown(at) == [  # newest first; Carol's sign-in is today's
        (CAROL, "sign in"),
        (FORMULA, "sign in"),
        ("bob@example.com", "resend"),
        ("ann@example.com", "send requested"),
        ("ann@example.com", "sign in"),
    ]
    assert at.multiselect(key="audit.actors").options == sorted(
        [CAROL, FORMULA, "ann@example.com", "bob@example.com"]
    )

    at.multiselect(key="audit.actors").set_value(["bob@example.com"]).run()
    assert shown(at) == [("bob@example.com", "resend")]
    assert at.dataframe[0].value["Details"].tolist() == ["may deliver twice: True"]

    at.multiselect(key="audit.actors").set_value([]).run()
    at.multiselect(key="audit.actions").set_value([AuditAction.SIGN_IN]).run()
    assert [who for who, _ in shown(at)] == [CAROL, FORMULA, "ann@example.com"]

    at.date_input(key="audit.dates").set_value((date(2025, 3, 11), date(2025, 3, 12))).run()
    assert shown(at) == [(FORMULA, "sign in")]
    at.multiselect(key="audit.actions").set_value([]).run()
    assert shown(at) == [(FORMULA, "sign in"), ("bob@example.com", "resend")]

    exported = downloads["audit.export"]()
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert [row[1:4] for row in rows[1:]] == [
        ["'" + FORMULA, "sign_in", ""],
        ["bob@example.com", "resend", "1"],
    ]
    (export,) = Journal(tmp_path / "journal.sqlite3").audit_entries(action=AuditAction.EXPORT)
    assert export.actor == CAROL and export.details["what"] == "audit log"
    assert export.details["rows"] == 2 and export.details["file"].startswith("sms-audit-")


def test_nothing_matches(tmp_path, monkeypatch):
    seed(tmp_path, monkeypatch)
    at = signed_in(CAROL).run()
    at.switch_page("pages/audit.py").run()
    at.date_input(key="audit.dates").set_value((date(2024, 1, 1), date(2024, 1, 2))).run()
    assert not at.exception and not at.dataframe
    assert "No audit entry matches these filters" in at.info[0].value


def test_a_session_signs_in_once(tmp_path):
    at = signed_in(CAROL).run()
    at.switch_page("pages/history.py").run()
    at.switch_page("pages/audit.py").run()
    journal = Journal(tmp_path / "journal.sqlite3")
    assert [e.actor for e in journal.audit_entries(action=AuditAction.SIGN_IN)] == [CAROL]
    signed_in(CAROL).run()  # another browser session
    assert len(journal.audit_entries(action=AuditAction.SIGN_IN)) == 2


CSV = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9990,Bob\n"


def test_a_send_made_in_the_app_names_the_signed_in_email_everywhere(tmp_path, downloads):
    at = composed("Hi %%FIRST NAME%%", CSV, email=CAROL)
    at.button(key="compose.send").click().run()
    at.button(key="send.confirm").click().run()
    send_id = at.session_state["send.active_id"]
    journal = Journal(tmp_path / "journal.sqlite3")
    wait_for_send(journal, send_id)

    at.query_params["send"] = str(send_id)
    at.switch_page("pages/history.py").run()
    assert at.dataframe[0].value["Who"].tolist() == [CAROL]

    (batch,) = journal.batches(send_id)
    at.query_params["tx"] = [batch.transaction_id]
    at.switch_page("pages/status.py").run()
    wait_until(
        lambda: (
            "status.export" in downloads or at.button(key="status.refresh").click().run() is None
        ),
        timeout=30,
        every=0.3,
        what="Status's export",
    )
    exported = downloads["status.export"]()
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert {row["sent by"] for row in rows} == {CAROL}
    assert at.dataframe[0].value["sent by"].tolist() == [CAROL] * len(rows)

    entries = list(reversed(journal.audit_entries()))
    assert {e.actor for e in entries} == {CAROL}  # never the OS user of the console
    assert [e.action for e in entries] == [
        "sign_in",
        "send_requested",
        "send_started",
        "send_finished",
        "export",
    ]
    assert {e.send_id for e in entries[1:]} == {send_id}
    assert entries[-1].details["rows"] == len(rows)
    assert entries[-1].details["what"] == "contacts' outcomes (Status)"

"""The Overview page with AppTest: the figures of the period from the journal's outcomes, the
filters, the failures by reason in words, and one number's story (its export audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from components.core.states import BatchState
from components.guardrails.do_not_text import add_numbers
from components.journal import AuditAction, Journal
from components.status.history_filter import HistoryFilter, history_filter_from
from components.team.auth import local_identity
from tests.apptest_support import journaled_send, new_app, texts
from tests.test_outcomes import BLOCKED, SENT, payload

pytestmark = pytest.mark.usefixtures("app_environment")


def followed(tmp_path) -> Journal:
    journal = Journal(tmp_path / "journal.sqlite3")
    record = journaled_send(journal, [payload(SENT, BLOCKED, "19495009991")])
    (batch,) = journal.batches(record.id)
    journal.claim_batch(batch.id, "me")
    journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id="tx-o")
    journal.record_outcomes(
        "tx-o", [(SENT, True, None), (BLOCKED, False, "Message blocked by the carrier.")]
    )
    return journal


def test_the_overview_shows_the_period_and_its_failures_in_words(tmp_path, downloads):
    journal = followed(tmp_path)
    at = new_app().run().switch_page("pages/overview.py").run()
    at.selectbox(key="overview.mode").set_value("Sandbox sends").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["SMS sent"] == "1" and shown["Failed"] == "1" and shown["Pending"] == "1"
    assert shown["Success rate"] == "50.0%" and shown["Estimated cost"] == "$0.00"
    assert "12345: 1 sent, 1 failed, 1 pending." in texts(at)
    assert "Send #1: 1 of 3 failed" in [link.label for link in at.get("page_link")]
    assert "Look up a number" in [link.label for link in at.get("page_link")]  # the sidebar
    assert "Failures by reason:" in texts(at) and "(100%)" in texts(at)
    assert b"sent" in downloads["overview.export"]()
    at.selectbox(key="overview.mode").set_value("Live sends").run()
    assert "No SMS in this period with these filters." in texts(at)
    # One number's story, in any spelling; its export is audited as personal data.
    at.text_input(key="overview.number").set_value("(949) 500-1234").run()
    story = at.dataframe[-1].value
    assert story["Text"].tolist() == ["Hi Ann"] and story["Outcome"].tolist() == ["sent"]
    downloads["overview.story_export"]()
    assert journal.audit_entries(action=AuditAction.EXPORT)


def test_the_overview_leads_into_history_narrowed_to_what_was_picked(tmp_path):
    """A bar's link: History lists the sends of the program (or country) within the period,
    says so, and "Show every send" lists them all again; a value no Overview writes is
    ignored."""
    journal = followed(tmp_path)
    journaled_send(journal, [payload("447400123456")], program="777")
    now = datetime.now(UTC)
    period = {"since": (now - timedelta(days=7)).timestamp(), "until": now.timestamp() + 60}
    link = HistoryFilter(program="12345", **period).params()
    assert history_filter_from(link) == HistoryFilter(
        program="12345", since=float(int(period["since"])), until=float(int(period["until"]))
    )
    assert history_filter_from({"mode": "everything", "since": "soon"}) == HistoryFilter()
    at = new_app().run()
    at.query_params.update(link)
    at.switch_page("pages/history.py").run()
    assert not at.exception
    assert at.dataframe[0].value["Program"].tolist() == ["12345"]
    assert "From the Overview: the sends program 12345, made" in texts(at)
    at.button(key="history.clear_filter").click().run()
    assert sorted(at.dataframe[0].value["Program"]) == ["12345", "777"]
    # By country: only the send with a recipient followed in the United States.
    at.query_params.update(HistoryFilter(country="US", **period).params())
    at.run()
    assert at.dataframe[0].value["Program"].tolist() == ["12345"]
    assert "with recipients in United States" in texts(at)


def test_a_number_searched_in_history_opens_its_story_with_its_do_not_text_state(tmp_path):
    journal = followed(tmp_path)
    add_numbers(journal, ["19495009990"], "Asked to stop", local_identity(), "manual")
    at = new_app().run().switch_page("pages/history.py").run()
    at.text_input(key="history.search").set_value("(949) 500-9990").run()
    at.button(key="history.story").click().run()
    assert not at.exception
    assert at.text_input(key="overview.number").value == "(949) 500-9990"
    assert "On the do-not-text list since" in texts(at) and "Asked to stop" in texts(at)
    story = at.dataframe[-1].value
    assert story["Outcome"].tolist() == ["failed"] and story["Text"].tolist() == ["Hi there"]
    at.switch_page("pages/overview.py")  # AppTest reruns the page it was last sent to
    at.text_input(key="overview.number").set_value("+1 949 500 1234").run()
    assert "Not on the do-not-text list." in texts(at)
    at.text_input(key="overview.number").set_value("12").run()
    assert "is not a phone number" in texts(at)

"""Insights on fixed status answers, the not-found distinction, polling and export."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from components.acoustic import SendStatus, clear_token_caches
from components.core.csv_files import neutralize_for_csv, to_csv
from components.core.states import BatchState, Verdict
from components.journal import Journal
from components.status import charts
from components.status.insights import (
    build_table,
    classify_reason,
    contacts_frame,
    failure_groups,
    kpis,
    status_frame,
)
from components.status.lookups import (
    Lookup,
    Poller,
    insight_table,
    look_up,
    parse_transaction_ids,
    snapshots_over_time,
    summarize,
)
from components.status.resend import resend_contacts

# The status answer of ACOUSTIC_API.md (the seed's sample), with its invalid number.
SEED_ANSWER = {
    "meta": {
        "attributes": {},
        "generalErrors": [],
        "fieldErrors": {},
        "links": [],
        "nextPageUrl": None,
    },
    "data": {
        "totalContacts": 2,
        "contactsProcessed": 2,
        "contactStatus": [
            {"smsSent": False, "message": "Invalid phone number.", "phoneNumber": "1833920903"},
            {"smsSent": True, "phoneNumber": "19492319304"},
        ],
        "errors": [],
    },
}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_caches()


def seed_table() -> pd.DataFrame:
    contacts = contacts_frame(
        [
            (
                1,
                "tx-1",
                {
                    "contacts": [
                        {"phoneNumber": "1833920903", "personalization": {"NAME": "=cmd|x"}},
                        {"phoneNumber": "19492319304", "personalization": {"NAME": "Ann"}},
                        {"phoneNumber": "447911123456", "personalization": {"NAME": "Bob"}},
                    ]
                },
            )
        ]
    )
    statuses = status_frame({"tx-1": SEED_ANSWER["data"]["contactStatus"]})
    return build_table(contacts, statuses)


def test_seed_sample_becomes_a_table_with_pending_from_the_journal():
    table = seed_table().set_index("phoneNumber")
    assert table.loc["1833920903", "state"] == "failed"
    assert table.loc["1833920903", "reason"] == "Invalid number"
    assert table.loc["1833920903", "message"] == "Invalid phone number."
    assert table.loc["19492319304", "state"] == "sent"
    assert table.loc["19492319304", "country"] == "United States"
    assert table.loc["447911123456", "state"] == "pending"
    assert table.loc["19492319304", "NAME"] == "Ann"
    assert table.loc["19492319304", "batch"] == 1
    figures = kpis(table.reset_index(), total=3)
    assert (figures.total, figures.processed, figures.sent, figures.failed, figures.pending) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert figures.success_rate == 0.5


@pytest.mark.parametrize(
    ("message", "label"),
    [
        ("Invalid phone number.", "Invalid number"),
        ("Message blocked by the carrier.", "Blocked"),
        ("Unable to deliver: the handset is unreachable or switched off.", "Phone unreachable"),
        ("The contact has opted out of this SMS program.", "Opted out"),
        ("SMS provider error. Please try again later.", "Carrier or provider error"),
        ("Something nobody expected", "Other"),
    ],
)
def test_reasons_are_grouped_with_cause_and_action(message, label):
    category = classify_reason(message)
    assert category.label == label
    assert category.cause and category.action


def test_failure_groups_and_figures():
    table = seed_table()
    groups = failure_groups(table)
    assert groups["reason"].tolist() == ["Invalid number"]
    assert groups["recipients"].tolist() == [1]
    assert "Correct the number" in groups["what to do"].iloc[0]
    for figure in (
        charts.outcome_donut(1, 1, 1),
        charts.failures_by_reason(groups),
        charts.failures_by_country(table),
        charts.outcome_by_batch(table),
    ):
        assert figure.to_dict()["data"]


def test_small_counts_have_whole_number_ticks_and_empty_slices_no_label():
    reason_axis = charts.failures_by_reason(failure_groups(seed_table())).layout.xaxis
    assert reason_axis.dtick == 1 and reason_axis.tickformat == ",d"
    donut = charts.outcome_donut(4, 3, 0).data[0]
    assert list(donut.text) == ["4<br>57%", "3<br>43%", "", "", ""]
    assert charts.outcome_donut(0, 0, 0).data[0].text == ("", "", "", "", "")
    assert list(charts.outcome_donut(3001, 4, 0).data[0].text) == [
        "3,001<br>99.9%",
        "4<br>0.1%",
        "",
        "",
        "",
    ]
    assert list(charts.outcome_donut(1, 0, 0, 3).data[0].text) == [
        "1<br>25%",
        "",
        "",
        "3<br>75%",
        "",
    ]
    assert list(charts.outcome_donut(1, 0, 0, 0, 1).data[0].text)[-1] == "1<br>50%"  # left out


def test_contacts_of_a_held_batch_are_scheduled_not_pending_at_acoustic():
    contacts = contacts_frame(
        [
            (1, "tx-1", {"contacts": [{"phoneNumber": "1"}, {"phoneNumber": "2"}]}),
            (2, None, {"contacts": [{"phoneNumber": "3"}]}),  # held: no transaction yet
        ]
    )
    statuses = status_frame({"tx-1": [{"phoneNumber": "1", "smsSent": True, "message": ""}]})
    table = build_table(contacts, statuses)
    assert dict(zip(table["phoneNumber"], table["state"], strict=True)) == {
        "1": "sent",
        "2": "pending",
        "3": "scheduled",
    }
    figures = kpis(table, total=2)
    assert (figures.total, figures.sent, figures.pending, figures.scheduled) == (3, 1, 1, 1)


def test_export_neutralizes_formulas():
    table = pd.DataFrame({"a": ["=SUM(A1)", "+1", "-2", "@x", "ok", "\tx"], "b": ["1"] * 6})
    safe = neutralize_for_csv(table)
    assert safe["a"].tolist() == ["'=SUM(A1)", "'+1", "'-2", "'@x", "ok", "'\tx"]
    exported = pd.read_csv(io.BytesIO(to_csv(seed_table())), dtype=str, encoding="utf-8-sig")
    assert exported.loc[exported["phoneNumber"] == "1833920903", "NAME"].item() == "'=cmd|x"


def exported_rows(table: pd.DataFrame) -> list[list[str]]:
    """The export as a spreadsheet would read it: the real bytes through a csv reader."""
    return list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"), newline="")))


# OWASP's CSV injection list (= + - @ tab CR), and the same behind leading whitespace, which
# spreadsheets skip before they look for a formula.
RISKY = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", " =1+1", "  @x", "\u00a0=1"]
RISKY += ["\u3000-1", "\u2003+1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("value", RISKY)
def test_a_cell_a_spreadsheet_could_run_is_exported_behind_a_quote(value):
    table = pd.DataFrame({"NAME": [value], "PIN": ["1234"]})
    assert exported_rows(table) == [["NAME", "PIN"], ["'" + value, "1234"]]


@pytest.mark.parametrize("value", RISKY)
def test_a_header_a_spreadsheet_could_run_is_exported_behind_a_quote(value):
    table = pd.DataFrame({value: ["Ann"], "PIN": ["=1"]})
    assert exported_rows(table) == [["'" + value, "PIN"], ["Ann", "'=1"]]


@pytest.mark.parametrize("value", ["Ann", "a=b", "1-2", "", " Ann", "e@mail", "'=quoted"])
def test_a_harmless_cell_is_exported_as_it_is(value):
    table = pd.DataFrame({"NAME": [value]})
    assert exported_rows(table) == [["NAME"], [value]]


def test_resend_puts_failed_recipients_with_their_fields_back():
    text = resend_contacts(seed_table())
    assert text.splitlines() == ["phone,NAME", "+1833920903,=cmd|x"]
    with_pending = resend_contacts(seed_table(), include_pending=True)
    assert "+447911123456,Bob" in with_pending


def test_transaction_ids_are_parsed_from_pasted_text():
    ids, rejected = parse_transaction_ids(
        "ae70ea-162877c3e4d-2b052f2fd757abaa295b8c317ca481e9, tx-2\n tx-2 ;'tx-3' bad/id"
    )
    assert ids == ["ae70ea-162877c3e4d-2b052f2fd757abaa295b8c317ca481e9", "tx-2", "tx-3"]
    assert rejected == ["bad/id"]


def client_for(server):
    from components.acoustic import AcousticClient

    return AcousticClient(server.url, "sandbox-client", "sandbox-secret", "sandbox-refresh")


def test_not_found_is_told_apart_with_the_journal(sandbox, tmp_path):
    sandbox.configure(status_delay=30)
    journal = Journal(tmp_path / "j.sqlite3")
    payload = {
        "channelQualifier": "12345",
        "content": "x",
        "contacts": [{"phoneNumber": "19495001234"}],
    }
    with client_for(sandbox) as client:
        accepted = client.send(payload)
        record = journal.create_send(
            kind="bulk",
            mode="sandbox",
            base_url=client.base_url,
            program="12345",
            content="x",
            payloads=[payload],
        )
        batch = journal.batches(record.id)[0]
        journal.claim_batch(batch.id, "me")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=accepted.transaction_id)
        ours = look_up(client, journal, accepted.transaction_id)
        stranger = look_up(client, journal, "ffffff-1-" + "0" * 32)
        old = look_up(client, journal, accepted.transaction_id, now=batch.updated_at + 7200)
    assert ours.verdict is Verdict.NOT_YET and "still processing" in ours.message
    assert ours.send_id == record.id
    assert stranger.verdict is Verdict.NOT_FOUND and "Check the id" in stranger.message
    assert old.verdict is Verdict.NOT_FOUND and "SMS reports" in old.message
    assert len(journal.snapshots(accepted.transaction_id)) == 2  # every answer is kept


def test_lookup_of_a_processing_then_complete_send(sandbox, tmp_path):
    import time

    sandbox.configure(status_delay=0.1, delivery_seconds=0.6)
    journal = Journal(tmp_path / "j.sqlite3")
    with client_for(sandbox) as client:
        accepted = client.send(
            {
                "channelQualifier": "12345",
                "content": "x",
                "contacts": [{"phoneNumber": n} for n in ("19495001234", "19495009993", "123")],
            }
        )
        time.sleep(0.35)
        first = look_up(client, journal, accepted.transaction_id)
        time.sleep(0.6)
        second = look_up(client, journal, accepted.transaction_id)
    assert first.verdict is Verdict.PROCESSING and not first.settled
    assert second.verdict is Verdict.COMPLETE and second.settled
    table = insight_table(journal, [second])
    assert sorted(table["state"].tolist()) == ["failed", "failed", "sent"]


def test_polling_stops_when_settled_or_after_the_limit():
    poller = Poller(started=1000.0)
    processing = Lookup("a", Verdict.PROCESSING, "", 1000.0)
    done = Lookup("a", Verdict.COMPLETE, "", 1000.0)
    assert poller.should_continue([processing], now=1001)
    assert not poller.should_continue([done], now=1001)
    assert not poller.should_continue([processing], now=1000 + 3601)
    assert not poller.should_continue([], now=1001)
    intervals = []
    for _ in range(10):
        intervals.append(poller.next_interval())
        poller.checks += 1
    assert intervals[0] == 2 and intervals == sorted(intervals) and intervals[-1] == 30


@pytest.mark.parametrize(
    "number",
    [
        "19495001234",
        "12684601234",
        "14165551234",
        "447911123456",
        "447700900123",
        "78123456789",
        "77012345678",
        "61412345678",
        "61891621234",
        "33612345678",
        "18005551234",
        "4930123456",
    ],
)
def test_country_of_agrees_with_phonenumbers(number):
    import phonenumbers

    from components.core.phone_regions import country_of

    expected = phonenumbers.region_code_for_number(phonenumbers.parse("+" + number))
    assert country_of(number) == (expected or "GB")  # 44 7700 900xxx: drama range, no region


def test_many_transactions_are_summarized_in_one_line():
    def status(tid: str, total: int, processed: int) -> SendStatus:
        return SendStatus(tid, True, total, processed)

    lookups = [
        Lookup("a", Verdict.COMPLETE, "", 0, status("a", 1000, 1000), 7),
        Lookup("b", Verdict.PROCESSING, "", 0, status("b", 1000, 400), 7),
        Lookup("c", Verdict.PROCESSING, "", 0, status("c", 500, 0), 7),
        Lookup("d", "error", "Acoustic could not be reached.", 0, None, 7),
    ]
    assert summarize(lookups) == (
        "4 transactions: 1 complete, 2 processing, 1 could not be checked. "
        "1,400 of 2,500 contacts processed. (send #7)"
    )


def test_processed_over_time_sums_transactions_and_knows_sizes_before_acoustic_does(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    contacts = [{"phoneNumber": f"1949500{n:04d}"} for n in range(5)]
    record = journal.create_send(
        kind="bulk",
        mode="sandbox",
        base_url="http://x",
        program="12345",
        content="x",
        payloads=[{"contacts": contacts[:3]}, {"contacts": contacts[3:]}],
    )
    for batch, tid in zip(journal.batches(record.id), ["a", "b"], strict=True):
        journal.claim_batch(batch.id, "me")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=tid)
    journal.add_snapshot("a", found=False, total=0, processed=0, contacts=[], taken_at=10)
    assert snapshots_over_time(journal, ["a", "b"])["total"].tolist() == [5]  # b: no answer yet
    journal.add_snapshot("b", found=True, total=2, processed=1, contacts=[], taken_at=10.5)
    journal.add_snapshot("a", found=True, total=3, processed=3, contacts=[], taken_at=20)
    frame = snapshots_over_time(journal, ["a", "b"])
    assert frame["total"].tolist() == [5, 5, 5]  # the journal's sizes, even while "not found"
    assert frame["processed"].tolist() == [0, 1, 4]  # each transaction's latest, summed


@pytest.mark.parametrize("field", ["state", "message", "smsSent", "country", "batch", "reason"])
def test_fields_named_like_the_tables_own_columns_do_not_overwrite_them(field):
    contacts = contacts_frame(
        [
            (
                1,
                "tx-1",
                {
                    "contacts": [
                        {"phoneNumber": "1833920903", "personalization": {field: "CA"}},
                        {"phoneNumber": "19492319304", "personalization": {field: "NY"}},
                    ]
                },
            )
        ]
    )
    statuses = status_frame({"tx-1": SEED_ANSWER["data"]["contactStatus"]})
    table = build_table(contacts, statuses).set_index("phoneNumber")
    assert table.loc["1833920903", "state"] == "failed"
    assert table.loc["19492319304", "state"] == "sent"
    assert table.loc["1833920903", f"{field} (field)"] == "CA"
    assert kpis(table.reset_index()).failed == 1
    assert resend_contacts(table.reset_index()).splitlines() == [f"phone,{field}", "+1833920903,CA"]


def test_every_chart_has_a_text_alternative_with_its_figures():
    table = pd.DataFrame(
        {
            "country": ["US", "US", "DE", "GB"] + [f"C{n}" for n in range(10)],
            "state": ["sent", "failed", "sent", "pending"] + ["sent"] * 10,
            "batch": [1, 1, 2, 2] + [3] * 10,
        }
    )
    assert charts.text_alternative(charts.outcome_donut(3001, 4, 0)) == (
        "Outcome: 3,001 sent (99.9%), 4 failed (0.1%)."
    )
    assert charts.text_alternative(charts.outcome_donut(0, 0, 0)) == "Outcome: no recipients."
    groups = pd.DataFrame({"reason": ["Blocked", "Opted out"], "recipients": [3, 10]})
    assert charts.text_alternative(charts.failures_by_reason(groups)) == (
        "Failures by reason: Opted out: 10 recipients; Blocked: 3 recipients."
    )
    by_country = charts.text_alternative(charts.failures_by_country(table))
    assert by_country.startswith("By country: US: 1 sent, 1 failed; ")
    assert by_country.endswith("; and 4 more.")  # the eight largest, then how many are left
    assert charts.text_alternative(charts.outcome_by_batch(table)) == (
        "By batch: #3: 10 sent; #1: 1 sent, 1 failed; #2: 1 sent, 1 pending."
    )
    over_time = pd.DataFrame(
        {
            "taken_at": pd.to_datetime(["2026-12-01 10:00", "2026-12-01 10:05"]),
            "processed": [1, 3],
            "total": [4, 4],
        }
    )
    assert charts.text_alternative(charts.processed_over_time(over_time)) == (
        "Processed over time (2 look-ups): processed from 1 to 3; total from 4 to 4."
    )
    assert charts.text_alternative(charts.outcome_by_batch(table.iloc[0:0])) == (
        "By batch: nothing to show."
    )

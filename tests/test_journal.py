"""The journal: what was planned, what went out, and what a crash leaves behind."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest
from sqlalchemy import event

from components.core.states import BatchState, Cause, SendState, send_state
from components.journal import DuplicateSendError, Journal, default_journal_path, destination_of
from components.journal.legacy_schema import SCHEMA
from components.journal.schema import ALEMBIC_USER_VERSION

# The journal's storage contract: each test on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.storage

PLANNED, IN_FLIGHT, ACCEPTED, REJECTED, UNKNOWN, LEFT_OUT = BatchState


def payloads(n_batches: int = 2, content: str = "Hi") -> list[dict]:
    return [
        {
            "channelQualifier": "12345",
            "content": content,
            "contacts": [{"phoneNumber": f"1949500{b:02d}{c:02d}"} for c in range(3)],
        }
        for b in range(n_batches)
    ]


def create(journal: Journal, **overrides):
    options = dict(
        kind="bulk",
        mode="sandbox",
        base_url="http://127.0.0.1:1",
        program="12345",
        content="Hi",
        payloads=payloads(),
        created_by="tester",
    )
    options.update(overrides)
    return journal.create_send(**options)


def test_send_and_batches_are_written_before_anything_goes_out(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    send = create(journal)
    assert send.recipients == 6
    assert send.batch_states == {PLANNED: 2}
    assert send.state(running=True) is SendState.RUNNING
    batches = journal.batches(send.id)
    assert [b.index for b in batches] == [0, 1]
    assert journal.batch_payload(batches[0].id)["contacts"][0]["phoneNumber"] == "19495000000"
    mode = sqlite3.connect(tmp_path / "j.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_the_same_send_is_refused_unless_repeated_on_purpose(journal):
    first = create(journal)
    with pytest.raises(DuplicateSendError) as caught:
        create(journal)
    assert caught.value.existing.id == first.id
    assert f"send #{first.id}" in str(caught.value)
    assert (
        journal.find_duplicate(
            kind="bulk", mode="sandbox", base_url="http://127.0.0.1:1", payloads=payloads()
        ).id
        == first.id
    )
    again = create(journal, repeat_of=first.id)
    assert again.id != first.id and again.repeat_of == first.id
    assert create(journal, content="Other", payloads=payloads(content="Other")).id


def test_the_sandbox_is_one_destination_whatever_its_port_but_pods_differ(journal):
    first = create(journal)  # sandbox on port 1
    with pytest.raises(DuplicateSendError):  # the console restarted: the sandbox is on port 2
        create(journal, base_url="http://127.0.0.1:2")
    pod = dict(mode="pod", base_url="https://api-campaign-us-1.goacoustic.com")
    assert create(journal, **pod).id != first.id
    assert create(journal, **pod | {"base_url": "https://api-campaign-eu-1.goacoustic.com"}).id
    assert destination_of("sandbox", "http://127.0.0.1:2") == destination_of("sandbox", "x")


def test_a_batch_is_claimed_once_even_by_racing_workers(journal):
    batch = journal.batches(create(journal).id)[0]
    wins: list[bool] = []
    threads = [
        threading.Thread(target=lambda: wins.append(journal.claim_batch(batch.id, "w")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 1
    assert journal.batches(batch.send_id)[0].state is IN_FLIGHT


def test_batches_move_to_their_final_state(journal):
    send = create(journal)
    first, second = journal.batches(send.id)
    for batch in (first, second):
        assert journal.claim_batch(batch.id, "me")
    journal.finish_batch(first.id, ACCEPTED, transaction_id="tx-1")
    journal.finish_batch(second.id, REJECTED, status_code=400, error="Bad")
    assert journal.get_send(send.id).batch_states == {ACCEPTED: 1, REJECTED: 1}
    assert journal.get_send(send.id).state(running=False) is SendState.PARTLY_REJECTED
    assert journal.batch_for_transaction("tx-1").id == first.id
    with pytest.raises(ValueError):
        journal.finish_batch(first.id, PLANNED)


def test_in_flight_batches_of_a_dead_worker_become_unknown(tmp_path):
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    send = create(journal)
    first, second = journal.batches(send.id)
    journal.claim_batch(first.id, "dead-worker")
    journal.claim_batch(second.id, "live-worker")
    reopened = Journal(path)
    assert reopened.mark_interrupted(alive_owners=["live-worker"]) == 1
    states = {b.id: b for b in reopened.batches(send.id)}
    assert states[first.id].state is UNKNOWN and states[first.id].cause is Cause.INTERRUPTED
    assert "may or may not have been processed" in states[first.id].error
    assert states[second.id].state is IN_FLIGHT
    assert reopened.get_send(send.id).interrupted == 1


def test_unknown_batches_are_requeued_only_on_explicit_choice(journal):
    send = create(journal)
    first, second = journal.batches(send.id)
    for batch in (first, second):
        journal.claim_batch(batch.id, "me")
    journal.finish_batch(first.id, UNKNOWN, error="timeout")
    journal.finish_batch(second.id, REJECTED, error="Bad")
    assert journal.requeue(send.id, [first.id, second.id], include_unknown=False) == 1
    assert journal.requeue(send.id, [first.id], include_unknown=True) == 1
    assert journal.get_send(send.id).batch_states == {PLANNED: 2}


def test_history_search_and_snapshots(journal):
    old = create(journal, content="Your code is 1", payloads=payloads(content="Your code is 1"))
    new = create(journal, content="Gate changed", payloads=payloads(content="Gate changed"))
    assert [s.id for s in journal.list_sends()] == [new.id, old.id]
    assert [s.id for s in journal.list_sends(search="gate")] == [new.id]
    assert [s.id for s in journal.list_sends(search="19495000102")] == [new.id, old.id]
    for written in (
        "+1 949 500 0102",
        "(949) 500-0102",
        "+19495000102",
        "949.500.0102",
        "001 949 500 0102",
        "tel:+1-949-500-0102",
        "0949 500 0102",
        "\u202a+1 949 500 0102\u202c",  # bidi marks from a copied cell
        "١٩٤٩٥٠٠٠١٠٢",  # Arabic-Indic digits
        "＋１ ９４９ ５００ ０１０２",  # full-width
        "+1 949.500.0102 ext 5",
    ):
        assert [s.id for s in journal.list_sends(search=written)] == [new.id, old.id], written
    assert journal.list_sends(search="+1 949 500 0199") == []
    assert journal.list_sends(search="%") == [] and journal.list_sends(search="_") == []
    percent = create(journal, content="50% off_now", payloads=payloads(content="50% off_now"))
    assert [s.id for s in journal.list_sends(search="0% off_")] == [percent.id]
    assert [s.id for s in journal.list_sends(search="gate", mode="sandbox")] == [new.id]
    assert journal.list_sends(search="gate", mode="pod") == []
    journal.add_snapshot("tx", found=True, total=2, processed=1, contacts=[{"phoneNumber": "1"}])
    journal.add_snapshot("tx", found=True, total=2, processed=2, contacts=[])
    assert [s.processed for s in journal.snapshots("tx")] == [1, 2]


def test_a_rejected_batch_keeps_acoustics_own_messages_and_status(journal):
    first, second = journal.batches(create(journal).id)
    for batch in (first, second):
        journal.claim_batch(batch.id, "me")
    messages = ("Wrong personalization tags NOPE", "contacts: Contact information is empty.")
    journal.finish_batch(
        first.id,
        REJECTED,
        status_code=400,
        error="Acoustic refused the request: whatever the client wrote",
        cause=Cause.REFUSED,
        api_messages=messages,
    )
    journal.finish_batch(second.id, ACCEPTED, transaction_id="tx")
    refused, accepted = journal.batches(first.send_id)
    assert (refused.status_code, refused.cause, refused.api_messages) == (
        400,
        Cause.REFUSED,
        messages,
    )
    assert (accepted.cause, accepted.api_messages) == (None, ())


def test_a_version_1_journal_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA[0])
    old.execute(
        "INSERT INTO sends (id, fingerprint, kind, mode, base_url, program, content, created_at, "
        "recipients) VALUES (1, 'f', 'bulk', 'sandbox', 'http://x', '1', 'Hi', 0, 1)"
    )
    old.execute(
        "INSERT INTO batches (send_id, idx, state, contacts, payload_json, status_code, error, "
        "updated_at) VALUES (1, 0, 'rejected', 1, '{}', 400, 'Acoustic refused the request: "
        "Wrong personalization tags X', 0)"
    )
    old.execute("PRAGMA user_version=1")
    old.commit()
    old.close()
    (batch,) = Journal(path).batches(1)
    assert batch.state is REJECTED and batch.status_code == 400
    assert batch.error == "Acoustic refused the request: Wrong personalization tags X"
    assert batch.api_messages == () and batch.cause is None  # kept, never parsed out
    assert (
        sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == ALEMBIC_USER_VERSION
    )
    Journal(path).close()  # a migrated journal opens again as it is


def test_history_lists_fifty_sends_in_one_statement(journal):
    for number in range(50):
        text = f"Message {number}"
        send = create(journal, content=text, payloads=payloads(3, text))
        first = journal.batches(send.id)[0]
        journal.claim_batch(first.id, "me")
        journal.finish_batch(first.id, ACCEPTED, transaction_id=f"tx-{number}")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(journal.engine, "before_cursor_execute", seen)
    try:
        sends = journal.list_sends()
        searched = journal.list_sends(search="Message 4", mode="sandbox")
    finally:
        event.remove(journal.engine, "before_cursor_execute", seen)
    # One a list, however many sends it has (BEGIN is SQLite's transaction, not a query).
    assert len([s for s in statements if s != "BEGIN"]) == 2
    assert len(sends) == 50
    assert all(s.batch_states == {ACCEPTED: 1, PLANNED: 2} for s in sends)
    assert [s.content for s in searched] == ["Message 49", "Message 48"] + [
        f"Message {n}" for n in range(47, 39, -1)
    ] + ["Message 4"]


@pytest.mark.parametrize(
    ("batches", "running", "interrupted", "expected"),
    [
        ({UNKNOWN: 10, PLANNED: 10}, False, 10, SendState.INTERRUPTED),  # after a crash
        ({UNKNOWN: 10, PLANNED: 10}, True, 10, SendState.RUNNING),  # resumed
        ({PLANNED: 3}, False, 0, SendState.INTERRUPTED),
        ({ACCEPTED: 2, IN_FLIGHT: 1}, False, 0, SendState.INTERRUPTED),
        ({ACCEPTED: 2, UNKNOWN: 1}, False, 1, SendState.INTERRUPTED),  # cut off in flight
        ({ACCEPTED: 2, UNKNOWN: 1}, False, 0, SendState.UNKNOWN),  # e.g. Acoustic's 500
        ({ACCEPTED: 2, REJECTED: 1}, False, 0, SendState.PARTLY_REJECTED),
        ({REJECTED: 2}, False, 0, SendState.REJECTED),
        ({ACCEPTED: 2}, False, 0, SendState.ACCEPTED),
        # A batch whose every recipient was on the do-not-text list is no failure.
        ({ACCEPTED: 2, LEFT_OUT: 1}, False, 0, SendState.ACCEPTED),
        ({REJECTED: 1, LEFT_OUT: 1}, False, 0, SendState.REJECTED),
        ({LEFT_OUT: 2}, False, 0, SendState.LEFT_OUT),
        ({LEFT_OUT: 1, PLANNED: 1}, False, 0, SendState.INTERRUPTED),
    ],
)
def test_a_sends_state_comes_from_its_batches_and_the_worker(
    batches, running, interrupted, expected
):
    assert send_state(batches, running=running, interrupted=interrupted) is expected


def test_default_path_follows_the_environment(tmp_path):
    assert (
        default_journal_path({"SMS_CONSOLE_JOURNAL": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    )
    assert default_journal_path({"SMS_CONSOLE_DATA_DIR": str(tmp_path)}) == (
        tmp_path / "journal.sqlite3"
    )
    assert default_journal_path({"XDG_DATA_HOME": str(tmp_path)}).parts[-2:] == (
        "sms-console",
        "journal.sqlite3",
    )


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "j.sqlite3"
    Journal(path).close()
    with sqlite3.connect(path) as newer:  # a revision this console does not know
        newer.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(RuntimeError, match=r"newer version of the console \(revision 9999"):
        Journal(path)


def test_a_file_of_a_newer_console_before_alembic_is_refused(tmp_path):
    path = tmp_path / "j.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version=7")
    with pytest.raises(RuntimeError, match=r"newer version of the console \(schema 7\)"):
        Journal(path)


@pytest.fixture(params=[0o000, 0o277])
def any_umask(request):
    """A umask that takes nothing away, or the owner's write: modes are set, not inherited."""
    previous = os.umask(request.param)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_journal_and_its_folders_are_readable_by_their_owner_only(tmp_path, any_umask):
    path = tmp_path / "data" / "sms-console" / "journal.sqlite3"
    before = mode(tmp_path)
    journal = Journal(path)
    create(journal)  # the WAL and its index exist while a connection is open
    assert mode(path) == 0o600
    assert mode(f"{path}-wal") == 0o600 and mode(f"{path}-shm") == 0o600
    assert mode(tmp_path / "data") == 0o700 and mode(path.parent) == 0o700
    assert mode(tmp_path) == before  # a folder the console did not create


@pytest.mark.parametrize("folder_mode", [0o755, 0o750, 0o700])
def test_a_folder_that_exists_keeps_its_permissions(tmp_path, any_umask, folder_mode):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(folder_mode)
    Journal(folder / "journal.sqlite3").close()
    assert mode(folder) == folder_mode
    assert mode(folder / "journal.sqlite3") == 0o600


def test_a_journal_left_readable_by_others_is_tightened(tmp_path, any_umask):
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    for name in (path, f"{path}-wal", f"{path}-shm"):  # as a crash of an older version left them
        with open(name, "ab") as file:
            file.write(b"\0" * (32_768 if name != path else 0))
        os.chmod(name, 0o644)
    create(Journal(path))
    assert [mode(name) for name in (path, f"{path}-wal", f"{path}-shm")] == [0o600] * 3

"""Which database the journal uses, and that its password never shows."""

from __future__ import annotations

import socket
import threading

import pytest

from components.core.database_url import (
    DatabaseURLError,
    database_url,
    parse_database_url,
)
from components.journal import Journal, JournalUnavailable
from components.journal.schema import head_revision
from tests.journal_support import peek


def test_postgresql_urls_use_psycopg_and_mask_the_password():
    url = parse_database_url("postgres://sam:s3cr3t-pw@db.internal:5433/sms")
    assert url.is_postgresql and url.sqlite_path is None
    assert url.sqlalchemy == "postgresql+psycopg://sam:s3cr3t-pw@db.internal:5433/sms"
    assert url.libpq == "postgresql://sam:s3cr3t-pw@db.internal:5433/sms"
    assert "s3cr3t-pw" not in url.shown and "db.internal:5433/sms" in url.shown


def test_sqlite_urls_name_an_absolute_file(tmp_path):
    url = parse_database_url(f"sqlite:///{tmp_path}/j.sqlite3")
    assert not url.is_postgresql and url.sqlite_path == tmp_path / "j.sqlite3"
    assert url.shown == str(tmp_path / "j.sqlite3")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("mysql://u:topsecret@h/db", "mysql database"),
        ("not a url at all", "not a database URL"),
        ("sqlite://", "without a file"),
        ("sqlite:///:memory:", "without a file"),
    ],
)
def test_an_unusable_url_is_refused_in_words_without_its_password(raw, says):
    with pytest.raises(DatabaseURLError, match=says) as refused:
        parse_database_url(raw)
    assert "topsecret" not in str(refused.value)


def test_the_variable_wins_over_the_secrets_which_win_over_the_file(tmp_path):
    secrets = {"database_url": "postgresql://a@secrets-host/db"}
    env = {"SMS_CONSOLE_DATABASE_URL": "postgresql://a@env-host/db"}
    assert database_url(env, secrets).url.host == "env-host"
    assert database_url({}, secrets).url.host == "secrets-host"
    assert database_url({}, secrets).origin == "[console] database_url in the secrets"
    fallback = database_url({"SMS_CONSOLE_DATA_DIR": str(tmp_path)}, {"database_url": " "})
    assert fallback.sqlite_path == tmp_path / "journal.sqlite3"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_database_that_cannot_be_reached_is_said_plainly_without_the_password():
    url = f"postgresql://sam:pw-never-shown@127.0.0.1:{_closed_port()}/sms"
    with pytest.raises(JournalUnavailable) as refused:
        Journal(url)
    message = str(refused.value)
    assert "cannot be opened" in message and "pw-never-shown" not in message
    assert "127.0.0.1" in message and "database server is running" in message


def test_replicas_starting_at_once_migrate_a_new_database_once(postgres_url):
    opened: list[Journal] = []
    failures: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(Journal(postgres_url))
        except BaseException as exc:
            failures.append(exc)

    replicas = [threading.Thread(target=start) for _ in range(4)]
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.join()
    assert failures == [] and len(opened) == 4
    assert peek(opened[0], "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    send_id = (
        opened[0]
        .create_send(
            kind="bulk",
            mode="sandbox",
            base_url="http://x",
            program="1",
            content="Hi",
            payloads=[{"contacts": [{"phoneNumber": "19495550100"}]}],
        )
        .id
    )
    assert opened[3].get_send(send_id).recipients == 1  # any replica reads any send

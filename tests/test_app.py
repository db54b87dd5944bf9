"""The app starts with no secrets and shows where it sends (Streamlit's AppTest)."""

from __future__ import annotations

import pytest

from components.sending.background import stop_background_work
from components.ui.text import plain
from tests.apptest_support import new_app, texts

pytestmark = pytest.mark.usefixtures("app_environment")


def test_starts_in_sandbox_mode_without_secrets():
    at = new_app().run()
    assert not at.exception
    assert "Sandbox mode" in texts(at)
    assert at.title[0].value == "Compose"


def test_settings_tests_the_sandbox_connection_and_masks_secrets():
    at = new_app()
    at.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    shown = table.to_csv()
    assert "sandbox-secret" not in shown and "sandbox-refresh" not in shown
    assert "built-in sandbox" in shown
    at.button[0].click().run()
    assert "Connected: Acoustic issued a new token (valid for 4 hours" in texts(at)


def test_incomplete_credentials_are_reported_not_replaced_by_the_sandbox(monkeypatch):
    monkeypatch.setenv("ACOUSTIC_POD", "2")
    monkeypatch.setenv("ACOUSTIC_CLIENT_ID", "abc")
    at = new_app().run()
    assert "Not configured" in texts(at)
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Not configured" in at.dataframe[0].value.to_csv()
    assert "`client_secret` is missing." in shown
    assert "`refresh_token` is missing." in shown
    assert not [b for b in at.button if b.label == "Test connection"]


def test_credentials_from_the_environment_talk_to_that_host(monkeypatch, sandbox):
    monkeypatch.setenv("ACOUSTIC_BASE_URL", sandbox.url)
    monkeypatch.setenv("ACOUSTIC_CLIENT_ID", sandbox.config.client_id)
    monkeypatch.setenv("ACOUSTIC_CLIENT_SECRET", sandbox.config.client_secret)
    monkeypatch.setenv("ACOUSTIC_REFRESH_TOKEN", sandbox.config.refresh_token)
    at = new_app().run()
    assert "Live" in texts(at)
    at.switch_page("pages/settings.py").run()
    shown = at.dataframe[0].value.to_csv()
    assert "environment (ACOUSTIC_CLIENT_SECRET)" in shown
    assert sandbox.config.client_secret not in shown
    before = sandbox.stats()["token_requests"]  # Compose's program list may have taken one
    at.button[0].click().run()
    assert "Connected" in texts(at)
    assert sandbox.stats()["token_requests"] == before + 1  # the test always asks anew


def test_wrong_credentials_show_the_exact_error(monkeypatch, sandbox):
    monkeypatch.setenv("ACOUSTIC_BASE_URL", sandbox.url)
    monkeypatch.setenv("ACOUSTIC_CLIENT_ID", sandbox.config.client_id)
    monkeypatch.setenv("ACOUSTIC_CLIENT_SECRET", "not-the-secret")
    monkeypatch.setenv("ACOUSTIC_REFRESH_TOKEN", sandbox.config.refresh_token)
    at = new_app().run()
    at.switch_page("pages/settings.py").run()
    at.button[0].click().run()
    errors = "\n".join(e.value for e in at.error)
    assert "Bad client credentials" in errors
    assert "not-the-secret" not in texts(at)


def test_a_bad_environment_setting_is_a_message_on_settings_and_the_default_is_used(monkeypatch):
    monkeypatch.setenv("SMS_CONSOLE_CONFIRM_ABOVE", "abc")
    at = new_app().run()
    assert not at.exception  # Compose works with the default
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    warnings = "\n".join(w.value for w in at.warning)
    assert (
        "SMS_CONSOLE_CONFIRM_ABOVE is 'abc', which is not a whole number; the console uses 1000. "
        "Set it to a whole number such as 1000, or remove it."
    ) in plain(warnings)
    storage = at.dataframe[1].value
    row = storage[storage["From"].str.startswith("SMS_CONSOLE_CONFIRM_ABOVE")]
    assert row["Value"].tolist() == ["1,000 recipients"]


def test_settings_says_the_in_flight_places_are_shared_when_the_journal_is_postgresql(
    monkeypatch, app_environment, postgres_journal_url
):
    def storage_rows() -> dict[str, str]:
        at = new_app().run()
        at.switch_page("pages/settings.py").run()
        assert not at.exception
        table = at.dataframe[1].value
        return dict(zip(table["Setting"], table["Value"], strict=True))

    assert storage_rows()["Requests in flight at most"] == "10, for this console process"
    monkeypatch.setenv("SMS_CONSOLE_DATABASE_URL", postgres_journal_url)
    monkeypatch.setenv("SMS_CONSOLE_MAX_IN_FLIGHT", "6")
    try:
        rows = storage_rows()
    finally:
        stop_background_work()  # its journal's database goes with the test
    assert rows["Requests in flight at most"] == (
        "6, shared by every replica and process using the journal's PostgreSQL database"
    )
    assert rows["Journal (every send and batch)"].startswith("postgresql+psycopg://postgres@")

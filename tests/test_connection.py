"""Which Acoustic the console talks to, from secrets and environment."""

from components.acoustic import Secret
from components.core.connection import describe_settings, load_connection_settings

CREDS = {
    "client_id": "cid",
    "client_secret": "a-long-client-secret",
    "refresh_token": "r-token-1234",
}


def test_nothing_configured_is_sandbox_mode():
    assert load_connection_settings(None, {}).mode == "sandbox"
    assert load_connection_settings({"other": {}}, {}).mode == "sandbox"


def test_secrets_file_with_a_pod():
    settings = load_connection_settings({"acoustic": {"pod": "b", **CREDS}}, {})
    assert settings.mode == "pod"
    assert settings.base_url == "https://api-campaign-ap-3.goacoustic.com"
    assert settings.pod == "B" and settings.label == "Pod B"
    assert settings.client_secret == Secret("a-long-client-secret")


def test_environment_wins_over_the_file():
    settings = load_connection_settings(
        {"acoustic": {"pod": "1", **CREDS}},
        {
            "ACOUSTIC_BASE_URL": "https://api-campaign-eu-1.goacoustic.com",
            "ACOUSTIC_CLIENT_ID": "e",
        },
    )
    assert settings.base_url == "https://api-campaign-eu-1.goacoustic.com"
    assert settings.pod == "6"
    assert settings.client_id == "e"
    assert settings.sources["client_id"] == "environment (ACOUSTIC_CLIENT_ID)"
    assert settings.sources["client_secret"] == "secrets.toml"


def test_partial_or_wrong_settings_are_problems_not_sandbox():
    settings = load_connection_settings({"acoustic": {"pod": "42", "client_id": "x"}}, {})
    assert settings.mode == "invalid"
    assert any("Unknown Acoustic pod '42'" in p for p in settings.problems)
    assert "`client_secret` is missing." in settings.problems


def test_described_settings_never_show_secrets():
    settings = load_connection_settings({"acoustic": {"pod": "2", **CREDS}}, {})
    shown = repr(describe_settings(settings)) + repr(settings)
    assert "a-long-client-secret" not in shown
    assert "r-token-1234" not in shown
    assert "a-••••••••et" in shown

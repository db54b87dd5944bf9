"""What tests and benchmarks post to the sandbox."""

from __future__ import annotations

from components.sandbox import SandboxConfig


def token_form(config: SandboxConfig | None = None) -> dict[str, str]:
    """The form a client posts to /oauth/token with the sandbox's credentials."""
    config = config or SandboxConfig()
    return {
        "grant_type": "refresh_token",
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "refresh_token": config.refresh_token,
    }

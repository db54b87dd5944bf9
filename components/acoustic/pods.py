"""Acoustic Campaign pods and their API hosts (ACOUSTIC_API.md, "Hosts")."""

from __future__ import annotations

from urllib.parse import urlsplit

POD_REGIONS: dict[str, str] = {
    "1": "us-1",
    "2": "us-2",
    "3": "us-3",
    "4": "us-4",
    "5": "us-5",
    "6": "eu-1",
    "7": "ap-2",
    "8": "ca-1",
    "9": "us-6",
    "A": "ap-1",
    "B": "ap-3",
    "PILOT": "pilot",
}

_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def pod_base_url(pod: str) -> str:
    """The API base URL of a pod id (`1`..`9`, `A`, `B`, `PILOT`, any case)."""
    key = str(pod).strip().upper()
    if key not in POD_REGIONS:
        known = ", ".join(POD_REGIONS)
        raise ValueError(f"Unknown Acoustic pod {pod!r}. Use one of: {known}.")
    return f"https://api-campaign-{POD_REGIONS[key]}.goacoustic.com"


def normalize_base_url(url: str) -> str:
    """Checks a base URL and strips what the client adds itself (trailing `/`, `/rest`).

    Plain http is only accepted on loopback (the sandbox): credentials never travel unencrypted.
    """
    text = str(url).strip().rstrip("/")
    if text.endswith("/rest"):
        text = text[: -len("/rest")]
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{url!r} is not a valid API address. It should look like "
            "https://api-campaign-us-2.goacoustic.com"
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValueError(
            f"{url!r} uses plain http. Acoustic credentials are only sent over https "
            "(plain http is allowed for a sandbox on this machine only)."
        )
    return text


def resolve_base_url(pod_or_url: str) -> str:
    """A pod id or a base URL, whichever the user gave, as a base URL."""
    text = str(pod_or_url).strip()
    if "://" in text:
        return normalize_base_url(text)
    return pod_base_url(text)


def pod_of(base_url: str) -> str | None:
    """The pod id whose host this is, if it is one of Acoustic's."""
    for pod, region in POD_REGIONS.items():
        if urlsplit(base_url).hostname == f"api-campaign-{region}.goacoustic.com":
            return pod
    return None

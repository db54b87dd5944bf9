"""One access token per credential set per process, shared by every client and thread.

Acoustic asks callers to reuse a token for hours and may block clients that ask too often, so a
token is fetched once, kept until shortly before `expires_in`, and replaced then or after a 401.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .redaction import Secret

# A token fetched because the previous one was refused, and refused in turn before Acoustic ever
# accepted it, means that fetching again will not help (revoked access, wrong pod): the 401 is
# reported instead of asking Acoustic for a token on every call, for a minute, then twice as long
# after each new refusal, up to the 3 hours Acoustic asks callers to keep a token.
REPLACEMENT_COOLDOWN = 60.0
MAX_REPLACEMENT_COOLDOWN = 3 * 3600.0


@dataclass(frozen=True)
class AccessToken:
    value: Secret
    obtained_at: float  # time.time()
    expires_at: float  # time.time()

    @property
    def lifetime(self) -> float:
        return self.expires_at - self.obtained_at

    def fresh(self, now: float) -> bool:
        """Still usable, with a margin so that a token never expires on its way to Acoustic."""
        margin = min(300.0, self.lifetime * 0.1)
        return now < self.expires_at - margin


class TokenCache:
    """Holds the token of one credential set; `get` fetches at most once for all waiting threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._replacing = False  # the next fetch replaces a refused token
        self._replacement: AccessToken | None = None
        self._cooldown = REPLACEMENT_COOLDOWN
        self.fetches = 0

    def get(self, fetch: Callable[[], AccessToken]) -> AccessToken:
        with self._lock:
            if self._token is None or not self._token.fresh(time.time()):
                self._token = fetch()
                self.fetches += 1
                self._replacement = self._token if self._replacing else None
                self._replacing = False
            return self._token

    def peek(self) -> AccessToken | None:
        with self._lock:
            return self._token

    def accepted(self, token: AccessToken) -> None:
        """Acoustic took this token once: a later 401 is an ordinary expiry or restart."""
        if self._replacement is token:
            self._replacement = None
            self._cooldown = REPLACEMENT_COOLDOWN

    def clear(self) -> None:
        with self._lock:
            self._token = None
            self._replacement = None
            self._replacing = False
            self._cooldown = REPLACEMENT_COOLDOWN

    def invalidate(self, token: AccessToken) -> bool:
        """Drops a token Acoustic refused, unless another thread already replaced it (one refresh
        per 401 wave). False when `token` replaced a refused one and was refused before it was
        ever accepted, within the cooldown: a new token would be refused too, so the caller
        reports the 401."""
        with self._lock:
            if self._token is not token:
                return True
            if self._replacement is token:
                if time.time() - token.obtained_at < self._cooldown:
                    return False
                self._cooldown = min(self._cooldown * 2, MAX_REPLACEMENT_COOLDOWN)
            self._token = None
            self._replacing = True
            return True


_caches: dict[tuple[str, str, str], TokenCache] = {}
_caches_lock = threading.Lock()


def token_cache_for(
    base_url: str, client_id: str, client_secret: Secret, refresh_token: Secret
) -> TokenCache:
    """The process-wide cache of a credential set (the secrets enter the key only as a digest)."""
    digest = hashlib.sha256(
        f"{client_secret.reveal()}\0{refresh_token.reveal()}".encode()
    ).hexdigest()
    key = (base_url, client_id, digest)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = TokenCache()
        return cache


def clear_token_caches() -> None:
    """Forgets every cached token, also in clients that already exist (tests, benchmarks)."""
    with _caches_lock:
        for cache in _caches.values():
            cache.clear()

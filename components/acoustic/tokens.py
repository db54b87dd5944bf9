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
        self.fetches = 0

    def get(self, fetch: Callable[[], AccessToken]) -> AccessToken:
        with self._lock:
            if self._token is None or not self._token.fresh(time.time()):
                self._token = fetch()
                self.fetches += 1
            return self._token

    def peek(self) -> AccessToken | None:
        with self._lock:
            return self._token

    def clear(self) -> None:
        with self._lock:
            self._token = None

    def invalidate(self, token: AccessToken) -> None:
        """Drops `token` unless another thread already replaced it (one refresh per 401 wave)."""
        with self._lock:
            if self._token is token:
                self._token = None


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

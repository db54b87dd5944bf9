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

from .errors import AuthenticationError, CredentialsRefusedError
from .redaction import Secret

# When Acoustic refuses the credentials, or a token it issued to replace a refused one (and not
# because it expired), asking again at once will not help (revoked access, rotated secret, wrong
# pod) and asking on every call may get the client blocked. So the refusal is reported without
# asking Acoustic for a minute, then twice as long after each new refusal, up to the 3 hours
# Acoustic asks callers to keep a token. An expired token or a server error is no refusal: the
# next call asks at once. Test connection always asks, and its success ends the wait.
REFUSAL_COOLDOWN = 60.0
MAX_REFUSAL_COOLDOWN = 3 * 3600.0


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


@dataclass(frozen=True)
class Refusal:
    """Acoustic's last refusal of a credential set, and until when the cache will not ask."""

    error: CredentialsRefusedError
    at: float  # time.time()
    until: float

    def cooldown_error(self) -> AuthenticationError:
        """What a call within the wait reports: the refusal, and that nothing was asked."""
        return AuthenticationError(
            f"This request was not made: at {clock(self.at)} {self.error.what}, and the "
            f"console will not ask for a new access token before {clock(self.until)} (Acoustic "
            f"blocks clients that ask too often). {self.error.advice} Test connection in "
            "Settings asks at once.",
            status_code=self.error.status_code,
            api_message=self.error.api_message,
        )


class TokenCache:
    """Holds the token of one credential set; `get` fetches at most once for all waiting threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._replacing = False  # the next token fetched replaces a refused one
        self._on_probation: AccessToken | None = None  # such a replacement, not yet accepted
        self._refusal: Refusal | None = None
        self._cooldown = REFUSAL_COOLDOWN
        self.fetches = 0

    def get(self, fetch: Callable[[], AccessToken]) -> AccessToken:
        """The cached token while it is fresh, else a new one; within the wait after a refusal,
        the refusal is raised instead of asking Acoustic again."""
        with self._lock:
            now = time.time()
            if self._token is not None and self._token.fresh(now):
                return self._token
            if self._refusal is not None and now < self._refusal.until:
                raise self._refusal.cooldown_error()
            token = self._fetch(fetch)
            replacing = self._replacing or self._refusal is not None
            self._on_probation = token if replacing else None
            self._replacing = False
            return token

    def replace(self, fetch: Callable[[], AccessToken]) -> AccessToken:
        """A new token whatever is cached (the user asked: Test connection); ends any wait."""
        with self._lock:
            token = self._fetch(fetch)
            self._on_probation = None
            self._replacing = False
            self._refusal = None
            self._cooldown = REFUSAL_COOLDOWN
            return token

    def _fetch(self, fetch: Callable[[], AccessToken]) -> AccessToken:
        try:
            token = fetch()
        except CredentialsRefusedError as exc:
            self._refuse(exc)
            raise
        self._token = token
        self.fetches += 1
        return token

    def _refuse(self, error: CredentialsRefusedError) -> Refusal:
        now = time.time()
        self._refusal = Refusal(error, at=now, until=now + self._cooldown)
        self._cooldown = min(self._cooldown * 2, MAX_REFUSAL_COOLDOWN)
        return self._refusal

    def peek(self) -> AccessToken | None:
        with self._lock:
            return self._token

    def on_probation(self, token: AccessToken) -> bool:
        """True for a token that replaced a refused one and that Acoustic never accepted: if it is
        refused too (not as expired), that is a refusal, and no other token is fetched."""
        return token is self._on_probation

    def accepted(self, token: AccessToken) -> None:
        """Acoustic took this token: the credentials work, a later refusal waits a minute again."""
        if self._on_probation is token or self._refusal is not None:
            with self._lock:
                if token is self._token:
                    self._on_probation = None
                    self._refusal = None
                    self._cooldown = REFUSAL_COOLDOWN

    def refused(self, token: AccessToken, error: CredentialsRefusedError) -> Refusal | None:
        """Acoustic refused `token`, a replacement on probation: no new token for a while. The
        threads that used the same token record one refusal between them; None when a newer
        token (Test connection's) is already in place, which the next call uses."""
        with self._lock:
            if self._token is token:
                self._token = None
            elif self._token is not None and self._token.obtained_at > token.obtained_at:
                return None
            if self._refusal is not None and self._refusal.at >= token.obtained_at:
                return self._refusal
            return self._refuse(error)

    def clear(self) -> None:
        with self._lock:
            self._token = None
            self._replacing = False
            self._on_probation = None
            self._refusal = None
            self._cooldown = REFUSAL_COOLDOWN

    def invalidate(self, token: AccessToken) -> None:
        """Drops a token Acoustic refused, unless another thread already replaced it (one refresh
        per 401 wave); the next token fetched is a replacement on probation."""
        with self._lock:
            if self._token is token:
                self._token = None
                self._replacing = True


def clock(moment: float) -> str:
    """A moment of today as the client's messages show it: in UTC, said so (the wire client
    cannot know its reader's zone, and a time without one is a guess)."""
    return time.strftime("%H:%M:%S UTC", time.gmtime(moment))


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

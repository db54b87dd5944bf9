"""Keeps secrets out of everything a user or a log can see.

Acoustic's 401 answer echoes the access token ("Token provided was: ..."), so every text that comes
from a response goes through `Redactor.redact` before it is stored in an exception or logged.
"""

from __future__ import annotations

import re
import threading

REDACTED = "[redacted]"

_ECHO_PATTERNS = (
    re.compile(r"(Token provided was:)\s*\S+", re.IGNORECASE),
    re.compile(r"(Bearer)\s+[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE),
    re.compile(r"((?:access_token|refresh_token|client_secret)[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"),
)


class Secret:
    """A string that does not show itself in a repr, str, f-string or traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = str(value)

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """A hint that lets a user recognise which secret is set, without revealing it."""
        if not self._value:
            return "(not set)"
        if len(self._value) < 12:
            return "•" * 8
        return f"{self._value[:2]}{'•' * 8}{self._value[-2:]}"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __reduce__(self) -> tuple:
        raise TypeError("Secrets are not pickled")


class Redactor:
    """Replaces every known secret, and anything shaped like an echoed token, by `[redacted]`."""

    def __init__(self, *secrets: Secret | str) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Secret | str | None) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4:
            with self._lock:
                self._known.add(value)

    def redact(self, text: object) -> str:
        result = "" if text is None else str(text)
        with self._lock:
            known = sorted(self._known, key=len, reverse=True)
        for value in known:
            result = result.replace(value, REDACTED)
        for pattern in _ECHO_PATTERNS:
            result = pattern.sub(lambda m: f"{m.group(1)} {REDACTED}", result)
        return result


PROCESS_REDACTOR = Redactor()
"""Knows every secret and token this process has handled: used for all texts and log records."""


class RedactingFilter:
    """A logging filter that passes every record through the process redactor."""

    def filter(self, record: object) -> bool:
        import logging

        if isinstance(record, logging.LogRecord):
            record.msg = PROCESS_REDACTOR.redact(record.getMessage())
            record.args = None
        return True

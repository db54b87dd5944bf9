"""What a History search can hold: any text typed or pasted becomes a bounded, valid query.

SQLite refuses LIKE patterns of more than 50,000 bytes, ends a pattern at a NUL, and Python
cannot encode a lone surrogate for it. A message has at most 800 characters, and the first
SEARCH_LIMIT characters of a search find at least what the whole text would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEARCH_LIMIT = 200
_UNSEARCHABLE = re.compile("[\x00\ud800-\udfff]")  # NUL; surrogates (only lone ones in a str)


@dataclass(frozen=True)
class Search:
    text: str
    """What is searched."""
    notice: str | None = None
    """What the page tells the marketer when the search is not the text they gave."""


def clean_search(raw: str) -> Search:
    """`raw` without the characters no journal text can hold, trimmed, at most SEARCH_LIMIT
    characters long; the notice says what changed."""
    text = _UNSEARCHABLE.sub("", raw)
    notices = []
    if text != raw:
        notices.append("Invisible or broken characters in the search were left out.")
    text = text.strip()
    if len(text) > SEARCH_LIMIT:
        notices.append(
            f"The search is {len(text):,} characters long; only its first {SEARCH_LIMIT} are "
            "searched. Search by a shorter part of the message, a program, a transaction id or "
            "a phone number."
        )
        text = text[:SEARCH_LIMIT].rstrip()
    return Search(text, " ".join(notices) or None)

"""What changed between two versions of a template, field by field, with the messages compared
line by line (difflib), for the Templates page's "differences"."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from components.templates.versions import TemplateVersion


@dataclass(frozen=True)
class Change:
    what: str  # "Message", "SMS program", "Message (de)", ...
    before: str
    after: str
    lines: tuple[str, ...] = ()  # a unified diff of a message, without its header


def _text(value: object) -> str:
    return "—" if value in (None, "", {}) else str(value)


def _defaults(version: TemplateVersion) -> str:
    return ", ".join(f"{tag}: {value}" for tag, value in sorted(version.draft.defaults.items()))


def differences(older: TemplateVersion, newer: TemplateVersion) -> list[Change]:
    """The changes from `older` to `newer` (empty when they say the same)."""
    fields = [
        ("SMS program", older.draft.program, newer.draft.program),
        ("Source", older.draft.source, newer.draft.source),
        ("Campaign name", older.draft.campaign_name, newer.draft.campaign_name),
        ("Expiry (minutes)", older.draft.ttl_minutes, newer.draft.ttl_minutes),
        ("Defaults", _defaults(older), _defaults(newer)),
        ("Description", older.description, newer.description),
        ("Default language", older.default_language, newer.default_language),
    ]
    changes = [Change(what, _text(a), _text(b)) for what, a, b in fields if a != b]
    messages = [("Message", older.draft.content, newer.draft.content)]
    for language in sorted(set(older.variants) | set(newer.variants)):
        messages.append(
            (
                f"Message ({language})",
                older.variants.get(language, ""),
                newer.variants.get(language, ""),
            )
        )
    for what, before, after in messages:
        if before == after:
            continue
        lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
        body = tuple(line for line in lines if not line.startswith(("---", "+++")))
        changes.append(Change(what, _text(before), _text(after), body))
    return changes

"""The exact request bodies a send is made of: batches of at most 1000 contacts.

Only the fields the message uses travel with each contact: the rest of a contact file (cities,
internal ids...) is personal data Acoustic does not need for this send.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from components.acoustic import SEND_PATH
from components.message import tag_spellings

MAX_CONTACTS_PER_SEND = 1000
TOKEN_PLACEHOLDER = "<ACCESS_TOKEN>"


def used_fields(content: str, columns: Sequence[str]) -> dict[str, str]:
    """Tag, as the message writes it -> recipients column, for every tag of the message. A column
    serves a tag whatever the case (the preview renders it so); the request keeps the message's
    own spelling, and each spelling when the message writes a field in two ways."""
    by_lower = {str(column).strip().lower(): str(column) for column in columns}
    result: dict[str, str] = {}
    for tag in tag_spellings(content):
        column = by_lower.get(tag.strip().lower())
        if column is not None and column != "phoneNumber":
            result[tag] = column
    return result


def build_payloads(
    recipients: pd.DataFrame,
    *,
    content: str,
    program: str,
    defaults: Mapping[str, str] | None = None,
    source: str | None = None,
    batch_size: int = MAX_CONTACTS_PER_SEND,
) -> list[dict[str, Any]]:
    """One request body per batch, contacts in the order of `recipients`."""
    if not 1 <= batch_size <= MAX_CONTACTS_PER_SEND:
        raise ValueError(f"A batch holds 1 to {MAX_CONTACTS_PER_SEND} contacts.")
    fields = used_fields(content, list(recipients.columns))
    given = {
        name.strip().lower(): str(value)
        for name, value in (defaults or {}).items()
        if value not in (None, "")
    }
    clean_defaults = {
        tag: given[tag.strip().lower()]
        for tag in tag_spellings(content)
        if tag.strip().lower() in given
    }
    numbers = recipients["phoneNumber"].astype(str).tolist() if len(recipients) else []
    columns = {tag: recipients[column].tolist() for tag, column in fields.items()}
    contacts: list[dict[str, Any]] = []
    for index, number in enumerate(numbers):
        contact: dict[str, Any] = {"phoneNumber": number}
        personalization = {
            tag: str(values[index]) for tag, values in columns.items() if _present(values[index])
        }
        if personalization:
            contact["personalization"] = personalization
        contacts.append(contact)

    base: dict[str, Any] = {"channelQualifier": program.strip(), "content": content}
    if clean_defaults:
        base["personalizationDefaults"] = clean_defaults
    if source and source.strip():
        base["source"] = source.strip()
    return [
        {**base, "contacts": contacts[start : start + batch_size]}
        for start in range(0, len(contacts), batch_size)
    ]


def payload_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


def curl_command(base_url: str, payload: Mapping[str, Any]) -> str:
    """A copy-paste cURL for one request, with the token left as a placeholder."""
    url = f"{base_url.rstrip('/')}{SEND_PATH}"
    return (
        f"curl -X POST {shlex.quote(url)} \\\n"
        f"  -H {shlex.quote('Authorization: Bearer ' + TOKEN_PLACEHOLDER)} \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  --data-binary @- <<'JSON'\n"
        f"{payload_json(payload)}\n"
        "JSON"
    )


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return False
    except (TypeError, ValueError):
        pass
    return str(value).strip() != ""

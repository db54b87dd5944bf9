"""The exact request bodies a send is made of: batches of at most 1000 contacts.

Only the fields the message uses travel with each contact: the rest of a contact file (cities,
internal ids...) is personal data Acoustic does not need for this send.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.acoustic import SEND_PATH
from components.mapping import PHONE_FIELD, TagMapping, is_present, map_tags

MAX_CONTACTS_PER_SEND = 1000
TOKEN_PLACEHOLDER = "<ACCESS_TOKEN>"


def build_payloads(
    recipients: pd.DataFrame,
    *,
    content: str,
    program: str,
    defaults: Mapping[str, str] | None = None,
    source: str | None = None,
    batch_size: int = MAX_CONTACTS_PER_SEND,
    mapping: TagMapping | None = None,
) -> list[dict[str, Any]]:
    """One request body per batch, contacts in the order of `recipients`, filled by the draft's
    one tag mapping (built from `defaults` when not given): the same one the preview uses."""
    if not 1 <= batch_size <= MAX_CONTACTS_PER_SEND:
        raise ValueError(f"A batch holds 1 to {MAX_CONTACTS_PER_SEND} contacts.")
    if mapping is None:
        mapping = map_tags(content, list(recipients.columns), defaults)
    fields = mapping.columns
    numbers = recipients[PHONE_FIELD].astype(str).tolist() if len(recipients) else []
    columns = {column: recipients[column].tolist() for column in set(fields.values())}
    contacts: list[dict[str, Any]] = []
    for index, number in enumerate(numbers):
        contact: dict[str, Any] = {PHONE_FIELD: number}
        personalization = {
            spelling: str(columns[column][index])
            for spelling, column in fields.items()
            if is_present(columns[column][index])
        }
        if personalization:
            contact["personalization"] = personalization
        contacts.append(contact)

    base: dict[str, Any] = {"channelQualifier": program.strip(), "content": content}
    if mapping.defaults:
        base["personalizationDefaults"] = mapping.defaults
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

"""The exact request bodies a send is made of: batches of at most 1000 contacts.

Only the fields the message uses travel with each contact: the rest of a contact file (cities,
internal ids...) is personal data Acoustic does not need for this send.

The optional fields go into every batch alike, only when set. Wire notes (the pod's Swagger,
model `SmsExternalConsentSendPayload`): `ttlInMinutes` is an integer, and an SMS not yet sent
after that many minutes is discarded (a late one-time password is useless); `campaignName` is a
string. Acoustic's own bounds for the TTL are not public: 1 to 7 days is the console's choice.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.acoustic import SEND_PATH
from components.message.mapping import PHONE_FIELD, TagMapping, is_present, map_tags

MAX_CONTACTS_PER_SEND = 1000
TOKEN_PLACEHOLDER = "<ACCESS_TOKEN>"
MIN_TTL_MINUTES = 1
MAX_TTL_MINUTES = 7 * 24 * 60  # the console's bound (10,080), not a documented one


def ttl_problem(ttl_minutes: int | None) -> str | None:
    """Why an expiry cannot be sent, in plain words; None when it can (or is not set)."""
    if ttl_minutes is None:
        return None
    if isinstance(ttl_minutes, bool) or not isinstance(ttl_minutes, int):
        return f"The expiry must be a whole number of minutes, not {ttl_minutes!r}."
    if not MIN_TTL_MINUTES <= ttl_minutes <= MAX_TTL_MINUTES:
        return (
            f"The expiry is {ttl_minutes:,} minutes; it can be {MIN_TTL_MINUTES} to "
            f"{MAX_TTL_MINUTES:,} minutes (7 days)."
        )
    return None


def build_payloads(
    recipients: pd.DataFrame,
    *,
    content: str,
    program: str,
    defaults: Mapping[str, str] | None = None,
    source: str | None = None,
    batch_size: int = MAX_CONTACTS_PER_SEND,
    mapping: TagMapping | None = None,
    ttl_minutes: int | None = None,
    campaign_name: str | None = None,
) -> list[dict[str, Any]]:
    """One request body per batch, contacts in the order of `recipients`, filled by the draft's
    one tag mapping (built from `defaults` when not given): the same one the preview uses.
    ValueError for an expiry that `ttl_problem` refuses."""
    if not 1 <= batch_size <= MAX_CONTACTS_PER_SEND:
        raise ValueError(f"A batch holds 1 to {MAX_CONTACTS_PER_SEND} contacts.")
    problem = ttl_problem(ttl_minutes)
    if problem is not None:
        raise ValueError(problem)
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
    if campaign_name and campaign_name.strip():
        base["campaignName"] = campaign_name.strip()
    if ttl_minutes is not None:
        base["ttlInMinutes"] = ttl_minutes
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

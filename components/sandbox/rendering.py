"""Each contact's SMS as Acoustic renders it from a request body, kept by the sandbox so that the
Status page of a sandbox send shows the text that "reached" each phone.

The rule is the API's, not the console's: a `%%tag%%` takes the contact's personalization field of
exactly that spelling, then the `personalizationDefaults` entry of exactly that spelling, else it
stays in the text as written. The console's preview is checked against this rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TAG = re.compile(r"%%([^%\r\n]+?)%%")


def render_contact(
    content: str, personalization: Mapping[str, Any] | None, defaults: Mapping[str, Any] | None
) -> str:
    own, fallback = personalization or {}, defaults or {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in own and own[name] is not None:
            return str(own[name])
        if name in fallback and fallback[name] is not None:
            return str(fallback[name])
        return match.group(0)

    return TAG.sub(replace, content or "")


def render_body(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(phone number, SMS) for every contact of one send request, in order."""
    content = body.get("content") if isinstance(body.get("content"), str) else ""
    defaults = body.get("personalizationDefaults")
    defaults = defaults if isinstance(defaults, dict) else {}
    rendered = []
    for contact in body.get("contacts") or []:
        if not isinstance(contact, dict):
            continue
        own = contact.get("personalization")
        own = own if isinstance(own, dict) else {}
        rendered.append(
            (str(contact.get("phoneNumber", "")), render_contact(content, own, defaults))
        )
    return rendered

"""The console's reading rules for phone numbers applied with phonenumbers alone (slow, obviously
correct): what the fast path is checked against."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers


def reference_reading(raw: str, region: str) -> str | None:
    """The API form of `raw`, or None when it is not a valid number. Format characters (Unicode
    Cf) are removed first; digits of any script are read by phonenumbers itself."""
    raw = "".join(char for char in raw if unicodedata.category(char) != "Cf")

    def valid(text: str, where: str | None) -> str | None:
        try:
            number = phonenumbers.parse(text, where)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]

    compact = re.sub(r"[\s\-()]", "", raw)
    national = valid(raw, region)
    digits = phonenumbers.normalize_digits_only(compact) if compact.isdecimal() else ""
    if digits and not digits.startswith("0"):
        api = valid("+" + compact, None)
        own = str(phonenumbers.country_code_for_region(region))
        if api and digits.startswith(own) and len(digits) > len(own) + 3:
            return api
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        prefix = meta.national_prefix_for_parsing
        prefixed = bool(prefix and re.match(prefix, digits)) or digits.startswith(own)
        if not prefixed:
            if national and api:
                return api if len(digits) >= 11 else national
            return national or api
        if national is None:
            return api
    return national

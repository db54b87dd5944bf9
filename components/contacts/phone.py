"""Phone numbers as users write them -> the API's form (country code + national number, digits).

`phonenumbers` decides what is valid. It is precise but slow (about 25 µs a number), so numbers
that are plainly written (`+19495001234`, `19495001234`, `(949) 500-1234`...) take a fast path
that applies the same metadata with precompiled patterns; anything unusual, and every number the
fast path cannot prove valid, goes through `phonenumbers.parse` itself. Tests check that both
paths agree.

Digits of any script, full-width forms and invisible format characters (bidi marks, zero-width
spaces, a byte-order mark) are cleaned away first (components/core/unicode_text.py), so the API's
form is ASCII digits and one phone written several ways is one recipient.

Digits without `+` are read first as a number of the default country, then as the API's own form
(country code first, `+` left out). A number valid in the default country wins: that is how most
people write their own country's numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType as T
from phonenumbers.phonenumberutil import NumberParseException, ValidationResult

from components.core.phone_regions import (
    COUNTRY_CODES,
    RegionMetadata,
    number_type,
    region_exit_code,
    region_metadata,
    region_name,
    regions_of,
)
from components.core.unicode_text import clean_number_text, format_characters, invisible, is_unseen


class InvalidPhoneNumber(ValueError):
    """The number cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class PhoneNumber:
    digits: str  # the API's form
    region: str  # ISO country code ("US"), "001" for non-geographic numbers
    number_type: int
    note: str | None = None  # kept but worth a look (landline, extension removed...)

    def __post_init__(self) -> None:
        if not (self.digits.isascii() and self.digits.isdigit()):
            raise AssertionError(f"The API form is ASCII digits only, not {self.digits!r}.")


_PLAIN = re.compile(r"^\+?[\d()][\d\s\-()/]*\d$")
_EXCEL_FLOAT = re.compile(r"^\+?\d+\.0+$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*[+-]?\d+$")
_EXTENSION = re.compile(
    r"\s*(?:[,;]\s*)?(?:ext\.?|extension|ext\s*no\.?|x|#|;ext=)\s*(\d{1,7})\s*$", re.IGNORECASE
)
_FORMATTING = re.compile(r"[\s\-().\/\u00a0\u2010-\u2015\u2212]")
_ALLOWED = re.compile(r"^\+?[\d\s\-().\/\u00a0\u2010-\u2015\u2212]+$")
_LETTER = re.compile(r"[^\W\d_]")

_TYPE_NOTES = {
    T.FIXED_LINE: "landline: an SMS may not arrive",
    T.TOLL_FREE: "toll-free number: usually cannot receive SMS",
    T.PREMIUM_RATE: "premium-rate number: usually cannot receive SMS",
    T.SHARED_COST: "shared-cost number: usually cannot receive SMS",
    T.VOIP: "internet (VoIP) number: SMS delivery is not guaranteed",
    T.PAGER: "pager number: usually cannot receive SMS",
    T.UAN: "company number (UAN): usually cannot receive SMS",
    T.VOICEMAIL: "voicemail access number: cannot receive SMS",
}


# Argentina's mobiles are dialled from abroad with a 9 after the country code (+54 9 11 ...) and
# written without it at home (+54 11 ...): one subscriber, two spellings that phonenumbers keeps
# apart (its _MOBILE_TOKEN_MAPPINGS). A national number there has 10 digits.
_MOBILE_TOKENS = {"54": "9"}
_NATIONAL_DIGITS = {"54": 10}


def canonical_number(digits: str) -> str:
    """The one spelling of a subscriber's number (the API's form without a mobile token), for
    telling whether two numbers are the same subscriber: the do-not-text list stores and
    screens with it. Requests keep the spelling the recipient was given in."""
    for code, token in _MOBILE_TOKENS.items():
        if (
            digits.startswith(code + token)
            and len(digits) == len(code) + 1 + _NATIONAL_DIGITS[code]
        ):
            return code + digits[len(code) + 1 :]
    return digits


def normalize_phone(raw: str, default_region: str = "US") -> str:
    """The API's form of a number, or InvalidPhoneNumber with the reason."""
    return parse_phone(raw, default_region).digits


def parse_phone(raw: object, default_region: str = "US") -> PhoneNumber:
    """Like `normalize_phone`, with the country, the number type and a note."""
    return _parse(str(raw) if raw is not None else "", (default_region or "US").upper())


@lru_cache(maxsize=262_144)
def _parse(raw: str, region: str) -> PhoneNumber:
    if raw.isascii():
        return _read(raw, region)
    try:
        return _read(clean_number_text(raw), region)
    except InvalidPhoneNumber as exc:
        hidden = format_characters(raw)
        if not hidden:
            raise
        which = "which were" if len(hidden) > 1 else "which was"
        raise InvalidPhoneNumber(
            f"{exc} It also contains {invisible(hidden)}, {which} ignored."
        ) from None


def _read(raw: str, region: str) -> PhoneNumber:
    """A number without format characters, in ASCII digits."""
    text = raw.strip().strip('"').strip()
    if _PLAIN.match(text):  # the common case: nothing to clean up or explain
        compact = _FORMATTING.sub("", text)
        return _fast(compact, region) or _slow(text, compact, region)
    if not text:
        raise InvalidPhoneNumber("The phone number is empty.")
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    if _SCIENTIFIC.match(text):
        raise InvalidPhoneNumber(
            "Excel turned this number into scientific notation, so its last digits are lost. "
            "Format the column as Text in Excel, type the numbers again and export anew."
        )
    if _EXCEL_FLOAT.match(text):
        text = text.split(".", 1)[0]
    note = None
    extension = _EXTENSION.search(text)
    if extension and any(ch.isdigit() for ch in text[: extension.start()]):
        note = f"extension {extension.group(1)} removed (an SMS goes to the main number)"
        text = text[: extension.start()].strip()
    unseen = [char for char in dict.fromkeys(text) if is_unseen(char)]
    if unseen:
        which, it = ("which are", "them") if len(unseen) > 1 else ("which is", "it")
        raise InvalidPhoneNumber(
            f"The number contains {invisible(unseen)}, {which} not part of a phone number. Type "
            f"the number again without {it}."
        )
    if _LETTER.search(text):
        raise InvalidPhoneNumber(
            "The number contains letters (a vanity number like 1-800-FLOWERS?). Write it with "
            "digits only."
        )
    if not _ALLOWED.match(text):
        raise InvalidPhoneNumber(
            "The number contains characters that are not part of a phone number."
        )
    compact = _FORMATTING.sub("", text)
    result = _fast(compact, region) or _slow(text, compact, region)
    if note:
        return PhoneNumber(result.digits, result.region, result.number_type, note)
    return result


# -- the fast path --------------------------------------------------------------------------------


def _classify(country_code: int, nsn: str) -> PhoneNumber | None:
    """A valid number's region and type (phonenumbers' region_code_for_number rules), else None."""
    if nsn.startswith("0"):
        return None  # significant leading zeros: leave it to phonenumbers
    for region in regions_of(country_code):
        if region.leading_digits is not None and not region.leading_digits.match(nsn):
            continue
        kind = number_type(nsn, region)
        if kind != T.UNKNOWN:
            return PhoneNumber(f"{country_code}{nsn}", region.code, kind, _TYPE_NOTES.get(kind))
        if region.leading_digits is not None:
            return None  # its leading digits claim the number, and it is not valid there
    return None


def _split_country_code(digits: str) -> tuple[int, str] | None:
    if digits.startswith("0"):
        return None
    for size in (1, 2, 3):
        code = int(digits[:size]) if len(digits) > size else 0
        if code in COUNTRY_CODES:
            return code, digits[size:]
    return None


def _fast(compact: str, default: str) -> PhoneNumber | None:
    """Plainly written numbers, when the answer is certain; None sends it to phonenumbers."""
    digits = compact.lstrip("+")
    if not digits.isascii() or not digits.isdigit() or compact.count("+") > 1:
        return None
    if compact.startswith("+"):
        return _certain_international(compact[1:], compact, default)
    region = region_metadata(default)
    if region is None:
        return None
    exit_code = region.international_prefix and region.international_prefix.match(compact)
    if exit_code:
        rest = compact[exit_code.end() :]
        if not compact.startswith("0") or rest.startswith("0"):
            # An exit code such as Finland's 994 or Chile's 1x0 is also how some numbers in the
            # API's form begin (994... is Azerbaijan): only phonenumbers' full reading can tell.
            return None
        return _certain_international(rest, compact, default)  # 011 ..., 00 ...
    own_code = region.calling_code
    own = str(own_code)
    if compact.startswith(own) and len(compact) > len(own) + 3:
        # The default country's own code written without + (the API's form).
        result = _classify(own_code, compact[len(own) :])
        if result is not None:
            return result
    if _strips_national_prefix(compact, region) or compact.startswith(own):
        return None
    national = _classify(own_code, compact)
    if national is not None and len(compact) < 11:
        return national  # `choose_reading` keeps the national reading below 11 digits
    international = _fast_international(compact)
    if international is None and len(compact) >= 11 and not _certainly_not_international(compact):
        return None  # the API-form reading might win and only phonenumbers can tell
    return choose_reading(national, international, compact)


def _certainly_not_international(digits: str) -> bool:
    """No country code starts these digits, so they cannot be the API's form."""
    return _split_country_code(digits) is None


def _certain_international(digits: str, compact: str, default: str) -> PhoneNumber | None:
    """Digits that follow a + or an exit code, so the country code is certain: the number, or
    InvalidPhoneNumber with the reason phonenumbers' own reading would give; None when unsure.

    Invalid numbers are common in real files, and phonenumbers' full parse of each one costs as
    much as ten valid numbers on the fast path."""
    parts = _international_parts(digits)
    if parts is None:
        return None
    found = _classify(*parts)
    if found is not None:
        return found
    code, nsn = parts
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
    raise InvalidPhoneNumber(_reason(number, compact, default))


def _fast_international(digits: str) -> PhoneNumber | None:
    parts = _international_parts(digits)
    return _classify(*parts) if parts is not None else None


def classify_api_form(digits: str) -> PhoneNumber | None:
    """A number already in the API's form (country code first, digits only): its region and
    type exactly as phonenumbers would give them, or None when only phonenumbers can tell
    (or it is not valid). Quiet hours use it to place 100,000 numbers quickly."""
    return _fast_international(digits) if digits.isascii() and digits.isdigit() else None


def _international_parts(digits: str) -> tuple[int, str] | None:
    """(country code, national number) of digits that start with a country code, when the fast
    path reads them exactly as phonenumbers would; None when only phonenumbers can tell."""
    split = _split_country_code(digits)
    if split is None:
        return None
    code, nsn = split
    regions = regions_of(code)
    if (
        not regions
        or not 2 <= len(nsn) <= 17  # phonenumbers' own "too short / too long" parse errors
        or nsn.startswith("0")
        or _strips_national_prefix(nsn, regions[0])
    ):
        return None
    return code, nsn


def choose_reading(
    national: PhoneNumber | None, international: PhoneNumber | None, digits: str
) -> PhoneNumber | None:
    """Digits without + can be a number of the default country or the API's own form. When both
    readings are valid, 11 digits or more is the API's form (numbers with their country code are
    that long; numbers of a country without it rarely are)."""
    if national is not None and international is not None:
        return international if len(digits) >= 11 else national
    return national or international


def _strips_national_prefix(nsn: str, region: RegionMetadata) -> bool:
    pattern = region.national_prefix_for_parsing
    return bool(pattern is not None and pattern.match(nsn))


# -- the exact path -------------------------------------------------------------------------------


def _slow(text: str, compact: str, region: str) -> PhoneNumber:
    failure: int | None = None
    try:
        written = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        written, failure = None, exc.error_type
    national = _valid(written)
    if compact.isdigit() and not compact.startswith("0"):
        try:
            as_api_form = phonenumbers.parse("+" + compact, None)
        except NumberParseException:
            as_api_form = None
        own = str(phonenumbers.country_code_for_region(region))
        api_form = _valid(as_api_form)
        if api_form is not None and compact.startswith(own) and len(compact) > len(own) + 3:
            return api_form  # the default country's own code written without +
        region_meta = region_metadata(region)
        prefixed = region_meta is not None and (
            _strips_national_prefix(compact, region_meta) or compact.startswith(own)
        )
        if not prefixed:
            chosen = choose_reading(national, api_form, compact)
            if chosen is not None:
                return chosen
        elif national is None and api_form is not None:
            return api_form
    if national is not None:
        return national
    raise InvalidPhoneNumber(_reason(written, compact, region, failure))


def _valid(number: phonenumbers.PhoneNumber | None) -> PhoneNumber | None:
    if number is None:
        return None
    nsn = phonenumbers.national_significant_number(number)
    regions = COUNTRY_CODES.get(number.country_code, ())
    if nsn and not nsn.startswith("0") and regions and "001" not in regions:
        return _classify(number.country_code, nsn)  # the same rules, compiled once
    kind = phonenumbers.number_type(number)
    if kind == T.UNKNOWN or not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    code = phonenumbers.region_code_for_number(number) or "001"
    return PhoneNumber(e164[1:], code, kind, _TYPE_NOTES.get(kind))


def _reason(
    number: phonenumbers.PhoneNumber | None,
    compact: str,
    region: str,
    failure: int | None = None,
) -> str:
    if compact.startswith("00") and region_exit_code(region) != "00":
        return (
            f"This looks like an international number, but from {region_name(region)} those "
            f"start with {region_exit_code(region)} or +. Write it with + and the country code."
        )
    if number is None:
        if failure == NumberParseException.INVALID_COUNTRY_CODE:
            return "The country code is not valid. Start the number with + and its country code."
        if failure == NumberParseException.TOO_LONG:
            return "The number is too long."
        if len(compact.lstrip("+")) < 3 or failure in (
            NumberParseException.TOO_SHORT_NSN,
            NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            return "The number is too short."
        return "This is not a phone number that can be read."
    why = phonenumbers.is_possible_number_with_reason(number)
    if why == ValidationResult.INVALID_COUNTRY_CODE:
        return "The country code is not valid. Start the number with + and its country code."
    if why in (ValidationResult.TOO_SHORT, ValidationResult.INVALID_LENGTH):
        return f"The number is too short for {_country(number, region)}."
    if why == ValidationResult.TOO_LONG:
        return f"The number is too long for {_country(number, region)}."
    meta = region_metadata(region)
    exit_code = (
        meta is not None
        and meta.international_prefix is not None
        and bool(meta.international_prefix.match(compact))
    )
    if not compact.startswith("+") and not exit_code:
        return (
            f"This is not a valid {_country(number, region)} number. If it is from another "
            "country, write it with + and the country code."
        )
    return f"This is not a valid {_country(number, region)} number."


def _country(number: phonenumbers.PhoneNumber, region: str) -> str:
    code = phonenumbers.region_code_for_country_code(number.country_code)
    if code in ("ZZ", "001"):
        return f"+{number.country_code}"
    return region_name(code or region)

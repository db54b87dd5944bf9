"""phonenumbers' metadata, read once per region with its patterns compiled: the fast path of
components/contacts/phone.py classifies numbers with it, and tables and charts name countries with
it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType as T
from phonenumbers import geocoder

COUNTRY_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


@dataclass(frozen=True)
class Desc:
    lengths: frozenset[int]
    fullmatch: Callable[[str], object] | None

    def matches(self, nsn: str) -> bool:
        if self.lengths and len(nsn) not in self.lengths:
            return False
        return self.fullmatch is not None and self.fullmatch(nsn) is not None


@dataclass(frozen=True)
class RegionMetadata:
    code: str
    leading_digits: re.Pattern[str] | None
    general: Desc
    special: tuple[tuple[int, Desc], ...]  # premium ... voicemail, in phonenumbers' order
    any_special: Callable[[str], object] | None  # one pattern for all of them: a quick "no"
    fixed: Desc
    mobile: Desc
    same_fixed_and_mobile: bool
    national_prefix_for_parsing: re.Pattern[str] | None
    international_prefix: re.Pattern[str] | None
    calling_code: int


def _desc(desc: object) -> Desc:
    if desc is None or not getattr(desc, "national_number_pattern", None):
        return Desc(frozenset(), None)
    pattern = re.compile(desc.national_number_pattern)
    return Desc(frozenset(desc.possible_length or ()), pattern.fullmatch)


@lru_cache(maxsize=512)
def region_metadata(code: str) -> RegionMetadata | None:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(code, None)
    if meta is None:
        return None
    special = (
        (T.PREMIUM_RATE, meta.premium_rate),
        (T.TOLL_FREE, meta.toll_free),
        (T.SHARED_COST, meta.shared_cost),
        (T.VOIP, meta.voip),
        (T.PERSONAL_NUMBER, meta.personal_number),
        (T.PAGER, meta.pager),
        (T.UAN, meta.uan),
        (T.VOICEMAIL, meta.voicemail),
    )
    special_descs = tuple((kind, _desc(desc)) for kind, desc in special if desc is not None)
    patterns = [
        desc.national_number_pattern
        for _, desc in special
        if desc is not None and desc.national_number_pattern
    ]
    return RegionMetadata(
        code=code,
        leading_digits=re.compile(meta.leading_digits) if meta.leading_digits else None,
        general=_desc(meta.general_desc),
        special=special_descs,
        any_special=re.compile("|".join(f"(?:{p})" for p in patterns)).fullmatch
        if patterns
        else None,
        fixed=_desc(meta.fixed_line),
        mobile=_desc(meta.mobile),
        same_fixed_and_mobile=bool(meta.same_mobile_and_fixed_line_pattern),
        national_prefix_for_parsing=(
            re.compile(meta.national_prefix_for_parsing)
            if meta.national_prefix_for_parsing
            else None
        ),
        international_prefix=(
            re.compile(meta.international_prefix) if meta.international_prefix else None
        ),
        calling_code=meta.country_code or 0,
    )


def number_type(nsn: str, region: RegionMetadata) -> int:
    """phonenumbers' `_number_type_helper`, with patterns compiled once."""
    if not region.general.matches(nsn):
        return T.UNKNOWN
    if region.any_special is not None and region.any_special(nsn) is not None:
        for kind, desc in region.special:
            if desc.matches(nsn):
                return kind
    if region.fixed.matches(nsn):
        if region.same_fixed_and_mobile or region.mobile.matches(nsn):
            return T.FIXED_LINE_OR_MOBILE
        return T.FIXED_LINE
    if not region.same_fixed_and_mobile and region.mobile.matches(nsn):
        return T.MOBILE
    return T.UNKNOWN


@lru_cache(maxsize=512)
def regions_of(country_code: int) -> tuple[RegionMetadata, ...]:
    """The regions sharing a calling code, in phonenumbers' order; none for non-geographic."""
    codes = COUNTRY_CODES.get(country_code, ())
    if "001" in codes:
        return ()
    return tuple(region for region in map(region_metadata, codes) if region is not None)


@lru_cache(maxsize=512)
def region_exit_code(code: str) -> str:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(code, None)
    if meta is None:
        return "+"
    return meta.preferred_international_prefix or meta.international_prefix or "+"


@lru_cache(maxsize=512)
def region_name(code: str) -> str:
    """A country's English name from its ISO code (for tables and charts)."""
    if not code or code in ("ZZ", "001"):
        return "International"
    try:
        example = phonenumbers.example_number(code)
    except Exception:
        example = None
    if example is None:
        return code
    return geocoder.country_name_for_number(example, "en") or code


@lru_cache(maxsize=65536)
def _country_for_prefix(prefix: str) -> str:
    for size in (1, 2, 3):
        code = int(prefix[:size]) if len(prefix) > size and prefix[0] != "0" else 0
        regions = COUNTRY_CODES.get(code)
        if not regions:
            continue
        if len(regions) > 1:
            rest = prefix[size:].ljust(15, "2")
            # phonenumbers' own order: leading digits where a region has them, else its patterns.
            for region in (
                r for r in (region_metadata(code_) for code_ in regions) if r is not None
            ):
                if region.leading_digits is not None:
                    if region.leading_digits.match(rest):
                        return region.code
                elif _matches_prefix(rest, region):
                    return region.code
        return regions[0] if regions[0] != "001" else "International"
    return "Unknown"


def _matches_prefix(padded: str, region: RegionMetadata) -> bool:
    lengths = sorted(region.general.lengths) or [len(padded)]
    return any(number_type(padded[:n], region) != T.UNKNOWN for n in lengths)


def country_of(phone_number: str) -> str:
    """The country (ISO code) of a number in the API's form, from its calling code (and, for
    shared codes like +1, its area code). Cached by prefix: fast for 100,000 numbers."""
    return _country_for_prefix(str(phone_number)[:7])

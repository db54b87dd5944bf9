"""Which language's message each recipient of a template gets: the language the marketer's
column gives (a code per contact), else the official languages of the number's country (CLDR's,
through Babel), else the template's default language. A recipient whose language has no message
gets the default and is counted as such."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import phonenumbers
from babel.languages import get_official_languages

from components.templates.versions import TemplateVersion, language_code


@dataclass(frozen=True)
class LanguageChoice:
    """Each recipient's language (a code the template has), in the order of the recipients,
    and how many got the default for want of a message in their own language."""

    languages: pd.Series
    defaulted: int

    def counts(self) -> dict[str, int]:
        """Recipients per language, in the order of the template's languages."""
        return dict(Counter(self.languages.tolist()))

    def words(self, version: TemplateVersion) -> str:
        """ "en 1,200 · de 300 (12 without a message in their language get en)"."""
        counts = self.counts()
        words = " · ".join(
            f"{code} {counts[code]:,}" for code in version.languages if code in counts
        )
        if self.defaulted:
            words += (
                f" ({self.defaulted:,} without a message in their language get "
                f"{version.default_language})"
            )
        return words


@lru_cache(maxsize=512)
def _country_languages(region: str) -> tuple[str, ...]:
    return tuple(get_official_languages(region, de_facto=True))


@lru_cache(maxsize=65_536)
def _region(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse("+" + number)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _match(wanted: str | None, available: tuple[str, ...]) -> str | None:
    """The template's language for `wanted`: the same code, else the same primary language
    ("de-at" finds "de"; "pt" finds "pt-br" when that is the only Portuguese)."""
    if not wanted:
        return None
    if wanted in available:
        return wanted
    primary = wanted.split("-")[0]
    if primary in available:
        return primary
    return next((code for code in available if code.split("-")[0] == primary), None)


def recipient_languages(
    recipients: pd.DataFrame, version: TemplateVersion, *, column: str | None = None
) -> LanguageChoice:
    """Each recipient's language for `version` (see the module's docstring). `column`: the
    contacts' column holding a language code per contact, if the marketer chose one."""
    available = tuple(version.languages)
    default = version.default_language
    numbers = recipients["phoneNumber"].astype(str).tolist() if len(recipients) else []
    given = (
        recipients[column].tolist() if column and column in recipients else [None] * len(numbers)
    )
    chosen: list[str] = []
    defaulted = 0
    for number, value in zip(numbers, given, strict=True):
        found = _match(language_code(str(value)) if _present(value) else None, available)
        if found is None:
            for official in _country_languages(_region(number)):
                found = _match(official, available)
                if found is not None:
                    break
        if found is None:
            found = default
            defaulted += 1
        chosen.append(found)
    return LanguageChoice(pd.Series(chosen, index=recipients.index, dtype="str"), defaulted)


def _present(value: object) -> bool:
    return value is not None and value == value and str(value).strip() != ""

"""Deterministic outcomes of the sandbox, so that failures can be rehearsed.

A phone number that `phonenumbers` rejects fails with Acoustic's own "Invalid phone number.".
Valid numbers ending in these digits give fixed results (examples are valid US numbers):

| ends in | example       | outcome                                                          |
|---------|---------------|------------------------------------------------------------------|
| 9990    | 19495009990   | failed: Message blocked by the carrier.                          |
| 9991    | 19495009991   | failed: Unable to deliver: the handset is unreachable or off.    |
| 9992    | 19495009992   | failed: The contact has opted out of this SMS program.           |
| 9993    | 19495009993   | failed: SMS provider error. Please try again later.              |
| 9999    | 19495009999   | never finishes processing (stays pending)                        |

Every other valid number is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

INVALID_NUMBER_MESSAGE = "Invalid phone number."


@dataclass(frozen=True)
class Outcome:
    """`sent` is None for a contact that never finishes processing."""

    sent: bool | None
    message: str | None = None


TEST_NUMBERS: dict[str, tuple[str, Outcome]] = {
    "9990": ("blocked by the carrier", Outcome(False, "Message blocked by the carrier.")),
    "9991": (
        "handset unreachable",
        Outcome(False, "Unable to deliver: the handset is unreachable or switched off."),
    ),
    "9992": ("opted out", Outcome(False, "The contact has opted out of this SMS program.")),
    "9993": ("provider error", Outcome(False, "SMS provider error. Please try again later.")),
    "9999": ("never finishes processing", Outcome(None)),
}
SENT = Outcome(True)


@lru_cache(maxsize=65536)
def outcome_for(phone_number: str) -> Outcome:
    digits = str(phone_number).strip()
    if not digits.isdigit():
        return Outcome(False, INVALID_NUMBER_MESSAGE)
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return Outcome(False, INVALID_NUMBER_MESSAGE)
    if not phonenumbers.is_valid_number(parsed):
        return Outcome(False, INVALID_NUMBER_MESSAGE)
    special = TEST_NUMBERS.get(digits[-4:])
    return special[1] if special else SENT

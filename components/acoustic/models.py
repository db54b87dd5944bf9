"""What the client returns: small immutable records with Acoustic's meaning spelled out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SendAccepted:
    """Acoustic's 202: the send was queued; its outcome is read later through the status call."""

    transaction_id: str
    location: str | None = None


@dataclass(frozen=True)
class EncodedPayload:
    """A send body serialized once, so that the work is done before a request takes one of the
    organisation's 10 slots, and a retry repeats exactly the same bytes."""

    body: bytes


@dataclass(frozen=True)
class ContactStatus:
    phone_number: str
    sent: bool
    message: str | None = None


@dataclass(frozen=True)
class SendStatus:
    """One status answer (all pages joined). `found` is False on "Transaction status not found",
    which Acoustic gives both for an unknown id and for a send it is still working on."""

    transaction_id: str
    found: bool
    total: int = 0
    processed: int = 0
    contacts: list[ContactStatus] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.found and self.total > 0 and self.processed >= self.total

    @property
    def sent(self) -> int:
        return sum(1 for contact in self.contacts if contact.sent)

    @property
    def failed(self) -> int:
        return sum(1 for contact in self.contacts if not contact.sent)

    @property
    def pending(self) -> int:
        return max(self.total - self.processed, 0)


@dataclass(frozen=True)
class TokenInfo:
    """What "Test connection" may show about a token: never the token itself."""

    obtained_at: float
    expires_at: float
    reused: bool

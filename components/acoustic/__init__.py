"""The wire client of Acoustic Campaign's SMS External Consent API."""

from .client import (
    DEFAULT_TIMEOUT,
    SEND_PATH,
    STATUS_PATH,
    TOKEN_PATH,
    AcousticClient,
)
from .encoding import encode_payload
from .errors import (
    AcousticError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    CredentialsRefusedError,
    ForbiddenError,
    NetworkError,
    OutcomeUnknownError,
    RequestWithdrawn,
    ServerError,
    UnexpectedResponseError,
)
from .gates import clear_gates, organisation_gate
from .limits import ACOUSTIC_MAX_IN_FLIGHT, CountingGate, InFlightGate
from .models import ContactStatus, EncodedPayload, SendAccepted, SendStatus, TokenInfo
from .narrowing import Narrowing
from .pods import POD_REGIONS, pod_base_url, pod_of, resolve_base_url
from .programs import PROGRAM_PATH, PROGRAMS_PATH, Program, programs_of
from .redaction import PROCESS_REDACTOR, Secret
from .retry import RetryPolicy
from .shared_places import PlacesUnavailableError, SharedPlaces
from .tokens import clear_token_caches

__all__ = [
    "ACOUSTIC_MAX_IN_FLIGHT",
    "DEFAULT_TIMEOUT",
    "POD_REGIONS",
    "PROCESS_REDACTOR",
    "PROGRAMS_PATH",
    "PROGRAM_PATH",
    "SEND_PATH",
    "STATUS_PATH",
    "TOKEN_PATH",
    "AcousticClient",
    "AcousticError",
    "AuthenticationError",
    "BadRequestError",
    "ConcurrencyLimitError",
    "ContactStatus",
    "CountingGate",
    "CredentialsRefusedError",
    "EncodedPayload",
    "ForbiddenError",
    "InFlightGate",
    "Narrowing",
    "NetworkError",
    "OutcomeUnknownError",
    "PlacesUnavailableError",
    "Program",
    "RequestWithdrawn",
    "RetryPolicy",
    "Secret",
    "SendAccepted",
    "SendStatus",
    "ServerError",
    "SharedPlaces",
    "TokenInfo",
    "UnexpectedResponseError",
    "clear_gates",
    "clear_token_caches",
    "encode_payload",
    "organisation_gate",
    "pod_base_url",
    "pod_of",
    "programs_of",
    "resolve_base_url",
]

"""An Acoustic-compatible SMS External Consent API server for sandbox mode, tests and benchmarks."""

from .app import create_app
from .config import SandboxConfig
from .numbers import TEST_NUMBERS, Outcome, outcome_for
from .server import SandboxServer

__all__ = ["TEST_NUMBERS", "Outcome", "SandboxConfig", "SandboxServer", "create_app", "outcome_for"]

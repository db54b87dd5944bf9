"""One rule for a test that lacks an outside tool (Chromium, axe-core, PostgreSQL's binaries)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_tool(what: str, how_to_get_it: str) -> NoReturn:
    """Skips the test for want of a tool, saying how to get it; a failure instead when
    REQUIRE_BROWSER says everything must run (CI sets it)."""
    message = f"{what}: {how_to_get_it}"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)

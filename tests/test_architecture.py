"""The architecture as a check: `lint-imports` (make test runs it on the tree) keeps the import
contracts of pyproject.toml. Here it is shown to fail when a lower layer imports a higher one,
and when a package beneath components.ui imports Streamlit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """lint-imports on a copy of components/ in which `module` (a path below it) has `line`."""
    shutil.copytree(
        ROOT / "components", tmp_path / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "components" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_an_upward_import_breaks_the_layers(tmp_path):
    done = lint_imports_with(tmp_path, "core/states.py", "import components.sending.worker")
    assert done.returncode != 0
    assert "components.core is not allowed to import components.sending" in done.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_streamlit_below_the_widgets_breaks_its_contract(tmp_path):
    done = lint_imports_with(tmp_path, "sending/plan.py", "import streamlit")
    assert done.returncode != 0
    assert "Only components.ui" in done.stdout and "BROKEN" in done.stdout

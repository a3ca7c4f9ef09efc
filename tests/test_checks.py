"""The static checks run where developers and CI run them: one script, called by CI."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check"


def test_check_script_runs_ruff_format_ruff_check_and_mypy() -> None:
    text = CHECK.read_text()
    assert os.access(CHECK, os.X_OK)
    for command in ("-m ruff format --check", "-m ruff check", "-m mypy"):
        assert command in text, command


def test_ci_runs_the_check_script_before_the_tests() -> None:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    check = next(i for i, line in enumerate(lines) if "scripts/check" in line)
    tests = next(i for i, line in enumerate(lines) if line.endswith("-m pytest"))
    assert check < tests
    assert "set -euo pipefail" in lines  # a failed check stops CI


def test_mypy_is_strict_for_model_errors_and_matching() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["files"] == ["sanctions"]
    (strict,) = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    assert set(strict["module"]) >= {"sanctions.model", "sanctions.errors", "sanctions.matching.*"}
    assert strict["warn_return_any"] and strict["disallow_any_generics"]

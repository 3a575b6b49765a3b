"""ruff and mypy hold the line (STYLE.md): run as part of the suite so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # mypy without a cache takes a minute on a slow machine; pytest-timeout stops the test at 120 s.
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=110
    )


def test_ruff_lint_and_format():
    pytest.importorskip("ruff")
    lint = _run("ruff", "check", "vaultkit", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout
    fmt = _run("ruff", "format", "--check", "vaultkit", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.slow
def test_mypy_strict_on_the_package():
    pytest.importorskip("mypy")
    result = _run("mypy")
    assert result.returncode == 0, result.stdout

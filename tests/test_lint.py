"""ruff and mypy are clean: part of the suite, so the README's one test command runs them too."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "selfassess", "tests"],
        ["ruff", "format", "--check", "selfassess", "tests"],
        ["mypy"],
    ],
    ids=["ruff check", "ruff format", "mypy"],
)
def test_clean(command):
    result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

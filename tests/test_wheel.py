"""Installed from a wheel, selfassess still finds its banks and templates."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # No build isolation: hatchling comes with the test extras, so this needs no network.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("selfassess-*.whl"))


def test_wheel_carries_banks_templates_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "selfassess/questionnaires/go-international.yaml" in names
    assert "selfassess/questionnaires/solity.yaml" in names
    assert "selfassess/questionnaires/bank.schema.json" in names
    assert any(n.startswith("selfassess/templates/") for n in names)
    assert "selfassess/py.typed" in names
    # The vendored plotly.js and the precompressed copies that WhiteNoise serves.
    bundle = [n for n in names if n.startswith("selfassess/static/vendor/plotly-selfassess-")]
    assert {n.rsplit(".min.js", 1)[-1] for n in bundle} == {"", ".gz", ".br"}


def test_unpacked_wheel_checks_its_own_banks(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import selfassess.resources as r; print(r.questionnaires_dir()); print(r.templates_dir())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == [
        str(site / "selfassess" / "questionnaires"),
        str(site / "selfassess" / "templates"),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "selfassess", "check"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: go-international 2026.2" in result.stdout
    assert str(site / "selfassess" / "questionnaires" / "solity.yaml") in result.stdout

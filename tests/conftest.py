"""Shared fixtures: small banks written to real files, and the CLI run in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from selfassess.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A small valid bank; tests that break one rule start from it (line numbers matter).
MINIMAL_BANK = """\
id: mini
version: "1"
title: {en: Mini, da: Mini}
languages: [en, da]
scales:
  agree3:
    - {value: 1, label: {en: No, da: Nej}}
    - {value: 2, label: {en: Partly, da: Delvis}}
    - {value: 3, label: {en: Yes, da: Ja}}
profile:
  - id: country
    type: choice
    text: {en: Country, da: Land}
    options:
      - {value: NO, label: {en: Norway, da: Norge}}
      - {value: DK, label: {en: Denmark, da: Danmark}}
rubric:
  levels:
    - {id: low, min: 0, label: {en: Low, da: Lav}}
    - {id: high, min: 50, label: {en: High, da: Høj}}
dimensions:
  - id: d1
    title: {en: One, da: En}
    questions:
      - id: q1
        type: scale
        scale: agree3
        text: {en: Q one, da: S en}
      - id: q2
        type: yesno
        text: {en: Q two, da: S to}
      - id: q3
        type: text
        required: false
        show_if: {question: q2, equals: yes}
        text: {en: Why?, da: Hvorfor?}
    feedback:
      low: {en: Do more., da: Gør mere.}
"""


@pytest.fixture
def write_bank(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text (dedented) to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "bank.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run the ``selfassess`` command line in-process and return its result."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return run

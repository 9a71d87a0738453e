"""The rubric docs show the real example package and the real output of the worked example."""

from __future__ import annotations

import json
import re

from tests.conftest import FIXTURES, ROOT

DOC = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
PLUGIN = ROOT / "tests" / "rubric_plugin"


def block_after(heading: str, lang: str) -> str:
    start = DOC.index(heading)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(DOC, start)
    assert match, heading
    return match.group(1)


def test_example_package_is_the_tested_one():
    assert block_after("`pyproject.toml`:", "toml") == (PLUGIN / "pyproject.toml").read_text(encoding="utf-8")
    assert block_after("`selfassess_weakest_link/__init__.py`:", "python") == (
        PLUGIN / "selfassess_weakest_link" / "__init__.py"
    ).read_text(encoding="utf-8")
    assert block_after("A bank that uses it", "yaml") == (PLUGIN / "bank.yaml").read_text(encoding="utf-8")


def test_worked_example_output_is_real(run_cli, tmp_path):
    answers = json.loads(block_after("These answers:", "json"))
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run_cli("score", str(FIXTURES / "tiny.yaml"), str(path))
    shown = block_after("score like this:", "text").split("\n", 2)[2]
    assert json.loads(shown) == json.loads(result.stdout)


def test_rubrics_listing_is_real(run_cli):
    shown = block_after("`selfassess rubrics` lists what is installed", "text").splitlines()[1:]
    assert shown == run_cli("rubrics").stdout.splitlines()

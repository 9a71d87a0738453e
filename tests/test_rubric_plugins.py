"""Rubric plugins: the built-ins are plugins, and a real third-party package is found by its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from selfassess.bank.loader import BankError, load_text
from selfassess.scoring import hookspecs, plugins
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics import DimensionResult, Result, Rubric
from tests.conftest import MINIMAL_BANK, ROOT

PLUGIN_DIR = Path(__file__).resolve().parent / "rubric_plugin"


def test_every_hook_has_a_test():
    specs = [
        name
        for name in dir(hookspecs)
        if not name.startswith("_") and hasattr(getattr(hookspecs, name), "selfassess_spec")
    ]
    assert specs == ["aggregate_groups", "register_rubrics"]
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    for name in specs:
        assert f"def {name}" in tests, f"hook {name} has no test plugin implementing it"


def test_builtins_are_registered_as_plugins():
    pm = plugins.get_plugin_manager()
    names = {pm.get_name(p) for p in pm.get_plugins()}
    assert set(plugins.DEFAULT_PLUGINS) <= names
    found = plugins.installed_rubrics(pm)
    assert found["weighted-mean"].origin == "built-in"
    assert found["staged"].origin == "built-in"


class Constant(Rubric):
    name = "constant"
    description = "Scores every dimension 50."

    def score(self, bank, answers):
        dims = {d.id: DimensionResult(50.0, bank.rubric.levels[0].id, 0, len(d.questions)) for d in bank.dimensions}
        return Result(50.0, bank.rubric.levels[0].id, dims)


class ThrowawayPlugin:
    @hookimpl
    def register_rubrics(self):
        return [Constant()]


@pytest.fixture
def throwaway():
    """Register a plugin in the shared manager for one test, then take it out again."""
    pm = plugins._manager()
    plugin = ThrowawayPlugin()
    pm.register(plugin, name="throwaway")
    plugins._installed.cache_clear()
    yield
    pm.unregister(plugin)
    plugins._installed.cache_clear()


def test_a_registered_plugin_scores_a_bank(throwaway):
    from selfassess.scoring.engine import score

    bank = load_text(MINIMAL_BANK.replace("rubric:\n", "rubric:\n  plugin: constant\n"))
    assert score(bank, {}).score == 50.0
    assert plugins.installed_rubrics()["constant"].origin == "throwaway"  # registered by hand: its plugin name


def test_unknown_rubric_lists_the_installed(throwaway):
    with pytest.raises(BankError) as info:
        load_text(MINIMAL_BANK.replace("rubric:\n", "rubric:\n  plugin: median\n"), "b.yaml")
    assert (
        str(info.value)
        == "b.yaml:18:11: no rubric called 'median' is installed (installed: constant, staged, weighted-mean)"
    )


def test_same_name_twice_keeps_the_first(capsys):
    pm = pluggy.PluginManager("selfassess")
    pm.add_hookspecs(hookspecs)

    class Impostor:
        @hookimpl
        def register_rubrics(self):
            fake = Constant()
            fake.name = "weighted-mean"
            return [fake]

    import selfassess.scoring.rubrics.weighted_mean as builtin

    pm.register(Impostor(), name="impostor")
    pm.register(builtin, name="selfassess.scoring.rubrics.weighted_mean")
    found = plugins.installed_rubrics(pm)
    assert type(found["weighted-mean"].rubric).__name__ == "WeightedMean"
    assert (
        capsys.readouterr().err
        == "selfassess: rubric 'weighted-mean' from impostor is ignored: built-in already provides it\n"
    )


# --- a real package, installed through its entry point -------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Install tests/rubric_plugin into a folder of its own and put it on PYTHONPATH."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN_DIR),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}

    def run(*args, input=None):
        return subprocess.run(
            [sys.executable, "-m", "selfassess", *args], env=env, capture_output=True, text=True, input=input
        )

    return run


def test_listed_with_origin_and_version(installed):
    result = installed("rubrics")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:3] for line in result.stdout.splitlines()}
    assert rows["weakest-link"] == ["selfassess-weakest-link", "0.2.0"]
    assert rows["weighted-mean"][0] == "built-in"


def test_bank_checks_and_scores_end_to_end(installed, tmp_path):
    bank = PLUGIN_DIR / "bank.yaml"
    result = installed("check", str(bank))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"{bank}: ok: weakest-link-example 1, languages en, 1 dimensions, 3 scored questions\n"
    # risk 5 -> 1, contact 4 -> .75, insurance no -> 0: 100 x (.5 x 0 + .5 x 1.75 / 3)
    answers = {"risk": 5, "contact": 4, "insurance": "no"}
    result = installed("score", str(bank), "-", "--digits", "4", input=json.dumps(answers))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rubric"] == "weakest-link"
    assert data["dimensions"]["safety"] == {"score": 29.1667, "level": "fragile", "counted": 3, "of": 3}
    result = installed("score", str(bank), "-", "--digits", "4", input=json.dumps({**answers, "insurance": "yes"}))
    assert json.loads(result.stdout)["overall"] == {"score": 83.3333, "level": "sound"}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("blend: 2", "14:10: rubric.blend must be between 0 and 1, not 2"),
        ("blend: 0", "14:10: blend 0 is plain weighted-mean; use plugin: weighted-mean instead"),
        ("blnd: 0.5", "14:3: unknown key 'blnd' in rubric; did you mean 'blend'?"),
    ],
)
def test_plugin_settings_are_checked(installed, tmp_path, setting, message):
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        (PLUGIN_DIR / "bank.yaml").read_text(encoding="utf-8").replace("blend: 0.5", setting), encoding="utf-8"
    )
    result = installed("check", str(bank))
    assert result.returncode == 1
    assert result.stdout == f"{bank}:{message}\n"


def test_bank_without_the_plugin_says_what_is_missing(run_cli):
    result = run_cli("check", str(PLUGIN_DIR / "bank.yaml"))
    assert result.exit_code == 1
    assert "no rubric called 'weakest-link' is installed (installed: staged, weighted-mean)" in result.stdout

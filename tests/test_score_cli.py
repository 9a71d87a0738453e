"""`selfassess score BANK ANSWERS.json`: JSON out, one clear line per bad input."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, V1_BANKS

TINY = str(FIXTURES / "tiny.yaml")
GOOD = {"sc": 4, "ch": "some", "mu": ["x", "z"], "yn": "yes", "nu": 70, "tx": "hello", "c1": 2.5}


@pytest.fixture
def answers_file(tmp_path):
    def write(data, raw: str | None = None):
        path = tmp_path / "answers.json"
        path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
        return str(path)

    return write


def test_prints_the_result(run_cli, answers_file):
    result = run_cli("score", TINY, answers_file(GOOD))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "questionnaire": "tiny",
        "version": "1",
        "rubric": "weighted-mean",
        "overall": {"score": 68.5, "level": "established"},
        "dimensions": {
            "a": {"score": 65.3, "level": "established", "counted": 5, "of": 5},
            "b": {"score": None, "level": None, "counted": 0, "of": 2},
            "c": {"score": 75.0, "level": "established", "counted": 1, "of": 1},
        },
    }


def test_feedback_in_a_language(run_cli, answers_file, tmp_path):
    answers = {
        "country": "NO", "provider_type": "vet_school", "size": "250_999", "sectors": ["technology"],
        "accreditation": "none",
    }  # fmt: skip
    bank = V1_BANKS / "go-international.yaml"
    result = run_cli("score", str(bank), answers_file(answers), "--partial", "--feedback", "--lang", "nb")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["overall"] == {"score": None, "level": None}
    assert data["dimensions"]["strategy"]["feedback"] is None  # no level, no advice
    full = {**answers, "strategy_written": 1, "strategy_action_plan": 1}
    result = run_cli("score", str(bank), answers_file(full), "--partial", "--feedback", "--lang", "nb")
    strategy = json.loads(result.stdout)["dimensions"]["strategy"]
    assert strategy["level"] == "starting"
    assert strategy["feedback"].startswith("Begynn med å skrive ned hvorfor dere vil arbeide internasjonalt")


@pytest.mark.parametrize(
    ("answers", "line"),
    [
        ({**GOOD, "zz": 1}, "unknown question id 'zz' in the answers (the bank 'tiny' has no such question)"),
        ({**GOOD, "ch": "most"}, "question 'ch': 'most' is not one of the options (none, some, full)"),
        ({**GOOD, "sc": 6}, "question 'sc': 6 is not one of the options (1, 2, 3, 4, 5, na)"),
        ({**GOOD, "nu": 101}, "question 'nu': 101 is outside the allowed range 0 to 100"),
        ({**GOOD, "nu": "many"}, "question 'nu': 'many' is not a number"),
        ({**GOOD, "ch": ["some"]}, "question 'ch': a list was given, but the question takes one answer"),
        ({**GOOD, "mu": ["x", "w"]}, "question 'mu': 'w' is not one of the options (x, y, z, bad)"),
        (
            {**GOOD, "yn": "maybe"},
            "question 'yn': 'maybe' is not an answer to a yes/no question (use \"yes\" or \"no\")",
        ),
        (
            {**GOOD, "ch": "na"},
            "question 'ch': \"na\" (not applicable) is not allowed here; the bank has no allow_na: true for it",
        ),
        ({k: v for k, v in GOOD.items() if k != "yn"}, "question 'yn' is required but has no answer"),
    ],
)
def test_bad_answers(run_cli, answers_file, answers, line):
    path = answers_file(answers)
    result = run_cli("score", TINY, path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: {line}",
        "Error: 1 problem(s) in the answers"
        + ("" if "required" not in line else " (use --partial to score a draft with answers missing)")
        if "required" in line
        else "Error: 1 problem(s) in the answers (use --partial to score a draft with answers missing)",
    ]


def test_partial_scores_a_draft(run_cli, answers_file):
    result = run_cli("score", TINY, answers_file({"sc": 5}), "--partial")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["dimensions"]["a"] == {"score": 100.0, "level": "leading", "counted": 1, "of": 5}


def test_every_problem_reported_at_once(run_cli, answers_file):
    path = answers_file({"sc": 9, "ch": "most", "zz": 1})
    result = run_cli("score", TINY, path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len([line for line in lines if line.startswith(path)]) == 7  # zz, sc, ch; mu, yn, nu and c1 missing


def test_hidden_answer_is_a_warning(run_cli, answers_file):
    path = answers_file({**GOOD, "b2": 5})
    result = run_cli("score", TINY, path)
    assert result.exit_code == 0
    assert (
        result.stderr == f"{path}: warning: question 'b2' is hidden by its show_if condition; its answer is ignored\n"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("[1, 2]", "must hold a JSON object mapping question ids to answers"),
    ],
)
def test_not_json(run_cli, answers_file, raw, message):
    path = answers_file(None, raw)
    result = run_cli("score", TINY, path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} {message}\n"


def test_unknown_language(run_cli, answers_file):
    result = run_cli("score", TINY, answers_file(GOOD), "--lang", "da")
    assert result.exit_code == 1
    assert result.stderr == "Error: --lang da: the bank 'tiny' is in en\n"


def test_invalid_bank(run_cli, answers_file, write_bank):
    bank = write_bank("id: x\n")
    result = run_cli("score", str(bank), answers_file(GOOD))
    assert result.exit_code == 1
    assert f"{bank}:1:1: the bank has no 'dimensions'; add it" in result.stderr
    assert f"Error: {bank} is not a valid bank; fix the problems above (selfassess check {bank})" in result.stderr


def test_answers_from_stdin(run_cli):
    result = run_cli("score", TINY, "-", input=json.dumps(GOOD))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["overall"]["score"] == 68.5

"""`selfassess check`: one exact PATH:LINE:COL message per broken rule."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINIMAL_BANK, V1_BANKS


def replace(old: str, new: str) -> str:
    assert old in MINIMAL_BANK, old
    return MINIMAL_BANK.replace(old, new, 1)


# (rule, bank text, the exact problem lines expected)
BROKEN = [
    (
        "yaml syntax",
        replace("    title: {en: One, da: En}", "    title: {en: One, da: En"),
        [
            "24:14: YAML syntax error: while parsing a flow mapping that starts on line 23, column 12, expected ',' or '}', but got ':'; "
            "a text inside { } or [ ] that holds ',', ':', '?' or '#' must be in quotes"
        ],
    ),
    (
        "control character",
        replace("title: {en: One,", "title: {en: O\x08ne,"),
        ["23:18: the character U+0008 is not allowed in YAML; delete it or retype the text around it"],
    ),
    ("missing required key", replace('version: "1"\n', ""), ["1:1: the bank has no 'version'; add it"]),
    (
        "unknown key, did you mean",
        replace("    title: {en: One, da: En}", "    title: {en: One, da: En}\n    wieght: 2"),
        ["24:5: unknown key 'wieght' in dimension 'd1'; did you mean 'weight'?"],
    ),
    (
        "unknown key from a comma in a flow map",
        replace("{en: Partly, da: Delvis}", "{en: Partly, in parts, da: Delvis}"),
        [
            "8:38: the label of option 2 of scale 'agree3' has a text in 'in parts', which is not in the bank's languages (expected one of: da, en); "
            "if this is the end of a text, put the whole text in quotes (a comma inside { } starts a new key)"
        ],
    ),
    (
        "duplicate question id across profile and dimension",
        replace("      - id: q2\n", "      - id: country\n"),
        [
            "29:13: the question id 'country' is already used on line 11; question ids must be unique in the whole bank, profile included",
            "35:29: show_if of question 'q3' names an unknown question 'q2'",
        ],
    ),
    (
        "scale question with no scale",
        replace("        scale: agree3\n", ""),
        ["25:9: question 'q1' is of type scale but names no scale; add 'scale: <name>' (defined: agree3)"],
    ),
    (
        "choice question with no options",
        replace("        type: yesno\n", "        type: choice\n"),
        [
            "29:9: question 'q2' is of type choice but has no options; add 'options:' with value, label and score for each"
        ],
    ),
    (
        "undefined scale",
        replace("        scale: agree3\n", "        scale: agree5\n"),
        ["27:16: scale 'agree5' is not defined (defined: agree3); did you mean 'agree3'?"],
    ),
    (
        "show_if unknown question",
        replace("{question: q2, equals: yes}", "{question: q9, equals: yes}"),
        ["35:29: show_if of question 'q3' names an unknown question 'q9'"],
    ),
    (
        "show_if later question",
        replace(
            "      - id: q2\n        type: yesno\n        text: {en: Q two, da: S to}\n",
            "      - id: q2\n        type: yesno\n        text: {en: Q two, da: S to}\n        show_if: {question: q3, equals: x}\n",
        ),
        [
            "32:29: show_if of question 'q2' names 'q3', which comes later; a condition may only depend on an earlier question"
        ],
    ),
    (
        "levels not starting at 0",
        replace("{id: low, min: 0,", "{id: low, min: 10,"),
        ["19:22: the first level must start at min: 0, not 10"],
    ),
    (
        "levels not strictly ascending",
        replace("{id: high, min: 50,", "{id: high, min: 0,"),
        ["20:23: levels must strictly ascend: the min of level 'high' (0) is not above the previous level's (0)"],
    ),
    (
        "feedback for an unknown level",
        replace("      low: {en: Do more., da: Gør mere.}", "      lo: {en: Do more., da: Gør mere.}"),
        ["38:7: feedback for an unknown level 'lo' in dimension 'd1' (levels: low, high); did you mean 'low'?"],
    ),
    (
        "text without a declared translation",
        replace("text: {en: Q one, da: S en}", "text: {en: Q one}"),
        ["28:15: the text of question 'q1' has no 'da' translation; add 'da: ...'"],
    ),
    (
        "plain text in a two-language bank",
        replace("text: {en: Q one, da: S en}", "text: Q one"),
        ["28:15: the text of question 'q1' has no 'da' translation; write it as a map, e.g. {en: ..., da: ...}"],
    ),
    (
        "weight not positive",
        replace("    title: {en: One, da: En}", "    title: {en: One, da: En}\n    weight: 0"),
        ["24:13: the weight of dimension 'd1' must be a number above 0 and at most 1000, not 0"],
    ),
    (
        "weight not a number",
        replace("        scale: agree3\n", "        scale: agree3\n        weight: two\n"),
        ["28:17: the weight of question 'q1' must be a number, not 'two'"],
    ),
    (
        "duplicate option values",
        replace("{value: DK, label:", "{value: NO, label:"),
        ["16:17: the value 'NO' appears twice in question 'country' (first as option 1); option values must be unique"],
    ),
    (
        "unknown question type",
        replace("        type: yesno\n", "        type: yes-no\n"),
        ["30:15: unknown question type 'yes-no' in question 'q2'; did you mean 'yesno'?"],
    ),
    (
        "duplicate key in a map",
        replace("        scale: agree3\n", "        scale: agree3\n        scale: agree3\n"),
        ["28:9: the key 'scale' appears twice in the same map; keep one"],
    ),
    (
        "version read as a number",
        replace('version: "1"', "version: 2026.1"),
        ['2:10: the version 2026.1 is read as a number; put it in quotes: version: "2026.1"'],
    ),
    (
        "unknown rubric plugin",
        replace("rubric:\n", "rubric:\n  plugin: weighted-maen\n"),
        [
            "18:11: no rubric called 'weighted-maen' is installed (installed: staged, weighted-mean); did you mean 'weighted-mean'?"
        ],
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_bank_reports_exact_position(rule, text, expected, write_bank, run_cli):
    path = write_bank(text)
    result = run_cli("check", str(path))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines == [f"{path}:{e}" for e in expected]


def test_minimal_bank_is_valid(write_bank, run_cli):
    path = write_bank(MINIMAL_BANK)
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok: mini 1, languages en, da, 1 dimensions, 2 scored questions\n"


def test_all_problems_of_all_files_in_one_run(write_bank, run_cli):
    first = write_bank(replace("{id: low, min: 0,", "{id: low, min: 10,"), "a.yaml")
    second = write_bank(
        replace("        scale: agree3\n", "        scale: agree5\n").replace("type: yesno", "type: yes"), "b.yaml"
    )
    good = write_bank(MINIMAL_BANK.replace("id: mini", "id: good"), "c.yaml")
    result = run_cli("check", str(first.parent))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert f"{good}: ok: good 1, languages en, da, 1 dimensions, 2 scored questions" in out
    assert f"{first}:19:22: the first level must start at min: 0, not 10" in out
    assert any(line.startswith(f"{second}:27:16: scale 'agree5' is not defined") for line in out)
    assert any(line.startswith(f"{second}:30:15: unknown question type 'yes'") for line in out)
    assert "problems found" in result.stderr


def test_duplicate_bank_ids_across_files(write_bank, run_cli):
    a = write_bank(MINIMAL_BANK, "a.yaml")
    b = write_bank(MINIMAL_BANK, "b.yaml")
    result = run_cli("check", str(a), str(b))
    assert result.exit_code == 1
    assert f"{b}:1:1: the bank id 'mini' is already used by {a}; bank ids must be unique" in result.stdout


def test_shipped_banks_pass_and_summarise(run_cli):
    result = run_cli("check", str(V1_BANKS))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"{V1_BANKS / 'go-international.yaml'}: ok: go-international 2026.1, languages en, da, nb, 9 dimensions, 58 scored questions",
        f"{V1_BANKS / 'solity.yaml'}: ok: solity 2026.1, languages en, 6 dimensions, 32 scored questions",
    ]


def test_check_json_output(write_bank, run_cli):
    path = write_bank(replace("{id: low, min: 0,", "{id: low, min: 10,"))
    result = run_cli("check", "--json", str(path))
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["problems"] == [
        {"file": str(path), "line": 19, "column": 22, "message": "the first level must start at min: 0, not 10"}
    ]


def test_missing_path_is_a_clear_error(run_cli, tmp_path):
    result = run_cli("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert f"no such file or folder: {tmp_path / 'nope.yaml'}" in result.output


def test_not_utf8(write_bank, run_cli, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\ntitle: K\xf8benhavn\n".encode("latin-1"))
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{path}:2:1: the file is not UTF-8 text; save it as UTF-8"

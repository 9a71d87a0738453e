"""Banks written to break the checker or the scores: each gets file:line:col messages, never a traceback or NaN."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfassess.bank.loader import BankError, load_text
from selfassess.bank.synthetic import random_answers
from selfassess.bank.yamlsource import MAX_DEPTH, parse
from selfassess.scoring.engine import result_json, score
from tests.conftest import FIXTURES

TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
TOO_DEEP = (
    f"lists and maps are nested more than {MAX_DEPTH} levels deep here (a bank needs about 8); "
    "close the '[' or '{' left open, or remove the alias that repeats itself"
)

# --- nesting ------------------------------------------------------------------------------
# Each shape nests n lists or maps inside the top-level map; the message points at the one
# that opens level MAX_DEPTH + 1, counting the top-level map as level 1.


def flow_lists(n: int) -> tuple[str, str]:
    return "id: x\nv: " + "[" * n + "]" * n + "\n", f"2:{4 + MAX_DEPTH - 1}"


def flow_maps(n: int) -> tuple[str, str]:
    return "id: x\nv: " + "{a: " * n + "1" + "}" * n + "\n", f"2:{4 + 4 * (MAX_DEPTH - 1)}"


def unclosed_lists(n: int) -> tuple[str, str]:
    return "id: x\nv: " + "[" * n + "\n", f"2:{4 + MAX_DEPTH - 1}"


def compact_lists(n: int) -> tuple[str, str]:
    return "id: x\nv:\n" + "- " * n + "1\n", f"3:{1 + 2 * (MAX_DEPTH - 1)}"


def block_maps(n: int) -> tuple[str, str]:
    return "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "a: 1\n", f"{MAX_DEPTH + 1}:{MAX_DEPTH + 1}"


def block_lists(n: int) -> tuple[str, str]:
    return "".join(" " * i + "-\n" for i in range(n)) + " " * n + "- 1\n", f"{MAX_DEPTH + 1}:{MAX_DEPTH + 1}"


def alias_chain(n: int) -> tuple[str, str]:
    """Each anchor holds the one before: shallow text, deep data (reported where the innermost is defined)."""
    lines = ["a0: &a0 [1]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, n))]
    return "\n".join(lines) + "\n", "1:5"


# Block styles indent every level, so the file grows with n²: 1000 levels are already 500 kB.
DEEP = [
    (shape, n)
    for shape in (flow_lists, flow_maps, unclosed_lists, compact_lists, alias_chain)
    for n in (400, 1000, 10_000, 100_000)
    if not (shape is alias_chain and n == 100_000)  # 2.5 MB, a few seconds; checked by hand
] + [(shape, n) for shape in (block_maps, block_lists) for n in (400, 1000)]


@pytest.mark.parametrize(("shape", "n"), DEEP, ids=[f"{s.__name__}-{n}" for s, n in DEEP])
def test_deep_nesting_is_one_message(shape, n):
    text, where = shape(n)
    with pytest.raises(BankError) as caught:
        load_text(text, "deep.yaml")
    assert [str(p) for p in caught.value.problems] == [f"deep.yaml:{where}: {TOO_DEEP}"]


def test_deep_nesting_through_the_command_line(tmp_path):
    """The attack as run: `selfassess check` in its own process, one clean line per file."""
    expected = []
    for shape, n in DEEP:
        text, where = shape(n)
        path = tmp_path / f"{shape.__name__}-{n}.yaml"
        path.write_text(text, encoding="utf-8")
        expected.append(f"{path}:{where}: {TOO_DEEP}")
    done = subprocess.run(
        [sys.executable, "-m", "selfassess", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert sorted(done.stdout.splitlines()) == sorted(expected)
    assert done.stderr.strip() == f"{len(DEEP)} problems found"


def test_nesting_up_to_the_limit_is_read():
    text = "v: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"
    data = parse(text).data["v"]
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == 1
    with pytest.raises(Exception, match="nested more than"):
        parse("v: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")


def test_shipped_depth_is_far_below_the_limit():
    def depth(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    banks = [*Path("questionnaires").glob("*.yaml"), *FIXTURES.glob("*.yaml")]
    assert banks
    assert max(depth(parse(p.read_text(encoding="utf-8")).data) for p in banks) <= MAX_DEPTH // 4


# --- numbers ------------------------------------------------------------------------------


def position(text: str, needle: str) -> str:
    """Return "line:col" of the first *needle* in *text*."""
    before = text[: text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def edit(old: str, new: str, text: str = TINY) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


WEIGHTS = "a number above 0 and at most 1000"
VALUES = "a number from -1000000000 to 1000000000"
TWO_HUGE_WEIGHTS = edit(
    "    title: Optional and hidden\n", "    title: Optional and hidden\n    weight: 1e308\n"
).replace("    weight: 2\n", "    weight: 1e308\n")

# (attack, bank text, [(text at the reported place, message)])
NUMBERS = [
    (
        "two weights of 1e308",
        TWO_HUGE_WEIGHTS,
        [
            ("1e308\n    questions:\n      - {id: sc", f"the weight of dimension 'a' must be {WEIGHTS}, not 1e+308"),
            ("1e308\n    questions:\n      - {id: b1", f"the weight of dimension 'b' must be {WEIGHTS}, not 1e+308"),
        ],
    ),
    ("weight .inf", edit("weight: 2\n", "weight: .inf\n"), [(".inf", f"the weight of dimension 'a' must be {WEIGHTS}, not .inf")]),
    ("weight .nan", edit("weight: 2\n", "weight: .nan\n"), [(".nan", f"the weight of dimension 'a' must be {WEIGHTS}, not .nan")]),
    ("weight -.inf", edit("weight: 2\n", "weight: -.inf\n"), [("-.inf", f"the weight of dimension 'a' must be {WEIGHTS}, not -.inf")]),
    ("negative weight", edit("weight: 2\n", "weight: -3\n"), [("-3", f"the weight of dimension 'a' must be {WEIGHTS}, not -3")]),
    ("weight over 1000", edit("weight: 2\n", "weight: 1000.5\n"), [("1000.5", f"the weight of dimension 'a' must be {WEIGHTS}, not 1000.5")]),
    (
        "negative question weight",
        edit("agree5, weight: 2,", "agree5, weight: -2,"),
        [("-2,", f"the weight of question 'sc' must be {WEIGHTS}, not -2")],
    ),
    (
        "huge choice score",
        edit("score: 4, label: Full", "score: 1e300, label: Full"),
        [("1e300", f"the score of option 3 of question 'ch' must be {VALUES}, not 1e+300")],
    ),
    (
        "infinite multi score",
        edit("score: -1, label: A bad", "score: -.inf, label: A bad"),
        [("-.inf", f"the score of option 4 of question 'mu' must be {VALUES}, not -.inf")],
    ),
    (
        "scale values of ±1e308",
        edit("{value: 1, label: Strongly disagree}", "{value: -1e308, label: Strongly disagree}").replace(
            "{value: 5, label: Strongly agree}", "{value: 1e308, label: Strongly agree}"
        ),
        [
            ("-1e308", f"the value of option 1 of scale 'agree5' must be {VALUES}, not -1e+308"),
            ("1e308, label: Strongly agree", f"the value of option 5 of scale 'agree5' must be {VALUES}, not 1e+308"),
        ],
    ),
    (
        "number bounds",
        edit("min: 0, max: 100, score: {from: 50, to: 90}", "min: .nan, max: 1e10, score: {from: -.inf, to: 90}"),
        [
            (".nan", f"min of question 'nu' must be {VALUES}, not .nan"),
            ("1e10", f"max of question 'nu' must be {VALUES}, not 10000000000.0"),
            ("-.inf", f"score.from of question 'nu' must be {VALUES}, not -.inf"),
        ],
    ),
    (
        "level min",
        edit("min: 85,", "min: 1e308,"),
        [("1e308", "the min of level 'leading' must be a number from 0 to 100, not 1e+308")],
    ),
    (
        "show_if min",
        edit("equals: \"yes\"}", "min: .inf}").replace("{id: b1, type: yesno,", "{id: b1, type: scale, scale: agree5,"),
        [(".inf}", f"show_if 'min' of question 'b2' must be {VALUES}, not .inf")],
    ),
    (
        "a number larger than any float",
        edit("weight: 2\n", "weight: 1" + "0" * 400 + "\n"),
        [("1000", "the number '100000000000000000000000000000'… (401 characters) is too large (more than 1e308); "
          "a bank's numbers are far smaller, and a code or other text of digits goes in quotes")],
    ),
    (
        "a hexadecimal number Python cannot print",
        edit("weight: 2\n", "weight: 0x" + "F" * 5000 + "\n"),
        [("0x", "the number '0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF'… (5002 characters) is too large (more than 1e308); "
          "a bank's numbers are far smaller, and a code or other text of digits goes in quotes")],
    ),
    (
        "staged threshold .nan",
        edit("rubric:\n", "rubric:\n  plugin: staged\n  threshold: .nan\n"),
        [(".nan", "rubric.threshold must be between 0 and 1, not .nan")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("attack", "text", "expected"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_numbers_out_of_range_are_refused_where_written(attack, text, expected, write_bank, run_cli):
    path = write_bank(text)
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for needle, message in expected:
        assert f"{path}:{position(text, needle)}: {message}" in lines
    if attack != "staged threshold .nan":  # the staged rubric also wants a level: on each question
        assert len(lines) == len(expected), lines


def test_limits_themselves_pass_and_score_as_json(write_bank, run_cli, tmp_path):
    """Weights of 1000 and 1e-300, scores of ±1e9: valid, and `selfassess score` prints plain JSON."""
    text = (
        edit("weight: 2\n", "weight: 1000\n")
        .replace("    title: Optional and hidden\n", "    title: Optional and hidden\n    weight: 1e-300\n")
        .replace("score: 4, label: Full", "score: 1000000000, label: Full")
        .replace("score: -1, label: A bad", "score: -1e9, label: A bad")
        .replace("min: 0, max: 100, score: {from: 50, to: 90}", "min: -1e9, max: 1e9, score: {from: -1e9, to: 1e9}")
    )
    bank = write_bank(text)
    assert run_cli("check", str(bank)).exit_code == 0
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"sc": 5, "ch": "full", "mu": ["x", "bad"], "yn": "yes", "nu": 1e9, "b1": "no", "c1": 3})
    )
    result = run_cli("score", str(bank), str(answers))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the output"))
    assert 0 <= out["overall"]["score"] <= 100


def test_number_answer_beyond_the_float_range_is_refused(run_cli, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text('{"nu": 1' + "0" * 400 + "}")
    result = run_cli("score", str(FIXTURES / "tiny.yaml"), str(answers), "--partial")
    assert result.exit_code == 1
    assert "is not a number" in result.output


# --- any bank that passes check scores to finite numbers ----------------------------------

weights = st.one_of(st.floats(0, 1000, exclude_min=True), st.sampled_from([5e-324, 1e-300, 1000]))
numbers = st.one_of(
    st.floats(-1e9, 1e9), st.integers(-(10**9), 10**9), st.sampled_from([-1e9, 1e9, 5e-324, -5e-324, 0])
)
hostile = st.one_of(
    st.sampled_from([1e308, 1.7e308, -1e308, 1e10, 1001, -1, 0]), st.floats(allow_nan=True, allow_infinity=True)
)


@st.composite
def questions(draw: Any, qid: str, staged: bool) -> dict[str, Any]:
    qtype = draw(st.sampled_from(["scale", "choice", "multi", "yesno", "number"]))
    q: dict[str, Any] = {"id": qid, "type": qtype, "text": qid, "weight": draw(weights)}
    if qtype == "scale":
        q["scale"] = "s"
    elif qtype in ("choice", "multi"):
        scores = draw(st.lists(numbers.map(abs) if qtype == "choice" else numbers, min_size=2, max_size=4))
        scores[0] = abs(scores[0]) or 1  # one option scores above 0, as check requires
        q["options"] = [{"value": f"o{i}", "label": f"o{i}", "score": s} for i, s in enumerate(scores)]
    elif qtype == "number":
        q["score"] = {"from": draw(numbers), "to": draw(numbers)}
        if draw(st.booleans()):
            q["min"], q["max"] = sorted([draw(numbers), draw(numbers)])
    if draw(st.booleans()):
        q["allow_na"] = True
    if staged:
        q["level"] = "l1"
    return q


@st.composite
def banks(draw: Any) -> dict[str, Any]:
    """A bank of every scored type with numbers from anywhere in their ranges; now and then one out of range."""
    staged = draw(st.booleans())
    mins = [0, *sorted(draw(st.lists(st.floats(0, 100, exclude_min=True), max_size=3, unique=True)))]
    rubric: dict[str, Any] = {
        "plugin": "staged" if staged else "weighted-mean",
        "levels": [{"id": f"l{i}", "min": m, "label": f"l{i}"} for i, m in enumerate(mins)],
    }
    if staged:
        rubric["levels"] = [{"id": "l0", "min": 0, "label": "l0"}, {"id": "l1", "min": 50, "label": "l1"}]
        rubric["threshold"] = draw(st.floats(0, 1))
    dims = []
    for d in range(draw(st.integers(1, 3))):
        count = draw(st.integers(1, 4))
        dims.append(
            {
                "id": f"d{d}",
                "title": f"d{d}",
                "weight": draw(weights),
                "questions": [draw(questions(f"q{d}_{i}", staged)) for i in range(count)],
            }
        )
    bank = {
        "id": "hostile",
        "version": "1",
        "title": "Hostile",
        "languages": ["en"],
        "scales": {
            "s": [
                {"value": v, "label": f"v{i}"}
                for i, v in enumerate(draw(st.lists(numbers, min_size=2, max_size=5, unique_by=float)))
            ]
        },
        "rubric": rubric,
        "dimensions": dims,
    }
    # Now and then some numbers out of range: such a bank must be refused, never scored.
    places = list(numeric_places(bank))
    for node, key in draw(st.lists(st.sampled_from(places), max_size=6)):
        node[key] = draw(hostile)
    return bank


def numeric_places(node: Any) -> Any:
    """Yield (container, key) of every number in a tree of dicts and lists."""
    for key, child in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(child, (dict, list)):
            yield from numeric_places(child)
        elif isinstance(child, (int, float)) and not isinstance(child, bool):
            yield node, key


def assert_finite_score(value: float | None) -> None:
    assert value is None or (math.isfinite(value) and -1e-9 <= value <= 100 + 1e-9), value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(), st.integers(0, 2**32), st.sampled_from([None, -1.7e308, 1.7e308, 0.0]))
def test_a_bank_that_passes_check_never_scores_nan_or_infinity(data, seed, extreme_number):
    try:
        bank = load_text(yaml.safe_dump(data), "hostile.yaml")
    except BankError:
        return  # refused with its positions: nothing to score
    rng = random.Random(seed)
    for _ in range(5):
        answers = random_answers(bank, rng, rng.random())
        if extreme_number is not None:
            for q in bank.scored_questions:
                if q.type == "number" and q.min is None and q.max is None:
                    answers[q.id] = extreme_number
        result = score(bank, answers)
        assert_finite_score(result.score)
        for dim in result.dimensions.values():
            assert_finite_score(dim.score)
        assert all(math.isfinite(s) and 0 <= s <= 1 for s in result.questions.values())
        json.dumps(result_json(bank, result, digits=None), allow_nan=False)

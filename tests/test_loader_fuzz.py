"""Whatever YAML an author writes, the loader answers with a bank or a BankError, never a traceback."""

from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfassess.bank.loader import (
    DIMENSION_KEYS,
    LEVEL_KEYS,
    OPTION_KEYS,
    QUESTION_KEYS,
    TOP_KEYS,
    BankError,
    load_text,
)
from tests.conftest import MINIMAL_BANK, V1_BANKS

GO = (V1_BANKS / "go-international.yaml").read_text(encoding="utf-8")
KEYS = sorted(
    TOP_KEYS
    | DIMENSION_KEYS
    | QUESTION_KEYS
    | OPTION_KEYS
    | LEVEL_KEYS
    | {"en", "da", "question", "equals", "in", "from", "to"}
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["yes", "no", "NO", "na", "scale", "choice", "multi", "text", "number", "yesno", "agree3", "q1", "low"]
    ),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=6),
    ),
    max_leaves=40,
)


def assert_loads_or_bank_error(text: str) -> None:
    try:
        load_text(text, "fuzz.yaml")
    except BankError as exc:
        assert exc.problems
        # YAML also breaks lines at CR, NEL, LS and PS.
        lines = len(re.split(r"\r\n|[\n\r\x85\u2028\u2029]", text)) + 1
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert 1 <= problem.line <= lines and problem.column >= 1
            assert problem.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    assert_loads_or_bank_error(text)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_arbitrary_structures(tree):
    assert_loads_or_bank_error(yaml.safe_dump(tree, allow_unicode=True))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(TOP_KEYS)), trees, max_size=9))
def test_arbitrary_top_level_banks(bank):
    assert_loads_or_bank_error(yaml.safe_dump(bank, allow_unicode=True))


def mutate(data: st.DataObject, source: str) -> str:
    lines = source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "indent", "dedent"]))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "insert":
            col = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + data.draw(st.text(max_size=5)) + lines[i][col:]
        elif action == "replace" and ":" in lines[i]:
            key, _, _ = lines[i].partition(":")
            lines[i] = (
                f"{key}: {data.draw(st.sampled_from(['', '0', '-1', 'yes', 'NO', '[]', '{}', 'x', '2026.1', 'null', '[a, b]']))}\n"
            )
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip(" ")
    return "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_minimal_bank(data):
    assert_loads_or_bank_error(mutate(data, MINIMAL_BANK))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_shipped_bank(data):
    assert_loads_or_bank_error(mutate(data, GO))

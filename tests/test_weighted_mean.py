"""weighted-mean, checked against scores computed by hand on tests/fixtures/tiny.yaml."""

from __future__ import annotations

import pytest

from selfassess.bank.answers import check_answers
from selfassess.bank.loader import load_bank
from selfassess.scoring.engine import score
from tests.conftest import FIXTURES

BASE = {"sc": 4, "ch": "some", "mu": ["x", "z"], "yn": "yes", "nu": 70, "tx": "hello", "c1": 2.5}


@pytest.fixture(scope="module")
def tiny():
    return load_bank(FIXTURES / "tiny.yaml")


def scored(bank, answers):
    checked = check_answers(bank, answers, partial=True)
    assert not checked.problems, checked.problems
    return score(bank, checked.answers)


def test_hand_computed_example(tiny):
    result = scored(tiny, BASE)
    # a: sc (4-1)/(5-1) = .75 (w2), ch 1/4 = .25, mu (1+3)/6, yn 1, nu (70-50)/(90-50) = .5; tx not counted
    a = 100 * (2 * 0.75 + 0.25 + 4 / 6 + 1 + 0.5) / 6
    assert result.dimensions["a"].score == pytest.approx(a, abs=1e-12)
    assert a == pytest.approx(65.2777777, abs=1e-6)
    assert result.dimensions["a"].level == "established"
    assert (result.dimensions["a"].counted, result.dimensions["a"].of) == (5, 5)
    # c: lower is better, (2.5 - 10) / (0 - 10) = .75
    assert result.dimensions["c"].score == pytest.approx(75.0)
    # b: optional unanswered -> nothing counted -> no score, no level (not 0)
    assert result.dimensions["b"].score is None and result.dimensions["b"].level is None
    assert result.dimensions["b"].counted == 0
    # overall: dimension weights 2 and 1; b left out
    assert result.score == pytest.approx((2 * a + 75) / 3, abs=1e-12)
    assert result.level == "established"


@pytest.mark.parametrize(
    ("question", "answer", "s"),
    [
        ("sc", 1, 0.0), ("sc", 3, 0.5), ("sc", "5", 1.0),
        ("ch", "none", 0.0), ("ch", "full", 1.0),
        ("mu", [], 0.0), ("mu", ["x", "y", "z"], 1.0), ("mu", ["y", "z", "bad"], 4 / 6),
        ("mu", ["x", "bad"], 0.0), ("mu", ["bad"], 0.0), ("mu", "y", 2 / 6),
        ("yn", "no", 0.0), ("yn", True, 1.0),
        ("nu", 30, 0.0), ("nu", 50, 0.0), ("nu", 60, 0.25), ("nu", 100, 1.0), ("nu", "80", 0.75),
        ("c1", 20, 0.0), ("c1", 0, 1.0), ("c1", 5, 0.5),
    ],
)  # fmt: skip
def test_normalised_score_per_type(tiny, question, answer, s):
    result = scored(tiny, {**BASE, question: answer})
    assert result.questions[question] == pytest.approx(s, abs=1e-12)


def test_not_applicable_is_left_out(tiny):
    result = scored(tiny, {**BASE, "sc": "na"})
    assert "sc" not in result.questions
    assert result.dimensions["a"].score == pytest.approx(100 * (0.25 + 4 / 6 + 1 + 0.5) / 4)
    assert result.dimensions["a"].level == "developing"
    assert result.dimensions["a"].counted == 4


def test_hidden_but_answered_is_ignored_with_a_warning(tiny):
    checked = check_answers(tiny, {**BASE, "b2": 5})
    assert "b2" not in checked.answers
    assert checked.warnings == ["question 'b2' is hidden by its show_if condition; its answer is ignored"]
    result = score(tiny, {**BASE, "b2": 5})  # even if a caller skips the check
    assert result.dimensions["b"].score is None


def test_shown_question_counts(tiny):
    result = scored(tiny, {**BASE, "b1": "yes", "b2": 2})
    assert result.dimensions["b"].score == pytest.approx(100 * (1 + 0.25) / 2)
    assert result.dimensions["b"].counted == 2


def test_all_na_dimension_has_no_score(tiny):
    result = scored(tiny, {**BASE, "c1": "na"})
    assert result.dimensions["c"].score is None
    assert result.score == pytest.approx(result.dimensions["a"].score)


def test_nothing_answered_has_no_overall(tiny):
    result = scored(tiny, {})
    assert result.score is None and result.level is None


@pytest.mark.parametrize(
    ("value", "level"), [(0, "starting"), (39.99, "starting"), (40, "developing"), (85, "leading"), (100, "leading")]
)
def test_level_is_last_level_reached(tiny, value, level):
    from selfassess.scoring.rubrics.normalise import level_for

    assert level_for(tiny, value) == level


def test_level_threshold_survives_float_sums(tiny):
    # 0.1 + 0.2 style sums must not drop a respondent below a level it reached exactly.
    from selfassess.scoring.rubrics.normalise import level_for

    assert level_for(tiny, 65 - 1e-12) == "established"
    assert level_for(tiny, 64.999) == "developing"

"""The staged rubric: a level counts only when its criteria and all below are met."""

from __future__ import annotations

import textwrap

import pytest

from selfassess.bank.loader import BankError, load_text
from selfassess.scoring.engine import score

STAGED = textwrap.dedent(
    """\
    id: staged-example
    version: "1"
    title: Staged
    languages: [en]
    scales:
      agree5: [{value: 1, label: A}, {value: 2, label: B}, {value: 3, label: C}, {value: 4, label: D}, {value: 5, label: E}]
    rubric:
      plugin: staged
      levels:
        - {id: initial, min: 0, label: Initial}
        - {id: defined, min: 33, label: Defined}
        - {id: managed, min: 66, label: Managed}
    dimensions:
      - id: d
        title: D
        questions:
          - {id: q1, type: yesno, level: defined, text: Q1}
          - {id: q2, type: scale, scale: agree5, level: defined, text: Q2}
          - {id: q3, type: yesno, level: managed, text: Q3}
          - id: q4
            type: choice
            level: managed
            allow_na: true
            text: Q4
            options: [{value: none, score: 0, label: None}, {value: full, score: 1, label: Full}]
      - id: e
        title: E
        questions:
          - {id: q5, type: yesno, level: managed, text: Q5}
    """
)


@pytest.fixture(scope="module")
def bank():
    return load_text(STAGED, "staged.yaml")


@pytest.mark.parametrize(
    ("answers", "level", "score_"),
    [
        ({"q1": "yes", "q2": 5, "q3": "yes", "q4": "full"}, "managed", 100.0),
        ({"q1": "yes", "q2": 4, "q3": "no", "q4": "full"}, "defined", 75.0),  # s = .75 meets the default threshold
        ({"q1": "yes", "q2": 3, "q3": "yes", "q4": "full"}, "initial", 75.0),  # a lower criterion unmet blocks the rest
        ({"q1": "no", "q2": 1, "q3": "no", "q4": "none"}, "initial", 0.0),
        ({"q1": "yes", "q2": 5, "q3": "yes", "q4": "na"}, "managed", 100.0),  # N/A is not counted
    ],
)
def test_dimension_levels(bank, answers, level, score_):
    result = score(bank, {**answers, "q5": "yes"})
    assert result.dimensions["d"].level == level
    assert result.dimensions["d"].score == pytest.approx(score_)


def test_level_with_no_own_criteria_below_is_reached(bank):
    result = score(bank, {"q1": "yes", "q2": 5, "q3": "yes", "q4": "full", "q5": "yes"})
    assert result.dimensions["e"].level == "managed"  # "defined" has no criteria in e


def test_overall_is_lowest_dimension_level(bank):
    result = score(bank, {"q1": "yes", "q2": 5, "q3": "yes", "q4": "full", "q5": "no"})
    assert result.dimensions["d"].level == "managed"
    assert result.dimensions["e"].level == "defined"
    assert result.level == "defined"
    assert result.score == pytest.approx((100 + 0) / 2)


def test_nothing_counted(bank):
    result = score(bank, {"q1": "yes", "q2": 5, "q3": "yes", "q4": "full"})
    assert result.dimensions["e"].score is None and result.dimensions["e"].level is None
    assert result.level == "managed"


def test_threshold_setting(bank):
    strict = load_text(STAGED.replace("  plugin: staged\n", "  plugin: staged\n  threshold: 0.8\n"))
    answers = {"q1": "yes", "q2": 4, "q3": "yes", "q4": "full", "q5": "yes"}
    assert score(bank, answers).dimensions["d"].level == "managed"
    assert score(strict, answers).dimensions["d"].level == "initial"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{id: q1, type: yesno, level: defined, text: Q1}", "{id: q1, type: yesno, text: Q1}",
         "staged.yaml:17:9: question 'q1' has no 'level:'; the staged rubric needs one per scored question (one of: defined, managed)"),
        ("{id: q1, type: yesno, level: defined,", "{id: q1, type: yesno, level: initial,",
         "staged.yaml:17:38: question 'q1' is tagged with the first level 'initial', which needs nothing; use one of: defined, managed"),
        ("{id: q1, type: yesno, level: defined,", "{id: q1, type: yesno, level: managd,",
         "staged.yaml:17:38: level in question 'q1' must be a level id of this bank, not 'managd'; did you mean 'managed'?"),
        ("  plugin: staged\n", "  plugin: staged\n  threshold: 1.5\n",
         "staged.yaml:9:14: rubric.threshold must be between 0 and 1, not 1.5"),
        ("  plugin: staged\n", "  plugin: staged\n  treshold: 0.5\n",
         "staged.yaml:9:3: unknown key 'treshold' in rubric; did you mean 'threshold'?"),
    ],
)  # fmt: skip
def test_staged_settings_are_checked(old, new, expected):
    with pytest.raises(BankError) as info:
        load_text(STAGED.replace(old, new), "staged.yaml")
    assert [str(p) for p in info.value.problems] == [expected]


def test_weighted_mean_rejects_staged_settings():
    text = STAGED.replace("  plugin: staged\n", "  plugin: weighted-mean\n")
    with pytest.raises(BankError) as info:
        load_text(text, "wm.yaml")
    assert str(info.value.problems[0]) == (
        "wm.yaml:17:31: unknown key 'level' in question 'q1' (it belongs to the staged rubric, but this bank's rubric is weighted-mean)"
    )

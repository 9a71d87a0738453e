"""Properties of weighted-mean on the shipped go-international bank, over generated answer sets."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from selfassess.bank.loader import load_bank
from selfassess.bank.model import NOT_APPLICABLE
from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import score
from selfassess.scoring.rubrics.normalise import normalised_score
from tests.conftest import FIXTURES, V1_BANKS

BANKS = {
    "go-international": load_bank(V1_BANKS / "go-international.yaml"),
    "solity": load_bank(V1_BANKS / "solity.yaml"),
    "tiny": load_bank(FIXTURES / "tiny.yaml"),
}

answer_sets = st.builds(
    lambda name, seed, maturity: (BANKS[name], random_answers(BANKS[name], random.Random(seed), maturity)),
    st.sampled_from(sorted(BANKS)),
    st.integers(0, 2**32),
    st.one_of(st.none(), st.floats(0, 1)),
)


@settings(max_examples=200, deadline=None)
@given(answer_sets)
def test_scores_within_0_and_100(case):
    bank, answers = case
    result = score(bank, answers)
    for dim in result.dimensions.values():
        assert dim.score is None or 0 <= dim.score <= 100
        assert (dim.score is None) == (dim.level is None) == (dim.counted == 0)
    assert result.score is None or 0 <= result.score <= 100


def scale_weights(bank, factor):
    dims = tuple(
        dataclasses.replace(
            d,
            weight=d.weight * factor,
            questions=tuple(dataclasses.replace(q, weight=q.weight * factor) for q in d.questions),
        )
        for d in bank.dimensions
    )
    return dataclasses.replace(bank, dimensions=dims)


@settings(max_examples=100, deadline=None)
@given(answer_sets, st.floats(0.01, 1000))
def test_unchanged_when_all_weights_are_scaled(case, factor):
    bank, answers = case
    before, after = score(bank, answers), score(scale_weights(bank, factor), answers)
    pairs = [(after.dimensions[k].score, d.score) for k, d in before.dimensions.items()] + [(after.score, before.score)]
    for new, old in pairs:
        assert (new is None) == (old is None)
        assert old is None or new == pytest.approx(old, rel=1e-9, abs=1e-9)


def better_answers(question):
    """Every answer to a choice, scale or yesno question, with its normalised score."""
    if question.type == "yesno":
        return [("no", 0.0), ("yes", 1.0)]
    return [(o.value, normalised_score(question, o.value)) for o in question.options]


@settings(max_examples=200, deadline=None)
@given(answer_sets, st.data())
def test_raising_one_answer_never_lowers_its_dimension(case, data):
    bank, answers = case
    candidates = [q for q in bank.scored_questions if q.id in answers and answers[q.id] != NOT_APPLICABLE]
    assume(candidates)
    question = data.draw(st.sampled_from(candidates))
    old_s = normalised_score(question, answers[question.id])
    if question.type == "number":
        raised = answers[question.id] + (1 if question.score_to >= question.score_from else -1) * data.draw(
            st.floats(0, 50)
        )
        if question.min is not None:
            raised = max(question.min, raised)
        if question.max is not None:
            raised = min(question.max, raised)
    elif question.type == "multi":
        extra = [o.value for o in question.options if (o.score or 0) > 0 and o.value not in answers[question.id]]
        dropped = [o.value for o in question.options if (o.score or 0) < 0 and o.value in answers[question.id]]
        assume(extra or dropped)
        raised = [v for v in answers[question.id] if v not in dropped] + extra[:1]
    else:
        higher = [value for value, s in better_answers(question) if s > old_s]
        assume(higher)
        raised = data.draw(st.sampled_from(higher))
    assert normalised_score(question, raised) >= old_s
    before = score(bank, answers).dimensions[question.dimension].score
    after = score(bank, {**answers, question.id: raised}).dimensions[question.dimension].score
    assert after >= before - 1e-9


@settings(max_examples=200, deadline=None)
@given(answer_sets, st.data())
def test_not_applicable_is_not_a_zero(case, data):
    bank, answers = case
    candidates = [q for q in bank.scored_questions if q.allow_na]
    assume(candidates)
    question = data.draw(st.sampled_from(candidates))
    lowest = (
        min(better_answers(question), key=lambda pair: pair[1])[0] if question.type != "number" else question.score_from
    )
    as_na = score(bank, {**answers, question.id: NOT_APPLICABLE}).dimensions[question.dimension]
    left_out = score(bank, {k: v for k, v in answers.items() if k != question.id}).dimensions[question.dimension]
    as_zero = score(bank, {**answers, question.id: lowest}).dimensions[question.dimension]
    # N/A is exactly as if the question were not asked; a 0 counts in the denominator.
    assert as_na.score == left_out.score
    assert as_na.counted == as_zero.counted - 1
    if as_na.score is not None and as_na.score > 0:
        assert as_zero.score < as_na.score


def extreme_answers(bank, highest):
    answers = {}
    for q in bank.scored_questions:
        if q.type == "multi":
            answers[q.id] = [o.value for o in q.options if ((o.score or 0) > 0) == highest]
        elif q.type == "number":
            answers[q.id] = q.score_to if highest else q.score_from
        else:
            pick = max if highest else min
            answers[q.id] = pick(better_answers(q), key=lambda pair: pair[1])[0]
    return answers


@pytest.mark.parametrize("name", ["go-international", "solity"])
def test_shipped_banks_extremes(name):
    bank = BANKS[name]
    top, bottom = bank.rubric.levels[-1].id, bank.rubric.levels[0].id
    best = score(bank, extreme_answers(bank, highest=True))
    worst = score(bank, extreme_answers(bank, highest=False))
    assert best.score == pytest.approx(100) and best.level == top
    assert worst.score == pytest.approx(0) and worst.level == bottom
    for dim in bank.dimensions:
        assert best.dimensions[dim.id].score == pytest.approx(100) and best.dimensions[dim.id].level == top
        assert worst.dimensions[dim.id].score == pytest.approx(0) and worst.dimensions[dim.id].level == bottom

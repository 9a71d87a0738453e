"""A question's normalised score s in [0, 1], shared by the built-in rubrics.

Banks are scored many thousand times (benchmarks, demo data, peer groups), so each
bank is compiled once into lookup tables: scoring an answer is then a dict lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import RESERVED_ANSWERS, Question, Questionnaire
from selfassess.bank.questiontypes import type_of
from selfassess.bank.questiontypes.base import Scorer


def option_scores(question: Question) -> dict[str, float]:
    """Map each option key of a scale, choice or yesno question to its s."""
    return type_of(question).option_scores(question)


def compile_scorer(question: Question) -> Scorer:
    """Return a function answer → s (``None`` when the answer does not count)."""
    return type_of(question).scorer(question)


def normalised_score(question: Question, answer: Any) -> float | None:
    """Return s in [0, 1] for one answer, or ``None`` when it does not count."""
    if answer is None or answer in RESERVED_ANSWERS or not question.scored:
        return None
    return type_of(question).normalise(question, answer)


class Plan:
    """A bank compiled for scoring.

    ``dimensions`` holds, per dimension, one ``(question, weight, scorer, conditional)``
    tuple per scored question; ``conditional`` is the question itself when it has a
    ``show_if``, else ``None``. Scorers return ``None`` for "na" and "dk" (no option is
    called that), so the hot loop needs no separate test for them.
    """

    def __init__(self, bank: Questionnaire) -> None:
        self.bank = bank
        self.dimensions = [
            (d, [(q, q.weight, compile_scorer(q), q if q.show_if else None) for q in d.scored_questions])
            for d in bank.dimensions
        ]

    def counted(self, answers: Mapping[str, Any]) -> dict[str, list[tuple[Question, float, float]]]:
        """Per dimension id, the counted questions with their weight and s."""
        bank, get = self.bank, answers.get
        result: dict[str, list[tuple[Question, float, float]]] = {}
        for dim, items in self.dimensions:
            counted = []
            for question, weight, scorer, conditional in items:
                answer = get(question.id)
                if answer is None or (conditional is not None and not is_visible(bank, conditional, answers)):
                    continue
                s = scorer(answer)
                if s is not None:
                    counted.append((question, weight, s))
            result[dim.id] = counted
        return result


# Compiled plans by (content hash, id of the bank). A plan holds its bank, so the id stays
# that bank's while the plan is kept; the bound keeps reloaded and previewed banks from piling up.
MAX_PLANS = 64
_plans: dict[tuple[str, int], Plan] = {}
_plans_lock = threading.Lock()


def plan_for(bank: Questionnaire) -> Plan:
    """Return the bank's compiled plan, built on first use and kept beside the bank."""
    plan = _plans.get((bank.content_hash, id(bank)))
    if plan is not None and plan.bank is bank:
        return plan
    plan = Plan(bank)
    with _plans_lock:
        while len(_plans) >= MAX_PLANS:
            del _plans[next(iter(_plans))]  # the oldest first
        _plans[(bank.content_hash, id(bank))] = plan
    return plan


# Scores are sums of floats: 65 may come out as 64.99999999999999. A level's threshold
# is met when the score is within this distance of it.
LEVEL_TOLERANCE = 1e-9


def level_for(bank: Questionnaire, score: float | None) -> str | None:
    """Return the id of the last level whose min is at or below *score*."""
    if score is None:
        return None
    reached = None
    for level in bank.rubric.levels:
        if level.min <= score + LEVEL_TOLERANCE:
            reached = level.id
    return reached


def overall_score(bank: Questionnaire, scores: Mapping[str, float | None]) -> float | None:
    """Weighted mean of the dimension scores that exist (dimension weights)."""
    total = weights = 0.0
    for dim in bank.dimensions:
        score = scores.get(dim.id)
        if score is not None:
            total += dim.weight * score
            weights += dim.weight
    return total / weights if weights else None

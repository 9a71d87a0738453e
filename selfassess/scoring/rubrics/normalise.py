"""A question's normalised score s in [0, 1], shared by the built-in rubrics.

Banks are scored many thousand times (benchmarks, demo data, peer groups), so each
bank is compiled once into lookup tables: scoring an answer is then a dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import NOT_APPLICABLE, Question, Questionnaire, value_key

Scorer = Callable[[Any], float | None]


def option_scores(question: Question) -> dict[str, float]:
    """Map each option key of a scale, choice or yesno question to its s."""
    if question.type == "yesno":
        return {"yes": 1.0, "no": 0.0}
    if question.type == "scale":
        values = [float(o.value) for o in question.options]
        low, high = min(values), max(values)
        return {o.key: (float(o.value) - low) / (high - low) for o in question.options}
    if question.type == "choice":
        best = max(o.score or 0.0 for o in question.options)
        return {o.key: (o.score or 0.0) / best for o in question.options}
    raise ValueError(f"question {question.id!r} of type {question.type} has no option table")


def compile_scorer(question: Question) -> Scorer:
    """Return a function answer → s (``None`` when the answer does not count)."""
    if question.type in ("scale", "choice", "yesno"):
        table: dict[Any, float] = dict(option_scores(question))
        # Answers arrive as their canonical values (3, "some") or as form strings ("3").
        for option in question.options:
            table[option.value] = table[option.key]
        return table.get
    if question.type == "multi":
        scores: dict[Any, float] = {o.key: o.score or 0.0 for o in question.options}
        for option in question.options:
            scores[option.value] = option.score or 0.0
        total = sum(o.score or 0.0 for o in question.options if (o.score or 0.0) > 0)

        def multi(answer: Any) -> float | None:
            if not isinstance(answer, list):
                return None
            got = 0.0
            for chosen in set(answer):
                got += scores.get(chosen, 0.0)
            return min(1.0, max(0.0, got / total))

        return multi
    if question.type == "number":
        start, end = question.score_from, question.score_to
        if start is None or end is None:
            return lambda answer: None
        span = end - start

        def number(answer: Any) -> float | None:
            if not isinstance(answer, (int, float)) or isinstance(answer, bool):
                return None
            return min(1.0, max(0.0, (answer - start) / span))

        return number
    return lambda answer: None


def normalised_score(question: Question, answer: Any) -> float | None:
    """Return s in [0, 1] for one answer, or ``None`` when it does not count."""
    if answer is None or answer == NOT_APPLICABLE or not question.scored:
        return None
    if question.type in ("scale", "choice", "yesno") and not isinstance(answer, (str, int, float)):
        return None
    value = value_key(answer) if question.type == "yesno" else answer
    return compile_scorer(question)(value)


class Plan:
    """A bank compiled for scoring.

    ``dimensions`` holds, per dimension, one ``(question, weight, scorer, conditional)``
    tuple per scored question; ``conditional`` is the question itself when it has a
    ``show_if``, else ``None``. Scorers return ``None`` for "na" (no option is called
    that), so the hot loop needs no separate test for it.
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


def plan_for(bank: Questionnaire) -> Plan:
    """Return the bank's compiled plan, built on first use and kept on the bank."""
    plan = bank.__dict__.get("_plan")
    if plan is None:
        plan = Plan(bank)
        object.__setattr__(bank, "_plan", plan)
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

"""Synthetic answer sets: for benchmarks, property tests and demo data.

An answer set is drawn around a hidden "maturity" in [0, 1] so that answers of one
respondent hang together, as real ones do.
"""

from __future__ import annotations

import random
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import NOT_APPLICABLE, Question, Questionnaire


def random_answer(question: Question, rng: random.Random, maturity: float | None = None) -> Any:
    """Draw one plausible answer to *question*; *maturity* in [0, 1] biases it upwards."""
    level = rng.random() if maturity is None else min(1.0, max(0.0, rng.gauss(maturity, 0.2)))
    if question.allow_na and rng.random() < 0.05:
        return NOT_APPLICABLE
    if question.type == "text":
        return rng.choice(["", "We are working on it.", "See our action plan."])
    if question.type == "yesno":
        return "yes" if rng.random() < level else "no"
    if question.type == "number":
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else max(low + 1, (question.score_to or 100) * 1.5)
        if question.score_from is not None and question.score_to is not None:
            start, end = question.score_from, question.score_to
            value = start + (end - start) * (level * 1.2 - 0.1)
        else:
            value = low + (high - low) * level
        return round(min(high, max(low, value)), 1)
    if question.type == "multi":
        return [o.value for o in question.options if rng.random() < (level if (o.score or 0) > 0 else 1 - level)]
    if question.type == "scale":
        ordered = sorted(question.options, key=lambda o: float(o.value))
    else:
        ordered = sorted(question.options, key=lambda o: o.score or 0.0)
    index = min(len(ordered) - 1, int(level * len(ordered)))
    return ordered[index].value


def random_answers(bank: Questionnaire, rng: random.Random, maturity: float | None = None) -> dict[str, Any]:
    """Draw a complete, valid answer set for *bank* (hidden questions left out)."""
    answers: dict[str, Any] = {}
    for question in bank.questions:
        if not is_visible(bank, question, answers):
            continue
        if not question.required and rng.random() < 0.3:
            continue
        answer = random_answer(question, rng, maturity)
        if answer == "" and question.type == "text":
            continue
        answers[question.id] = answer
    return answers

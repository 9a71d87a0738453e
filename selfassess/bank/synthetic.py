"""Synthetic answer sets: for benchmarks, property tests and demo data.

An answer set is drawn around a hidden "maturity" in [0, 1] so that answers of one
respondent hang together, as real ones do.
"""

from __future__ import annotations

import random
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import DONT_KNOW, NOT_APPLICABLE, Question, Questionnaire
from selfassess.bank.questiontypes import type_of


def random_answer(question: Question, rng: random.Random, maturity: float | None = None) -> Any:
    """Draw one plausible answer to *question*; *maturity* in [0, 1] biases it upwards."""
    level = rng.random() if maturity is None else min(1.0, max(0.0, rng.gauss(maturity, 0.2)))
    if question.allow_na and rng.random() < 0.05:
        return NOT_APPLICABLE
    # Respondents who do not know are rarer than one in ten, more so in mature organisations.
    if question.allow_dont_know and rng.random() < 0.08 * (1.0 - level):
        return DONT_KNOW
    return type_of(question).random_answer(question, rng, level)


def random_answers(bank: Questionnaire, rng: random.Random, maturity: float | None = None) -> dict[str, Any]:
    """Draw a complete, valid answer set for *bank* (hidden questions left out)."""
    answers: dict[str, Any] = {}
    for question in bank.questions:
        if not is_visible(bank, question, answers):
            continue
        if not question.required and rng.random() < 0.3:
            continue
        answer = random_answer(question, rng, maturity)
        if answer == "":  # a type's way of leaving a question unanswered
            continue
        answers[question.id] = answer
    return answers

"""Answers to a bank: which questions are visible, and checking a set of answers.

Answers map question ids to a value, a list of values (``multi``), ``"na"`` or ``"dk"``; a
number with trustworthiness answers ``{"value": 42, "source": "records"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from selfassess.bank.model import DONT_KNOW, RESERVED_ANSWERS, Question, Questionnaire, ShowIf, figure, value_key
from selfassess.bank.questiontypes import type_of


def is_visible(bank: Questionnaire, question: Question, answers: Mapping[str, Any]) -> bool:
    """Return True when *question*'s ``show_if`` (and those it depends on) hold."""
    cond = question.show_if
    if cond is None:
        return True
    target = bank.question(cond.question)
    if target is None or not is_visible(bank, target, answers):
        return False
    return condition_holds(cond, answers.get(cond.question))


def condition_holds(cond: ShowIf, answer: Any) -> bool:
    """Return True when *answer* (to the condition's question) satisfies *cond*."""
    if answer is None or answer in RESERVED_ANSWERS:
        return False
    answer = figure(answer)
    chosen = answer if isinstance(answer, list) else [answer]
    if cond.operator == "equals":
        return any(value_key(a) == value_key(cond.value) for a in chosen)
    if cond.operator == "in":
        wanted = {value_key(v) for v in cond.value}
        return any(value_key(a) in wanted for a in chosen)
    try:
        return float(answer) >= float(cond.value)
    except (TypeError, ValueError):
        return False


@dataclass
class CheckedAnswers:
    """Answers put in canonical form, with what was wrong with the input."""

    answers: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_answers(bank: Questionnaire, raw: Mapping[str, Any], *, partial: bool = False) -> CheckedAnswers:
    """Check *raw* answers against *bank*; drop answers to hidden questions with a warning.

    With *partial*, required questions may be left unanswered (a draft).
    """
    out = CheckedAnswers()
    for qid in raw:
        if bank.question(str(qid)) is None:
            out.problems.append(
                f"unknown question id {qid!r} in the answers (the bank {bank.id!r} has no such question)"
            )
    for question in bank.questions:
        if question.id not in raw or raw[question.id] is None:
            continue
        value, error = canonical_answer(question, raw[question.id])
        if error:
            out.problems.append(f"question {question.id!r}: {error}")
        else:
            out.answers[question.id] = value
    # Visibility depends on the canonical answers of earlier questions, so decide it afterwards.
    for question in bank.questions:
        visible = is_visible(bank, question, out.answers)
        if not visible and question.id in out.answers:
            del out.answers[question.id]
            out.warnings.append(f"question {question.id!r} is hidden by its show_if condition; its answer is ignored")
        elif visible and question.required and not partial and raw.get(question.id) is None:
            out.problems.append(f"question {question.id!r} is required but has no answer")
    return out


def canonical_answer(question: Question, value: Any) -> tuple[Any, str | None]:
    """Return (canonical value, None) or (None, what is wrong) for one answer."""
    return type_of(question).check_answer(question, value)


def dont_know(bank: Questionnaire, answers: Mapping[str, Any]) -> dict[str, tuple[Question, ...]]:
    """Per dimension id, the shown questions answered "don't know": the knowledge gaps, in order."""
    return {
        d.id: tuple(
            q
            for q in d.questions
            if q.allow_dont_know and answers.get(q.id) == DONT_KNOW and is_visible(bank, q, answers)
        )
        for d in bank.dimensions
    }

"""Answers to a bank: which questions are visible, and checking a set of answers.

Answers map question ids to a value, a list of values (``multi``) or ``"na"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from selfassess.bank.model import NOT_APPLICABLE, Question, Questionnaire, ShowIf, value_key


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
    if answer is None or answer == NOT_APPLICABLE:
        return False
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
    if value == NOT_APPLICABLE and question.type != "text":
        if question.allow_na:
            return NOT_APPLICABLE, None
        return None, '"na" (not applicable) is not allowed here; the bank has no allow_na: true for it'
    if question.type == "multi":
        items = value if isinstance(value, list) else [value]
        chosen: list[Any] = []
        for item in items:
            option = question.option(item) if _is_atom(item) else None
            if option is None:
                return None, f"{item!r} is not one of the options ({_choices(question)})"
            if option.value not in chosen:
                chosen.append(option.value)
        return chosen, None
    if isinstance(value, (list, dict)):
        return None, f"a {'list' if isinstance(value, list) else 'map'} was given, but the question takes one answer"
    if question.type == "text":
        if not isinstance(value, str):
            return None, f"a text answer must be a string, not {value!r}"
        return value, None
    if question.type == "yesno":
        key = value_key(value) if isinstance(value, (bool, str)) else None
        if key not in ("yes", "no"):
            return None, f'{value!r} is not an answer to a yes/no question (use "yes" or "no")'
        return key, None
    if question.type == "number":
        number = _number(value)
        if number is None:
            return None, f"{value!r} is not a number"
        if (question.min is not None and number < question.min) or (question.max is not None and number > question.max):
            return None, f"{value!r} is outside the allowed range {_range(question)}"
        return number, None
    option = question.option(value) if _is_atom(value) else None
    if option is None:
        return None, f"{value!r} is not one of the options ({_choices(question)})"
    return option.value, None


def _is_atom(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ".")) if value.strip() else None
        except ValueError:
            return None
        if number is None or not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and "." not in value and "," not in value else number
    return None


def _choices(question: Question) -> str:
    keys = [o.key for o in question.options]
    if question.allow_na:
        keys.append(NOT_APPLICABLE)
    return ", ".join(keys)


def _range(question: Question) -> str:
    low = "-∞" if question.min is None else f"{question.min:g}"
    high = "∞" if question.max is None else f"{question.max:g}"
    return f"{low} to {high}"

"""Score a set of answers with the bank's rubric and shape the result as JSON."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from selfassess.bank.model import Questionnaire
from selfassess.scoring.plugins import get_rubric
from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric


class UnknownRubric(LookupError):
    """The bank names a rubric that is not installed."""


def score(bank: Questionnaire, answers: Mapping[str, Any], *, role: str | None = None) -> Result:
    """Score checked *answers* with the rubric the bank names; with *role*, on that role's questions.

    The rubric gets the role's view of the bank (:meth:`Questionnaire.for_role`), so a rubric
    written for whole banks scores a role unchanged.
    """
    view = bank if role is None else bank.for_role(role)
    rubric = _rubric(view, view.rubric.plugin)
    if all(d.rubric is None for d in view.dimensions):
        return rubric.score(view, answers)
    return _mixed(view, rubric, answers)


def _rubric(bank: Questionnaire, name: str) -> Rubric:
    rubric = get_rubric(name)
    if rubric is None:
        raise UnknownRubric(f"the rubric {name!r} of bank {bank.id!r} is not installed")
    return rubric


# The parts of mixed banks by (content hash, id of the bank), bounded as the plans are: a part
# is a bank object of its own, and keeping it keeps its compiled plan (normalise.plan_for).
MAX_PARTS = 64
_parts: dict[tuple[str, int], tuple[Questionnaire, tuple[Questionnaire, ...]]] = {}
_parts_lock = threading.Lock()


def _parts_of(bank: Questionnaire) -> tuple[Questionnaire, ...]:
    """The bank without its dimensions that have a rubric of their own, then each of those alone."""
    key = (bank.content_hash, id(bank))
    found = _parts.get(key)
    if found is not None and found[0] is bank:
        return found[1]
    parts = (bank.bank_rubric_view(), *bank.dimension_rubric_views().values())
    with _parts_lock:
        while len(_parts) >= MAX_PARTS:
            del _parts[next(iter(_parts))]  # the oldest first
        _parts[key] = (bank, parts)
    return parts


def _mixed(bank: Questionnaire, rubric: Rubric, answers: Mapping[str, Any]) -> Result:
    """Score a bank whose dimensions have rubrics of their own: each its part, then combine.

    The bank's rubric scores the other dimensions; each dimension with a ``rubric:`` is scored
    by that rubric alone (its view holds only that dimension); the bank's rubric combines them.
    """
    parts = [(view, _rubric(bank, view.rubric.plugin)) for view in _parts_of(bank)]
    found: dict[str, DimensionResult] = {}
    questions: dict[str, float] = {}
    weights: dict[str, float] = {}
    for view, part_rubric in parts:
        if not view.dimensions:
            continue
        result = part_rubric.score(view, answers)
        found.update(result.dimensions)
        questions.update(result.questions)
        weights.update(result.weights)
    dimensions = {d.id: found[d.id] for d in bank.dimensions}  # the bank's order
    overall, level = rubric.combine(bank, dimensions)
    return Result(overall, level, dimensions, questions, weights)


def _round(value: float | None, digits: int | None) -> float | None:
    return value if value is None or digits is None else round(value, digits)


def result_json(
    bank: Questionnaire, result: Result, *, feedback: bool = False, lang: str | None = None, digits: int | None = 1
) -> dict[str, Any]:
    """Return the result as ``selfassess score`` prints it; *digits* rounds for display."""
    dimensions: dict[str, Any] = {}
    for dim in bank.dimensions:
        r = result.dimensions[dim.id]
        entry: dict[str, Any] = {"score": _round(r.score, digits), "level": r.level, "counted": r.counted, "of": r.of}
        if feedback:
            advice = dim.feedback.get(r.level) if r.level else None
            entry["feedback"] = advice.get(lang) if advice else None
        dimensions[dim.id] = entry
    return {
        "questionnaire": bank.id,
        "version": bank.version,
        "rubric": bank.rubric.plugin,
        "overall": {"score": _round(result.score, digits), "level": result.level},
        "dimensions": dimensions,
    }

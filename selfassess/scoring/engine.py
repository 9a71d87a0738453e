"""Score a set of answers with the bank's rubric and shape the result as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfassess.bank.model import Questionnaire
from selfassess.scoring.plugins import get_rubric
from selfassess.scoring.rubrics.base import Result


class UnknownRubric(LookupError):
    """The bank names a rubric that is not installed."""


def score(bank: Questionnaire, answers: Mapping[str, Any], *, role: str | None = None) -> Result:
    """Score checked *answers* with the rubric the bank names; with *role*, on that role's questions.

    The rubric gets the role's view of the bank (:meth:`Questionnaire.for_role`), so a rubric
    written for whole banks scores a role unchanged.
    """
    rubric = get_rubric(bank.rubric.plugin)
    if rubric is None:
        raise UnknownRubric(f"the rubric {bank.rubric.plugin!r} of bank {bank.id!r} is not installed")
    return rubric.score(bank if role is None else bank.for_role(role), answers)


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

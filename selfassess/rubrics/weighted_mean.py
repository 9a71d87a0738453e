"""The default rubric: weighted mean of normalised answers, 0-100, mapped to levels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfassess.bank import Questionnaire
from selfassess.hookspecs import hookimpl
from selfassess.rubrics.base import DimensionResult, Result, Rubric
from selfassess.rubrics.normalise import level_for, overall_score, plan_for


class WeightedMean(Rubric):
    name = "weighted-mean"
    description = "Weighted mean of normalised answers per dimension (0-100); level = last level whose min is reached."

    def score(self, bank: Questionnaire, answers: Mapping[str, Any]) -> Result:
        plan = plan_for(bank)
        dimensions: dict[str, DimensionResult] = {}
        per_question: dict[str, float] = {}
        counted_all = plan.counted(answers)
        for dim, items in plan.dimensions:
            counted = counted_all[dim.id]
            total = sum(w for _, w, _ in counted)
            score = 100.0 * sum(w * s for _, w, s in counted) / total if total else None
            dimensions[dim.id] = DimensionResult(score, level_for(bank, score), len(counted), len(items))
            per_question.update((q.id, s) for q, _, s in counted)
        overall = overall_score(bank, {k: v.score for k, v in dimensions.items()})
        return Result(overall, level_for(bank, overall), dimensions, per_question)


@hookimpl
def register_rubrics() -> list[Rubric]:
    return [WeightedMean()]

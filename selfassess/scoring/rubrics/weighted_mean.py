"""The default rubric: weighted mean of normalised answers, 0-100, mapped to levels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import Questionnaire
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric
from selfassess.scoring.rubrics.normalise import level_for, overall_score, plan_for


class WeightedMean(Rubric):
    name = "weighted-mean"
    description = "Weighted mean of normalised answers per dimension (0-100); level = last level whose min is reached."

    def score(self, bank: Questionnaire, answers: Mapping[str, Any]) -> Result:
        plan = plan_for(bank)
        get = answers.get
        dimensions: dict[str, DimensionResult] = {}
        per_question: dict[str, float] = {}
        # One pass, no intermediate lists: this is the hot loop of benchmarks and demo data.
        for dim, items in plan.dimensions:
            weights = weighted = 0.0
            counted = 0
            for question, weight, scorer, conditional in items:
                answer = get(question.id)
                if answer is None or (conditional is not None and not is_visible(bank, conditional, answers)):
                    continue
                s = scorer(answer)
                if s is not None:
                    weights += weight
                    weighted += weight * s
                    counted += 1
                    per_question[question.id] = s
            score = 100.0 * weighted / weights if counted else None
            dimensions[dim.id] = DimensionResult(score, level_for(bank, score), counted, len(items))
        overall = overall_score(bank, {k: v.score for k, v in dimensions.items()})
        return Result(overall, level_for(bank, overall), dimensions, per_question)


@hookimpl
def register_rubrics() -> list[Rubric]:
    return [WeightedMean()]

"""The default rubric: weighted mean of normalised answers, 0-100, mapped to levels.

``trustworthiness: {register: 1, records: 1, estimate: 0.5}`` multiplies the weight of a
figure by the factor of the source the respondent gave for it (default: every factor 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import TRUST_SOURCES, Questionnaire
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric, Setting
from selfassess.scoring.rubrics.normalise import level_for, plan_for


class WeightedMean(Rubric):
    name = "weighted-mean"
    description = "Weighted mean of normalised answers per dimension (0-100); level = last level whose min is reached."
    settings = MappingProxyType(
        {
            "trustworthiness": Setting(
                "factors",
                "per source of a figure (number questions with trustworthiness), the factor (0-1) its weight is "
                "multiplied by; default 1",
                0,
                1,
                keys=TRUST_SOURCES,
            )
        }
    )

    def score(self, bank: Questionnaire, answers: Mapping[str, Any]) -> Result:
        plan = plan_for(bank)
        get = answers.get
        factors: Mapping[Any, float] = bank.rubric.settings.get("trustworthiness") or {}
        dimensions: dict[str, DimensionResult] = {}
        per_question: dict[str, float] = {}
        per_weight: dict[str, float] = {}
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
                    if type(answer) is dict:  # a figure with its source
                        weight = weight * float(factors.get(answer.get("source"), 1.0))
                        if weight <= 0:
                            continue  # a source the rubric does not trust at all counts like no answer
                        per_weight[question.id] = weight
                    weights += weight
                    weighted += weight * s
                    counted += 1
                    per_question[question.id] = s
            score = 100.0 * weighted / weights if counted else None
            dimensions[dim.id] = DimensionResult(score, level_for(bank, score), counted, len(items))
        overall, level = self.combine(bank, dimensions)
        return Result(overall, level, dimensions, per_question, per_weight)


@hookimpl
def register_rubrics() -> list[Rubric]:
    return [WeightedMean()]

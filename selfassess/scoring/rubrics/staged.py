"""The staged rubric: a level is reached only when every question of it and below is met.

Each scored question carries ``level: <level id>`` (not the first level). A question
is met when its normalised score reaches ``rubric.threshold`` (default 0.75).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from selfassess.bank.model import Questionnaire
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric, RubricProblem, Setting
from selfassess.scoring.rubrics.normalise import overall_score, plan_for

DEFAULT_THRESHOLD = 0.75


class Staged(Rubric):
    name = "staged"
    description = "Staged maturity: a level counts only when every question of it and of all levels below is met."
    settings = MappingProxyType(
        {"threshold": Setting("number", "normalised score (0-1) at which a question counts as met; default 0.75", 0, 1)}
    )
    question_settings = MappingProxyType(
        {"level": Setting("level", "the level this question is a criterion for (not the first level)")}
    )

    def check(self, bank: Questionnaire) -> Iterable[RubricProblem]:
        first = bank.rubric.levels[0].id if bank.rubric.levels else None
        later = [lvl.id for lvl in bank.rubric.levels[1:]]
        for question in bank.scored_questions:
            level = question.settings.get("level")
            if level is None:
                yield RubricProblem(
                    question.where,
                    f"question '{question.id}' has no 'level:'; the staged rubric needs one per scored question "
                    f"(one of: {', '.join(later) or 'add a second level first'})",
                )
            elif level == first:
                yield RubricProblem(
                    (*question.where, "level"),
                    f"question '{question.id}' is tagged with the first level '{first}', which needs nothing; "
                    f"use one of: {', '.join(later)}",
                )

    def score(self, bank: Questionnaire, answers: Mapping[str, Any]) -> Result:
        threshold = float(bank.rubric.settings.get("threshold", DEFAULT_THRESHOLD))
        rank = {lvl.id: i for i, lvl in enumerate(bank.rubric.levels)}
        plan = plan_for(bank)
        counted_all = plan.counted(answers)
        dimensions: dict[str, DimensionResult] = {}
        per_question: dict[str, float] = {}
        for dim, items in plan.dimensions:
            counted = counted_all[dim.id]
            if not counted:
                dimensions[dim.id] = DimensionResult(None, None, 0, len(items))
                continue
            met = [s >= threshold for _, _, s in counted]
            # The first level whose criteria are not all met stops the climb.
            reached = len(bank.rubric.levels) - 1
            for (question, _, _), ok in zip(counted, met, strict=True):
                if not ok:
                    reached = min(reached, rank[question.settings["level"]] - 1)
            score = 100.0 * sum(met) / len(met)
            dimensions[dim.id] = DimensionResult(score, bank.rubric.levels[reached].id, len(counted), len(items))
            per_question.update((q.id, s) for q, _, s in counted)
        overall, overall_level = self.combine(bank, dimensions)
        return Result(overall, overall_level, dimensions, per_question)

    def combine(
        self, bank: Questionnaire, dimensions: Mapping[str, DimensionResult]
    ) -> tuple[float | None, str | None]:
        """The mean of the dimension scores; the level every dimension reached (the lowest)."""
        rank = {lvl.id: i for i, lvl in enumerate(bank.rubric.levels)}
        overall = overall_score(bank, {k: v.score for k, v in dimensions.items()})
        levels = [rank[d.level] for d in dimensions.values() if d.level is not None]
        return overall, bank.rubric.levels[min(levels)].id if levels else None


@hookimpl
def register_rubrics() -> list[Rubric]:
    return [Staged()]

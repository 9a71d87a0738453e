"""A rubric where a dimension is only as strong as its weakest answer.

score = 100 x (blend x lowest s + (1 - blend) x weighted mean of s), per dimension.
"""

from types import MappingProxyType

from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics import DimensionResult, Result, Rubric, Setting
from selfassess.scoring.rubrics.base import RubricProblem
from selfassess.scoring.rubrics.normalise import level_for, overall_score, plan_for


class WeakestLink(Rubric):
    name = "weakest-link"
    description = "Blend of the weakest answer and the mean: one gap pulls the whole dimension down."
    settings = MappingProxyType(
        {"blend": Setting("number", "share of the score taken from the weakest answer (0-1); default 0.5", 0, 1)}
    )

    def check(self, bank):
        if bank.rubric.settings.get("blend") == 0:
            yield RubricProblem(
                ("rubric", "blend"), "blend 0 is plain weighted-mean; use plugin: weighted-mean instead"
            )

    def score(self, bank, answers):
        blend = float(bank.rubric.settings.get("blend", 0.5))
        plan = plan_for(bank)
        counted = plan.counted(answers)
        dimensions = {}
        for dim, items in plan.dimensions:
            rows = counted[dim.id]
            if not rows:
                dimensions[dim.id] = DimensionResult(None, None, 0, len(items))
                continue
            mean = sum(w * s for _, w, s in rows) / sum(w for _, w, _ in rows)
            value = 100 * (blend * min(s for _, _, s in rows) + (1 - blend) * mean)
            dimensions[dim.id] = DimensionResult(value, level_for(bank, value), len(rows), len(items))
        overall = overall_score(bank, {k: d.score for k, d in dimensions.items()})
        return Result(overall, level_for(bank, overall), dimensions)


@hookimpl
def register_rubrics():
    return [WeakestLink()]

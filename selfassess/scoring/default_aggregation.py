"""The default way to combine an organisation's role groups: the role-weighted mean of their means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import fmean

from selfassess.bank.model import Questionnaire
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics.base import Result


def group_mean(results: Sequence[Result], dimension_id: str) -> float | None:
    """Mean of the respondents' scores in a dimension, over those who have one."""
    scores = [s for r in results if (s := r.dimensions[dimension_id].score) is not None]
    return fmean(scores) if scores else None


def weighted_mean_of_groups(bank: Questionnaire, groups: Mapping[str, Sequence[Result]]) -> dict[str, float | None]:
    """Per dimension, Σ role weight × group mean / Σ role weight over the groups with a mean."""
    weights = {role.id: role.weight for role in bank.roles}
    combined: dict[str, float | None] = {}
    for dim in bank.dimensions:
        total = weight_sum = 0.0
        for role_id, results in groups.items():
            mean = group_mean(results, dim.id)
            if mean is not None:
                total += weights[role_id] * mean
                weight_sum += weights[role_id]
        combined[dim.id] = total / weight_sum if weight_sum else None
    return combined


# Last, so that any installed plugin that answers for a bank is asked first.
@hookimpl(trylast=True)
def aggregate_groups(bank: Questionnaire, groups: Mapping[str, Sequence[Result]]) -> Mapping[str, float | None]:
    return weighted_mean_of_groups(bank, groups)

"""An organisation's score from its role groups: each group's figures, then their combination.

Each respondent is scored as today, on their role's view of the bank
(``engine.score(bank, answers, role=...)``). :func:`combine` takes those results per role,
keeps the groups that reached their ``min_respondents`` and asks the ``aggregate_groups`` hook
for the combined score per dimension (default: the role-weighted mean of the group means).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import quantiles
from typing import NamedTuple, cast

import pluggy

from selfassess.bank.model import Questionnaire
from selfassess.scoring.default_aggregation import group_mean
from selfassess.scoring.plugins import plugin_manager
from selfassess.scoring.rubrics.base import Result
from selfassess.scoring.rubrics.normalise import level_for, overall_score


class Spread(NamedTuple):
    """Lowest, quartiles and highest of a group's scores (quartiles of one score are that score)."""

    low: float
    q1: float
    median: float
    q3: float
    high: float


class GroupDimension(NamedTuple):
    """One group's figures in one dimension; ``mean`` is ``None`` when no respondent has a score."""

    mean: float | None
    spread: Spread | None
    # How many of the group's respondents have a score in the dimension.
    counted: int


@dataclass(frozen=True)
class Group:
    """A role group: how many answered, how many are needed, and (once reached) its figures."""

    role: str
    respondents: int
    needed: int
    # Per dimension id; empty until the group reached its minimum, so that no small group is shown.
    dimensions: Mapping[str, GroupDimension]

    @property
    def reached(self) -> bool:
        """True when enough people answered for the group to count ("2 of the 5 needed": False)."""
        return self.respondents >= self.needed


class CombinedDimension(NamedTuple):
    """The organisation's score and level in a dimension, and the groups combined into it."""

    score: float | None
    level: str | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationResult:
    """The organisation's scores: overall and per dimension, and each role group's figures."""

    score: float | None
    level: str | None
    dimensions: Mapping[str, CombinedDimension]
    groups: Mapping[str, Group]


def spread(scores: Sequence[float]) -> Spread | None:
    """Return the spread of *scores* (inclusive quartiles, as for a whole population)."""
    if not scores:
        return None
    ordered = sorted(scores)
    if len(ordered) == 1:
        only = ordered[0]
        return Spread(only, only, only, only, only)
    q1, median, q3 = quantiles(ordered, n=4, method="inclusive")
    return Spread(ordered[0], q1, median, q3, ordered[-1])


def own_rubric_level(bank: Questionnaire, dimension_id: str, groups: Mapping[str, Sequence[Result]]) -> str | None:
    """The organisation's level in a dimension with a rubric of its own (a staged one).

    Its score (e.g. the share of criteria met) says nothing of the level, so the levels are
    combined instead: each group's is the highest level that at least half its respondents
    reached, and the organisation's the lowest of the groups': every counted group sees at
    least that level in place.
    """
    rank = {lvl.id: i for i, lvl in enumerate(bank.rubric.levels)}
    found = []
    for results in groups.values():
        ranks = sorted(rank[level] for r in results if (level := r.dimensions[dimension_id].level) in rank)
        if ranks:
            found.append(ranks[len(ranks) // 2])  # at least half reached this rank or more
    return bank.rubric.levels[min(found)].id if found else None


def combine(
    bank: Questionnaire, group_results: Mapping[str, Sequence[Result]], *, pm: pluggy.PluginManager | None = None
) -> OrganisationResult:
    """Combine the results of an organisation's respondents, given per role id.

    Roles without results count as groups of 0 respondents. The overall score is the
    dimension-weighted mean of the combined dimension scores; levels are the rubric's levels.
    """
    if not bank.roles:
        raise ValueError(f"bank {bank.id!r} declares no roles; score its one respondent with engine.score")
    unknown = sorted(set(group_results) - {r.id for r in bank.roles})
    if unknown:
        raise ValueError(f"bank {bank.id!r} has no role {', '.join(map(repr, unknown))}")
    groups: dict[str, Group] = {}
    reached: dict[str, Sequence[Result]] = {}
    for role in bank.roles:
        results = group_results.get(role.id, ())
        figures: dict[str, GroupDimension] = {}
        if len(results) >= role.min_respondents:
            reached[role.id] = results
            for dim in bank.dimensions:
                scores = [s for r in results if (s := r.dimensions[dim.id].score) is not None]
                figures[dim.id] = GroupDimension(group_mean(results, dim.id), spread(scores), len(scores))
        groups[role.id] = Group(role.id, len(results), role.min_respondents, figures)
    hook = (pm or plugin_manager()).hook.aggregate_groups
    combined = cast(Mapping[str, float | None], hook(bank=bank, groups=reached))
    dimensions = {
        dim.id: CombinedDimension(
            combined.get(dim.id),
            level_for(bank, combined.get(dim.id)) if dim.rubric is None else own_rubric_level(bank, dim.id, reached),
            tuple(
                role for role, g in groups.items() if dim.id in g.dimensions and g.dimensions[dim.id].mean is not None
            ),
        )
        for dim in bank.dimensions
    }
    overall = overall_score(bank, {k: d.score for k, d in dimensions.items()})
    return OrganisationResult(overall, level_for(bank, overall), dimensions, groups)

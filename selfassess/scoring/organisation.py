"""An organisation's score from its role groups: each group's figures, then their combination.

Each respondent is scored as today, on their role's view of the bank
(``engine.score(bank, answers, role=...)``). :func:`combine` takes those results per role,
keeps the groups that reached their ``min_respondents`` and asks the ``aggregate_groups`` hook
for the combined score per dimension (default: the role-weighted mean of the group means).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import quantiles
from typing import NamedTuple, cast

import pluggy

from selfassess.bank.model import Questionnaire
from selfassess.scoring.default_aggregation import group_mean
from selfassess.scoring.plugins import plugin_manager
from selfassess.scoring.rubrics.base import DimensionResult, Result
from selfassess.scoring.rubrics.normalise import level_for, overall_score

# A group's spread is shown from this many scores: with fewer, its quartiles would be (near)
# single respondents' own scores. The lowest and highest score are never kept: they are.
SPREAD_FROM = 5


class Spread(NamedTuple):
    """The quartiles of a group's scores: the middle half runs from q1 to q3."""

    q1: float
    median: float
    q3: float


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
    """Return the quartiles of *scores* (inclusive, as for a whole population), or ``None`` below SPREAD_FROM."""
    if len(scores) < SPREAD_FROM:
        return None
    q1, median, q3 = quantiles(sorted(scores), n=4, method="inclusive")
    return Spread(q1, median, q3)


def without_small_dimensions(results: Sequence[Result], bank: Questionnaire, minimum: int) -> list[Result]:
    """*results* with each dimension that fewer than *minimum* of them have a score in left unscored.

    A group reaches its minimum by how many answered; in a dimension where only some of them
    have a score (questions not applicable, "don't know", show_if), its mean would otherwise be
    one or two people's own scores, shown to the coordinator and mixed into the organisation's.
    """
    small = {
        dim.id for dim in bank.dimensions if 0 < sum(r.dimensions[dim.id].score is not None for r in results) < minimum
    }
    if not small:
        return list(results)
    out = []
    for r in results:
        dims = {k: (DimensionResult(None, None, 0, d.of) if k in small else d) for k, d in r.dimensions.items()}
        out.append(replace(r, dimensions=dims))
    return out


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
            results = reached[role.id] = without_small_dimensions(results, bank, role.min_respondents)
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

"""Hook specifications: what a selfassess plugin may implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from selfassess.bank.model import Questionnaire
    from selfassess.scoring.rubrics.base import Result, Rubric

hookspec = pluggy.HookspecMarker("selfassess")
hookimpl = pluggy.HookimplMarker("selfassess")


@hookspec
def register_rubrics() -> list[Rubric]:  # type: ignore[empty-body]
    """Return the rubrics this plugin provides.

    :return: a list of :class:`selfassess.scoring.rubrics.Rubric` instances, each with a
        unique ``name`` that banks use in ``rubric.plugin``.
    """


@hookspec(firstresult=True)
def aggregate_groups(bank: Questionnaire, groups: Mapping[str, Sequence[Result]]) -> Mapping[str, float | None] | None:
    """Combine the role groups' results into the organisation's score per dimension.

    :param bank: the bank, with its ``roles``.
    :param groups: per role id, the results of that group's respondents (each scored on the
        role's view of the bank); only groups that reached their ``min_respondents``.
    :return: per dimension id, the combined 0-100 score (``None``: no group has one), or
        ``None`` to leave this bank to the next plugin and finally to the default, the
        role-weighted mean of the groups' mean scores.
    """

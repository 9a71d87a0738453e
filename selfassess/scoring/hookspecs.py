"""Hook specifications: what a selfassess plugin may implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from selfassess.scoring.rubrics.base import Rubric

hookspec = pluggy.HookspecMarker("selfassess")
hookimpl = pluggy.HookimplMarker("selfassess")


@hookspec
def register_rubrics() -> list[Rubric]:  # type: ignore[empty-body]
    """Return the rubrics this plugin provides.

    :return: a list of :class:`selfassess.scoring.rubrics.Rubric` instances, each with a
        unique ``name`` that banks use in ``rubric.plugin``.
    """

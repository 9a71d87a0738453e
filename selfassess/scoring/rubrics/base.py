"""What a rubric plugin provides, and the result it returns.

A rubric is an object with a ``name``, the settings it accepts (in the bank's
``rubric:`` block and on questions), a ``check`` that finds semantic mistakes in
those settings, and a ``score`` that turns answers into a :class:`Result`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from selfassess.bank.model import Questionnaire
from selfassess.scoring.rubrics.normalise import level_for, overall_score

DocPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Setting:
    """A key a rubric accepts; the loader checks its type, the rubric its meaning.

    ``kind`` is ``number``, ``string``, ``level`` (the id of one of the bank's levels) or
    ``factors`` (a map of some of ``keys`` to numbers within ``minimum``..``maximum``).
    """

    kind: Literal["number", "string", "level", "factors"]
    help: str
    minimum: float | None = None
    maximum: float | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class RubricProblem:
    """A mistake in a bank's rubric settings, at a path inside its YAML document."""

    where: DocPath
    message: str


class DimensionResult(NamedTuple):
    """A dimension's score (0-100, full precision) and level; ``None`` when nothing counted."""

    score: float | None
    level: str | None
    counted: int
    of: int


@dataclass(frozen=True)
class Result:
    """Scores of one response: overall and per dimension, in the bank's dimension order."""

    score: float | None
    level: str | None
    dimensions: Mapping[str, DimensionResult]
    # Per question id: the normalised score in [0, 1] of each counted question.
    questions: Mapping[str, float] = field(default_factory=dict)
    # Per question id: the weight of a counted question where the rubric changed it (weighted-mean:
    # by the factor of a figure's source); the preview shows it; never compared.
    weights: Mapping[str, float] = field(default_factory=dict, compare=False)


class Rubric:
    """Base class for rubrics; subclass it and return an instance from ``register_rubrics``."""

    name: str = ""
    description: str = ""
    #: Keys accepted in the bank's ``rubric:`` block besides ``plugin`` and ``levels``.
    settings: Mapping[str, Setting] = MappingProxyType({})
    #: Keys accepted on questions, e.g. the staged rubric's ``level``.
    question_settings: Mapping[str, Setting] = MappingProxyType({})

    def check(self, bank: Questionnaire) -> Iterable[RubricProblem]:
        """Yield the mistakes in *bank*'s settings for this rubric."""
        return ()

    def score(self, bank: Questionnaire, answers: Mapping[str, Any]) -> Result:
        """Score *answers* (question id → value, list, ``"na"`` or ``"dk"``), already validated."""
        raise NotImplementedError

    def combine(
        self, bank: Questionnaire, dimensions: Mapping[str, DimensionResult]
    ) -> tuple[float | None, str | None]:
        """Return the overall score and level from the dimensions' results.

        The default: the mean of the dimension scores weighted by the dimensions' weights, and
        the last level whose ``min`` it reaches. It also combines a bank whose dimensions have
        rubrics of their own (``rubric:`` on a dimension), with this, the bank's rubric.
        """
        overall = overall_score(bank, {k: v.score for k, v in dimensions.items()})
        return overall, level_for(bank, overall)

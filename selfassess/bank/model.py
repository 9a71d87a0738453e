"""The question-bank model: immutable objects built by :mod:`selfassess.bank.loader`.

Questionnaire → dimensions (the radar chart's axes) → questions → options.
Every human text is a :class:`Text`, a map of language code → string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

QuestionType = Literal["scale", "choice", "multi", "yesno", "number", "text"]
QUESTION_TYPES: tuple[str, ...] = ("scale", "choice", "multi", "yesno", "number", "text")
SCORED_TYPES: frozenset[str] = frozenset({"scale", "choice", "multi", "yesno", "number"})
NOT_APPLICABLE = "na"

Value = str | int | float
Answer = Value | list[Value]


def frozen_map(items: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """Return a read-only copy of *items*."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Text:
    """A human text in one or more languages; the first language is the bank's default."""

    translations: Mapping[str, str]

    def get(self, lang: str | None = None) -> str:
        """Return the text in *lang*, falling back to the default language."""
        if lang is not None and lang in self.translations:
            return self.translations[lang]
        return next(iter(self.translations.values()), "")

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Option:
    """One answer a respondent can pick; ``score`` is ``None`` for scale options."""

    value: Value
    label: Text
    score: float | None = None

    @property
    def key(self) -> str:
        """The value as a string, the way it travels in forms and URLs."""
        return value_key(self.value)


def value_key(value: Any) -> str:
    """Return the canonical string form of an answer value (``2`` and ``2.0`` agree)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when an earlier answer matches.

    ``operator`` is ``equals``, ``in`` (any chosen value in ``value``) or ``min``.
    """

    question: str
    operator: Literal["equals", "in", "min"]
    value: Any


@dataclass(frozen=True)
class Question:
    """A question; profile questions have ``dimension`` ``None`` and are never scored."""

    id: str
    type: str
    text: Text
    help: Text | None = None
    scale: str | None = None
    options: tuple[Option, ...] = ()
    weight: float = 1.0
    required: bool = True
    allow_na: bool = False
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    score_from: float | None = None
    score_to: float | None = None
    show_if: ShowIf | None = None
    dimension: str | None = None
    # Where the question sits in its YAML document, for messages about it.
    where: tuple[str | int, ...] = field(default=(), compare=False)
    # Keys a rubric plugin declared for questions (the staged rubric's ``level``).
    settings: Mapping[str, Any] = field(default_factory=frozen_map)

    @property
    def scored(self) -> bool:
        """True when the question counts towards a dimension's score."""
        return self.dimension is not None and self.type in SCORED_TYPES

    def option(self, value: Any) -> Option | None:
        """Return the option whose value matches *value* (``"3"`` matches ``3``)."""
        by_key: dict[str, Option] | None = self.__dict__.get("_options_by_key")
        if by_key is None:  # built on first use and kept on the frozen instance
            by_key = {}
            for option in self.options:
                by_key.setdefault(option.key, option)
            object.__setattr__(self, "_options_by_key", by_key)
        return by_key.get(value_key(value))


@dataclass(frozen=True)
class Level:
    """A maturity level reached at ``min`` on the 0-100 score."""

    id: str
    min: float
    label: Text
    description: Text | None = None


@dataclass(frozen=True)
class RubricSpec:
    """The bank's ``rubric:`` block: which plugin scores it, its levels and its own settings."""

    plugin: str
    levels: tuple[Level, ...]
    settings: Mapping[str, Any] = field(default_factory=frozen_map)

    def level(self, level_id: str) -> Level | None:
        """Return the level called *level_id*."""
        return next((lvl for lvl in self.levels if lvl.id == level_id), None)


@dataclass(frozen=True)
class Dimension:
    """One axis of the radar chart, with its questions and advice per level."""

    id: str
    title: Text
    questions: tuple[Question, ...]
    weight: float = 1.0
    description: Text | None = None
    feedback: Mapping[str, Text] = field(default_factory=frozen_map)
    where: tuple[str | int, ...] = field(default=(), compare=False)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions of this dimension that count towards its score."""
        return tuple(q for q in self.questions if q.scored)


@dataclass(frozen=True)
class Questionnaire:
    """A whole question bank."""

    id: str
    version: str
    title: Text
    languages: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    rubric: RubricSpec
    description: Text | None = None
    scales: Mapping[str, tuple[Option, ...]] = field(default_factory=frozen_map)
    profile: tuple[Question, ...] = ()
    source: str = ""
    # sha256 of the file's bytes: which exact text a response answered.
    content_hash: str = ""
    # The YAML text itself, stored with the first response to this version.
    text: str = field(default="", repr=False, compare=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question in order: profile first, then each dimension's."""
        cached: tuple[Question, ...] | None = self.__dict__.get("_questions")
        if cached is None:  # asked on every page save: worked out once per bank
            cached = self.profile + tuple(q for d in self.dimensions for q in d.questions)
            object.__setattr__(self, "_questions", cached)
        return cached

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions that count towards a score."""
        return tuple(q for d in self.dimensions for q in d.questions if q.scored)

    def question(self, question_id: str) -> Question | None:
        """Return the question called *question_id*, profile included."""
        return self._index.get(question_id)

    def dimension(self, dimension_id: str) -> Dimension | None:
        """Return the dimension called *dimension_id*."""
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    @property
    def _index(self) -> Mapping[str, Question]:
        # Built lazily and cached on the frozen instance.
        try:
            return self.__dict__["_index_cache"]  # type: ignore[no-any-return]
        except KeyError:
            index = {q.id: q for q in self.questions}
            object.__setattr__(self, "_index_cache", index)
            return index

"""The question-bank model: immutable objects built by :mod:`selfassess.bank.loader`.

Questionnaire → dimensions (the radar chart's axes) → questions → options.
Every human text is a :class:`Text`, a map of language code → string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

NOT_APPLICABLE = "na"
# "Don't know" (with allow_dont_know): answered, never scored, counted as a knowledge gap.
DONT_KNOW = "dk"
# Answers that say why there is no real answer: no option may take these values.
RESERVED_ANSWERS = (NOT_APPLICABLE, DONT_KNOW)
# Where a figure comes from (number questions with trustworthiness), most trustworthy first.
TRUST_SOURCES = ("register", "records", "estimate")

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


def figure(answer: Any) -> Any:
    """Return the figure of a number answer: ``{"value": 42, "source": ...}`` gives 42; others as they are."""
    return answer.get("value") if isinstance(answer, dict) else answer


def figure_source(answer: Any) -> str | None:
    """Return where a figure comes from (one of :data:`TRUST_SOURCES`), or ``None``."""
    return answer.get("source") if isinstance(answer, dict) else None


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
    """A question; profile questions have ``dimension`` ``None`` and are never scored.

    ``type`` names its rules in :mod:`selfassess.bank.questiontypes`.
    """

    id: str
    type: str
    text: Text
    help: Text | None = None
    scale: str | None = None
    options: tuple[Option, ...] = ()
    weight: float = 1.0
    required: bool = True
    allow_na: bool = False
    # Adds "Don't know" ("No data" on number questions): answered, not scored, a knowledge gap.
    allow_dont_know: bool = False
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    score_from: float | None = None
    score_to: float | None = None
    # A number question whose figure comes with its source (TRUST_SOURCES).
    trustworthiness: bool = False
    show_if: ShowIf | None = None
    dimension: str | None = None
    # The ids of the roles that answer it, resolved from its dimension; empty in a bank without roles.
    roles: tuple[str, ...] = ()
    # A text question whose answers may be shown to the coordinator without the writer's name.
    share_text: bool = False
    # True when the question counts towards its dimension's score: set by the loader from its type.
    scored: bool = False
    # Where the question sits in its YAML document, for messages about it.
    where: tuple[str | int, ...] = field(default=(), compare=False)
    # Keys a rubric plugin declared for questions (the staged rubric's ``level``).
    settings: Mapping[str, Any] = field(default_factory=frozen_map)

    @cached_property
    def options_by_key(self) -> Mapping[str, Option]:
        """The options by key; of two options with one key, the first."""
        by_key: dict[str, Option] = {}
        for option in self.options:
            by_key.setdefault(option.key, option)
        return by_key  # typed read-only; a plain dict is the fastest lookup

    def option(self, value: Any) -> Option | None:
        """Return the option whose value matches *value* (``"3"`` matches ``3``)."""
        return self.options_by_key.get(value_key(value))


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
class Role:
    """A group of people in an organisation who answer the questions meant for them."""

    id: str
    label: Text
    # Fewer respondents than this and the group's answers are neither combined nor shown.
    min_respondents: int = 1
    # The group's weight when the organisation's score combines the groups.
    weight: float = 1.0
    where: tuple[str | int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Resource:
    """A link shown in a dimension's next steps: a title and an address per language."""

    title: Text
    # Language → address; a language left out falls back to "en", then to the first given.
    url: Mapping[str, str]
    # The level ids whose next steps show it; empty: every level.
    levels: tuple[str, ...] = ()
    where: tuple[str | int, ...] = field(default=(), compare=False)

    def url_for(self, lang: str | None = None) -> str:
        """Return the address for *lang*."""
        if lang is not None and lang in self.url:
            return self.url[lang]
        return self.url.get("en") or next(iter(self.url.values()), "")

    def shown_at(self, level_id: str | None) -> bool:
        """Whether the next steps of *level_id* show this resource."""
        return not self.levels or level_id in self.levels


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
    # The ids of the roles that answer it; empty in a bank without roles.
    roles: tuple[str, ...] = ()
    # Links for the next steps, per level (see Resource.levels).
    resources: tuple[Resource, ...] = ()
    # A rubric of its own (e.g. "staged" inside a weighted-mean bank) and that rubric's settings.
    rubric: str | None = None
    rubric_settings: Mapping[str, Any] = field(default_factory=frozen_map)

    def resources_for(self, level_id: str | None) -> tuple[Resource, ...]:
        """The resources the next steps of *level_id* show."""
        return tuple(r for r in self.resources if r.shown_at(level_id))

    @cached_property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions of this dimension that count towards its score."""
        return tuple(q for q in self.questions if q.scored)


@dataclass(frozen=True)
class Page:
    """One page of the assessment; ``dimension`` is ``None`` for the profile page."""

    number: int
    questions: tuple[Question, ...]
    dimension: Dimension | None = None

    @property
    def is_profile(self) -> bool:
        """Whether this is the profile page (which also asks the organisation's name)."""
        return self.dimension is None


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
    # Languages still being translated: never offered to respondents (``languages`` holds only
    # complete ones); their texts fall back to the default language where a translation is missing.
    draft_languages: tuple[str, ...] = ()
    # The groups that answer for an organisation; empty: one respondent answers everything.
    roles: tuple[Role, ...] = ()
    # Set on a role's view of a bank (:meth:`for_role`): whose questions it holds.
    viewed_as: str | None = None
    # On a view for one rubric (:meth:`dimension_rubric_views`, :meth:`bank_rubric_view`): the
    # questions of the bank it was cut from, so that a show_if on a question outside the view
    # still finds its target (looked up only, never scored).
    context: tuple[Question, ...] = field(default=(), repr=False, compare=False)

    # Worked out on first use: asked on every page save and every score. A cached_property
    # writes the instance's __dict__, so the dataclass stays frozen and compares by its fields.

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question in order: profile first, then each dimension's."""
        return self.profile + tuple(q for d in self.dimensions for q in d.questions)

    @cached_property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions that count towards a score."""
        return tuple(q for q in self.questions if q.scored)

    @cached_property
    def conditional_questions(self) -> tuple[Question, ...]:
        """The questions with a ``show_if``, in order."""
        return tuple(q for q in self.questions if q.show_if is not None)

    @cached_property
    def unconditional_ids(self) -> frozenset[str]:
        """The ids of the questions always shown (no ``show_if``)."""
        return frozenset(q.id for q in self.questions if q.show_if is None)

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        """The pages of the assessment, numbered from 1: the profile, then one per dimension.

        A round's respondent answers a role's view without the profile (the coordinator's):
        their pages start at the first dimension, and none of them asks for a name.
        """
        first = () if self.viewed_as is not None and not self.profile else (Page(1, self.profile),)
        return (*first, *(Page(len(first) + i + 1, d.questions, d) for i, d in enumerate(self.dimensions)))

    def question(self, question_id: str) -> Question | None:
        """Return the question called *question_id*, profile included."""
        return self._by_id.get(question_id)

    def dimension(self, dimension_id: str) -> Dimension | None:
        """Return the dimension called *dimension_id*."""
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def role(self, role_id: str) -> Role | None:
        """Return the role called *role_id*."""
        return next((r for r in self.roles if r.id == role_id), None)

    @cached_property
    def role_views(self) -> Mapping[str, Questionnaire]:
        """Per role id, the bank as that role sees it (see :meth:`for_role`)."""
        return MappingProxyType({r.id: self._view(r.id) for r in self.roles})

    def for_role(self, role_id: str) -> Questionnaire:
        """Return the bank as *role_id* answers it: every dimension, only that role's questions.

        The profile stays (the coordinator's answers hold for every group); a dimension the
        role does not answer keeps no questions, so rubrics score it ``None``. A rubric written
        for whole banks scores a view unchanged.
        """
        if role_id not in self.role_views:
            raise KeyError(f"bank {self.id!r} has no role {role_id!r}")
        return self.role_views[role_id]

    def questions_for(self, role_id: str) -> tuple[Question, ...]:
        """The questions *role_id* answers, profile excluded, in order."""
        return tuple(q for d in self.for_role(role_id).dimensions for q in d.questions)

    def dimensions_for(self, role_id: str) -> tuple[Dimension, ...]:
        """The dimensions *role_id* answers at least one question of."""
        return tuple(d for d in self.for_role(role_id).dimensions if d.questions)

    def dimension_rubric_views(self) -> dict[str, Questionnaire]:
        """Per dimension with a rubric of its own, the bank as that rubric scores it: that dimension alone.

        Made anew on each call: scoring keeps them beside the bank (``scoring.engine``).
        """
        return {
            d.id: replace(
                self,
                dimensions=(d,),
                rubric=replace(self.rubric, plugin=d.rubric, settings=d.rubric_settings),
                context=self.questions,
            )
            for d in self.dimensions
            if d.rubric is not None
        }

    def bank_rubric_view(self) -> Questionnaire:
        """The bank as its own rubric scores it: without the dimensions that have a rubric of their own."""
        if all(d.rubric is None for d in self.dimensions):
            return self
        return replace(self, dimensions=tuple(d for d in self.dimensions if d.rubric is None), context=self.questions)

    def _view(self, role_id: str) -> Questionnaire:
        dimensions = tuple(
            replace(d, questions=tuple(q for q in d.questions if role_id in q.roles)) for d in self.dimensions
        )
        return replace(self, dimensions=dimensions, viewed_as=role_id)

    @cached_property
    def _by_id(self) -> Mapping[str, Question]:
        return {q.id: q for q in (*self.context, *self.questions)}

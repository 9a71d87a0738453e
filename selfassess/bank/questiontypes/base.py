"""What every question type decides, and the defaults most types share.

A type reads its own YAML keys, puts answers in canonical form, scores them, builds
its form field, reads a page POST, draws random answers and estimates its time.
Rendering lives in the type's template macro (``templates/questions/_<name>.html``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from wtforms import Field, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from selfassess.bank.limits import VALUE, Range
from selfassess.bank.model import DONT_KNOW, NOT_APPLICABLE, Option, Question
from selfassess.bank.yamlsource import Path_

Scorer = Callable[[Any], float | None]
Translate = Callable[..., str]


class BankReader(Protocol):
    """The loader's helpers a type uses to read its keys and report mistakes with their place."""

    @property
    def scales(self) -> Mapping[str, tuple[Option, ...]]: ...

    @property
    def scale_paths(self) -> Mapping[str, Path_]: ...

    def problem(self, path: Path_, message: str, *, at_key: bool = False) -> None: ...

    def mapping(self, path: Path_, value: Any, what: str) -> dict[str, Any] | None: ...

    def keys(
        self,
        path: Path_,
        data: dict[str, Any],
        what: str,
        allowed: set[str],
        required: Iterable[str] = (),
        elsewhere: dict[str, str] | None = None,
    ) -> None: ...

    def number(self, path: Path_, value: Any, what: str, *, within: Range = VALUE) -> float | None: ...

    def flag(self, path: Path_, value: Any, what: str) -> bool | None: ...

    def read_options(
        self, path: Path_, value: Any, what: str, allowed: set[str], *, numeric: bool, scored: bool
    ) -> tuple[Option, ...] | None: ...


class FormData(Protocol):
    """A page POST's fields (Werkzeug's ``MultiDict``)."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class TypeFields:
    """The question's fields that a type reads from its own keys."""

    scale: str | None = None
    options: tuple[Option, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    score_from: float | None = None
    score_to: float | None = None
    trustworthiness: bool = False


@dataclass(frozen=True)
class Posted:
    """What a page POST sent for one question: shown back as typed, kept, cleared or refused."""

    typed: Any
    answer: Any = None
    error: str | None = None
    cleared: bool = False


def no_score(answer: Any) -> float | None:
    """Score nothing: the scorer of questions that do not count."""
    return None


def is_atom(value: Any) -> bool:
    """Return True for a value that can name an option (a word or a number)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def not_one_answer(value: Any) -> str | None:
    """Say what is wrong when a question taking one answer got a list or a map."""
    if isinstance(value, (list, dict)):
        return f"a {'list' if isinstance(value, list) else 'map'} was given, but the question takes one answer"
    return None


def listed_choices(question: Question) -> str:
    """Return the keys a respondent may answer with, for messages."""
    keys = [o.key for o in question.options]
    if question.allow_na:
        keys.append(NOT_APPLICABLE)
    if question.allow_dont_know:
        keys.append(DONT_KNOW)
    return ", ".join(keys)


def reserved_answers(question: Question) -> tuple[str, ...]:
    """The reserved answers *question* takes: "na" with allow_na, "dk" with allow_dont_know."""
    return (NOT_APPLICABLE,) * question.allow_na + (DONT_KNOW,) * question.allow_dont_know


def lookup_scorer(question: Question, scores: Mapping[str, float]) -> Scorer:
    """Return a scorer that looks an answer up in *scores* (by option key)."""
    table: dict[Any, float] = dict(scores)
    # Answers arrive as their canonical values (3, "some") or as form strings ("3").
    for option in question.options:
        table[option.value] = table[option.key]
    return table.get


class QuestionType:
    """One question type's rules; subclasses override what differs from a single-answer type."""

    name: ClassVar[str]
    # Seconds a respondent needs for one question, for the estimated duration.
    seconds: ClassVar[int]
    # The YAML keys only this type (and types like it) take.
    keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[tuple[str, ...]] = ()
    scorable: ClassVar[bool] = True
    # A show_if 'min' may compare with its answers.
    ordered: ClassVar[bool] = False
    # Shown as a list of options to pick from (radio buttons or check boxes).
    has_choices: ClassVar[bool] = False
    # "na" and "dk" mean "not applicable" and "don't know" (with allow_na, allow_dont_know),
    # not a typed answer; a type without them (text) takes neither key.
    takes_na: ClassVar[bool] = True

    # -- the bank file ------------------------------------------------------------

    def read(self, reader: BankReader, block: dict[str, Any], path: Path_, what: str, scored: bool) -> TypeFields:
        """Read and check this type's own keys of a question *block*."""
        return TypeFields()

    def misplaced(self, key: str, what: str, owner: QuestionType) -> str:
        """Return the message for *owner*'s *key* written on a question of this type."""
        return owner.not_here(key, what, self.name)

    def not_here(self, key: str, what: str, qtype: str) -> str:
        """Return the message for this type's *key* written on a question of type *qtype*."""
        return f"'{key}' is only for questions of type {self.name}; remove it from {what}"

    def possible_values(self, question: Question) -> set[str] | None:
        """Return the answers a show_if may compare with, or ``None`` for any."""
        return {o.key for o in question.options} or None

    def schema(self) -> dict[str, Any]:
        """Return the JSON Schema of this type's own keys."""
        return {}

    # -- answers ------------------------------------------------------------------

    def check_answer(self, question: Question, value: Any) -> tuple[Any, str | None]:
        """Return (canonical value, None) or (None, what is wrong) for one answer."""
        if self.takes_na and value == NOT_APPLICABLE:
            if question.allow_na:
                return NOT_APPLICABLE, None
            return None, '"na" (not applicable) is not allowed here; the bank has no allow_na: true for it'
        if self.takes_na and value == DONT_KNOW:
            if question.allow_dont_know:
                return DONT_KNOW, None
            return None, '"dk" (don\'t know) is not allowed here; the bank has no allow_dont_know: true for it'
        return self.canonical(question, value)

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        """Return the canonical form of an answer other than "na" and "dk", or what is wrong with it."""
        raise NotImplementedError

    def option_scores(self, question: Question) -> dict[str, float]:
        """Map each option key to its s in [0, 1]."""
        raise ValueError(f"question {question.id!r} of type {question.type} has no option table")

    def scorer(self, question: Question) -> Scorer:
        """Return a function canonical answer → s in [0, 1] (``None`` when it does not count)."""
        return no_score

    def normalise(self, question: Question, answer: Any) -> float | None:
        """Return s for an answer other than "na" and "dk" as stored or sent."""
        return self.scorer(question)(answer)

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        """Draw an answer at *level* in [0, 1] (higher scores better); ``""`` means none."""
        raise NotImplementedError

    # -- forms --------------------------------------------------------------------

    def choices(self, question: Question, lang: str, _: Translate) -> list[SelectChoice]:
        """Return the options shown, in *lang*, "not applicable" and "don't know" last where allowed."""
        return [
            *(SelectChoice(o.key, o.label.get(lang)) for o in question.options),
            *self.reserved_choices(question, _),
        ]

    def reserved_choices(self, question: Question, _: Translate) -> list[SelectChoice]:
        """Return "Not applicable" and "Don't know" where the question allows them."""
        choices = []
        if question.allow_na:
            choices.append(SelectChoice(NOT_APPLICABLE, _("Not applicable")))
        if question.allow_dont_know:
            choices.append(SelectChoice(DONT_KNOW, self.dont_know_label(_)))
        return choices

    def both_reserved(self, _: Translate) -> str:
        """Return the message for "not applicable" and "don't know" ticked together."""
        return _("Choose either “%(na)s” or “%(dk)s”, not both.", na=_("Not applicable"), dk=self.dont_know_label(_))

    def dont_know_label(self, _: Translate) -> str:
        """Return how "don't know" reads on this type, in the respondent's language."""
        return _("Don't know")

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        """Return the unbound WTForms field of this question."""
        raise NotImplementedError

    def answer_words(self, question: Question, value: Any, lang: str, _: Translate) -> str:
        """Return a stored answer as the respondent chose it: labels, a number with its unit, the text."""
        reserved: dict[str, str] = {c.value: c.label for c in self.reserved_choices(question, _)}
        if isinstance(value, str) and value in reserved:
            return reserved[value]
        if isinstance(value, list):
            labels = [option.label.get(lang) for v in value if (option := question.option(v)) is not None]
            return ", ".join(labels) if labels else _("None of these")
        option = question.option(value) if question.options and is_atom(value) else None
        if option is not None:
            return option.label.get(lang)
        if isinstance(value, float):
            value = f"{value:g}"
        return f"{value} {question.unit}" if question.unit else str(value)

    def read_post(self, question: Question, formdata: FormData, _: Translate) -> Posted:
        """Read what a page POST sent for *question*; an empty field clears the answer."""
        # A number that allows "not applicable" or "no data" sends a text box and check boxes under one name.
        sent = [v.strip() for v in formdata.getlist(question.id) if v.strip()]
        reserved = [v for v in reserved_answers(question) if v in sent]
        if len(reserved) > 1:  # a number's two check boxes, both ticked: keep the figure typed
            return Posted(next((v for v in sent if v not in reserved), ""), error=self.both_reserved(_))
        raw = reserved[0] if reserved else (sent[0] if sent else "")
        if not raw:
            return Posted(raw, cleared=True)
        return self.posted(question, raw, _)

    def posted(self, question: Question, raw: Any, _: Translate) -> Posted:
        """Check a sent answer; a refused one gets the message in the respondent's language."""
        value, error = self.check_answer(question, raw)
        if error is not None:
            return Posted(raw, error=self.error_message(question, _))
        return Posted(raw, answer=value)

    def error_message(self, question: Question, _: Translate) -> str:
        """Return how to fix a refused answer, in the respondent's language."""
        return _("Choose one of the options shown.")


class OneOption(QuestionType):
    """A type answered by picking one option (radio buttons), scored by a table per option."""

    has_choices = True

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        wrong = not_one_answer(value)
        if wrong:
            return None, wrong
        option = question.option(value) if is_atom(value) else None
        if option is None:
            return None, f"{value!r} is not one of the options ({listed_choices(question)})"
        return option.value, None

    def scorer(self, question: Question) -> Scorer:
        return lookup_scorer(question, self.option_scores(question))

    def normalise(self, question: Question, answer: Any) -> float | None:
        return self.scorer(question)(answer) if isinstance(answer, (str, int, float)) else None

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        return RadioField(
            question.text.get(lang),
            choices=self.choices(question, lang, _),
            validators=[Optional()],
            validate_choice=False,
        )

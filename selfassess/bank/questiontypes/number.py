"""Number: a figure typed in, optionally within min..max; s runs linearly from score.from to score.to.

With ``trustworthiness: true`` the respondent also says where the figure comes from, and the
canonical answer is ``{"value": 42, "source": "records"}`` (:data:`~selfassess.bank.model.TRUST_SOURCES`);
:func:`~selfassess.bank.model.figure` reads the figure of either form.
"""

from __future__ import annotations

import math
import random
import sys
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from wtforms import Field, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from selfassess.bank.limits import VALUE
from selfassess.bank.model import TRUST_SOURCES, Question
from selfassess.bank.questiontypes.base import (
    BankReader,
    FormData,
    Posted,
    QuestionType,
    Scorer,
    Translate,
    TypeFields,
    not_one_answer,
    reserved_answers,
)
from selfassess.bank.yamlsource import Path_


class Number(QuestionType):
    """Type a number; ``score: {from, to}`` says which values score 0 and 1."""

    name = "number"
    seconds = 45
    keys = frozenset({"min", "max", "score", "unit", "trustworthiness"})
    ordered = True

    def read(self, reader: BankReader, block: dict[str, Any], path: Path_, what: str, scored: bool) -> TypeFields:
        minimum = reader.number((*path, "min"), block["min"], f"min of {what}") if "min" in block else None
        maximum = reader.number((*path, "max"), block["max"], f"max of {what}") if "max" in block else None
        if minimum is not None and maximum is not None and minimum >= maximum:
            reader.problem((*path, "max"), f"max of {what} ({block['max']}) must be above its min ({block['min']})")
        score_from = score_to = None
        if "score" in block:
            spath = (*path, "score")
            score = reader.mapping(spath, block["score"], f"score of {what}")
            if score is not None:
                reader.keys(spath, score, f"score of {what}", {"from", "to"}, ("from", "to"))
                if "from" in score:
                    score_from = reader.number((*spath, "from"), score["from"], f"score.from of {what}")
                if "to" in score:
                    score_to = reader.number((*spath, "to"), score["to"], f"score.to of {what}")
                if score_from is not None and score_from == score_to:
                    reader.problem(
                        spath,
                        f"score.from and score.to of {what} are equal; they must differ (from > to means lower is better)",
                    )
        elif scored:
            reader.problem(
                path,
                f"{what} is a scored number question but has no 'score: {{from: ..., to: ...}}'; add the values that score 0 and 1",
            )
        unit = block.get("unit")
        trust = False
        if "trustworthiness" in block:
            trust = bool(
                reader.flag((*path, "trustworthiness"), block["trustworthiness"], f"trustworthiness in {what}")
            )
        return TypeFields(
            unit=None if unit is None else str(unit),
            min=minimum,
            max=maximum,
            score_from=score_from,
            score_to=score_to,
            trustworthiness=trust,
        )

    def schema(self) -> dict[str, Any]:
        return {
            "unit": {"type": "string"},
            "min": VALUE.schema(),
            "max": VALUE.schema(),
            "score": {
                "type": "object",
                "properties": {"from": VALUE.schema(), "to": VALUE.schema()},
                "required": ["from", "to"],
                "additionalProperties": False,
            },
            "trustworthiness": {
                "type": "boolean",
                "description": "number questions: the respondent also says where the figure comes from "
                f"({', '.join(TRUST_SOURCES)})",
            },
        }

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        if question.trustworthiness:
            return self._with_source(question, value)
        return self._figure(question, value)

    def _with_source(self, question: Question, value: Any) -> tuple[Any, str | None]:
        sources = ", ".join(TRUST_SOURCES)
        if not isinstance(value, dict):
            return None, (
                f'the figure needs its source: give {{"value": <number>, "source": <one of {sources}>}}, not {value!r}'
            )
        unknown = sorted(set(value) - {"value", "source"})
        if unknown:
            return None, f"unknown key {unknown[0]!r} in the answer; give only value and source"
        number, error = self._figure(question, value.get("value"))
        if error is not None:
            return None, error
        source = value.get("source")
        if source not in TRUST_SOURCES:
            return None, f"the source of the figure must be one of {sources}, not {source!r}"
        return {"value": number, "source": source}, None

    def _figure(self, question: Question, value: Any) -> tuple[Any, str | None]:
        wrong = not_one_answer(value)
        if wrong:
            return None, wrong
        number = _number(value)
        if number is None:
            return None, f"{value!r} is not a number"
        if (question.min is not None and number < question.min) or (question.max is not None and number > question.max):
            return None, f"{value!r} is outside the allowed range {_range(question)}"
        return number, None

    def scorer(self, question: Question) -> Scorer:
        start, end = question.score_from, question.score_to
        if start is None or end is None:
            return super().scorer(question)
        span = end - start

        def number(answer: Any) -> float | None:
            if type(answer) is dict:
                answer = answer.get("value")
            if not isinstance(answer, (int, float)) or isinstance(answer, bool):
                return None
            return min(1.0, max(0.0, (answer - start) / span))

        return number

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else max(low + 1, (question.score_to or 100) * 1.5)
        if question.score_from is not None and question.score_to is not None:
            start, end = question.score_from, question.score_to
            value = start + (end - start) * (level * 1.2 - 0.1)
        else:
            value = low + (high - low) * level
        drawn = round(min(high, max(low, value)), 1)
        if question.trustworthiness:
            return {"value": drawn, "source": rng.choices(TRUST_SOURCES, weights=(3, 5, 2))[0]}
        return drawn

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        return StringField(question.text.get(lang), validators=[Optional()])

    def dont_know_label(self, _: Translate) -> str:
        # The figure is not known: "don't know" reads as a missing figure here.
        return _("No data")

    def source_field(self, question: Question) -> str:
        """Return the name of the form field that says where the figure comes from."""
        # A dot never appears in a question id, so no question's field can have this name.
        return f"{question.id}.source"

    def choices(self, question: Question, lang: str, _: Translate) -> list[SelectChoice]:
        """Return the sources of a figure (with trustworthiness), then "not applicable" and "no data" where allowed."""
        sources = source_labels(_) if question.trustworthiness else {}
        return [*(SelectChoice(key, label) for key, label in sources.items()), *self.reserved_choices(question, _)]

    def answer_words(self, question: Question, value: Any, lang: str, _: Translate) -> str:
        """A figure in the reader's language with its unit, and where it comes from: "57,4 % · Estimation"."""
        if isinstance(value, dict):
            words = self.answer_words(question, value.get("value"), lang, _)
            source = source_labels(_).get(str(value.get("source")))
            return f"{words} · {source}" if source else words
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = figure_text(value, lang)
            return f"{shown} {question.unit}" if question.unit else shown
        return super().answer_words(question, value, lang, _)

    def read_post(self, question: Question, formdata: FormData, _: Translate) -> Posted:
        if not question.trustworthiness:
            return super().read_post(question, formdata, _)
        sent = [v.strip() for v in formdata.getlist(question.id) if v.strip()]
        reserved = [v for v in reserved_answers(question) if v in sent]
        figure_sent = next((v for v in sent if v not in reserved), "")
        source = next((v for v in formdata.getlist(self.source_field(question)) if v), "")
        typed = {"value": figure_sent, "source": source}
        if len(reserved) > 1:
            return Posted(typed, error=self.both_reserved(_))
        if reserved:  # "not applicable" and "no data" have no source to ask for
            return self.posted(question, reserved[0], _)
        if not figure_sent:
            return Posted(typed, cleared=True)
        value, error = self._figure(question, figure_sent)
        if error is not None:
            return Posted(typed, error=self.error_message(question, _))
        if source not in TRUST_SOURCES:
            return Posted(typed, error=_("Say where the figure comes from."))
        return Posted(typed, answer={"value": value, "source": source})

    def error_message(self, question: Question, _: Translate) -> str:
        low = "" if question.min is None else f"{question.min:g}"
        high = "" if question.max is None else f"{question.max:g}"
        if low and high:
            return _("Enter a number from %(min)s to %(max)s.", min=low, max=high)
        if low:
            return _("Enter a number of at least %(min)s.", min=low)
        if high:
            return _("Enter a number of at most %(max)s.", max=high)
        return _("Enter a number, for example 42.")


def figure_text(value: float, lang: str) -> str:
    """A number as the language writes it: "57,4" in French and Danish, "1,234.5" in English."""
    try:
        return format_decimal(value, locale=Locale.parse(lang.replace("-", "_")))
    except (ValueError, UnknownLocaleError):  # a bank language Babel does not know: as Python writes it
        return f"{value:g}" if isinstance(value, float) else str(value)


def source_labels(_: Translate) -> dict[str, str]:
    """Each source of a figure and its label in the respondent's language, most trustworthy first."""
    labels = {"register": _("Register or audited data"), "records": _("Our own records"), "estimate": _("Estimate")}
    return {key: labels[key] for key in TRUST_SOURCES}


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # An answer beyond the float range (a JSON int of 400 digits) is no figure anyone means.
        return value if abs(value) <= sys.float_info.max else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ".")) if value.strip() else None
        except ValueError:
            return None
        if number is None or not math.isfinite(number):
            return None
        # "3" stays an int; "3.0" and "3,0" were written as decimals.
        return int(number) if number.is_integer() and "." not in value and "," not in value else number
    return None


def _range(question: Question) -> str:
    low = "-∞" if question.min is None else f"{question.min:g}"
    high = "∞" if question.max is None else f"{question.max:g}"
    return f"{low} to {high}"

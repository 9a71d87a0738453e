"""Number: a figure typed in, optionally within min..max; s runs linearly from score.from to score.to."""

from __future__ import annotations

import math
import random
import sys
from typing import Any

from wtforms import Field, StringField
from wtforms.validators import Optional

from selfassess.bank.limits import VALUE
from selfassess.bank.model import Question
from selfassess.bank.questiontypes.base import BankReader, QuestionType, Scorer, Translate, TypeFields, not_one_answer
from selfassess.bank.yamlsource import Path_


class Number(QuestionType):
    """Type a number; ``score: {from, to}`` says which values score 0 and 1."""

    name = "number"
    seconds = 45
    keys = frozenset({"min", "max", "score", "unit"})
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
        return TypeFields(
            unit=None if unit is None else str(unit), min=minimum, max=maximum, score_from=score_from, score_to=score_to
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
        }

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
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
        return round(min(high, max(low, value)), 1)

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        return StringField(question.text.get(lang), validators=[Optional()])

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

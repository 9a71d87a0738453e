"""Yes/no: "yes" scores 1, "no" scores 0."""

from __future__ import annotations

import random
from typing import Any

from wtforms.fields.choices import SelectChoice

from selfassess.bank.model import Question, value_key
from selfassess.bank.questiontypes.base import OneOption, Translate, not_one_answer


class YesNo(OneOption):
    """Answer yes or no."""

    name = "yesno"
    seconds = 10

    def possible_values(self, question: Question) -> set[str] | None:
        return {"yes", "no"}

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        wrong = not_one_answer(value)
        if wrong:
            return None, wrong
        key = value_key(value) if isinstance(value, (bool, str)) else None
        if key not in ("yes", "no"):
            return None, f'{value!r} is not an answer to a yes/no question (use "yes" or "no")'
        return key, None

    def option_scores(self, question: Question) -> dict[str, float]:
        return {"yes": 1.0, "no": 0.0}

    def normalise(self, question: Question, answer: Any) -> float | None:
        # YAML and JSON may give true/false: they mean yes/no.
        return self.scorer(question)(value_key(answer)) if isinstance(answer, (str, int, float)) else None

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        return "yes" if rng.random() < level else "no"

    def answer_words(self, question: Question, value: Any, lang: str, _: Translate) -> str:
        if value_key(value) in ("yes", "no") and not isinstance(value, (int, float)):
            return _("Yes") if value_key(value) == "yes" else _("No")
        return super().answer_words(question, value, lang, _)

    def choices(self, question: Question, lang: str, _: Translate) -> list[SelectChoice]:
        return [SelectChoice("yes", _("Yes")), SelectChoice("no", _("No")), *self.reserved_choices(question, _)]

"""Text: a free answer, never scored; shown in the report beside the scores."""

from __future__ import annotations

import random
from typing import Any

from wtforms import Field, TextAreaField
from wtforms.validators import Length, Optional

from selfassess.bank.model import Question
from selfassess.bank.questiontypes.base import Posted, QuestionType, Translate, not_one_answer

MAX_TEXT = 5000  # characters; the textarea's maxlength in templates/questions/_text.html


class Text(QuestionType):
    """Write a free text; "na" is a text like any other."""

    name = "text"
    seconds = 60
    scorable = False
    takes_na = False

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        wrong = not_one_answer(value)
        if wrong:
            return None, wrong
        if not isinstance(value, str):
            return None, f"a text answer must be a string, not {value!r}"
        return value, None

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        # Left empty: synthetic.free_text writes texts, as it knows the respondent's language.
        return ""

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        return TextAreaField(question.text.get(lang), validators=[Optional(), Length(max=MAX_TEXT)])

    def posted(self, question: Question, raw: Any, _: Translate) -> Posted:
        posted = super().posted(question, raw, _)
        if posted.error is None and len(posted.answer) > MAX_TEXT:
            return Posted(raw, error=self.error_message(question, _))
        return posted

    def error_message(self, question: Question, _: Translate) -> str:
        return _("Shorten this answer to at most %(max)d characters.", max=MAX_TEXT)

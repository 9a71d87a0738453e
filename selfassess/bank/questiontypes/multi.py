"""Multi: tick any of the options; s is the sum of the ticked scores over the sum of the positive ones."""

from __future__ import annotations

import random
from typing import Any

from wtforms import Field, SelectMultipleField
from wtforms.validators import Optional

from selfassess.bank.model import DONT_KNOW, NOT_APPLICABLE, Question
from selfassess.bank.questiontypes.base import (
    BankReader,
    FormData,
    Posted,
    QuestionType,
    Scorer,
    Translate,
    TypeFields,
    is_atom,
    listed_choices,
)
from selfassess.bank.questiontypes.choice import options_schema, read_own_options, takes_no_options
from selfassess.bank.yamlsource import Path_


class Multi(QuestionType):
    """Tick any number of the options written on the question, none included."""

    name = "multi"
    seconds = 30
    keys = frozenset({"options"})
    required_keys = ("options",)
    has_choices = True

    def read(self, reader: BankReader, block: dict[str, Any], path: Path_, what: str, scored: bool) -> TypeFields:
        options, scores = read_own_options(reader, block, path, what, self.name, scored)
        if options is None:
            return TypeFields()
        if scores and sum(s for s in scores if s > 0) <= 0:
            reader.problem((*path, "options"), f"{what} has no option with a positive score, so it cannot be scored")
        return TypeFields(options=options)

    def not_here(self, key: str, what: str, qtype: str) -> str:
        return takes_no_options(what, qtype)

    def schema(self) -> dict[str, Any]:
        return options_schema()

    def canonical(self, question: Question, value: Any) -> tuple[Any, str | None]:
        chosen: list[Any] = []
        for item in value if isinstance(value, list) else [value]:
            option = question.option(item) if is_atom(item) else None
            if option is None:
                return None, f"{item!r} is not one of the options ({listed_choices(question)})"
            if option.value not in chosen:
                chosen.append(option.value)
        return chosen, None

    def scorer(self, question: Question) -> Scorer:
        scores: dict[Any, float] = {o.key: o.score or 0.0 for o in question.options}
        for option in question.options:
            scores[option.value] = option.score or 0.0
        total = sum(o.score or 0.0 for o in question.options if (o.score or 0.0) > 0)

        def multi(answer: Any) -> float | None:
            if not isinstance(answer, list):
                return None
            got = 0.0
            for chosen in set(answer):
                got += scores.get(chosen, 0.0)
            return min(1.0, max(0.0, got / total))

        return multi

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        if any(o.score for o in question.options):
            ticked = [o.value for o in question.options if rng.random() < (level if (o.score or 0) > 0 else 1 - level)]
            if not ticked:  # an empty list answers nothing: tick the option nearest the level
                ordered = sorted(question.options, key=lambda o: o.score or 0.0)
                ticked = [ordered[min(len(ordered) - 1, int(level * len(ordered)))].value]
            return ticked
        # An unscored list (sectors, say): most tick one to three options, and "other" seldom.
        wanted = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        pool = list(question.options)
        weights = [0.15 if str(o.value).lower() == "other" else 1.0 for o in pool]
        ticked_options = []
        for _ in range(min(wanted, len(pool))):
            chosen = rng.choices(range(len(pool)), weights=weights)[0]
            ticked_options.append(pool.pop(chosen))
            weights.pop(chosen)
        return [o.value for o in question.options if o in ticked_options]

    def form_field(self, question: Question, lang: str, _: Translate) -> Field:
        return SelectMultipleField(
            question.text.get(lang),
            choices=self.choices(question, lang, _),
            validators=[Optional()],
            validate_choice=False,
        )

    def read_post(self, question: Question, formdata: FormData, _: Translate) -> Posted:
        chosen = [v for v in formdata.getlist(question.id) if v]
        if not chosen:
            # The respondent saw the boxes and ticked none: "none of these" is an answer (s = 0).
            return Posted(chosen, answer=[])
        if NOT_APPLICABLE in chosen and len(chosen) > 1:
            return Posted(chosen, error=_("Choose either “Not applicable” or options, not both."))
        if DONT_KNOW in chosen and len(chosen) > 1:
            return Posted(chosen, error=_("Choose either “Don't know” or options, not both."))
        reserved = chosen[0] if len(chosen) == 1 and chosen[0] in (NOT_APPLICABLE, DONT_KNOW) else None
        posted = self.posted(question, reserved or chosen, _)
        return Posted(chosen, posted.answer, posted.error)

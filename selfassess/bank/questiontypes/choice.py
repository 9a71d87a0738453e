"""Choice: one option of the question's own list; s is the option's score over the best score."""

from __future__ import annotations

import random
from typing import Any

from selfassess.bank.limits import VALUE
from selfassess.bank.model import Option, Question
from selfassess.bank.questiontypes.base import BankReader, OneOption, TypeFields
from selfassess.bank.yamlsource import Path_

OPTION_KEYS = {"value", "label", "score"}


def read_own_options(
    reader: BankReader, block: dict[str, Any], path: Path_, what: str, qtype: str, scored: bool
) -> tuple[tuple[Option, ...] | None, list[float] | None]:
    """Read the 'options:' of a choice or multi question; also return their scores as written."""
    if "options" not in block:
        reader.problem(
            path,
            f"{what} is of type {qtype} but has no options; add 'options:' with value, label{' and score' if scored else ''} for each",
        )
        return None, None
    allowed = OPTION_KEYS if scored else OPTION_KEYS - {"score"}
    options = reader.read_options((*path, "options"), block["options"], what, allowed, numeric=False, scored=scored)
    if options is None:
        return None, None
    # Judge the scores as written, duplicates included, so one mistake gives one message.
    raw: list[Any] = [o.get("score") for o in block["options"] if isinstance(o, dict)]
    scores = [float(x) for x in raw] if scored and raw and all(x in VALUE for x in raw) else None
    return options, scores


def takes_no_options(what: str, qtype: str) -> str:
    """Return the message for 'options:' on a type that has none."""
    return f"{what} is of type {qtype}, which takes no options; remove 'options:' (or use type: choice)"


def options_schema() -> dict[str, Any]:
    """Return the JSON Schema of a question's own 'options:'."""
    return {"options": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}}}


class Choice(OneOption):
    """Pick one of the options written on the question."""

    name = "choice"
    seconds = 20
    keys = frozenset({"options"})
    required_keys = ("options",)

    def read(self, reader: BankReader, block: dict[str, Any], path: Path_, what: str, scored: bool) -> TypeFields:
        options, scores = read_own_options(reader, block, path, what, self.name, scored)
        if options is None:
            return TypeFields()
        if len(block["options"]) < 2:
            reader.problem((*path, "options"), f"{what} needs at least two options to choose from")
        if scores and max(scores) <= 0:
            reader.problem(
                (*path, "options"),
                f"{what} has no option with a score above 0, so it cannot be scored; give the best option the highest score",
            )
        if scores and min(scores) < 0:
            reader.problem((*path, "options"), f"the scores of {what} must not be negative")
        return TypeFields(options=options)

    def not_here(self, key: str, what: str, qtype: str) -> str:
        return takes_no_options(what, qtype)

    def schema(self) -> dict[str, Any]:
        return options_schema()

    def option_scores(self, question: Question) -> dict[str, float]:
        best = max(o.score or 0.0 for o in question.options)
        return {o.key: (o.score or 0.0) / best for o in question.options}

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        ordered = sorted(question.options, key=lambda o: o.score or 0.0)
        return ordered[min(len(ordered) - 1, int(level * len(ordered)))].value

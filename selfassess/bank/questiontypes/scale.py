"""Scale: one step of a named, numbered scale ("agree5"); s rises evenly from lowest to highest."""

from __future__ import annotations

import random
from typing import Any

from selfassess.bank.messages import did_you_mean, kind
from selfassess.bank.model import Question
from selfassess.bank.questiontypes.base import BankReader, OneOption, QuestionType, TypeFields
from selfassess.bank.yamlsource import Path_


class Scale(OneOption):
    """Pick one step of a scale defined under ``scales:``."""

    name = "scale"
    seconds = 15
    keys = frozenset({"scale"})
    required_keys = ("scale",)
    ordered = True

    def read(self, reader: BankReader, block: dict[str, Any], path: Path_, what: str, scored: bool) -> TypeFields:
        scale_id = block.get("scale")
        if scale_id is None:
            defined = ", ".join(sorted(reader.scales)) or "none yet: define one under 'scales:'"
            reader.problem(
                path, f"{what} is of type scale but names no scale; add 'scale: <name>' (defined: {defined})"
            )
            return TypeFields()
        if not isinstance(scale_id, str):
            reader.problem((*path, "scale"), f"'scale:' must be the name of a scale, not {kind(scale_id)}")
            return TypeFields()
        if scale_id not in reader.scales:
            if scale_id not in reader.scale_paths:  # a broken scale was reported already
                defined = ", ".join(sorted(reader.scales)) or "none"
                reader.problem(
                    (*path, "scale"),
                    f"scale {kind(scale_id)} is not defined (defined: {defined}){did_you_mean(scale_id, reader.scales)}",
                )
            return TypeFields()
        return TypeFields(scale=scale_id, options=reader.scales[scale_id])

    def misplaced(self, key: str, what: str, owner: QuestionType) -> str:
        if key == "options":
            return (
                f"{what} is of type scale: it takes its options from 'scale:', remove 'options:' (or use type: choice)"
            )
        return super().misplaced(key, what, owner)

    def not_here(self, key: str, what: str, qtype: str) -> str:
        return f"{what} is of type {qtype}: 'scale:' is only for type scale; remove it"

    def schema(self) -> dict[str, Any]:
        return {"scale": {"type": "string", "description": "the name of a scale under 'scales:' (type scale)"}}

    def option_scores(self, question: Question) -> dict[str, float]:
        values = [float(o.value) for o in question.options]
        low, high = min(values), max(values)
        return {o.key: (float(o.value) - low) / (high - low) for o in question.options}

    def random_answer(self, question: Question, rng: random.Random, level: float) -> Any:
        ordered = sorted(question.options, key=lambda o: float(o.value))
        return ordered[min(len(ordered) - 1, int(level * len(ordered)))].value

"""The authoring side: the question-bank model, reading YAML, the loader's rules, question types.

The model's classes are importable from here (``from selfassess.bank import Questionnaire``).
"""

from selfassess.bank.model import (
    NOT_APPLICABLE,
    Answer,
    Dimension,
    Level,
    Option,
    Question,
    Questionnaire,
    RubricSpec,
    ShowIf,
    Text,
    Value,
    value_key,
)

__all__ = [
    "NOT_APPLICABLE",
    "Answer",
    "Dimension",
    "Level",
    "Option",
    "Question",
    "Questionnaire",
    "RubricSpec",
    "ShowIf",
    "Text",
    "Value",
    "value_key",
]

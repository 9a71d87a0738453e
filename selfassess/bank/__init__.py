"""The authoring side: the question-bank model, reading YAML, the loader's rules, question types.

The model's classes are importable from here (``from selfassess.bank import Questionnaire``).
"""

from selfassess.bank.model import (
    DONT_KNOW,
    NOT_APPLICABLE,
    TRUST_SOURCES,
    Answer,
    Dimension,
    Level,
    Option,
    Question,
    Questionnaire,
    Resource,
    RubricSpec,
    ShowIf,
    Text,
    Value,
    value_key,
)

__all__ = [
    "DONT_KNOW",
    "NOT_APPLICABLE",
    "TRUST_SOURCES",
    "Answer",
    "Dimension",
    "Level",
    "Option",
    "Question",
    "Questionnaire",
    "Resource",
    "RubricSpec",
    "ShowIf",
    "Text",
    "Value",
    "value_key",
]

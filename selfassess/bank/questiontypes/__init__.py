"""Question types by name: each type's rules live in one module here, its HTML in one macro.

Adding a type: a module with a :class:`~selfassess.bank.questiontypes.base.QuestionType`
subclass, its line in :data:`TYPES`, and ``templates/questions/_<name>.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from selfassess.bank.model import Question
from selfassess.bank.questiontypes.base import QuestionType
from selfassess.bank.questiontypes.choice import Choice
from selfassess.bank.questiontypes.multi import Multi
from selfassess.bank.questiontypes.number import Number
from selfassess.bank.questiontypes.scale import Scale
from selfassess.bank.questiontypes.text import Text
from selfassess.bank.questiontypes.yesno import YesNo

TYPES: Mapping[str, QuestionType] = MappingProxyType(
    {t.name: t for t in (Scale(), Choice(), Multi(), YesNo(), Number(), Text())}
)
QUESTION_TYPES: tuple[str, ...] = tuple(TYPES)
SCORED_TYPES: frozenset[str] = frozenset(name for name, t in TYPES.items() if t.scorable)


def _key_owners() -> Mapping[str, QuestionType]:
    owners: dict[str, QuestionType] = {}
    for rules in TYPES.values():
        for key in sorted(rules.keys):
            owners.setdefault(key, rules)  # choice and multi share 'options': choice speaks for it
    return MappingProxyType(owners)


# Which type owns each type-specific YAML key.
KEY_OWNERS = _key_owners()


def type_of(question: Question) -> QuestionType:
    """Return the rules of *question*'s type."""
    return TYPES[question.type]


__all__ = ["KEY_OWNERS", "QUESTION_TYPES", "SCORED_TYPES", "TYPES", "QuestionType", "type_of"]

"""How a bank is split into pages: the profile first, then one page per dimension."""

from __future__ import annotations

from dataclasses import dataclass

from selfassess.bank.model import Dimension, Question, Questionnaire


@dataclass(frozen=True)
class Page:
    """One page of the assessment; ``dimension`` is ``None`` for the profile page."""

    number: int
    questions: tuple[Question, ...]
    dimension: Dimension | None = None


def bank_pages(bank: Questionnaire) -> tuple[Page, ...]:
    """Return the pages of *bank*, numbered from 1."""
    cached = bank.__dict__.get("_pages")
    if cached is None:
        cached = (Page(1, bank.profile), *tuple(Page(i + 2, d.questions, d) for i, d in enumerate(bank.dimensions)))
        object.__setattr__(bank, "_pages", cached)
    return cached


def page_of(bank: Questionnaire, question_id: str) -> int:
    """Return the number of the page that asks *question_id*."""
    for page in bank_pages(bank):
        if any(q.id == question_id for q in page.questions):
            return page.number
    raise KeyError(question_id)

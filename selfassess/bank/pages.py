"""How a bank is split into pages: the profile first, then one page per dimension."""

from __future__ import annotations

from selfassess.bank.model import Page, Questionnaire


def bank_pages(bank: Questionnaire) -> tuple[Page, ...]:
    """Return the pages of *bank*, numbered from 1."""
    return bank.pages


def page_of(bank: Questionnaire, question_id: str) -> int:
    """Return the number of the page that asks *question_id*."""
    for page in bank.pages:
        if any(q.id == question_id for q in page.questions):
            return page.number
    raise KeyError(question_id)


__all__ = ["Page", "bank_pages", "page_of"]

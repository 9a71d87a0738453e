"""Forms built from a bank: one WTForms class per bank version, page and language.

WTForms carries the field data; each answer is read and checked by its question type
(:mod:`selfassess.bank.questiontypes`), the same rules the command line applies, with
messages in the respondent's language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import Optional

from selfassess.bank.model import Questionnaire
from selfassess.bank.pages import Page
from selfassess.bank.questiontypes import TYPES, type_of
from selfassess.bank.questiontypes.text import MAX_TEXT

ORGANISATION_FIELD = "_organisation"  # never a question id: those start with a letter or digit
MAX_NAME = 200
# Form classes kept per app; a few banks times pages times languages, bounded for reloads.
MAX_FORM_CLASSES = 512
CHOICE_TYPES = tuple(name for name, rules in TYPES.items() if rules.has_choices)

Translate = Callable[..., str]
_classes_lock = threading.Lock()


def page_choices(bank: Questionnaire, page: Page, lang: str, _: Translate) -> dict[str, list[tuple[str, str]]]:
    """Return (value, label) pairs of the choices of every question on *page*, in *lang* (none for text)."""
    # A number question's choices are the sources of its figure and its reserved answers.
    return {q.id: [(c.value, c.label) for c in type_of(q).choices(q, lang, _)] for q in page.questions}


def _form_class(bank: Questionnaire, page: Page, lang: str, _: Translate) -> type[Form]:
    # Building a class costs more than binding it: one per bank version, page and language,
    # kept by the app, never on the bank. CSRF is checked before the form is read
    # (selfassess.web.sessions.check_csrf).
    classes: dict[tuple[str, int, str], type[Form]] = current_app.extensions.setdefault("selfassess_form_classes", {})
    key = (bank.content_hash, page.number, lang)
    found = classes.get(key)
    if found is not None:
        return found
    attributes: dict[str, Any] = {q.id: type_of(q).form_field(q, lang, _) for q in page.questions}
    if page.is_profile:
        attributes[ORGANISATION_FIELD] = StringField(_("Name of your organisation"), validators=[Optional()])
    made = type(f"Page{page.number}Form", (Form,), attributes)
    with _classes_lock:
        while len(classes) >= MAX_FORM_CLASSES:
            del classes[next(iter(classes))]  # the oldest first
        return classes.setdefault(key, made)


def page_form(bank: Questionnaire, page: Page, lang: str, _: Translate, formdata: MultiDict[str, str]) -> Form:
    """Return the form of *page* filled from a POST (a new instance per request)."""
    return _form_class(bank, page, lang, _)(formdata=formdata)


@dataclass
class PagePost:
    """What a page POST holds: answers to keep, ones to clear, and what was wrong."""

    answers: dict[str, Any] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)
    organisation: str | None = None


def read_page(page: Page, formdata: MultiDict[str, str], _: Translate) -> PagePost:
    """Read and check the answers posted on *page* (hidden questions are sorted out later)."""
    post = PagePost()
    for question in page.questions:
        posted = type_of(question).read_post(question, formdata, _)
        post.typed[question.id] = posted.typed
        if posted.cleared:
            post.cleared.add(question.id)
        elif posted.error is not None:
            post.errors[question.id] = posted.error
        else:
            post.answers[question.id] = posted.answer
    if page.is_profile:
        name = (formdata.get(ORGANISATION_FIELD) or "").strip()
        post.typed[ORGANISATION_FIELD] = name
        if len(name) > MAX_NAME:
            post.errors[ORGANISATION_FIELD] = _("Shorten the name to at most %(max)d characters.", max=MAX_NAME)
        else:
            post.organisation = name
    return post


__all__ = [
    "CHOICE_TYPES",
    "MAX_NAME",
    "MAX_TEXT",
    "ORGANISATION_FIELD",
    "PagePost",
    "page_choices",
    "page_form",
    "read_page",
]

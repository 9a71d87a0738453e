"""Forms built from a bank: one WTForms class per bank version, page and language.

WTForms carries the CSRF token and the field data; the answers themselves are
checked by :func:`selfassess.bank.answers.canonical_answer`, the same rules the
command line applies, with messages in the respondent's language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field, Form, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from selfassess.bank.answers import canonical_answer
from selfassess.bank.model import NOT_APPLICABLE, Question, Questionnaire
from selfassess.bank.pages import Page

ORGANISATION_FIELD = "_organisation"  # never a question id: those start with a letter or digit
MAX_TEXT = 5000
MAX_NAME = 200

Translate = Callable[..., str]


def _choices(question: Question, lang: str, _: Translate) -> list[SelectChoice]:
    if question.type == "yesno":
        choices = [SelectChoice("yes", _("Yes")), SelectChoice("no", _("No"))]
    else:
        choices = [SelectChoice(o.key, o.label.get(lang)) for o in question.options]
    if question.allow_na:
        choices.append(SelectChoice(NOT_APPLICABLE, _("Not applicable")))
    return choices


def page_choices(bank: Questionnaire, page: Page, lang: str, _: Translate) -> dict[str, list[tuple[str, str]]]:
    """Return (value, label) pairs of every choice question on *page*, in *lang*."""
    return {q.id: [(c.value, c.label) for c in _choices(q, lang, _)] for q in page.questions if q.type in CHOICE_TYPES}


CHOICE_TYPES = ("scale", "choice", "yesno", "multi")


def _field(question: Question, lang: str, _: Translate) -> Field:
    label = question.text.get(lang)
    if question.type in ("scale", "choice", "yesno"):
        return RadioField(label, choices=_choices(question, lang, _), validators=[Optional()], validate_choice=False)
    if question.type == "multi":
        return SelectMultipleField(
            label, choices=_choices(question, lang, _), validators=[Optional()], validate_choice=False
        )
    if question.type == "number":
        return StringField(label, validators=[Optional()])
    return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT)])


def _form_class(bank: Questionnaire, page: Page, lang: str, _: Translate) -> type[Form]:
    # One class per bank version, page and language, built once and kept on the bank.
    # CSRF is checked before the form is read (selfassess.web.sessions.check_csrf).
    classes: dict[tuple[int, str], type[Form]] = bank.__dict__.setdefault("_form_classes", {})
    key = (page.number, lang)
    if key not in classes:
        attributes: dict[str, Any] = {q.id: _field(q, lang, _) for q in page.questions}
        if page.number == 1:
            attributes[ORGANISATION_FIELD] = StringField(_("Name of your organisation"), validators=[Optional()])
        classes[key] = type(f"Page{page.number}Form", (Form,), attributes)
    return classes[key]


_local = threading.local()


def page_form(bank: Questionnaire, page: Page, lang: str, _: Translate, formdata: MultiDict[str, str]) -> Form:
    """Return the form of *page* filled from a POST.

    Binding a WTForms form's fields costs more than the rest of a page save, so each
    thread keeps one instance per bank version, page and language and re-processes it.
    """
    forms: dict[tuple[str, int, str], Form] = _local.__dict__.setdefault("forms", {})
    key = (bank.content_hash, page.number, lang)
    form = forms.get(key)
    if form is None:
        form = forms[key] = _form_class(bank, page, lang, _)(formdata=formdata)
    else:
        form.process(formdata)
    return form


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
        if question.type == "multi":
            chosen = [v for v in formdata.getlist(question.id) if v]
            post.typed[question.id] = chosen
            if not chosen:
                # The respondent saw the boxes and ticked none: "none of these" is an answer (s = 0).
                post.answers[question.id] = []
                continue
            if NOT_APPLICABLE in chosen and len(chosen) > 1:
                post.errors[question.id] = _("Choose either “Not applicable” or options, not both.")
                continue
            raw: Any = NOT_APPLICABLE if chosen == [NOT_APPLICABLE] else chosen
        else:
            # A number that allows "not applicable" sends a text box and a checkbox under one name.
            sent = [v.strip() for v in formdata.getlist(question.id) if v.strip()]
            raw = NOT_APPLICABLE if question.allow_na and NOT_APPLICABLE in sent else (sent[0] if sent else "")
            post.typed[question.id] = raw
            if not raw:
                post.cleared.add(question.id)
                continue
        value, error = canonical_answer(question, raw)
        if error is None and question.type == "text" and len(value) > MAX_TEXT:
            error = "too long"
        if error is None:
            post.answers[question.id] = value
        else:
            post.errors[question.id] = _message(question, raw, _)
    if page.number == 1:
        name = (formdata.get(ORGANISATION_FIELD) or "").strip()
        post.typed[ORGANISATION_FIELD] = name
        if len(name) > MAX_NAME:
            post.errors[ORGANISATION_FIELD] = _("Shorten the name to at most %(max)d characters.", max=MAX_NAME)
        else:
            post.organisation = name
    return post


def _message(question: Question, raw: Any, _: Translate) -> str:
    if question.type == "number":
        low = "" if question.min is None else f"{question.min:g}"
        high = "" if question.max is None else f"{question.max:g}"
        if low and high:
            return _("Enter a number from %(min)s to %(max)s.", min=low, max=high)
        if low:
            return _("Enter a number of at least %(min)s.", min=low)
        if high:
            return _("Enter a number of at most %(max)s.", max=high)
        return _("Enter a number, for example 42.")
    if question.type == "text":
        return _("Shorten this answer to at most %(max)d characters.", max=MAX_TEXT)
    return _("Choose one of the options shown.")

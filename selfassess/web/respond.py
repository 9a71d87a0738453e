"""Respondents: the home page, and taking an assessment page by page under /r/<token>."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response as HttpResponse
from wtforms.validators import ValidationError

from selfassess import assessments, rounds
from selfassess.assessments import Assessment, PageAnswers
from selfassess.bank.catalog import estimated_minutes
from selfassess.bank.model import Question
from selfassess.bank.pages import Page
from selfassess.bank.questiontypes import type_of
from selfassess.i18n import INTERFACE_LANGUAGES
from selfassess.web import csrf, mailing
from selfassess.web.banks import catalog, errors_as_pages, open_assessment
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.forms import MAX_TEXT, ORGANISATION_FIELD, PagePost, page_choices, page_form, read_page
from selfassess.web.i18n import _, ngettext
from selfassess.web.links import external_url
from selfassess.web.pagestate import PageState

bp = Blueprint("respond", __name__)
# Where a round's respondent goes once submitted: they have no report of their own.
ROUND_DONE = "coordinate.thanks"


@bp.get("/")
def home() -> str:
    lang = request.args.get("lang")
    if lang in INTERFACE_LANGUAGES:
        session["lang"] = lang
    banks = sorted(catalog().banks.values(), key=lambda b: b.title.get())
    return render_template(
        "respond/home.html",
        banks=banks,
        minutes={b.id: estimated_minutes(b) for b in banks},
        interface_languages=INTERFACE_LANGUAGES,
    )


@bp.post("/start/<bank_id>")
def start(bank_id: str) -> HttpResponse:
    bank = catalog().get(bank_id)
    if bank is None:
        raise HttpError(404, _("There is no questionnaire called “%(id)s”.", id=bank_id))
    lang = request.form.get("lang") or bank.languages[0]
    if lang not in bank.languages:
        raise HttpError(
            400, _("The questionnaire “%(id)s” is not available in the language “%(lang)s”.", id=bank_id, lang=lang)
        )
    if bank.roles:  # answered by the organisation's people: the one who starts coordinates
        response = rounds.start(get_db(), bank, lang)
    else:
        response = assessments.start(get_db(), bank, lang)
    return redirect(url_for("respond.page", token=response.token, number=1))


@bp.get("/r/<token>")
def resume(token: str) -> HttpResponse:
    found = open_assessment(token)
    if found.response.coordinates:
        return redirect(url_for("coordinate.round_page", token=token))
    if found.response.submitted:
        return redirect(url_for(ROUND_DONE if found.response.role else "report.report", token=token))
    number = max(1, found.response.current_page)
    if number > len(found.pages):
        return redirect(url_for("respond.review", token=token))
    return redirect(url_for("respond.page", token=token, number=number))


def refuse_if_round_closed(found: Assessment) -> None:
    """Stop with a page that says so when a respondent's round closed before they submitted."""
    if rounds.closed_before_submitting(get_db(), found.response):
        abort(round_closed_page(found))


def round_closed_page(found: Assessment) -> HttpResponse:
    """The thank-you page's "this round is closed": 410, as the draft can no longer be used."""
    page = render_template(
        "coordinate/thanks.html", response=found.response, bank=found.bank, lang=found.response.language, closed=True
    )
    return make_response(page, 410)


def open_page(token: str, number: int) -> tuple[Assessment, Page]:
    """The draft with *token* and its page *number*, or the error page that says why not."""
    found = open_assessment(token)
    if found.response.role is not None and found.response.submitted:
        abort(redirect(url_for(ROUND_DONE, token=token)))  # a respondent has nothing more to do here
    refuse_if_round_closed(found)
    with errors_as_pages():
        found.refuse_if_submitted()
        return found, found.page(number)


def render_page(
    found: Assessment,
    page: Page,
    answers: dict[str, Any],
    post: PagePost | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Render a question page with this respondent's answers (and, after a POST, what was typed)."""
    bank, response = found.bank, found.response
    values = {**answers, **(post.typed if post else {})}
    if page.is_profile and ORGANISATION_FIELD not in values:
        values[ORGANISATION_FIELD] = assessments.organisation_name(get_db(), response) or ""
    answered, asked = assessments.progress(bank, answers)
    visible = assessments.visible_ids(bank, page.questions, {**answers, **(post.answers if post else {})})
    lang = response.language
    return (
        render_template(
            "respond/page.html",
            slots=PageState(response.token, values, visible, answered, asked),
            bank=bank,
            page=page,
            pages=found.pages,
            complete=assessments.complete_pages(bank, answers),
            choices=page_choices(bank, page, lang, _),
            errors=post.errors if post else {},
            lang=lang,
            notice=notice or skipped_notice(),
        ),
        status,
    )


def skipped_notice() -> str | None:
    """A hint, on the page after, that the page left had required questions unanswered."""
    skipped = session.pop("skipped", None)
    if not isinstance(skipped, list) or len(skipped) != 2:
        return None
    page, count = skipped
    return ngettext(
        "Page %(page)d still has %(num)d required question without an answer. You can go back to it now or later: the review lists everything missing.",
        "Page %(page)d still has %(num)d required questions without an answer. You can go back to it now or later: the review lists everything missing.",
        int(count),
        page=int(page),
    )


@bp.get("/r/<token>/page/<int:number>")
def page(token: str, number: int) -> Any:
    found, current = open_page(token, number)
    return render_page(found, current, assessments.answers(get_db(), found.response))


def csrf_valid() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


@bp.post("/r/<token>/page/<int:number>")
@csrf.exempt  # checked below, so that an expired token re-shows the page with the answers kept
def save_page(token: str, number: int) -> Any:
    found, current = open_page(token, number)
    db = get_db()
    post = read_page(current, request.form, _)
    if not csrf_valid():
        post.errors = {}  # nothing was saved: show what was typed, ask to press the button again
        notice = _(
            "This page was open a long time, so your answers were not saved yet. They are shown again: press a button below to save them."
        )
        return render_page(found, current, assessments.answers(db, found.response), post, notice=notice, status=400)

    # WTForms checks what its fields declare (lengths); canonical_answer, in read_page, the rest.
    form = page_form(found.bank, current, found.response.language, _, formdata=request.form)
    if not form.validate():
        for qid in form.errors:
            post.errors.setdefault(qid, _("Shorten this answer to at most %(max)d characters.", max=MAX_TEXT))
    action = request.form.get("action", "next")
    language = action.removeprefix("lang:") if action.startswith("lang:") else None
    sent = PageAnswers(post.answers, frozenset(post.cleared), post.organisation)
    with errors_as_pages():
        answers = assessments.save_page(db, found, number, sent, language=language)

    if post.errors:
        message = _("Some answers need correcting. The others on this page are saved.")
        return render_page(found, current, answers, post, notice=message, status=422)
    if language is not None:
        return redirect(url_for("respond.page", token=token, number=number))
    if action == "save":
        return redirect(url_for("respond.saved", token=token))
    if action == "previous" and number > 1:
        return redirect(url_for("respond.page", token=token, number=number - 1))
    if action == "review":
        return redirect(url_for("respond.review", token=token))
    if action.startswith("goto:"):
        target = action.removeprefix("goto:")
        if not (target.isascii() and target.isdigit() and len(target) <= 6):
            raise HttpError(400, _("The form sent an action this page does not know: “%(action)s”.", action=action))
        with errors_as_pages():
            return redirect(url_for("respond.page", token=token, number=found.page(int(target)).number))
    if action not in ("next", "previous"):
        raise HttpError(400, _("The form sent an action this page does not know: “%(action)s”.", action=action))
    # Without JavaScript, questions revealed by this page's own answers appear only now.
    shown_before = set(request.form.getlist("_shown"))
    revealed = [
        q
        for q in current.questions
        if q.id not in shown_before
        and q.id not in answers
        and q.id in assessments.visible_ids(found.bank, (q,), answers)
    ]
    if shown_before and revealed:
        notice = _("Your answers opened more questions on this page. Please answer them too.")
        return render_page(found, current, answers, notice=notice)
    missing = assessments.missing_required(found.bank, current, answers)
    if missing:
        session["skipped"] = [number, missing]
    if number < len(found.pages):
        return redirect(url_for("respond.page", token=token, number=number + 1))
    return redirect(url_for("respond.review", token=token))


@bp.get("/r/<token>/saved")
def saved(token: str) -> str:
    found = open_assessment(token)
    link = external_url("respond.resume", token=token)
    return render_template(
        "respond/saved.html", response=found.response, bank=found.bank, link=link, lang=found.response.language
    )


@bp.post("/r/<token>/saved")
@mailing.required
def send_link(token: str) -> Any:
    """Send the resume link to the address typed; the address is used for this e-mail only, never stored."""
    found = open_assessment(token)
    link = external_url("respond.resume", token=token)
    address = request.form.get("email", "").strip()
    problem = mailing.address_problem(address) if address else _("Enter the e-mail address to send the link to.")
    sent = None
    if problem is None:
        title = found.bank.title.get(found.response.language)
        subject = _("Your link to continue “%(title)s”", title=title)
        done = mailing.deliver([mailing.compose("resume", address, subject, link=link, title=title)])
        if done.sent:
            sent = address
        else:
            problem = _("The link could not be sent to this address. Check it, or copy the link above instead.")
    page = render_template(
        "respond/saved.html",
        response=found.response,
        bank=found.bank,
        link=link,
        lang=found.response.language,
        email_error=problem,
        email=address,
        sent_to=sent,
    )
    return page, 200 if problem is None else 400


@bp.get("/r/<token>/review")
def review(token: str) -> Any:
    found = open_assessment(token)
    if found.response.coordinates:  # the profile is done: back to the round
        return redirect(url_for("coordinate.round_page", token=token))
    if found.response.role is not None and found.response.submitted:
        return redirect(url_for(ROUND_DONE, token=token))
    refuse_if_round_closed(found)
    with errors_as_pages():
        found.refuse_if_submitted()
    return render_review(found)


def render_review(found: Assessment, problems: bool = False, status: int = 200) -> tuple[str, int]:
    db = get_db()
    answers = assessments.answers(db, found.response)
    answered, asked = assessments.progress(found.bank, answers)
    missing = assessments.unanswered(found.bank, answers)
    lang = found.response.language
    given = [
        (page, [(q, answer_text(q, answers[q.id], lang)) for q in page.questions if q.id in answers])
        for page in found.pages
    ]
    return (
        render_template(
            "respond/review.html",
            response=found.response,
            bank=found.bank,
            pages=found.pages,
            given=[(page, rows) for page, rows in given if rows],
            required=[(q, n) for q, n in missing if q.required],
            optional=[(q, n) for q, n in missing if not q.required],
            organisation=assessments.organisation_name(db, found.response),
            answered=answered,
            asked=asked,
            problems=problems,
            lang=found.response.language,
        ),
        status,
    )


@bp.post("/r/<token>/submit")
def submit(token: str) -> Any:
    found = open_assessment(token)
    if found.response.role is not None and found.response.submitted:
        return redirect(url_for(ROUND_DONE, token=token))  # a second click: done already
    refuse_if_round_closed(found)
    with errors_as_pages():
        try:
            outcome = assessments.submit(get_db(), found)
        except assessments.RoundClosed:
            return round_closed_page(found)  # closed while the review page was open
    if not outcome.ok:
        return render_review(found, problems=True, status=422)
    return redirect(url_for(ROUND_DONE if found.response.role else "report.report", token=token))


@bp.post("/r/<token>/copy")
def copy(token: str) -> HttpResponse:
    found = open_assessment(token)
    if found.response.role is not None:
        raise HttpError(
            409, _("A respondent's answers cannot be copied. Ask your coordinator for the next round's link.")
        )
    if found.response.coordinates:  # the organisation's next round
        with errors_as_pages():
            coordinating = rounds.open_round(get_db(), catalog(), token)
        if not coordinating.round.closed:
            return redirect(url_for("coordinate.round_page", token=token))
        draft = rounds.start_again(get_db(), catalog(), coordinating)
        return redirect(url_for("coordinate.round_page", token=draft.token))
    draft = assessments.copy(get_db(), catalog(), found)
    return redirect(url_for("respond.page", token=draft.token, number=1))


def answer_text(question: Question, value: Any, lang: str) -> str:
    """An answer as the respondent chose it: option labels, a number with its unit (and source), the text."""
    return type_of(question).answer_words(question, value, lang, _)


def page_url(token: str, number: int, question_id: str | None = None) -> str:
    """Return the link to a page, or to one question on it."""
    anchor = f"q-{question_id}" if question_id else None
    return url_for("respond.page", token=token, number=number, _anchor=anchor)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"page_url": page_url}

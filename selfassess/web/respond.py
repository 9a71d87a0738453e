"""Respondents: the home page, and taking an assessment page by page under /r/<token>."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as HttpResponse

from selfassess import store
from selfassess.bank.answers import check_answers, is_visible
from selfassess.bank.catalog import Catalog, estimated_minutes
from selfassess.bank.loader import BankError, load_text
from selfassess.bank.model import Questionnaire
from selfassess.bank.pages import Page, bank_pages, page_of
from selfassess.i18n import INTERFACE_LANGUAGES
from selfassess.scoring.engine import score
from selfassess.web import csrf
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.forms import MAX_TEXT, ORGANISATION_FIELD, PagePost, page_choices, page_form, read_page
from selfassess.web.i18n import _
from selfassess.web.pagerender import CompiledPage, LiveSlots, MarkerSlots, compile_page
from selfassess.web.sessions import check_csrf, csrf_token

bp = Blueprint("respond", __name__)


def catalog() -> Catalog:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cat: Catalog = app.extensions["selfassess_catalog"]
    if app.debug:
        cat.reload_if_changed()
    return cat


def ui_language(lang: str) -> str:
    """Interface strings follow the bank's language where we have them, else English."""
    return lang if lang in INTERFACE_LANGUAGES else "en"


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
    response = store.create_response(get_db(), bank, lang)
    return redirect(url_for("respond.page", token=response.token, number=1))


# -- loading a response ----------------------------------------------------------


def load(token: str) -> tuple[store.Response, Questionnaire]:
    """Return the response and its bank, or answer 404; set the request's language."""
    response = store.get_response(get_db(), token)
    if response is None:
        raise HttpError(404, _("There is no assessment at this address. Check that you copied the whole link."))
    bank = bank_as_answered(response)
    if bank is None:
        raise HttpError(404, _("The questionnaire of this assessment is no longer available on this site."))
    g.lang = ui_language(response.language)
    return response, bank


_versions: dict[str, Questionnaire] = {}


def bank_as_answered(response: store.Response) -> Questionnaire | None:
    """The bank version the response answered: the current file, or the snapshot stored with it.

    Reports of old responses stay as they were after the file changed or was deleted.
    """
    current = catalog().get(response.bank_id)
    if current is not None and current.content_hash == response.bank_hash:
        return current
    found = _versions.get(response.bank_hash)
    if found is None:
        text = store.snapshot(get_db(), response.bank_hash)
        if text is None:
            return current  # stored before snapshots existed: the current file is all there is
        try:
            found = load_text(text, f"{response.bank_id} {response.bank_version} (stored)")
        except BankError:
            return current  # e.g. a rubric plugin that is no longer installed
        _versions[response.bank_hash] = found
    return found


def refuse_if_submitted(response: store.Response) -> None:
    if response.submitted:
        raise HttpError(
            409,
            _(
                "This assessment was submitted and can no longer be changed. You can see its results, or start a new draft from these answers."
            ),
            token=response.token,
        )


def progress(bank: Questionnaire, answers: dict[str, Any]) -> tuple[int, int]:
    """Return (answered, asked): the visible questions and how many of them have an answer."""
    always = bank.__dict__.get("_unconditional")
    if always is None:  # questions without show_if are always asked; worked out once per bank
        always = frozenset(q.id for q in bank.questions if q.show_if is None)
        object.__setattr__(bank, "_unconditional", always)
        object.__setattr__(bank, "_conditional", tuple(q for q in bank.questions if q.show_if is not None))
    shown = {q.id for q in bank.__dict__["_conditional"] if is_visible(bank, q, answers)}
    answered = sum(1 for qid in answers if qid in always or qid in shown)
    return answered, len(always) + len(shown)


@bp.get("/r/<token>")
def resume(token: str) -> HttpResponse:
    response, bank = load(token)
    if response.submitted:
        return redirect(url_for("report.report", token=token))
    number = min(max(1, response.current_page), len(bank_pages(bank)) + 1)
    if number > len(bank_pages(bank)):
        return redirect(url_for("respond.review", token=token))
    return redirect(url_for("respond.page", token=token, number=number))


def get_page(bank: Questionnaire, number: int) -> Page:
    pages = bank_pages(bank)
    if not 1 <= number <= len(pages):
        raise HttpError(404, _("This questionnaire has no page %(number)d.", number=number))
    return pages[number - 1]


def render_page(
    response: store.Response,
    bank: Questionnaire,
    page: Page,
    answers: dict[str, Any],
    post: PagePost | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    lang = response.language
    slots = page_slots(get_db(), response, bank, page, answers, csrf_token(), post)
    if post is None and notice is None and not current_app.debug:
        return compiled_page(bank, page, lang).render(slots), status
    # Pages with errors or notices are rare: render them in full.
    return render_template("respond/page.html", slots=slots, **page_context(bank, page, lang, post, notice)), status


def page_slots(
    db: Any,
    response: store.Response,
    bank: Questionnaire,
    page: Page,
    answers: dict[str, Any],
    csrf: str,
    post: PagePost | None = None,
) -> LiveSlots:
    """Return what this respondent's copy of *page* shows: values, checked options, visibility, progress."""
    values = {**answers, **(post.typed if post else {})}
    if page.number == 1 and ORGANISATION_FIELD not in values:
        values[ORGANISATION_FIELD] = store.organisation_name(db, response.organisation_id) or ""
    answered, asked = progress(bank, answers)
    now_visible = {**answers, **(post.answers if post else {})}
    visible = {q.id for q in page.questions if is_visible(bank, q, now_visible)}
    return LiveSlots(response.token, csrf, values, visible, answered, asked)


def page_context(
    bank: Questionnaire, page: Page, lang: str, post: PagePost | None, notice: str | None
) -> dict[str, Any]:
    return {
        "bank": bank,
        "page": page,
        "pages": bank_pages(bank),
        "choices": page_choices(bank, page, lang, _),
        "errors": post.errors if post else {},
        "lang": lang,
        "notice": notice,
    }


def compiled_page(bank: Questionnaire, page: Page, lang: str) -> CompiledPage:
    """Return the page rendered once with markers, per bank version, page and language.

    Called after :func:`load`, so the interface language (``g.lang``) is the one the key names.
    """
    cache = _compiled_pages(bank)
    key = _compiled_key(page.number, lang)
    if key not in cache:
        html = render_template("respond/page.html", slots=MarkerSlots(), **page_context(bank, page, lang, None, None))
        cache[key] = compile_page(html)
    return cache[key]


def ready_compiled_page(bank: Questionnaire, number: int, lang: str) -> CompiledPage | None:
    """Return the compiled page if a request has rendered it already, else ``None``."""
    return _compiled_pages(bank).get(_compiled_key(number, lang))


def _compiled_key(number: int, lang: str) -> tuple[int, str, str]:
    return number, lang, ui_language(lang)  # bank language, interface language


def _compiled_pages(bank: Questionnaire) -> dict[tuple[int, str, str], CompiledPage]:
    cache: dict[tuple[int, str, str], CompiledPage] = bank.__dict__.setdefault("_compiled_pages", {})
    return cache


@bp.get("/r/<token>/page/<int:number>")
def page(token: str, number: int) -> Any:
    response, bank = load(token)
    refuse_if_submitted(response)
    current = get_page(bank, number)
    return render_page(response, bank, current, store.load_answers(get_db(), response.id))


@bp.post("/r/<token>/page/<int:number>")
@csrf.exempt  # checked below, so that an expired token re-shows the page with the answers kept
def save_page(token: str, number: int) -> Any:
    response, bank = load(token)
    refuse_if_submitted(response)
    current = get_page(bank, number)
    db = get_db()
    stored = store.load_answers(db, response.id)
    post = read_page(current, request.form, _)
    if not check_csrf(request.form.get("csrf_token")):
        post.errors = {}  # nothing was saved: show what was typed, ask to press the button again
        notice = _(
            "This page was open a long time, so your answers were not saved yet. They are shown again: press a button below to save them."
        )
        return render_page(response, bank, current, stored, post, notice=notice, status=400)

    # WTForms checks what its fields declare (lengths); canonical_answer, in read_page, the rest.
    form = page_form(bank, current, response.language, _, formdata=request.form)
    if not form.validate():
        for qid in form.errors:
            post.errors.setdefault(qid, _("Shorten this answer to at most %(max)d characters.", max=MAX_TEXT))
    action = request.form.get("action", "next")
    merged = {k: v for k, v in {**stored, **post.answers}.items() if k not in post.cleared}
    # Answers to questions hidden by show_if are neither required nor kept.
    hidden = {q.id for q in bank.questions if not is_visible(bank, q, merged)}
    keep = {k: v for k, v in post.answers.items() if k not in hidden}
    remove = (post.cleared | hidden) & set(stored)
    language = None
    if action.startswith("lang:"):
        language = action.removeprefix("lang:")
        if language not in bank.languages:
            raise HttpError(400, _("The questionnaire is not available in the language “%(lang)s”.", lang=language))
    store.save_answers(db, response, keep, remove, page=number, language=language)
    if number == 1 and post.organisation:
        store.set_organisation(db, response, post.organisation)
    answers = {k: v for k, v in merged.items() if k not in hidden}

    if post.errors:
        message = _("Some answers need correcting. The others on this page are saved.")
        return render_page(response, bank, current, answers, post, notice=message, status=422)
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
        if not target.isdigit():
            raise HttpError(400, _("The form sent an action this page does not know: “%(action)s”.", action=action))
        return redirect(url_for("respond.page", token=token, number=get_page(bank, int(target)).number))
    if action not in ("next", "previous"):
        raise HttpError(400, _("The form sent an action this page does not know: “%(action)s”.", action=action))
    # Without JavaScript, questions revealed by this page's own answers appear only now.
    shown_before = set(request.form.getlist("_shown"))
    revealed = [q for q in current.questions if q.id not in shown_before and q.id not in hidden and q.id not in answers]
    if request.form.getlist("_shown") and revealed:
        notice = _("Your answers opened more questions on this page. Please answer them too.")
        return render_page(response, bank, current, answers, notice=notice)
    if number < len(bank_pages(bank)):
        return redirect(url_for("respond.page", token=token, number=number + 1))
    return redirect(url_for("respond.review", token=token))


@bp.get("/r/<token>/saved")
def saved(token: str) -> str:
    response, bank = load(token)
    link = url_for("respond.resume", token=token, _external=True)
    return render_template("respond/saved.html", response=response, bank=bank, link=link, lang=response.language)


def unanswered(bank: Questionnaire, answers: dict[str, Any]) -> list[tuple[Any, int]]:
    """Return the visible questions still without an answer, with their page numbers."""
    return [(q, page_of(bank, q.id)) for q in bank.questions if is_visible(bank, q, answers) and q.id not in answers]


@bp.get("/r/<token>/review")
def review(token: str) -> Any:
    response, bank = load(token)
    refuse_if_submitted(response)
    return render_review(response, bank)


def render_review(
    response: store.Response, bank: Questionnaire, problems: bool = False, status: int = 200
) -> tuple[str, int]:
    db = get_db()
    answers = store.load_answers(db, response.id)
    answered, asked = progress(bank, answers)
    missing = unanswered(bank, answers)
    organisation = store.organisation_name(db, response.organisation_id)
    return (
        render_template(
            "respond/review.html",
            response=response,
            bank=bank,
            pages=bank_pages(bank),
            required=[(q, n) for q, n in missing if q.required],
            optional=[(q, n) for q, n in missing if not q.required],
            organisation=organisation,
            answered=answered,
            asked=asked,
            problems=problems,
            lang=response.language,
        ),
        status,
    )


@bp.post("/r/<token>/submit")
def submit(token: str) -> Any:
    response, bank = load(token)
    refuse_if_submitted(response)
    db = get_db()
    checked = check_answers(bank, store.load_answers(db, response.id))
    if checked.problems or not store.organisation_name(db, response.organisation_id):
        return render_review(response, bank, problems=True, status=422)
    result = score(bank, checked.answers)
    try:
        store.submit(db, response, bank, result)
    except store.AlreadySubmitted:
        pass  # submitted a moment ago, perhaps from another tab: show the same report
    return redirect(url_for("report.report", token=token))


@bp.post("/r/<token>/copy")
def copy(token: str) -> HttpResponse:
    response, bank = load(token)
    bank = catalog().get(response.bank_id) or bank  # a new draft answers the bank as it is now
    db = get_db()
    answers = store.load_answers(db, response.id)
    draft = store.create_response(db, bank, response.language, copied_from=response.id)
    store.set_response_organisation(db, draft.id, response.organisation_id)
    draft = store.get_response(db, draft.token)  # type: ignore[assignment]
    checked = check_answers(bank, answers, partial=True)  # drop what no longer fits the bank
    store.save_answers(db, draft, checked.answers, page=1)
    return redirect(url_for("respond.page", token=draft.token, number=1))


def page_url(token: str, number: int, question_id: str | None = None) -> str:
    """Return the link to a page, or to one question on it."""
    anchor = f"q-{question_id}" if question_id else None
    return url_for("respond.page", token=token, number=number, _anchor=anchor)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"page_url": page_url}

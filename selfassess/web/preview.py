"""`selfassess preview BANK`: the bank as respondents see it, with the scoring shown live.

Every answer clicked is sent to the server, which scores it with the bank's own rubric,
so the numbers are exactly those of `selfassess score`. The page reloads itself when the
file is saved; a bank that no longer validates shows its file:line:col messages instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request

from selfassess.bank.answers import check_answers
from selfassess.bank.loader import BankError, load_bank
from selfassess.bank.model import Page, Questionnaire
from selfassess.bank.pages import bank_pages
from selfassess.resources import PACKAGE_DIR, templates_dir
from selfassess.scoring.engine import UnknownRubric, score
from selfassess.scoring.rubrics.normalise import plan_for
from selfassess.web.forms import page_choices
from selfassess.web.i18n import _
from selfassess.web.pagestate import PageState

bp = Blueprint("preview", __name__)


def current_bank() -> tuple[Questionnaire | None, list[str], float]:
    """Load the bank file again if it changed; return it, its problems, and its modification time."""
    path = Path(current_app.config["PREVIEW_BANK"])
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return None, [f"{path}:1:1: the file is gone"], 0.0
    cache = current_app.extensions.setdefault("preview", {})
    if cache.get("stamp") != stamp:
        try:
            cache.update(bank=load_bank(path), problems=[], stamp=stamp)
        except BankError as exc:
            cache.update(bank=None, problems=[str(p) for p in exc.problems], stamp=stamp)
    return cache["bank"], cache["problems"], stamp


@bp.get("/")
def preview() -> Any:
    bank, problems, stamp = current_bank()
    if bank is None:
        return render_template("preview/problems.html", problems=problems, stamp=stamp)
    lang = _language(bank, request.args.get("lang"))
    role = _role(bank, request.args.get("role"))
    whole = bank
    if role is not None:
        bank = bank.for_role(role)
    slots = PageState("preview", {}, {q.id for q in bank.questions if q.show_if is None}, 0, len(bank.questions))
    pages = bank_pages(bank)
    return render_template(
        "preview/preview.html",
        bank=bank,
        pages=pages,
        # All questions are on this one page, so every show_if is wired in the browser,
        # across dimensions too (a respondent's page wires only conditions within itself).
        whole_bank=Page(0, bank.questions),
        choices={p.number: page_choices(bank, p, lang, _) for p in pages},
        slots=slots,
        lang=lang,
        role=role,
        roles=whole.roles,
        stamp=stamp,
        errors={},
    )


def _role(bank: Questionnaire, asked: str | None) -> str | None:
    """The role asked for if the bank has it; ``None`` shows every question (all roles)."""
    return asked if asked is not None and bank.role(asked) is not None else None


def _language(bank: Questionnaire, asked: str | None) -> str:
    """The language asked for if the bank has it, drafts included (the author may look at them)."""
    return asked if asked in bank.languages or asked in bank.draft_languages else bank.languages[0]


@bp.get("/version")
def version() -> dict[str, Any]:
    _bank, problems, stamp = current_bank()
    return {"stamp": stamp, "problems": problems}


@bp.post("/score")
def score_answers() -> Any:
    bank, problems, _stamp = current_bank()
    if bank is None:
        return {"problems": problems}, 409
    try:
        raw = request.get_json(silent=True)
    except RecursionError:  # JSON nested past Python's limit: not an answer set either
        raw = None
    if not isinstance(raw, dict):
        return {"error": "send the answers as a JSON object"}, 400
    role = _role(bank, request.args.get("role"))
    if role is not None:
        bank = bank.for_role(role)
    checked = check_answers(bank, {k: v for k, v in raw.items() if v not in ("", [], None)}, partial=True)
    try:
        result = score(bank, checked.answers)
    except UnknownRubric as exc:
        return {"error": str(exc)}, 409
    lang = _language(bank, request.args.get("lang"))
    levels = {lvl.id: lvl.label.get(lang) for lvl in bank.rubric.levels}
    # The rubric's weight where it gives one (a figure's source may lower it), else the question's.
    weights = {q.id: w for _dim, items in plan_for(bank).dimensions for q, w, *_rest in items} | dict(result.weights)
    titles = {d.id: d.title.get(lang) for d in bank.dimensions}
    ranked = sorted((r.score, titles[d]) for d, r in result.dimensions.items() if r.score is not None)
    return {
        "overall": {"score": result.score, "level": levels.get(result.level or "")},
        "dimensions": {
            dim_id: {
                "score": r.score,
                "level": levels.get(r.level or ""),
                "counted": r.counted,
                "of": r.of,
                "advice": _advice(bank, dim_id, r.level, lang),
                "resources": _resources(bank, dim_id, r.level, lang),
            }
            for dim_id, r in result.dimensions.items()
        },
        "report": {
            "level": _("Overall level: %(level)s", level=levels[result.level])
            if result.level in levels
            else _("No score: none of the questions counted."),
            "summary": _("Strongest: %(strong)s. Weakest: %(weak)s.", strong=ranked[-1][1], weak=ranked[0][1])
            if ranked
            else "",
        },
        "questions": {
            qid: {"weight": weights[qid], "s": s, "contribution": weights[qid] * s}
            for qid, s in result.questions.items()
        },
        "problems": checked.problems,
    }


def _resources(bank: Questionnaire, dim_id: str, level: str | None, lang: str) -> list[dict[str, str]]:
    """The dimension's links for the level it reaches, as the report's next steps show them."""
    dimension = bank.dimension(dim_id)
    if dimension is None or level is None:
        return []
    return [{"title": link.title.get(lang), "url": link.url_for(lang)} for link in dimension.resources_for(level)]


def _advice(bank: Questionnaire, dim_id: str, level: str | None, lang: str) -> str | None:
    """The dimension's advice for the level it reaches, as the report shows it."""
    dimension = bank.dimension(dim_id)
    advice = dimension.feedback.get(level) if dimension is not None and level else None
    return advice.get(lang) if advice is not None else None


def create_preview_app(bank_path: str | Path) -> Flask:
    """A small app that serves one bank file for its author."""
    from selfassess.web import csrf, errors, i18n, security

    app = Flask("selfassess", template_folder=str(templates_dir()), static_folder=str(PACKAGE_DIR / "static"))
    app.config.update(PREVIEW_BANK=str(bank_path), SECRET_KEY=os.urandom(32).hex(), SELFASSESS_MIN_PEERS=5)
    security.init_app(app)  # before CSRFProtect: its form check runs first
    csrf.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
    return app

"""Rounds of banks with roles: the coordinator's page and report under /c/<token>, joining by a role's link."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as HttpResponse

from selfassess import assessments, reports, rounds
from selfassess.bank.model import Question, Questionnaire
from selfassess.bank.questiontypes import type_of
from selfassess.scoring.organisation import OrganisationResult
from selfassess.web.banks import catalog, errors_as_pages, open_assessment, ui_language
from selfassess.web.charts import line, wrap_label
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _
from selfassess.web.links import external_url

bp = Blueprint("coordinate", __name__)


def open_round(token: str) -> rounds.Coordination:
    """The round whose coordinator's link has *token*, or the 404 page (a respondent's link opens no round)."""
    with errors_as_pages():
        found = rounds.open_round(get_db(), catalog(), token)
    g.lang = ui_language(found.assessment.response.language)
    return found


@bp.get("/c/<token>")
def round_page(token: str, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    found = open_round(token)
    db = get_db()
    lang = found.assessment.response.language
    tokens = rounds.invitation_tokens(db, found)
    links = {role: external_url("coordinate.invitation", invitation=t) for role, t in tokens.items()}
    return (
        render_template(
            "coordinate/round.html",
            found=found,
            bank=found.bank,
            lang=lang,
            link=external_url("coordinate.round_page", token=token),
            links=links,
            participation=rounds.participation(db, found),
            profile_ready=rounds.profile_ready(db, found),
            organisation=assessments.organisation_name(db, found.assessment.response),
            problem=problem,
        ),
        status,
    )


@bp.post("/c/<token>/respond")
def respond_as(token: str) -> HttpResponse:
    found = open_round(token)
    role = request.form.get("role", "")
    if found.bank.role(role) is None:
        raise HttpError(400, _("Choose one of the roles in the list to answer as."))
    with errors_as_pages():
        draft = rounds.respond_as(get_db(), catalog(), found.round, role)
    return redirect(url_for("respond.page", token=draft.token, number=1))


@bp.post("/c/<token>/close")
def close(token: str) -> Any:
    found = open_round(token)
    try:
        with errors_as_pages():
            rounds.close(get_db(), found)
    except rounds.ProfileMissing:
        message = _("Answer the questions about your organisation, and give its name, before you close the round.")
        return round_page(token, problem=message, status=422)
    return redirect(url_for("coordinate.report", token=token))


@bp.post("/c/<token>/again")
def start_again(token: str) -> HttpResponse:
    found = open_round(token)
    if not found.round.closed:
        raise HttpError(409, _("Close this round before you start the next one."))
    draft = rounds.start_again(get_db(), catalog(), found)
    return redirect(url_for("coordinate.round_page", token=draft.token))


@bp.get("/c/<token>/report")
def report(token: str) -> Any:
    found = open_round(token)
    if not found.round.closed:
        return redirect(url_for("coordinate.round_page", token=token))
    with errors_as_pages():
        data = rounds.report(found.round)
    bank, lang = found.bank, found.assessment.response.language
    org = data.result
    reached = [role for role in bank.roles if org.groups[role.id].reached]
    return render_template(
        "coordinate/report.html",
        found=found,
        bank=bank,
        lang=lang,
        org=org,
        data=data,
        reached=reached,
        below=[role for role in bank.roles if not org.groups[role.id].reached],
        gaps=rounds.gaps(bank, org),
        history=rounds.history(get_db(), found.round),
        figure=json.dumps(radar(bank, org, lang)),
        questions={role.id: [q for q in bank.questions_for(role.id) if q.type != "text"] for role in reached},
        asks_dont_know={role.id: any(q.allow_dont_know for q in bank.questions_for(role.id)) for role in reached},
        texts=[(bank.question(qid), texts) for qid, texts in data.texts.items()],
        answer_label=answer_label,
        levels={level.id: level for level in bank.rubric.levels},
    )


@bp.get("/c/<token>/report.json")
def report_json(token: str) -> dict[str, Any]:
    found = open_round(token)
    if not found.round.closed:
        raise HttpError(409, _("The round is still open, so there is no report yet. Close the round first."))
    with errors_as_pages():
        data = rounds.report(found.round)
    return {
        "questionnaire": found.bank.id,
        "version": found.assessment.response.bank_version,
        "status": "closed",
        "closed_at": data.closed_at,
        "result": rounds.report_json(found.bank, data),
        "resources": reports.next_step_resources(
            found.bank,
            {dim_id: d.level for dim_id, d in data.result.dimensions.items()},
            found.assessment.response.language,
        ),
        "history": [{"closed_at": when, "score": overall} for when, overall in rounds.history(get_db(), found.round)],
    }


def radar(bank: Questionnaire, org: OrganisationResult, lang: str) -> dict[str, Any]:
    """The organisation's combined scores and each reached group's means, one line each."""
    titles = [d.title.get(lang) for d in bank.dimensions]
    theta = [wrap_label(t) for t in titles]
    data = [
        line(
            role.label.get(lang),
            theta,
            [org.groups[role.id].dimensions[d.id].mean for d in bank.dimensions],
            line={"dash": "dot"},
        )
        for role in bank.roles
        if org.groups[role.id].reached
    ]
    combined = [org.dimensions[d.id].score for d in bank.dimensions]
    data.append(line(_("The organisation"), theta, combined, fill="toself", line={"width": 3}))
    layout = {
        "polar": {"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100]},
                  "angularaxis": {"rotation": 90, "direction": "clockwise"}},
        "showlegend": True,
        "legend": {"orientation": "h"},
        "margin": {"l": 90, "r": 90, "t": 50, "b": 40},
        "font": {"family": "system-ui, sans-serif"},
    }  # fmt: skip
    # "titles": the full dimension titles, which report.js may wrap to the chart's width.
    return {"data": data, "layout": layout, "titles": titles}


def answer_label(question: Question, key: str, lang: str) -> str:
    """An answer's label in the per-question tables."""
    reserved: dict[str, str] = {c.value: c.label for c in type_of(question).reserved_choices(question, _)}
    if key in reserved:
        return reserved[key]
    if key == "na":  # a question that no longer allows it
        return _("Not applicable")
    if question.type == "yesno":
        return _("Yes") if key == "yes" else _("No")
    option = question.option(key)
    return option.label.get(lang) if option is not None else key


@bp.get("/i/<invitation>")
def invitation(invitation: str) -> str:
    found = rounds.invitation(get_db(), catalog(), invitation)
    if found is None:
        raise HttpError(404, _("There is no invitation at this address. Check that you copied the whole link."))
    bank, role, closed = found
    g.lang = ui_language(bank.languages[0])
    return render_template(
        "coordinate/join.html", bank=bank, role=role, closed=closed, invitation=invitation, lang=bank.languages[0]
    )


@bp.post("/i/<invitation>")
def join(invitation: str) -> HttpResponse:
    with errors_as_pages():
        draft = rounds.join(get_db(), catalog(), invitation, request.form.get("lang"))
    return redirect(url_for("respond.page", token=draft.token, number=1))


@bp.get("/r/<token>/thanks")
def thanks(token: str) -> str:
    found = open_assessment(token)
    if found.response.role is None:
        raise HttpError(404, _("There is no assessment at this address. Check that you copied the whole link."))
    return render_template(
        "coordinate/thanks.html", response=found.response, bank=found.bank, lang=found.response.language
    )

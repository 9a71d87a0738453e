"""Rounds of banks with roles: the coordinator's page and report under /c/<token>, joining by a role's link."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as HttpResponse

from selfassess import assessments, reports, rounds
from selfassess.bank.model import DONT_KNOW, Question, Questionnaire
from selfassess.bank.questiontypes import type_of
from selfassess.bank.questiontypes.number import source_labels
from selfassess.peers import ALL, PeerReport, peer_report
from selfassess.scoring.organisation import OrganisationResult
from selfassess.web.banks import catalog, errors_as_pages, open_assessment, ui_language
from selfassess.web.charts import band_and_median, figure, line, radar_layout, wrap_label
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _
from selfassess.web.links import external_url
from selfassess.web.reportpage import privacy_policy, report_language

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
            below=rounds.below_minimum(db, found),
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
        rounds.close(get_db(), found)
    except assessments.RoundClosed:
        pass  # closed already (a second click, or another tab a moment before): its report is there
    except rounds.ProfileMissing:
        message = _("Answer the questions about your organisation, and give its name, before you close the round.")
        return round_page(token, problem=message, status=422)
    except rounds.NoGroupReached:
        message = _(
            "No group has reached its minimum yet, so the round would have no results. Wait until at least one group has enough submitted answers, then close the round."
        )
        return round_page(token, problem=message, status=422)
    return redirect(url_for("coordinate.report", token=token))


@bp.post("/c/<token>/again")
def start_again(token: str) -> HttpResponse:
    found = open_round(token)
    try:
        with errors_as_pages():
            draft = rounds.start_again(get_db(), catalog(), found)
    except rounds.RoundOpen:
        raise HttpError(409, _("Close this round before you start the next one.")) from None
    # A second click finds the round the first one started, and goes there too.
    return redirect(url_for("coordinate.round_page", token=draft.token))


@bp.get("/c/<token>/report")
def report(token: str) -> Any:
    found = open_round(token)
    if not found.round.closed:
        return redirect(url_for("coordinate.round_page", token=token))
    with errors_as_pages():
        data = rounds.report(found.round)
    db = get_db()
    bank, lang = found.bank, report_language(found.assessment)
    g.lang = ui_language(lang)
    org = data.result
    reached = [role for role in bank.roles if org.groups[role.id].reached]
    # The organisation's combined result is its submission: peers are other organisations.
    peers = peer_report(db, bank, found.assessment.response, ALL, privacy_policy())
    advice = {}
    for dim in bank.dimensions:
        level = org.dimensions[dim.id].level
        text, links = (dim.feedback.get(level), dim.resources_for(level)) if level else (None, ())
        if text or links:
            advice[dim.id] = (text, links)
    questions = {role.id: [q for q in bank.questions_for(role.id) if q.type != "text"] for role in reached}
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
        history=rounds.history(db, found.round),
        organisation=assessments.organisation_name(db, found.assessment.response),
        figure=json.dumps(radar(bank, org, lang, peers)),
        peers=peers,
        questions=questions,
        asks_dont_know={role: any(q.allow_dont_know for q in qs) for role, qs in questions.items()},
        advice=advice,
        texts=[(bank.question(qid), texts) for qid, texts in data.texts.items()],
        answer_label=answer_label,
        answer_counts=answer_counts,
        shown=reports.score_display(bank),
        levels={level.id: level for level in bank.rubric.levels},
        languages=[(code, url_for("coordinate.report", token=token, lang=code)) for code in bank.languages],
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
            report_language(found.assessment),  # as the page: ?lang= where the bank has it
        ),
        "history": [{"closed_at": when, "score": overall} for when, overall in rounds.history(get_db(), found.round)],
    }


def radar(bank: Questionnaire, org: OrganisationResult, lang: str, peers: PeerReport) -> dict[str, Any]:
    """Peer organisations' middle half and median, each counted group's means, and the organisation's scores."""
    theta = [wrap_label(d.title.get(lang)) for d in bank.dimensions]
    data: list[dict[str, Any]] = []
    if peers.dimensions is not None:
        figs = [peers.dimensions.get(d.id) for d in bank.dimensions]
        data += band_and_median(
            theta,
            [f.p25 if f else None for f in figs],
            [f.p75 if f else None for f in figs],
            [f.median if f else None for f in figs],
            _("Peers: middle half (25th–75th percentile)"),
            _("Peers: median"),
        )
    data += [
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
    data.append(line(_("The organisation"), theta, combined, line={"width": 3, "color": "#1f5fa8"}))
    titles = [d.title.get(lang) for d in bank.dimensions]
    return figure(titles, data, radar_layout(len(titles)))


def answer_counts(question: Question, fig: rounds.QuestionFigures, lang: str) -> list[tuple[str, str | int]]:
    """What a group answered, as (label, count) pairs in the question's own order.

    Choices: each option (yes, no) then "not applicable". A figure: the group's mean figure in
    the question's unit, then how many gave each source and "not applicable".
    """
    counts = fig.counts
    if question.type == "number":
        out: list[tuple[str, str | int]] = []
        if fig.figure is not None:
            out.append((_("Mean figure"), type_of(question).answer_words(question, fig.figure, lang, _)))
        labels = source_labels(_)
        out += [(labels[key], counts[key]) for key in labels if counts.get(key)]
        return out + ([(_("Not applicable"), counts["na"])] if counts.get("na") else [])
    if question.type == "yesno":
        order = ["yes", "no"]
    else:
        order = [option.key for option in question.options]
    order += [key for key in sorted(counts) if key not in order and key != "na"] + ["na"]
    return [(answer_label(question, key, lang), counts[key]) for key in order if counts.get(key) and key != DONT_KNOW]


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
    # The round's language first (the coordinator's); the form lets the respondent choose another.
    g.lang = ui_language(found.language)
    return render_template(
        "coordinate/join.html",
        bank=found.bank,
        role=found.role,
        closed=found.closed,
        invitation=invitation,
        lang=found.language,
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
        "coordinate/thanks.html",
        response=found.response,
        bank=found.bank,
        lang=found.response.language,
        closed=rounds.closed_before_submitting(get_db(), found.response),
    )

"""The report page, shared by the provider's own view and the facilitator's view of a provider."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, render_template, request, url_for

from selfassess import assessments, cohorts, reports
from selfassess.assessments import Assessment
from selfassess.bank.model import Question, Questionnaire
from selfassess.bank.questiontypes import type_of
from selfassess.peers import ALL, COHORT, VALUE_SEPARATOR, PeerReport, Policy
from selfassess.web import charts
from selfassess.web.banks import ui_language
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _


def privacy_policy() -> Policy:
    """The release policy from the app's settings."""
    config = current_app.config
    return Policy(
        epsilon=float(config["SELFASSESS_PRIVACY_EPSILON"]),
        release_hours=float(config["SELFASSESS_RELEASE_HOURS"]),
        yearly_epsilon=float(config["SELFASSESS_PRIVACY_YEARLY_EPSILON"]),
        min_peers=int(config["SELFASSESS_MIN_PEERS"]),
    )


def position_text(position: str | None) -> str:
    """Where the provider stands, in words (translated)."""
    labels = {
        "top-quarter": _("in the top quarter"),
        "above": _("above the median"),
        "around": _("around the median"),
        "below": _("below the median"),
        "bottom-quarter": _("in the bottom quarter"),
    }
    return labels.get(position or "", "–")


def requested_report(found: Assessment) -> reports.ReportData:
    """The report for the peer group named by ``?peers=``, or the error page that says what to do."""
    try:
        return reports.report_data(get_db(), found, request.args.get("peers", ALL), privacy_policy())
    except reports.NotSubmitted:
        raise HttpError(409, _("This assessment is not submitted yet, so it has no report. Finish it first.")) from None
    except reports.UnknownPeerGroup as exc:
        raise HttpError(
            400,
            _(
                "There is no peer group “%(group)s”. Choose one of: %(choices)s.",
                group=exc.group,
                choices=", ".join(exc.allowed),
            ),
        ) from None


def group_labels(db: Any, found: Assessment, lang: str) -> list[tuple[str, str]]:
    """The peer groups the report offers, each named with the provider's own answer that forms it."""
    answers = assessments.answers(db, found.response)
    out = []
    for group in reports.peer_groups(db, found):
        if group == ALL:
            out.append((group, _("All providers")))
        elif group == COHORT:
            cohort = cohorts.by_id(db, found.response.cohort_id)
            out.append((group, _("Your cohort: %(name)s", name=cohort.name if cohort else "")))
        else:
            question_id, _sep, key = group.partition(VALUE_SEPARATOR)
            question = found.bank.question(question_id)
            if question is None:
                continue
            answer = type_of(question).answer_words(question, key if key else answers.get(question_id, ""), lang, _)
            label = _(
                "Answered “%(answer)s”, as you did, to “%(question)s”", answer=answer, question=question.text.get(lang)
            )
            out.append((group, label))
    return out


def report_language(found: Assessment) -> str:
    """The language of the report: ``?lang=`` where the bank has it, else the one the response was answered in."""
    asked = request.args.get("lang", "")
    return asked if asked in found.bank.languages else found.response.language


def render_report(found: Assessment, *, owner: bool = True) -> str:
    """Render the report page of a submitted response; *owner* False for a facilitator's view (no token links)."""
    bank, response, lang = found.bank, found.response, report_language(found)
    g.lang = ui_language(lang)
    data = requested_report(found)
    history = data.history if owner else assessments.history(get_db(), found.response, cohort_only=True)
    result, peers = data.result, data.peers
    levels = {level.id: level for level in bank.rubric.levels}
    dims = [(d, result["dimensions"][d.id], (peers.dimensions or {}).get(d.id)) for d in bank.dimensions]
    scored = [(d, r) for d, r, _f in dims if r["score"] is not None]
    ranked = sorted(scored, key=lambda pair: pair[1]["score"])
    weakest = ranked[:3] if len(ranked) > 3 else ranked[:2]
    strongest = ranked[-1] if ranked else None
    db = get_db()
    groups = group_labels(db, found, lang)
    answers = assessments.answers(db, response)
    return render_template(
        "report/report.html",
        response=response,
        bank=bank,
        result=result,
        dims=dims,
        levels=levels,
        peers=peers,
        groups=groups,
        weakest=weakest,
        strongest=strongest,
        history=history,
        figure=json.dumps(radar_figure(bank, lang, result, peers, history)),
        other_versions=reports.other_version_peers(db, found) if peers.overall else False,
        band=reports.band_text(peers.band),
        position_text=position_text,
        shown=reports.score_display(bank),
        languages=[
            (code, url_for(request.endpoint or "", **(request.view_args or {}), lang=code, peers=peers.group))
            for code in bank.languages
        ],
        organisation=assessments.organisation_name(db, response),
        owner=owner,
        lang=lang,
        gaps=knowledge_gaps(bank, data.gaps),
        quartiles=any(fig is not None and fig.p25 is not None for _d, _r, fig in dims),
        figures=given_figures(bank, answers, data.sources, lang),
    )


def knowledge_gaps(bank: Questionnaire, gaps: dict[str, list[str]]) -> dict[str, list[tuple[Question, str]]]:
    """Per dimension id, the questions not known and the answer given: “Don't know”, or “No data” for a figure."""
    return {
        dim_id: [(q, type_of(q).dont_know_label(_)) for qid in ids if (q := bank.question(qid))]
        for dim_id, ids in gaps.items()
    }


def given_figures(
    bank: Questionnaire, answers: dict[str, Any], sources: dict[str, Any], lang: str
) -> dict[str, list[tuple[Question, str]]]:
    """Per dimension id, the figures given with their source, in words ("42 % · Estimate")."""
    out: dict[str, list[tuple[Question, str]]] = {}
    for qid in sources:
        question = bank.question(qid)
        if question is not None and question.dimension is not None:
            words = type_of(question).answer_words(question, answers[qid], lang, _)
            out.setdefault(question.dimension, []).append((question, words))
    return out


def radar_figure(
    bank: Questionnaire, lang: str, result: dict[str, Any], peers: PeerReport, earlier: list[dict[str, Any]]
) -> dict[str, Any]:
    """Plotly data and layout: the provider, the peer median and the 25th-75th percentile band."""
    theta = [charts.wrap_label(d.title.get(lang)) for d in bank.dimensions]
    traces: list[dict[str, Any]] = []
    if peers.dimensions is not None:
        figs = [peers.dimensions.get(d.id) for d in bank.dimensions]
        traces += charts.band_and_median(
            theta,
            [f.p25 if f else None for f in figs],
            [f.p75 if f else None for f in figs],
            [f.median if f else None for f in figs],
            _("Peers: middle half (25th–75th percentile)"),
            _("Peers: median"),
        )
    for i, old in enumerate(earlier):
        traces.append(
            charts.line(
                _("Earlier: %(date)s", date=old["submitted_at"][:10]), theta,
                [old["scores"].get(d.id) for d in bank.dimensions],
                line={"color": "#9aa5b4", "width": 1}, opacity=0.5 + 0.5 * (i + 1) / (len(earlier) + 1),
            )
        )  # fmt: skip
    traces.append(
        charts.line(
            _("Your scores"), theta, [result["dimensions"][d.id]["score"] for d in bank.dimensions],
            line={"color": "#1f5fa8", "width": 3}, marker={"size": 6},
        )
    )  # fmt: skip
    titles = [d.title.get(lang) for d in bank.dimensions]
    return charts.figure(titles, traces, charts.radar_layout(len(titles)))

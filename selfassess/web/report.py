"""The benchmarking report of a submitted response: scores, levels, advice, peers, history, exports."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import plotly
from flask import Blueprint, Response, current_app, redirect, render_template, request, send_from_directory, url_for

from selfassess import cohorts, store
from selfassess.bank.model import Questionnaire
from selfassess.peers import ALL, COHORT, Figures, PeerReport, cohort_report, peer_report
from selfassess.scoring.engine import result_json
from selfassess.web import charts
from selfassess.web.api import stored_result
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _
from selfassess.web.respond import load

bp = Blueprint("report", __name__)

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"


@bp.get("/static/vendor/plotly.min.js")
def plotly_js() -> Response:
    # Served from the installed plotly package: no CDN, and cached for a year (the URL
    # changes with the package version).
    response = send_from_directory(PLOTLY_DIR, "plotly.min.js", max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def peer_group(bank: Questionnaire, response: store.Response) -> str:
    group = request.args.get("peers", ALL)
    allowed = {ALL, *(q.id for q in bank.profile)} | ({COHORT} if response.cohort_id is not None else set())
    if group not in allowed:
        choices = ", ".join(sorted(allowed))
        raise HttpError(
            400, _("There is no peer group “%(group)s”. Choose one of: %(choices)s.", group=group, choices=choices)
        )
    return group


def report_data(
    response: store.Response, bank: Questionnaire
) -> tuple[dict[str, Any], PeerReport, list[dict[str, Any]]]:
    """The stored result, the peer figures for the requested group, and the history."""
    if not response.submitted:
        raise HttpError(409, _("This assessment is not submitted yet, so it has no report. Finish it first."))
    db = get_db()
    scores = store.load_scores(db, response.id)
    result = result_json(bank, stored_result(bank, scores), digits=None)
    group, min_peers = peer_group(bank, response), int(current_app.config["SELFASSESS_MIN_PEERS"])
    if group == COHORT:
        peers = cohort_report(db, bank, response, min_peers)
    else:
        peers = peer_report(db, bank, response, group, min_peers)
    return result, peers, history(db, bank, response)


def history(db: Any, bank: Questionnaire, response: store.Response) -> list[dict[str, Any]]:
    """Earlier submitted responses of the same organisation to the same bank, oldest first."""
    if response.organisation_id is None:
        return []
    rows = db.conn.execute(
        "SELECT r.id, r.submitted_at FROM responses r WHERE r.organisation_id = ? AND r.bank_id = ?"
        " AND r.status = 'submitted' AND r.id != ? AND r.submitted_at <= ? ORDER BY r.submitted_at, r.id",
        [response.organisation_id, bank.id, response.id, response.submitted_at],
    ).fetchall()
    out = []
    for response_id, submitted_at in rows:
        scores = store.load_scores(db, response_id)
        out.append({"submitted_at": submitted_at, "scores": {k: v["score"] for k, v in scores.items()}})
    return out


def figures_json(figures: Figures | None) -> dict[str, Any] | None:
    return None if figures is None else asdict(figures)


def peers_json(peers: PeerReport) -> dict[str, Any]:
    out: dict[str, Any] = {"group": peers.group, "n": peers.n}
    if peers.overall is None or peers.dimensions is None:
        out.update(overall=None, dimensions=None, reason=peers.reason)
        return out
    overall = figures_json(peers.overall)
    assert overall is not None
    overall.pop("n")
    out["overall"] = overall
    out["dimensions"] = {dim: figures_json(f) for dim, f in peers.dimensions.items()}
    return out


@bp.get("/r/<token>/report.json")
def report_json(token: str) -> dict[str, Any]:
    response, bank = load(token)
    result, peers, earlier = report_data(response, bank)
    return {
        "questionnaire": bank.id,
        "version": response.bank_version,
        "status": response.status,
        "submitted_at": response.submitted_at,
        "result": {"overall": result["overall"], "dimensions": result["dimensions"]},
        "peers": peers_json(peers),
        "history": earlier,
    }


@bp.get("/r/<token>/report.csv")
def report_csv(token: str) -> Response:
    response, bank = load(token)
    result, peers, _earlier = report_data(response, bank)
    lang = response.language
    out = io.StringIO()
    out.write("\ufeff")  # a BOM, so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(
        [
            "dimension",
            "title",
            "score",
            "level",
            "counted",
            "of",
            "peer_group",
            "peers",
            "peer_median",
            "peer_p25",
            "peer_p75",
            "percentile",
        ]
    )
    rows = [(store.OVERALL, _("Overall"), result["overall"], peers.overall)]
    rows += [
        (d.id, d.title.get(lang), result["dimensions"][d.id], (peers.dimensions or {}).get(d.id))
        for d in bank.dimensions
    ]
    for dim_id, title, mine, fig in rows:
        counted = mine.get("counted", "")
        writer.writerow(
            [
                dim_id or "overall", title, _num(mine.get("score")), mine.get("level") or "", counted, mine.get("of", ""),
                peers.group, fig.n if fig else "", _num(fig.median if fig else None), _num(fig.p25 if fig else None),
                _num(fig.p75 if fig else None), _num(fig.percentile if fig else None),
            ]
        )  # fmt: skip
    filename = f"{bank.id}-report.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@bp.get("/r/<token>/report")
def report(token: str) -> Any:
    response, bank = load(token)
    if not response.submitted:
        return redirect(url_for("respond.review", token=token))
    result, peers, earlier = report_data(response, bank)
    lang = response.language
    levels = {level.id: level for level in bank.rubric.levels}
    dims = [(d, result["dimensions"][d.id], (peers.dimensions or {}).get(d.id)) for d in bank.dimensions]
    scored = [(d, r) for d, r, _f in dims if r["score"] is not None]
    ranked = sorted(scored, key=lambda pair: pair[1]["score"])
    weakest = ranked[:3] if len(ranked) > 3 else ranked[:2]
    strongest = ranked[-1] if ranked else None
    figure = radar_figure(bank, lang, result, peers, earlier)
    groups = [(ALL, _("All providers"))] + [
        (q.id, _("Same answer to “%(question)s”", question=q.text.get(lang))) for q in bank.profile if q.type != "text"
    ]
    cohort = cohorts.by_id(get_db(), response.cohort_id)
    if cohort is not None:
        groups.append((COHORT, _("Your cohort: %(name)s", name=cohort.name)))
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
        history=earlier,
        figure=json.dumps(figure),
        other_versions=store.other_version_peers(get_db(), bank.id, response.bank_hash) if peers.overall else 0,
        organisation=store.organisation_name(get_db(), response.organisation_id),
        lang=lang,
    )


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
    return {"data": traces, "layout": charts.radar_layout()}

"""The benchmarking report of a submitted response: the page, report.json and report.csv."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, url_for

from selfassess import exports, reports, store
from selfassess.assessments import Assessment
from selfassess.web.banks import open_assessment
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _
from selfassess.web.reportpage import render_report, report_language, requested_report

bp = Blueprint("report", __name__)


def respondent_has_no_report(found: Assessment) -> None:
    """A round's respondent has no report of their own: their scores exist only within the organisation's."""
    if found.response.role is not None:
        raise HttpError(
            404,
            _("A respondent in a round has no report of their own; the organisation's report is the coordinator's."),
        )


@bp.get("/r/<token>/report.json")
def report_json(token: str) -> dict[str, Any]:
    found = open_assessment(token)
    respondent_has_no_report(found)
    return reports.report_document(found, requested_report(found), report_language(found))


@bp.get("/r/<token>/report.csv")
def report_csv(token: str) -> Response:
    found = open_assessment(token)
    respondent_has_no_report(found)
    data = requested_report(found)
    result, peers, lang = data.result, data.peers, found.response.language
    lines = [(store.OVERALL, _("Overall"), result["overall"], peers.overall)]
    lines += [
        (d.id, d.title.get(lang), result["dimensions"][d.id], (peers.dimensions or {}).get(d.id))
        for d in found.bank.dimensions
    ]
    rows = [
        {
            "dimension": dim_id or "overall", "title": title, "score": _num(mine.get("score")),
            "level": mine.get("level") or "", "counted": mine.get("counted", ""), "of": mine.get("of", ""),
            "peer_group": peers.group, "peer_figures": peers.kind or "", "released_at": peers.released_at or "",
            "peers": (reports.band_text(peers.band) or "") if fig else "", "peer_median": _whole(fig.median if fig else None),
            "peer_median_plus_minus": _whole(fig.plus_minus if fig else None),
            "peer_p25": _whole(fig.p25 if fig else None), "peer_p75": _whole(fig.p75 if fig else None),
            "position": (fig.position or "") if fig else "",
        }
        for dim_id, title, mine, fig in lines
    ]  # fmt: skip
    filename = f"{found.bank.id}-report.csv"
    return Response(
        exports.to_csv(rows), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _whole(value: int | None) -> str:
    return "" if value is None else str(value)


@bp.get("/r/<token>/report")
def report(token: str) -> Any:
    found = open_assessment(token)
    if found.response.role is not None:  # a round's respondent: only the organisation has a report
        return redirect(url_for("coordinate.thanks", token=token))
    if not found.response.submitted:
        return redirect(url_for("respond.review", token=token))
    return render_report(found)

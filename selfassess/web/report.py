"""The result page of a submitted response; the benchmarking report grows from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from selfassess import store
from selfassess.web.db import get_db
from selfassess.web.respond import load

bp = Blueprint("report", __name__)


@bp.get("/r/<token>/report")
def report(token: str) -> Any:
    response, bank = load(token)
    if not response.submitted:
        return redirect(url_for("respond.review", token=token))
    db = get_db()
    scores = store.load_scores(db, response.id)
    overall = scores.get(store.OVERALL, {})
    dimensions = [(dim, scores.get(dim.id, {})) for dim in bank.dimensions]
    levels = {level.id: level for level in bank.rubric.levels}
    return render_template(
        "report/report.html",
        response=response,
        bank=bank,
        overall=overall,
        dimensions=dimensions,
        levels=levels,
        organisation=store.organisation_name(db, response.organisation_id),
        lang=response.language,
    )

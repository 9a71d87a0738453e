"""JSON for machines: a response, its answers and its result."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from selfassess import store
from selfassess.scoring.engine import result_json
from selfassess.scoring.rubrics.base import DimensionResult, Result
from selfassess.web.db import get_db
from selfassess.web.respond import load

bp = Blueprint("api", __name__, url_prefix="/api")


def stored_result(bank: Any, scores: dict[str, dict[str, Any]]) -> Result:
    """Rebuild the result of a submitted response from its stored scores."""
    overall = scores.get(store.OVERALL, {})
    dims = {}
    for d in bank.dimensions:
        row = scores.get(d.id)
        if row is None:  # the bank gained a dimension after this response was scored
            dims[d.id] = DimensionResult(None, None, 0, len(d.scored_questions))
        else:
            dims[d.id] = DimensionResult(row["score"], row["level"], row["counted"], row["of"])
    return Result(overall.get("score"), overall.get("level"), dims)


@bp.get("/responses/<token>")
def response_json(token: str) -> dict[str, Any]:
    response, bank = load(token)
    db = get_db()
    result = None
    if response.submitted:
        result = result_json(bank, stored_result(bank, store.load_scores(db, response.id)), digits=None)
    return {
        "status": response.status,
        "questionnaire": response.bank_id,
        "version": response.bank_version,
        "language": response.language,
        "created_at": response.created_at,
        "submitted_at": response.submitted_at,
        "answers": store.load_answers(db, response.id),
        "result": result,
    }

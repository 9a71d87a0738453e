"""JSON for machines: a response, its answers and its result."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from selfassess import assessments
from selfassess.scoring.engine import result_json
from selfassess.web.banks import open_assessment
from selfassess.web.db import get_db

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/responses/<token>")
def response_json(token: str) -> dict[str, Any]:
    found = open_assessment(token)
    response, db = found.response, get_db()
    result = None
    if response.submitted and response.role is None:
        result = result_json(found.bank, assessments.stored_result(db, found), digits=None)
    # In a round: "coordinator" or the respondent's role (their own draft; their answers are theirs to see).
    role = {"role": "coordinator" if response.coordinates else response.role} if response.round_id else {}
    data = {
        "status": response.status,
        **role,
        "questionnaire": response.bank_id,
        "version": response.bank_version,
        "language": response.language,
        "created_at": response.created_at,
        "submitted_at": response.submitted_at,
        "answers": assessments.answers(db, response),
    }
    # A round's respondent has no result of their own: only the organisation's, on the coordinator's link.
    return data if response.role is not None else {**data, "result": result}

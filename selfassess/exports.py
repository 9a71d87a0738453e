"""Cohort exports: one row per member, or one row per answer; the web and the CLI share them.

Both list the same responses as the dashboard: each member organisation's counting
response, or while it has none its latest draft (see :mod:`selfassess.store.counting`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from selfassess import cohorts, store
from selfassess.bank.model import Questionnaire
from selfassess.store import Db


def response_rows(db: Db, cohort: cohorts.Cohort, bank: Questionnaire) -> list[dict[str, Any]]:
    """Organisation, profile answers, dimension scores and levels, overall, timestamps."""
    rows = []
    for m in cohorts.members(db, cohort, [q.id for q in bank.profile]):
        row: dict[str, Any] = {"response": m.response_id, "organisation": m.organisation, "status": m.status}
        for q in bank.profile:
            value = m.profile.get(q.id)
            row[q.id] = "|".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value)
        for d in bank.dimensions:
            row[f"{d.id}_score"] = m.scores.get(d.id)
            row[f"{d.id}_level"] = m.levels.get(d.id)
        row["overall_score"] = m.scores.get(store.OVERALL)
        row["overall_level"] = m.levels.get(store.OVERALL)
        row.update(started_at=m.created_at, updated_at=m.updated_at, submitted_at=m.submitted_at)
        rows.append(row)
    return rows


def answer_rows(db: Db, cohort: cohorts.Cohort) -> list[dict[str, Any]]:
    """Every answer of the members' responses: response (its id, never its secret token), question, answer."""
    return [
        {"response": response_id, "question": qid, "answer": value}
        for response_id, qid, value in store.cohort_answers(db, cohort)
    ]


# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP: CSV
# injection); spaces before it do not stop LibreOffice, and tab and CR start one in Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as a CSV cell: lists as JSON, and text that a spreadsheet would run as a formula quoted with '."""
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and (value.startswith(FORMULA_START) or value.lstrip(" ").startswith(FORMULA_START)):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text with a BOM, so that spreadsheet programs read it as UTF-8 (æ, ø, å); the one CSV writer."""
    out = io.StringIO()
    out.write("\ufeff")
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: cell(v) for k, v in row.items()})
    return out.getvalue()

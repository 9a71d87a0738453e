"""Cohort exports: one row per member, or one row per answer; the web and the CLI share them.

Both list the same responses as the dashboard: each member organisation's counting
response, or while it has none its latest draft (see :mod:`selfassess.store.counting`).

Codes stay as they are stored (``DK``, ``business|creative``, ``dk`` for "don't know"), each
beside a ``_label`` column in the export's language, so that a spreadsheet reads well and a
script still joins on the codes. A figure given with its source (``trustworthiness``) is the
number in its column and the source (``estimate``) in a ``source`` column beside it. Scores are whole points in the tables people open (CSV, xlsx), rounded as the
report and the dashboard show them; the JSON export keeps full precision, as the report's
JSON does, so that a program computing its own medians does not round twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from selfassess import cohorts, i18n, reports, rounds, store
from selfassess.bank.model import Question, Questionnaire, figure, figure_source, value_key
from selfassess.bank.questiontypes import type_of
from selfassess.store import Db

# Several chosen labels in one cell; the codes keep "|", which scripts split on.
LABEL_SEPARATOR = "; "


def export_language(bank: Questionnaire, wanted: str | None) -> str:
    """The language of an export: *wanted* where the bank has it, else the bank's first."""
    return wanted if wanted in bank.languages else bank.languages[0]


def option_labels(question: Question, lang: str) -> dict[str, str]:
    """The label in *lang* of each answer key of *question*; yes, no and "not applicable" in the interface's words."""

    def translate(message: str, /, **variables: Any) -> str:
        return i18n.gettext(lang, message, **variables)

    return {choice.value: choice.label for choice in type_of(question).choices(question, lang, translate)}


def answer_label(labels: Mapping[str, str], value: Any) -> str:
    """The label(s) of a stored answer; "" for an answer no option names (a number, a text)."""
    if isinstance(value, dict):  # a figure with its source: the figure has no label
        return ""
    if isinstance(value, list):
        return LABEL_SEPARATOR.join(labels[key] for v in value if (key := value_key(v)) in labels)
    return "" if value is None else labels.get(value_key(value), "")


def whole_points(score: float | None, bounds: Sequence[float] = ()) -> int | None:
    """A 0-100 score as the screen shows it: :func:`selfassess.reports.shown_score`."""
    return reports.shown_score(score, bounds)


def response_rows(
    db: Db, cohort: cohorts.Cohort, bank: Questionnaire, lang: str, *, rounded: bool
) -> list[dict[str, Any]]:
    """Organisation, profile answers and their labels, scores (*rounded* to whole points or not), levels, timestamps."""
    profile = [(q, option_labels(q, lang) if type_of(q).has_choices else None) for q in bank.profile]
    levels = {lvl.id: lvl.label.get(lang) for lvl in bank.rubric.levels}
    bounds = reports.level_bounds(bank)
    keys = [(d.id, d.id) for d in bank.dimensions] + [("overall", store.OVERALL)]
    # A bank with roles: each member is an organisation's coordinating response, with its round's participation.
    taking_part = rounds.cohort_participation(db, cohort, bank) if bank.roles else {}
    rows = []
    for m in cohorts.members(db, cohort, [q.id for q in bank.profile]):
        row: dict[str, Any] = {"response": m.response_id, "organisation": m.organisation, "status": m.status}
        for q, labels in profile:
            value = m.profile.get(q.id)
            shown = figure(value)
            row[q.id] = "|".join(map(str, shown)) if isinstance(shown, list) else ("" if shown is None else shown)
            if labels is not None:
                row[f"{q.id}_label"] = answer_label(labels, value)
            if q.trustworthiness:
                row[f"{q.id}_source"] = figure_source(value) or ""
        for name, key in keys:
            score, level = m.scores.get(key), m.levels.get(key)
            row[f"{name}_score"] = whole_points(score, bounds) if rounded else score
            row[f"{name}_level"] = level
            row[f"{name}_level_label"] = levels.get(level, "") if level else ""
        if bank.roles:
            shown = taking_part.get(m.response_id)
            for role in bank.roles:
                found = next((p for p in shown.roles if p.role.id == role.id), None) if shown else None
                row[f"{role.id}_submitted"] = found.submitted if found else 0
                row[f"{role.id}_needed"] = role.min_respondents
        row.update(started_at=m.created_at, updated_at=m.updated_at, submitted_at=m.submitted_at)
        rows.append(row)
    return rows


def answer_rows(db: Db, cohort: cohorts.Cohort, bank: Questionnaire, lang: str) -> list[dict[str, Any]]:
    """Every answer of the members' responses: response id (never its token), question, text, answer, label.

    For a bank with roles the members are the coordinators' responses, whose answers are the
    organisation's profile, marked ``role: coordinator``; respondents' answers are anonymous
    and never exported.
    """
    labels = {q.id: option_labels(q, lang) for q in bank.questions}
    texts = {q.id: q.text.get(lang) for q in bank.questions}
    role = {"role": "coordinator"} if bank.roles else {}
    # Where figures come with their source, every row has the source and its label (empty for other answers).
    with_source = any(q.trustworthiness for q in bank.questions)
    # A question of an older version that the current bank no longer has: no text, no labels.
    rows = []
    for response_id, qid, value in store.cohort_answers(db, cohort):
        row = {
            "response": response_id,
            **role,
            "question": qid,
            "question_text": texts.get(qid, ""),
            "answer": figure(value),
            "answer_label": answer_label(labels.get(qid, {}), value),
        }
        if with_source:
            source = figure_source(value) or ""
            row.update(source=source, source_label=labels.get(qid, {}).get(source, "") if source else "")
        rows.append(row)
    return rows


def json_document(cohort: cohorts.Cohort, lang: str, key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON export: the cohort, its questionnaire, the labels' language, and the rows under *key*."""
    return {"cohort": cohort.name, "questionnaire": cohort.bank_id, "language": lang, key: rows}


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(db: Db, cohort: cohorts.Cohort, bank: Questionnaire, lang: str) -> bytes:
    """The .xlsx export: the sheet "Results" (one row per member, whole points) and "Answers" (one row per answer)."""
    return to_xlsx(
        {
            "Results": response_rows(db, cohort, bank, lang, rounded=True),
            "Answers": answer_rows(db, cohort, bank, lang),
        }
    )


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


# Excel's limit on the characters in one cell.
MAX_CELL = 32_767


def xlsx_value(value: Any) -> Any:
    """A value as an xlsx cell: numbers stay numbers; text as the CSV has it, without characters XML cannot hold."""
    value = cell(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None if value is None else str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:MAX_CELL]
    return value


def column_width(header: str, values: list[Any]) -> float:
    """A width that shows the header and most values whole, within 8 and 60 characters."""
    longest = max([len(header), *(len(str(v)) for v in values if v is not None)])
    return float(min(60, max(8, longest + 2)))


def xlsx_sheet(sheet: WriteOnlyWorksheet, rows: list[dict[str, Any]]) -> None:
    """Fill *sheet* with *rows*: a bold, frozen header row, sized columns, and every text stored as text."""
    if not rows:
        return
    headers = list(rows[0])
    table = [[xlsx_value(row[h]) for h in headers] for row in rows]
    # Write-only sheets have column_dimensions (Worksheet's), but the type stubs leave it out.
    columns = sheet.column_dimensions  # type: ignore[attr-defined]
    for i, header in enumerate(headers):
        columns[get_column_letter(i + 1)].width = column_width(header, [r[i] for r in table])
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, h, Font(bold=True)) for h in headers])
    for values in table:
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def text_cell(sheet: WriteOnlyWorksheet, value: str, font: Font | None = None) -> Cell:
    """A cell that holds *value* as text: openpyxl would store "=..." as a formula and "#N/A" as an error."""
    found = WriteOnlyCell(sheet, value=value)
    found.data_type = "s"
    if font is not None:
        found.font = font
    return found


def to_xlsx(sheets: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """An .xlsx workbook with one sheet per table, named by the keys of *sheets*; the one xlsx writer."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        xlsx_sheet(workbook.create_sheet(title), rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

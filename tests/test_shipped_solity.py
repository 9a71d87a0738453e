"""The shipped solity bank (version 2) as issue 15 asks, and the French interface it needs.

solity is read from questionnaires/ (tests/conftest.py points the other tests at the v1 copies),
and the respondent's path runs through the real app on a real SQLite file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from selfassess.bank.loader import load_bank
from selfassess.bank.model import Question, Questionnaire
from selfassess.i18n import INTERFACE_LANGUAGES, TRANSLATIONS_DIR
from tests.conftest import SHIPPED, Respondent, csrf_token
from tests.test_i18n import interface_strings

SOLITY = SHIPPED / "solity.yaml"
# How each language names the one period every figure is for.
ONE_YEAR = {
    "en": "last completed training year",
    "fr": "dernière année de formation achevée",
    "da": "seneste afsluttede uddannelsesår",
}


@pytest.fixture(scope="module")
def bank() -> Questionnaire:
    return load_bank(SOLITY)


def scored(bank: Questionnaire) -> list[Question]:
    return [q for d in bank.dimensions for q in d.questions if q.scored]


def figures(bank: Questionnaire) -> list[Question]:
    return [q for q in scored(bank) if q.type == "number"]


# --- the bank -----------------------------------------------------------------------------


def test_check_passes_without_warnings(run_cli):
    result = run_cli("check", str(SOLITY))
    assert result.exit_code == 0, result.output
    assert "ok: solity" in result.output
    assert "warning" not in result.output.lower()


def test_every_declared_language_is_complete(run_cli, bank):
    assert bank.languages == ("en", "fr", "da")
    result = run_cli("translations", "status", str(SOLITY))
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.strip().splitlines())
    assert set(lines) == set(bank.languages)
    for lang, status in lines.items():
        done, total = re.fullmatch(r"(\d+) of (\d+) texts", status).groups()
        assert done == total, f"{lang}: {status}"


def test_version_is_bumped_from_version_1(bank):
    v1 = load_bank(Path(__file__).parent / "fixtures" / "banks" / "solity.yaml")
    assert bank.version != v1.version


def test_radar_stays_readable_and_starts_with_return_to_work(bank):
    ids = [d.id for d in bank.dimensions]
    assert 6 <= len(ids) <= 8
    # SOLITY's own axes first: access to training, qualification, return to work.
    assert ids[:3] == ["access", "qualification", "employability"]
    weights = {d.id: d.weight for d in bank.dimensions}
    assert weights["employability"] == max(weights.values())


def test_every_scored_statement_has_help_in_every_language(bank):
    lacking = [(q.id, lang) for q in scored(bank) for lang in bank.languages if not (q.help and q.help.get(lang))]
    assert not lacking


def test_every_figure_allows_no_data_and_asks_where_it_comes_from(bank):
    assert figures(bank), "solity asks for figures"
    assert [q.id for q in figures(bank) if not q.allow_dont_know] == []
    assert [q.id for q in figures(bank) if not q.trustworthiness] == []
    assert set(bank.rubric.settings["trustworthiness"]) == {"register", "records", "estimate"}


def test_every_figure_is_for_the_one_training_year(bank):
    for lang, words in ONE_YEAR.items():
        assert words in bank.description.get(lang)
        assert [q.id for q in figures(bank) if words not in q.text.get(lang)] == [], lang


def test_help_texts_never_show_the_scoring(bank):
    # Thresholds in the respondent's help invite gaming ("60 % scores 0"); they live in the docs.
    for q in scored(bank):
        help_en = q.help.get("en").lower()
        assert "score" not in help_en and "full marks" not in help_en, q.id
        if q.type == "number":
            for bound in (q.score_from, q.score_to):
                assert not re.search(rf"(?<![\d.]){bound:g} ?%", q.help.get("en")), (q.id, bound)


def test_statements_leave_the_reach_to_the_scale(bank):
    # The practice scale's top steps say "across the organisation": a statement needs no "every".
    for q in scored(bank):
        if q.type == "scale":
            assert not re.search(r"\b(every|each|all)\b", q.text.get("en"), re.I), q.id


def test_nothing_is_required_that_a_provider_may_not_know(bank):
    for q in scored(bank):
        if q.required and q.type == "number":
            assert q.allow_dont_know, q.id


def test_profile_places_providers_in_peer_groups(bank):
    ids = [q.id for q in bank.profile]
    assert {"country", "provider_type", "people_trained", "jobseeker_share"} <= set(ids)
    countries = {o.value for q in bank.profile if q.id == "country" for o in q.options}
    assert {"FR", "DK", "other"} <= countries


def test_resources_are_real_links_in_every_language(bank):
    for d in bank.dimensions:
        assert d.resources, d.id
        for r in d.resources:
            assert all(r.title.get(lang) for lang in bank.languages)
            assert r.url_for("en").startswith("https://")


# --- a provider following the description can submit ---------------------------------------


@pytest.fixture
def solity_client(tmp_path):
    from selfassess.web import create_app

    app = create_app(
        {
            "SELFASSESS_DATABASE": str(tmp_path / "solity.db"),
            "SELFASSESS_QUESTIONNAIRES": str(SHIPPED),
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
        }
    )
    return app.test_client()


PROFILE = {
    "country": "FR",
    "provider_type": "adult_training",
    "people_trained": "250_999",
    "jobseeker_share": "50_89",
    "scope": "whole",
}
# The figures this provider has, with their source; every other figure is answered "No data".
KNOWN = {
    "acc_wait": (35, "estimate"),
    "qual_rate": (72, "records"),
    "work_rate": (58, "register"),
    "ret_dropout": (12, "records"),
    "com_courses": (40, "estimate"),
    "com_placements": (65, "records"),
    "wb_absence": (6.1, "register"),
}
TEXTS = {"acc_year": "2025", "inc_definition": "RQTH, QPV, sans diplôme de niveau 4"}
PRACTICE = "4"  # "In place across the organisation"


def page_data(bank: Questionnaire, number: int, no_jobseekers: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for q in bank.pages[number - 1].questions:
        if q.dimension is None:
            data[q.id] = PROFILE[q.id] if not no_jobseekers or q.id != "jobseeker_share" else "under_10"
        elif q.type == "text":
            data[q.id] = TEXTS.get(q.id, "")
        elif no_jobseekers and q.allow_na and ("jobseeker" in q.help.get("en") or q.id.startswith("acc_")):
            data[q.id] = "na"
        elif q.type == "number":
            if q.id in KNOWN:
                value, source = KNOWN[q.id]
                data[q.id], data[f"{q.id}.source"] = f"{value:g}", source
            else:
                data[q.id] = "dk"
        else:
            data[q.id] = PRACTICE
    if number == 1:
        data["_organisation"] = "Organisme de formation d'essai"
    return data


def take(client: Any, bank: Questionnaire, no_jobseekers: bool = False) -> Respondent:
    respondent = Respondent(client, bank_id="solity", lang="fr")
    for page in bank.pages:
        response = respondent.post_page(page.number, page_data(bank, page.number, no_jobseekers))
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    review = respondent.get("/review").get_data(as_text=True)
    assert "Indiquez d" not in review  # no figure lacks its source
    response = respondent.submit()
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return respondent


def weighted(items: list[tuple[float, float]]) -> float:
    return 100 * sum(w * s for w, s in items) / sum(w for w, _ in items)


def test_a_provider_with_gaps_in_its_figures_can_submit(solity_client, bank):
    respondent = take(solity_client, bank)
    report = respondent.get("/report.json").get_json()
    scores = {key: d["score"] for key, d in report["result"]["dimensions"].items()}
    assert all(score is not None for score in scores.values()), scores
    factors = bank.rubric.settings["trustworthiness"]
    practice = (4 - 1) / (5 - 1)
    # Return to work: the six-month rate (register data) and three practices; "No data" on
    # lasting jobs and job match leaves them out of the score and of its weight.
    work = (58 - 30) / (75 - 30)
    assert scores["employability"] == pytest.approx(
        weighted([(3 * factors["register"], work)] + [(1, practice)] * 3), abs=0.01
    )
    # Access: the estimated wait counts at the estimate's factor; the share who started is "No data".
    wait = (90 - 35) / (90 - 14)
    assert scores["access"] == pytest.approx(weighted([(factors["estimate"], wait)] + [(1, practice)] * 3), abs=0.01)
    # The figures answered "No data" are the report's knowledge gaps.
    gaps = {key: set(ids) for key, ids in report["knowledge_gaps"].items()}
    expected = {q.id for q in figures(bank) if q.id not in KNOWN}
    assert set().union(*gaps.values()) == expected


def test_the_report_shows_each_figure_with_its_source(solity_client, bank):
    respondent = take(solity_client, bank)
    html = respondent.get("/report", follow_redirects=True).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Retour à l" in html  # the dimension's French title
    assert "Estimation" in html and "Données administratives ou auditées" in html


def test_a_provider_without_jobseekers_can_submit(solity_client, bank):
    respondent = take(solity_client, bank, no_jobseekers=True)
    assert respondent.get("/report.json").status_code == 200


# --- the French interface -------------------------------------------------------------------


def test_french_is_an_interface_language():
    assert "fr" in INTERFACE_LANGUAGES


def test_every_interface_string_has_a_french_translation():
    with (TRANSLATIONS_DIR / "fr.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(interface_strings() - translated)
    assert not missing, f"fr.po lacks: {missing}"


def test_the_home_page_answers_accept_language_fr(solity_client):
    html = solity_client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "<h1>Auto-évaluations</h1>" in html
    assert "SOLITY – l'utilité sociale d'un organisme de formation" in html.replace("&#39;", "'")
    assert csrf_token(html)


# --- the docs -------------------------------------------------------------------------------


def test_the_docs_show_the_real_diff_from_version_1(run_cli):
    # docs/banks.md, its "## solity" section.
    docs = Path(__file__).parent.parent / "docs"
    doc = (docs / "banks.md").read_text(encoding="utf-8")
    section = doc[doc.index("## solity") :]
    after = section.index("selfassess diff tests/fixtures/banks/solity.yaml questionnaires/solity.yaml")
    shown = re.compile(r"```text\n(.*?)```", re.S).search(section, after)
    assert shown, "the solity section lacks the diff from version 1"
    v1 = Path(__file__).parent / "fixtures" / "banks" / "solity.yaml"
    result = run_cli("diff", str(v1), str(SOLITY))
    # The diff lists changes of one kind in no fixed order: compare the lines, not their order.
    assert sorted(shown.group(1).splitlines()) == sorted(result.stdout.splitlines())

"""The shipped go-international bank (version 2) as issue 15 asks: four roles, help everywhere, a staged recognition.

The bank is read from questionnaires/ (tests/conftest.py points the other tests at the v1 copies);
a whole round runs through the domain functions on a real SQLite file, and its report through
the real app.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from selfassess import assessments, rounds, store
from selfassess.assessments import PageAnswers
from selfassess.bank.catalog import Catalog
from selfassess.bank.loader import load_bank
from selfassess.bank.model import Question, Questionnaire
from selfassess.bank.questiontypes import type_of
from selfassess.scoring import engine
from tests.conftest import SHIPPED, V1_BANKS

GO = SHIPPED / "go-international.yaml"
ROLES = ("leaders", "staff", "company", "learners")


@pytest.fixture(scope="module")
def bank() -> Questionnaire:
    return load_bank(GO)


def scored(bank: Questionnaire) -> list[Question]:
    return [q for d in bank.dimensions for q in d.questions if q.scored]


def role_questions(bank: Questionnaire, role: str) -> list[Question]:
    return [q for d in bank.for_role(role).dimensions for q in d.questions]


# --- the bank -----------------------------------------------------------------------------


def test_check_passes_without_warnings(run_cli):
    result = run_cli("check", str(GO))
    assert result.exit_code == 0, result.output
    assert "ok: go-international" in result.output
    assert "warning" not in result.output.lower()


def test_every_declared_language_is_complete(run_cli, bank):
    assert bank.languages == ("en", "da", "nb")
    result = run_cli("translations", "status", str(GO))
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.strip().splitlines())
    assert set(lines) == set(bank.languages)
    for lang, status in lines.items():
        done, total = re.fullmatch(r"(\d+) of (\d+) texts", status).groups()
        assert done == total, f"{lang}: {status}"


def test_version_is_bumped_and_dimension_ids_kept_where_the_theme_stayed(bank):
    v1 = load_bank(V1_BANKS / "go-international.yaml")
    assert bank.version != v1.version
    kept = {"strategy", "partnerships", "learner_mobility", "staff", "at_home", "recognition", "employers", "quality"}
    assert kept <= {d.id for d in v1.dimensions} & {d.id for d in bank.dimensions}
    assert 7 <= len(bank.dimensions) <= 9  # a readable radar


def test_every_scored_statement_has_help_in_every_language(bank):
    lacking = [(q.id, lang) for q in scored(bank) for lang in bank.languages if not (q.help and q.help.get(lang))]
    assert not lacking


def test_help_texts_never_show_the_scoring(bank):
    for q in scored(bank):
        words = q.help.get("en").lower()
        assert "score" not in words and "full marks" not in words, q.id
        if q.type == "number":
            for bound in (q.score_from, q.score_to):
                assert not re.search(rf"(?<![\d.]){bound:g} ?%", q.help.get("en")), (q.id, bound)


def test_the_four_roles_each_answer_their_own_statements_in_15_minutes(bank):
    assert tuple(r.id for r in bank.roles) == ROLES
    needed = {r.id: r.min_respondents for r in bank.roles}
    assert needed["leaders"] == 1 and needed["learners"] >= 5
    for role in ROLES:
        questions = role_questions(bank, role)
        assert sum(q.scored for q in questions) >= 10, role
        # The profile is the coordinator's; a respondent answers only the dimensions' questions.
        seconds = sum(type_of(q).seconds for q in questions) + 60
        assert seconds <= 15 * 60, (role, seconds)
    # Every axis shows more than one group's view, and some statements are the same for several
    # groups, so the report can set their answers side by side.
    assert all(len(set(d.roles)) >= 2 for d in bank.dimensions)
    shared = {q.id: set(q.roles) for q in scored(bank) if len(q.roles) > 1}
    assert len(shared) >= 3
    assert {"staff", "company", "learners"} in shared.values()


def test_learners_and_employers_see_the_stay_questions_only_after_a_stay(bank):
    for q in scored(bank):
        if q.roles == ("learners",) and q.show_if:
            assert q.show_if.question == "lm_learner_abroad"
        if q.roles == ("company",) and q.show_if:
            assert q.show_if.question == "emp_gone"


def test_one_practice_scale_whose_top_is_the_whole_organisation(bank):
    practice = bank.scales["practice5"]
    assert "whole organisation" in practice[-1].label.get("en")
    for q in scored(bank):
        if q.type == "scale" and q.scale == "practice5":
            # The scale carries the reach, so the statement never says "every" or "each" itself.
            assert not re.search(r"\b(every|each|all)\b", q.text.get("en"), re.I), q.id
            assert q.roles == ("leaders",), q.id  # only leaders can judge the whole organisation


def test_figures_allow_no_data_and_ask_their_source_with_ranges_from_the_eu_targets(bank):
    figures = {q.id: q for q in scored(bank) if q.type == "number"}
    assert figures
    assert [q for q in figures.values() if not (q.allow_dont_know and q.trustworthiness)] == []
    assert set(bank.rubric.settings["trustworthiness"]) == {"register", "records", "estimate"}
    # Learners abroad: full marks at the EU's 2030 target (12 %), never above it.
    assert (figures["lm_share"].score_from, figures["lm_share"].score_to) == (0, 12)
    assert "10 days" in figures["lm_share"].text.get("en")  # the Erasmus+ short-term minimum


def test_choices_reward_the_practice_not_the_length_of_a_list(bank):
    questions = {q.id: q for q in scored(bank)}
    assert not [q.id for q in scored(bank) if q.type == "multi"]

    def s(qid: str, answer: Any) -> float:
        return type_of(questions[qid]).scorer(questions[qid])(answer)

    assert s("lm_hosts", "workplaces") == 1  # learners only in companies: best practice
    assert s("par_networks", "active") == 1  # active in one network is enough
    assert s("par_long_term", "one") >= 0.6


def test_the_profile_places_each_country_in_comparable_peer_groups(bank):
    profile = {q.id: q for q in bank.profile}
    assert {"country", "provider_type", "size", "accreditation"} <= set(profile)
    types = {o.value: o.label for o in profile["provider_type"].options}
    assert "fagskole" in types["tertiary"].get("nb").lower()  # tertiary, not upper-secondary
    assert "videregående skole" in types["vet_school"].get("nb").lower()
    assert "opplæringskontor" in types["training_office"].get("nb").lower()
    assert {"social- og sundhedsskole", "landbrugsskole", "amu-center"} <= {
        word
        for label in types.values()
        for word in re.findall(r"social- og sundhedsskole|landbrugsskole|amu-center", label.get("da").lower())
    }
    assert {o.value for o in profile["accreditation"].options} == {
        "accredited",
        "consortium_member",
        "short_term",
        "none",
    }


def test_danish_and_norwegian_use_the_terms_in_force(bank):
    texts = {lang: [] for lang in ("da", "nb")}
    for q in [*bank.profile, *(q for d in bank.dimensions for q in d.questions)]:
        for lang in texts:
            texts[lang] += [q.text.get(lang), q.help.get(lang) if q.help else ""]
    for d in bank.dimensions:
        for lang in texts:
            texts[lang] += [d.title.get(lang), d.description.get(lang) if d.description else ""]
            texts[lang] += [f.get(lang) for f in d.feedback.values()]
    danish = " ".join(texts["da"]).lower()
    for retired in ("praktikplads", "skolepraktik", "praktikvirksomhed", "elevplads"):
        assert retired not in danish, retired
    assert "oplæring i udlandet" in danish and "lærling" in danish
    norwegian = " ".join(texts["nb"]).lower()
    assert "beredskap" not in norwegian and "styret" not in norwegian
    assert "lærebedrift" in norwegian and "opplæringskontor" in norwegian


def test_resources_are_https_links_with_a_title_in_every_language(bank):
    for d in bank.dimensions:
        assert d.resources, d.id
        for r in d.resources:
            assert all(r.title.get(lang) for lang in bank.languages), d.id
            for lang in bank.languages:
                assert r.url_for(lang).startswith("https://"), (d.id, lang)


def test_the_changes_in_docs_banks_are_the_current_diff(run_cli):
    # docs/banks.md attaches `selfassess diff` of version 1 and version 2, its lines sorted.
    doc = (Path(__file__).parent.parent / "docs" / "banks.md").read_text(encoding="utf-8")
    start = doc.index("## go-international")
    shown = re.compile(r"```text\n(.*?)```", re.S).search(doc, start).group(1).splitlines()
    result = run_cli("diff", str(V1_BANKS / "go-international.yaml"), str(GO))
    assert sorted(shown) == sorted(result.output.splitlines()), "run the diff again and paste it into docs/banks.md"


# --- the staged recognition ------------------------------------------------------------------


def test_recognition_is_staged_and_each_group_has_its_stages(bank):
    recognition = next(d for d in bank.dimensions if d.id == "recognition")
    assert recognition.rubric == "staged"
    for role in ROLES:
        levels = {q.settings.get("level") for q in recognition.questions if role in q.roles and q.scored}
        assert {"developing", "leading"} <= levels, role


LEADER_RECOGNITION = {
    "rec_agreement": 5,  # learning agreements everywhere: developing
    "rec_units": 4,  # learning outcomes in units in most programmes ...
    "rec_mou": "dk",  # ... and the memorandum not known: left out, so established is reached
    "rec_host_assessment": 2,  # the host does not yet assess: leading is not reached
    "rec_recognised": 5,
    "rec_europass": 4,
}


def test_the_staged_recognition_names_the_first_missing_stage(bank):
    result = engine.score(bank, LEADER_RECOGNITION, role="leaders")
    recognition = result.dimensions["recognition"]
    assert recognition.level == "established"
    assert recognition.counted == 5  # "don't know" is not counted
    assert recognition.score == pytest.approx(100 * 4 / 5)  # four of the five counted criteria met
    # A leader who has no learning agreements stays at the first stage, whatever else is in place.
    result = engine.score(bank, {**LEADER_RECOGNITION, "rec_agreement": 2}, role="leaders")
    assert result.dimensions["recognition"].level == "starting"


def test_learners_and_employers_recognition_counts_after_a_stay(bank):
    # Their criteria show only after "I have been abroad" / "our apprentice went", questions of
    # other dimensions: the staged dimension, scored on its own, still sees those answers.
    learner = {
        "lm_learner_abroad": "yes",
        "rec_learner_agreement": "yes",
        "rec_learner_goals": 4,
        "rec_learner_assessed": "no",
        "rec_learner_counted": 5,
        "rec_learner_europass": "dk",
    }
    recognition = engine.score(bank, learner, role="learners").dimensions["recognition"]
    assert (recognition.level, recognition.counted, recognition.score) == ("established", 4, pytest.approx(75))
    company = {"emp_gone": "yes", "rec_company_agreed": 5, "rec_company_counted": 4}
    assert engine.score(bank, company, role="company").dimensions["recognition"].level == "leading"
    # Without a stay there is nothing to judge: no score rather than a zero.
    assert engine.score(bank, {"lm_learner_abroad": "no"}, role="learners").dimensions["recognition"].score is None


# --- a whole round -----------------------------------------------------------------------------


def answer_for(q: Question, n: int) -> Any:
    """A plausible answer: mostly good practice, some "don't know", and one stay abroad in two."""
    if q.id in ("lm_learner_abroad", "emp_gone", "st_been"):
        return "yes" if n % 2 == 0 else "no"
    if q.allow_dont_know and n % 4 == 3:
        return "dk"
    if q.type == "number":
        figure = {"lm_share": 9, "lm_programmes": 60, "emp_share": 4, "st_share": 20}.get(q.id, 10)
        return {"value": figure, "source": ("records", "estimate", "register")[n % 3]} if q.trustworthiness else figure
    if q.type == "scale":
        return 4 if n % 3 else 5
    if q.type == "yesno":
        return "yes" if n % 3 else "no"
    if q.type == "choice":
        best = max(q.options, key=lambda o: o.score or 0)
        return best.value if n % 2 == 0 else q.options[len(q.options) // 2].value
    if q.type == "text":
        return f"Needs a contact person ({n})"
    raise AssertionError(q.type)


@pytest.fixture
def world(tmp_path):
    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(GO, folder / GO.name)
    catalog = Catalog.load(folder)
    db = store.connect(tmp_path / "go.db")
    return db, catalog, catalog.get("go-international"), folder, tmp_path / "go.db"


def respond(db, catalog, found, role: str, n: int) -> None:
    draft = rounds.join(db, catalog, store.invitations(db, found.round.id)[role])
    assessment = assessments.open_by_token(db, catalog, draft.token)
    for page in assessment.pages:
        given = {q.id: answer_for(q, n) for q in page.questions}
        assessments.save_page(db, assessment, page.number, PageAnswers(given))
        assessment = assessments.open_by_token(db, catalog, draft.token)
    outcome = assessments.submit(db, assessments.open_by_token(db, catalog, draft.token))
    assert outcome.ok, outcome


def test_a_round_with_every_group_completes_and_reports(world):
    db, catalog, bank, folder, path = world
    response = rounds.start(db, bank, "da")
    found = assessments.open_by_token(db, catalog, response.token)
    profile = {
        "country": "DK",
        "provider_type": "vet_school",
        "size": "1000_4999",
        "sectors": ["technology", "hospitality"],
        "accreditation": "accredited",
    }
    assessments.save_page(db, found, 1, PageAnswers(profile, organisation="Erhvervsskolen Nord"))
    found = rounds.open_round(db, catalog, response.token)
    for role in bank.roles:
        for n in range(role.min_respondents):
            respond(db, catalog, found, role.id, n)
    report = rounds.close(db, rounds.open_round(db, catalog, response.token))

    org = report.result
    assert all(org.groups[r].reached for r in ROLES)
    assert org.score is not None and org.level is not None
    assert all(org.dimensions[d.id].score is not None for d in bank.dimensions), org.dimensions
    assert org.dimensions["recognition"].level is not None
    data = rounds.report_json(bank, report)
    assert set(data["groups"]) == set(ROLES)
    assert any(group["dont_know"] for group in data["groups"].values())  # knowledge gaps are counted

    # The coordinator's report page, through the real app on the same database.
    from selfassess.web import create_app

    app = create_app(
        {
            "SELFASSESS_DATABASE": str(path),
            "SELFASSESS_QUESTIONNAIRES": str(folder),
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
        }
    )
    html = app.test_client().get(f"/c/{response.token}/report").get_data(as_text=True)
    assert "Anerkendelse af læring i udlandet" in html  # the round was started in Danish
    assert "https://www.borger.dk/" in html  # the employers' resources under the advice
    assert app.test_client().get(f"/c/{response.token}/report.json").status_code == 200

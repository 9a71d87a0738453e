"""selfassess demo: plausible organisations for both shipped banks, and a demo cohort per bank."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from selfassess import accounts, cohorts, store
from selfassess.bank.catalog import Catalog
from selfassess.bank.synthetic import TEXTS, YEARS
from selfassess.demo import COHORT_SIZE, COUNTRY_LANGUAGE, cohort_code, create_demo_data
from selfassess.resources import questionnaires_dir
from tests.conftest import query
from tests.test_facilitate import login

ORGANISATIONS = 80
SEED = 2026


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(questionnaires_dir())


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> str:
    """One SQLite demo database of both shipped banks, looked at by the plausibility tests."""
    path = str(tmp_path_factory.mktemp("demo") / "demo.db")
    banks = [catalog.banks[b] for b in sorted(catalog.banks)]
    assert len(create_demo_data(path, banks, ORGANISATIONS, seed=SEED)) == ORGANISATIONS * len(banks)
    return path


def organisation_answers(path: str, bank_id: str) -> dict[int, tuple[str, dict[str, Any]]]:
    """Per organisation: the language and answers of its single or coordinating response to the bank."""
    out: dict[int, tuple[str, dict[str, Any]]] = {}
    rows = query(
        path,
        "SELECT r.organisation_id, r.language, a.question_id, a.value FROM responses r"
        " JOIN answers a ON a.response_id = r.id WHERE r.bank_id = ? AND r.role IS NULL",
        [bank_id],
    )
    for org, lang, qid, value in rows:
        out.setdefault(org, (lang, {}))[1][qid] = json.loads(value)
    return out


@pytest.mark.parametrize("bank_id", ["go-international", "solity"])
def test_most_organisations_have_strengths_and_weaknesses(demo_db, bank_id):
    levels, scores = defaultdict(set), defaultdict(list)
    for org, level, value in query(
        demo_db,
        "SELECT organisation_id, level, score FROM scores WHERE bank_id = ? AND latest = 1 AND dimension != ''",
        [bank_id],
    ):
        levels[org].add(level)
        scores[org].append(value)
    assert len(levels) == ORGANISATIONS
    assert sum(len(seen) > 1 for seen in levels.values()) >= 0.85 * ORGANISATIONS
    # The strongest dimension stands out: at least 20 points above the weakest in most organisations.
    assert sum(max(s) - min(s) >= 20 for s in scores.values()) >= 0.75 * ORGANISATIONS


@pytest.mark.parametrize(("bank_id", "home"), [("go-international", {"DK", "NO"}), ("solity", {"FR", "DK"})])
def test_most_providers_come_from_countries_whose_language_the_bank_speaks(demo_db, bank_id, home):
    countries = Counter(answers["country"] for _, answers in organisation_answers(demo_db, bank_id).values())
    assert sum(countries[c] for c in home) > 0.55 * ORGANISATIONS
    assert len(countries) >= 4  # and a few from elsewhere


@pytest.mark.parametrize("bank_id", ["go-international", "solity"])
def test_each_provider_answers_in_its_countrys_language_where_the_bank_has_it(demo_db, catalog, bank_id):
    bank = catalog.banks[bank_id]
    for lang, answers in organisation_answers(demo_db, bank_id).values():
        own = COUNTRY_LANGUAGE.get(answers["country"])
        assert lang == (own if own in bank.languages else "en")
    assert {lang for lang, _ in organisation_answers(demo_db, bank_id).values()} == set(bank.languages)


def test_role_respondents_mostly_answer_in_the_rounds_language(demo_db):
    pairs = query(
        demo_db,
        "SELECT p.language, c.language FROM responses p JOIN rounds r ON r.id = p.round_id"
        " JOIN responses c ON c.id = r.response_id WHERE p.role IS NOT NULL",
    )
    assert sum(own == rounds for own, rounds in pairs) >= 0.8 * len(pairs)


def test_profile_answers_are_spread_as_providers_are(demo_db):
    answers = [a for _, a in organisation_answers(demo_db, "go-international").values()]
    sectors = [a["sectors"] for a in answers]
    assert all(1 <= len(s) <= 3 for s in sectors)
    assert Counter(len(s) for s in sectors)[1] > ORGANISATIONS / 4
    types = Counter(a["provider_type"] for a in answers)
    assert types.most_common(1)[0][0] == "vet_school" and types["tertiary"] < ORGANISATIONS / 10


def test_figures_are_whole_numbers(demo_db, catalog):
    numbers = {q.id for bank in catalog.banks.values() for q in bank.questions if q.type == "number"}
    values = [json.loads(v) for qid, v in query(demo_db, "SELECT question_id, value FROM answers") if qid in numbers]
    figures = [v["value"] if isinstance(v, dict) else v for v in values]
    figures = [f for f in figures if isinstance(f, (int, float))]
    assert figures and all(float(f).is_integer() for f in figures)


def test_free_texts_are_mostly_empty_short_and_in_the_respondents_language(demo_db, catalog):
    texts = {q.id for bank in catalog.banks.values() for q in bank.questions if q.type == "text"}
    asked = Counter()
    for qid, value, lang in query(
        demo_db, "SELECT a.question_id, a.value, r.language FROM answers a JOIN responses r ON r.id = a.response_id"
    ):
        if qid not in texts:
            continue
        text = json.loads(value)
        asked[qid] += 1
        if qid == "acc_year":
            assert text in YEARS and re.fullmatch(r"20\d\d([/–]\d\d)?", text)
        else:
            assert text in TEXTS[qid][lang]
    assert asked["acc_year"] > 0
    # A leader's aim is written by one organisation in four or five, not by all.
    assert 0 < asked["str_aim"] < 0.4 * ORGANISATIONS


def test_no_one_in_a_round_writes_what_another_wrote(demo_db):
    rows = query(
        demo_db,
        "SELECT p.round_id, a.question_id, a.value FROM answers a JOIN responses p ON p.id = a.response_id"
        " WHERE p.role IS NOT NULL AND a.question_id IN ('str_aim', 'lm_learner_barrier', 'emp_conditions')",
    )
    assert rows and len(set(rows)) == len(rows)


def test_learner_groups_grow_with_the_providers_size(demo_db):
    rows = query(
        demo_db,
        "SELECT COUNT(*) FROM responses WHERE role = 'learners' GROUP BY round_id",
    )
    assert max(n for (n,) in rows) > 9


def test_each_bank_has_a_closed_demo_cohort_of_a_few_dozen_organisations(demo_db, catalog):
    db = store.connect(demo_db)
    for bank_id, bank in catalog.banks.items():
        cohort = cohorts.by_code(db, cohort_code(bank, SEED))
        assert cohort is not None and cohort.bank_id == bank_id
        assert cohort.owner_id is None and not cohort.open  # its code is derived from the seed: it admits nobody
        members = cohorts.members(db, cohort, [q.id for q in bank.profile])
        assert len(members) == COHORT_SIZE and all(m.status == "submitted" for m in members)
    (rounds_in_cohort,) = query(demo_db, "SELECT COUNT(*) FROM rounds WHERE cohort_id IS NOT NULL")[0]
    assert rounds_in_cohort == COHORT_SIZE


def test_the_same_seed_makes_the_same_answers(tmp_path, catalog):
    bank = catalog.banks["solity"]

    def answers(name: str) -> list[tuple[Any, ...]]:
        path = str(tmp_path / name)
        create_demo_data(path, [bank], 8, seed=5)
        return query(path, "SELECT r.organisation_id, a.question_id, a.value FROM answers a JOIN responses r"
                     " ON r.id = a.response_id ORDER BY 1, 2")  # fmt: skip

    assert answers("one.db") == answers("two.db")


def test_a_facilitator_added_later_sees_the_demo_cohort_after_demo_runs_again(app, client):
    path = app.config["SELFASSESS_DATABASE"]
    catalog = app.extensions["selfassess_catalog"]
    banks = [catalog.get("go-international"), catalog.get("solity")]
    create_demo_data(path, banks, 6, seed=SEED)
    db = store.connect(path)
    facilitator = accounts.add(db, "demo@agency.eu", "a long password")
    assert cohorts.of_facilitator(db, facilitator.id) == []
    assert create_demo_data(path, banks, 6, seed=SEED) == []  # adds no one, shares the cohorts
    assert len(cohorts.of_facilitator(db, facilitator.id)) == 2
    login(client, "demo@agency.eu")
    for bank in banks:
        page = client.get(f"/facilitator/cohorts/{cohort_code(bank, SEED)}")
        assert page.status_code == 200
        assert "Demo provider 001" in page.get_data(as_text=True)


def test_the_demo_command_points_to_reports_and_dashboards(run_cli, tmp_path: Path):
    database = str(tmp_path / "demo.db")
    out = run_cli("demo", "--responses", "5", "--db", database).output
    assert re.search(r"/c/[\w-]+/report", out) and re.search(r"/r/[\w-]+/report", out)
    assert out.count("/facilitator/cohorts/demo-") == 2
    assert f"selfassess facilitator add you@example.org --db {database}" in out

"""The response that counts for an organisation: one rule for the dashboard, the exports and the peer figures."""

from __future__ import annotations

import random
import statistics

import pytest

from selfassess import accounts, cohorts, exports, peers, store
from selfassess.bank.loader import load_bank
from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import score
from tests.conftest import V1_BANKS


@pytest.fixture
def world(database):
    """A cohort: two organisations that re-submitted (one then started a draft), one with only a draft."""
    bank = load_bank(V1_BANKS / "go-international.yaml")
    db = store.connect(database)
    store.register_profile(db, bank)
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Seminar")
    rng = random.Random(5)
    made: dict[str, list[store.Response]] = {}

    def start(name: str, submit: bool) -> store.Response:
        response = store.create_response(db, bank, "en")
        cohorts.join(db, response.id, cohort)
        if name in made:
            store.set_response_organisation(db, response.id, made[name][0].organisation_id)
        else:
            store.set_organisation(db, response, name)
        response = store.get_response(db, response.token)
        answers = random_answers(bank, rng, rng.random())
        store.save_answers(db, response, answers)
        if submit:
            store.submit(db, response, bank, score(bank, answers))
        made.setdefault(name, []).append(store.get_response(db, response.token))
        return response

    start("Aarhus", True)
    start("Aarhus", True)
    start("Aarhus", False)  # a newer draft does not replace the counting submission
    start("Bergen", True)
    start("Bergen", True)
    start("Cork", False)
    for n in range(4):
        start(f"Other {n}", True)
    yield db, bank, cohort, made
    db.conn.close()


def test_dashboard_shows_each_organisation_once_by_the_rule(world):
    db, bank, cohort, made = world
    shown = {m.organisation: m for m in cohorts.members(db, cohort, [q.id for q in bank.profile])}
    assert len(shown) == 7
    assert shown["Aarhus"].response_id == made["Aarhus"][1].id and shown["Aarhus"].status == "submitted"
    assert shown["Bergen"].response_id == made["Bergen"][1].id
    assert shown["Cork"].status == "draft"  # in progress, in no figure
    assert store.cohort_counts(db, [cohort.id, 999]) == {cohort.id: (7, 6), 999: (0, 0)}


def test_exports_list_the_dashboard_responses(world):
    db, bank, cohort, _ = world
    members = cohorts.members(db, cohort, [])
    rows = exports.response_rows(db, cohort, bank, "en", rounded=True)
    assert [r["response"] for r in rows] == [m.response_id for m in members]
    assert {r["response"] for r in exports.answer_rows(db, cohort, bank, "en")} == {m.response_id for m in members}


def test_cohort_releases_use_the_dashboard_members(world):
    db, bank, cohort, _ = world
    members = cohorts.members(db, cohort, [])
    counted = sorted(m.response_id for m in members if m.status == "submitted")
    key = store.GroupKey(bank.id, store.COHORT_GROUP, str(cohort.id))
    release = peers.current_release(db, bank, key, peers.Policy())
    assert release is not None and sorted(release.member_ids) == counted


def test_only_the_counting_submission_is_a_peer(world):
    db, _, _, made = world
    latest = {row[0] for row in db.conn.execute("SELECT response_id FROM scores WHERE latest = 1")}
    assert made["Aarhus"][1].id in latest and made["Aarhus"][0].id not in latest
    assert store.earlier_submissions(db, made["Aarhus"][1]) == [(made["Aarhus"][0].id, made["Aarhus"][0].submitted_at)]


@pytest.mark.parametrize("seed", range(30))
def test_one_quartile_function_matches_statistics(seed):
    rng = random.Random(seed)
    values = sorted(rng.choice([rng.random() * 100, 0.0, 100.0]) for _ in range(rng.randint(2, 60)))
    p25, median, p75 = peers.quartiles(len(values), values.__getitem__)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (p25, median, p75) == (q1, statistics.median(values), q3)

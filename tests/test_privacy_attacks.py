"""The five attacks of issue 13, run against the release machinery through the web routes.

Fake organisations and the victim submit through the respondent pages (the test client, as a
browser would post them); the viewer asks for ``report.json`` as a browser would. Each attack
then runs 100 times with fresh randomness: before each run the group's stored releases are
deleted (``store.forget_releases``), so the next request draws a new release from OpenDP's
samplers, exactly as the first request after a due date would. An attack "recovers" the
victim when its estimate of the victim's score in the first dimension is within ±5 points.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from selfassess import accounts, cohorts, store
from selfassess.bank.answers import is_visible
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from tests.conftest import Respondent, csrf_token, form_values

RUNS = 100
ALLOWED = 0.10  # share of runs an attack may recover the victim's score within ±5


def answers_at(bank: Any, level: float | None, country: str, seed: int) -> dict[str, Any]:
    """Answers scoring about *level* (0 or 1 for the extremes; None: random), from *country*."""
    rng = random.Random(seed)
    answers = random_answers(bank, rng, 0.5 if level is None else level)
    if level is not None:
        for q in bank.scored_questions:
            if q.type == "multi":
                answers[q.id] = [o.value for o in q.options] if level else []
            elif q.type == "yesno":
                answers[q.id] = "yes" if level else "no"
            elif q.options:
                ranked = sorted(q.options, key=lambda o: o.score if o.score is not None else float(o.value))
                answers[q.id] = (ranked[-1] if level else ranked[0]).value
    answers["country"] = country
    return answers


def take(client: Any, bank: Any, answers: dict[str, Any], name: str, join: str | None = None) -> str:
    """Start (or join a cohort by its link), answer every page, submit; return the token."""
    if join is None:
        respondent = Respondent(client)
    else:
        page = client.get(f"/join/{join}").get_data(as_text=True)
        started = client.post(f"/join/{join}", data={"csrf_token": csrf_token(page), "lang": "en"})
        respondent = Respondent.__new__(Respondent)
        respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
    for page in bank_pages(bank):
        data = form_values({q.id: answers[q.id] for q in page.questions if q.id in answers})
        if page.number == 1:
            data["_organisation"] = name
        data["_shown"] = [q.id for q in page.questions if is_visible(bank, q, answers)]
        assert respondent.post_page(page.number, data).status_code == 302
    assert respondent.submit().status_code == 302
    return respondent.token


def first_dimension(client: Any, token: str) -> float:
    data = client.get(f"/r/{token}/report.json").get_json()
    return float(next(iter(data["result"]["dimensions"].values()))["score"])


def estimate(peers: dict[str, Any], dim: str) -> float | None:
    """The attacker's estimate of the victim's score from a release: its median (None: no figures)."""
    if peers["dimensions"] is None or peers["dimensions"].get(dim) is None:
        return None
    return float(peers["dimensions"][dim]["median"])


def recovered_share(app: Any, client: Any, viewer: str, query: str, key: store.GroupKey, guess: Any) -> float:
    """Run an attack RUNS times on fresh releases; the share of runs whose guess is within ±5."""
    hits = 0
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    try:
        for _ in range(RUNS):
            store.forget_releases(db, key)
            peers = client.get(f"/r/{viewer}/report.json{query}").get_json()["peers"]
            again = client.get(f"/r/{viewer}/report.json{query}").get_json()["peers"]
            assert again == peers  # an identical query returns the same release
            hits += guess(peers)
    finally:
        db.conn.close()
    return hits / RUNS


@pytest.fixture
def bank(app):
    return app.extensions["selfassess_catalog"].get("go-international")


def test_sybils_and_differencing_in_a_profile_group(app, bank):
    client = app.test_client()
    victim = take(client, bank, answers_at(bank, None, "BE", 1), "Victim")
    dim = bank.dimensions[0].id
    truth = first_dimension(client, victim)
    for i, level in enumerate((0, 0, 1, 1)):  # 1. four fakes at the extremes: the median is the victim
        take(app.test_client(), bank, answers_at(bank, level, "BE", 10 + i), f"Fake {i}")
    viewer = take(app.test_client(), bank, answers_at(bank, None, "BE", 20), "Viewer")
    key = store.GroupKey(bank.id, "country", json.dumps("BE"))

    def near(target: float) -> Any:
        return lambda peers: (e := estimate(peers, dim)) is not None and abs(e - target) <= 5

    assert recovered_share(app, client, viewer, "?peers=country", key, near(truth)) <= ALLOWED
    # 2. differencing: a second provider joins; 2 x median_after - v1 was its score.
    before = client.get(f"/r/{viewer}/report.json?peers=country").get_json()["peers"]
    newcomer = take(app.test_client(), bank, answers_at(bank, None, "BE", 30), "Newcomer")
    after = client.get(f"/r/{viewer}/report.json?peers=country").get_json()["peers"]
    assert after == before  # one new member is no reason for a new release
    new_score = first_dimension(client, newcomer)

    def differencing(peers: dict[str, Any]) -> bool:
        e = estimate(peers, dim)
        return e is not None and abs(2 * e - truth - new_score) <= 5

    assert recovered_share(app, client, viewer, "?peers=country", key, differencing) <= ALLOWED


def test_percentile_probing_by_resubmitting_learns_nothing_new(app, bank):
    app.config.update(SELFASSESS_PRIVACY_EPSILON=50.0, SELFASSESS_PRIVACY_YEARLY_EPSILON=10_000.0)
    from selfassess.demo import create_demo_data

    create_demo_data(app.config["SELFASSESS_DATABASE"], [bank], 150, seed=3)  # a group large enough for figures
    client = app.test_client()
    viewer = take(client, bank, answers_at(bank, None, "DK", 40), "Prober")
    first = client.get(f"/r/{viewer}/report.json").get_json()
    assert "percentile" not in json.dumps(first["peers"])  # 3. no exact rank to binary-search with
    token = viewer
    for level in (0, 1, None):  # "start again from these answers" with other scores
        html = client.get(f"/r/{token}/report").get_data(as_text=True)
        copied = client.post(f"/r/{token}/copy", data={"csrf_token": csrf_token(html)})
        token = copied.headers["Location"].split("/")[2]
        respondent = Respondent.__new__(Respondent)
        respondent.client, respondent.token = client, token
        answers = answers_at(bank, level, "DK", 41)
        for page in bank_pages(bank):
            data = form_values({q.id: answers[q.id] for q in page.questions if q.id in answers})
            data["_shown"] = [q.id for q in page.questions if is_visible(bank, q, answers)]
            assert respondent.post_page(page.number, data).status_code == 302
        assert respondent.submit().status_code == 302
        peers = client.get(f"/r/{token}/report.json").get_json()["peers"]
        for field in ("released_at", "peers"):
            assert peers[field] == first["peers"][field]  # the same release, whatever the viewer's own score
        for dim, fig in peers["dimensions"].items():
            assert fig["median"] == first["peers"]["dimensions"][dim]["median"]


def test_small_groups_and_open_cohorts_tell_nothing(app, bank):
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Open cohort")
    db.conn.close()
    client = app.test_client()
    victim = take(client, bank, answers_at(bank, None, "FI", 50), "Victim", join=cohort.code)
    truth = first_dimension(client, victim)
    dim = bank.dimensions[0].id
    lone = client.get(f"/r/{victim}/report.json?peers=cohort").get_json()["peers"]
    for i, level in enumerate((0, 0, 1, 1)):  # 5. Sybils through the invitation link, no login
        take(app.test_client(), bank, answers_at(bank, level, "FI", 60 + i), f"Fake {i}", join=cohort.code)
    viewer = take(app.test_client(), bank, answers_at(bank, None, "FI", 70), "Viewer", join=cohort.code)
    key = store.GroupKey(bank.id, store.COHORT_GROUP, str(cohort.id))

    def near(peers: dict[str, Any]) -> bool:
        e = estimate(peers, dim)
        return e is not None and abs(e - truth) <= 5

    assert recovered_share(app, client, viewer, "?peers=cohort", key, near) <= ALLOWED
    # 4. a group of one and a group of six look the same: no count below the threshold.
    six = client.get(f"/r/{viewer}/report.json?peers=cohort").get_json()["peers"]
    assert {k: v for k, v in six.items()} == {k: v for k, v in lone.items()}
    html = client.get(f"/r/{viewer}/report?peers=cohort").get_data(as_text=True)
    assert "Too few peers for private figures" in html and "Peer median" not in html

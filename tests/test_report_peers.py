"""Peer figures in report.json: releases, whole points near raw statistics, nothing about small groups."""

from __future__ import annotations

import json
import random
import statistics

import pytest

from selfassess import store
from selfassess.bank.synthetic import random_answers
from selfassess.demo import create_demo_data
from selfassess.scoring.engine import score


@pytest.fixture
def bank(app):
    return app.extensions["selfassess_catalog"].get("go-international")


def raw_peers(path, bank_id, token, dimension, group=None, include_me=False):
    """The peer scores of one response, straight from the tables, without the app's code."""
    conn = store.open_database(path).conn
    me = conn.execute("SELECT id, organisation_id FROM responses WHERE token = ?", [token]).fetchone()
    rows = conn.execute(
        """SELECT r.organisation_id, r.id, s.score FROM responses r JOIN scores s ON s.response_id = r.id
           WHERE r.bank_id = ? AND r.status = 'submitted' AND s.dimension = ? AND (r.organisation_id != ? OR ?)
           ORDER BY r.submitted_at, r.id""",
        [bank_id, dimension, me[1], include_me],
    ).fetchall()
    latest = {}
    for org, response_id, value in rows:  # the last submission of each organisation wins
        latest[org] = (response_id, value)
    if group:
        mine = conn.execute(
            "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", [me[0], group]
        ).fetchone()[0]
        latest = {
            org: pair for org, pair in latest.items()
            if conn.execute("SELECT value FROM answers WHERE response_id = ? AND question_id = ?", [pair[0], group]).fetchone() == (mine,)
        }  # fmt: skip
    my_score = conn.execute(
        "SELECT score FROM scores WHERE response_id = ? AND dimension = ?", [me[0], dimension]
    ).fetchone()[0]
    return [v for _, v in latest.values() if v is not None], my_score


def little_noise(app):
    """A large ε (and a yearly total that allows it), so that tests can compare figures with raw statistics."""
    app.config.update(SELFASSESS_PRIVACY_EPSILON=50.0, SELFASSESS_PRIVACY_YEARLY_EPSILON=10_000.0)


@pytest.mark.parametrize("group", [None, "country"])
def test_released_figures_are_whole_points_near_the_truth(app, client, bank, group):
    little_noise(app)  # the figures must sit near raw statistics
    path = app.config["SELFASSESS_DATABASE"]
    tokens = create_demo_data(path, [bank], 400, seed=4)
    for token in tokens[:3]:
        query = f"?peers={group}" if group else ""
        peers = client.get(f"/r/{token}/report.json{query}").get_json()["peers"]
        assert peers["group"] == (group or "all")
        values, _ = raw_peers(path, bank.id, token, "", group, include_me=True)
        if len(values) < 150:
            continue
        assert peers["figures"] == "private" and peers["released_at"]
        assert "n" not in peers and ("–" in peers["peers"] or peers["peers"].endswith("+"))
        overall = peers["overall"]
        assert set(overall) == {"median", "p25", "p75", "plus_minus", "quartile_plus_minus", "position"}
        assert isinstance(overall["median"], int)
        assert abs(overall["median"] - statistics.median(values)) <= max(3, overall["plus_minus"])
        assert overall["position"] in {"top-quarter", "above", "around", "below", "bottom-quarter"}
        assert "percentile" not in overall


def test_a_release_is_served_to_every_request_until_the_next(app, client, bank):
    little_noise(app)
    tokens = create_demo_data(app.config["SELFASSESS_DATABASE"], [bank], 150, seed=5)
    first = client.get(f"/r/{tokens[0]}/report.json").get_json()["peers"]
    assert first["overall"] is not None
    for token in tokens[:5]:
        again = client.get(f"/r/{token}/report.json").get_json()["peers"]
        assert {k: again[k] for k in ("released_at", "peers")} == {k: first[k] for k in ("released_at", "peers")}
        assert {d: f["median"] for d, f in again["dimensions"].items()} == {
            d: f["median"] for d, f in first["dimensions"].items()
        }
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    assert len(store.all_releases(db)) == 1
    db.conn.close()


def submit_org(app, bank, name, seed, profile=None):
    """Submit one response for a new organisation straight through the store."""
    path = app.config["SELFASSESS_DATABASE"]
    db = store.connect(path)
    store.register_profile(db, bank)
    answers = random_answers(bank, random.Random(seed), 0.5)
    answers.update(profile or {})
    response = store.create_response(db, bank, "en")
    store.set_organisation(db, response, name)
    response = store.get_response(db, response.token)
    store.save_answers(db, response, answers)
    store.submit(db, response, bank, score(bank, answers))
    db.conn.close()
    return response


@pytest.mark.parametrize("others", [0, 4, 30])
def test_a_small_group_says_nothing_about_its_size(app, client, bank, others):
    me = submit_org(app, bank, "Me", 1)
    for i in range(others):
        submit_org(app, bank, f"Peer {i}", 100 + i)
    peers = client.get(f"/r/{me.token}/report.json").get_json()["peers"]
    assert peers == {
        "group": "all", "figures": None, "released_at": None, "peers": None, "overall": None, "dimensions": None,
        "reason": "too-few",
    }  # fmt: skip
    html = client.get(f"/r/{me.token}/report").get_data(as_text=True)
    assert "Too few peers for private figures in this group" in html
    assert "Peer median" not in html and "peers," not in html and "other provider" not in html
    csv_text = client.get(f"/r/{me.token}/report.csv").get_data(as_text=True)
    assert all(line.split(",")[9] == "" for line in csv_text.splitlines()[1:])  # the peers column


def test_a_resubmission_gets_the_same_release(app, client, bank):
    little_noise(app)
    tokens = create_demo_data(app.config["SELFASSESS_DATABASE"], [bank], 150, seed=6)
    before = client.get(f"/r/{tokens[0]}/report.json").get_json()["peers"]
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    me = store.get_response(db, tokens[0])
    again = store.create_response(db, bank, "en")
    store.set_response_organisation(db, again.id, me.organisation_id)
    again = store.get_response(db, again.token)
    answers = random_answers(bank, random.Random(999), 0.95)
    store.save_answers(db, again, answers)
    store.submit(db, again, bank, score(bank, answers))
    db.conn.close()
    after = client.get(f"/r/{again.token}/report.json").get_json()["peers"]
    assert {k: after[k] for k in ("released_at", "peers")} == {k: before[k] for k in ("released_at", "peers")}
    assert after["overall"]["median"] == before["overall"]["median"]
    assert len(after["dimensions"]) == len(before["dimensions"])


def test_own_earlier_submission_is_history(app, client, bank):
    first = submit_org(app, bank, "Me", 1)
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    second = store.create_response(db, bank, "en")
    store.set_response_organisation(db, second.id, first.organisation_id)
    second = store.get_response(db, second.token)
    answers = random_answers(bank, random.Random(5), 0.8)
    store.save_answers(db, second, answers)
    store.submit(db, second, bank, score(bank, answers))
    db.conn.close()
    data = client.get(f"/r/{second.token}/report.json").get_json()
    assert len(data["history"]) == 1
    html = client.get(f"/r/{second.token}/report").get_data(as_text=True)
    assert "Changes since earlier assessments" in html
    figure = json.loads(_attr(html, "data-figure"))
    assert len(figure["data"]) == 2  # the earlier submission, now (no peer figures for a small group)


def _attr(html, name):
    import html as html_lib
    import re

    return html_lib.unescape(re.search(rf'{name}="([^"]*)"', html).group(1))


def test_unknown_group_is_a_400(app, client, bank):
    me = submit_org(app, bank, "Me", 1)
    response = client.get(f"/r/{me.token}/report.json?peers=shoe_size")
    assert response.status_code == 400
    assert "There is no peer group “shoe_size”" in response.get_json()["error"]


def test_csv_has_a_bom_and_nordic_letters(app, client, bank):
    me = submit_org(app, bank, "Ærø Tekniske Skole", 1)
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    db.conn.execute("UPDATE responses SET language = 'da' WHERE id = ?", [me.id])
    db.conn.commit()
    db.conn.close()
    body = client.get(f"/r/{me.token}/report.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "Internationalisering på hjemmebane" in text
    assert text.splitlines()[0].startswith("dimension,title,score,level")


def test_draft_has_no_report_json(client, respondent):
    response = client.get(f"/r/{respondent.token}/report.json")
    assert response.status_code == 409

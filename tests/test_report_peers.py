"""Peer figures in report.json, checked against statistics computed independently from raw rows."""

from __future__ import annotations

import json
import random
import sqlite3
import statistics

import pytest

from selfassess import store
from selfassess.bank.synthetic import random_answers
from selfassess.demo import create_demo_data
from selfassess.scoring.engine import score


@pytest.fixture
def bank(app):
    return app.extensions["selfassess_catalog"].get("go-international")


def raw_peers(path, bank_id, token, dimension, group=None):
    """The peer scores of one response, straight from the tables, without the app's code."""
    conn = sqlite3.connect(path)
    me = conn.execute("SELECT id, organisation_id FROM responses WHERE token = ?", [token]).fetchone()
    rows = conn.execute(
        """SELECT r.organisation_id, r.id, s.score FROM responses r JOIN scores s ON s.response_id = r.id
           WHERE r.bank_id = ? AND r.status = 'submitted' AND s.dimension = ? AND r.organisation_id != ?
           ORDER BY r.submitted_at, r.id""",
        [bank_id, dimension, me[1]],
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


def expected(values, mine):
    p25, _, p75 = statistics.quantiles(values, n=4, method="inclusive")
    below = sum(1 for v in values if v < mine)
    equal = sum(1 for v in values if v == mine)
    return {
        "median": statistics.median(values), "p25": p25, "p75": p75,
        "percentile": 100 * (below + 0.5 * equal) / len(values),
    }  # fmt: skip


@pytest.mark.parametrize("group", [None, "country", "accreditation"])
def test_figures_match_raw_statistics(app, client, bank, group):
    path = app.config["SELFASSESS_DATABASE"]
    tokens = create_demo_data(path, [bank], 120, seed=4)
    for token in tokens[:3]:
        query = f"?peers={group}" if group else ""
        data = client.get(f"/r/{token}/report.json{query}").get_json()
        peers = data["peers"]
        assert peers["group"] == (group or "all")
        values, mine = raw_peers(path, bank.id, token, "", group)
        assert peers["n"] == len(values)
        if len(values) < 5:
            assert peers["overall"] is None and peers["dimensions"] is None
            continue
        for key, value in expected(values, mine).items():
            assert peers["overall"][key] == pytest.approx(value, abs=1e-9), key
        for dim in bank.dimensions:
            values, mine = raw_peers(path, bank.id, token, dim.id, group)
            got = peers["dimensions"][dim.id]
            assert got["n"] == len(values)
            for key, value in expected(values, mine).items():
                assert got[key] == pytest.approx(value, abs=1e-9), (dim.id, key)


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


@pytest.mark.parametrize(("others", "shown"), [(4, False), (5, True)])
def test_anonymity_threshold(app, client, bank, others, shown):
    me = submit_org(app, bank, "Me", 1)
    for i in range(others):
        submit_org(app, bank, f"Peer {i}", 100 + i)
    peers = client.get(f"/r/{me.token}/report.json").get_json()["peers"]
    assert peers["n"] == others
    assert (peers["overall"] is not None) == shown
    if not shown:
        assert peers == {"group": "all", "n": others, "overall": None, "dimensions": None, "reason": "too-few"}
        html = client.get(f"/r/{me.token}/report").get_data(as_text=True)
        assert "Not enough peers in this group yet" in html
        assert "Peer median" not in html


def test_organisation_that_submitted_twice_counts_once(app, client, bank):
    me = submit_org(app, bank, "Me", 1)
    peers = [submit_org(app, bank, f"Peer {i}", 10 + i) for i in range(5)]
    before = client.get(f"/r/{me.token}/report.json").get_json()["peers"]
    # Peer 0 submits again: a new draft for the same organisation.
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    again = store.create_response(db, bank, "en")
    store.set_response_organisation(db, again.id, peers[0].organisation_id)
    again = store.get_response(db, again.token)
    answers = random_answers(bank, random.Random(999), 0.9)
    store.save_answers(db, again, answers)
    store.submit(db, again, bank, score(bank, answers))
    db.conn.close()
    after = client.get(f"/r/{me.token}/report.json").get_json()["peers"]
    assert before["n"] == after["n"] == 5
    values, _ = raw_peers(app.config["SELFASSESS_DATABASE"], bank.id, me.token, "")
    assert after["overall"]["median"] == pytest.approx(statistics.median(values))
    assert before["overall"]["median"] != after["overall"]["median"] or before == after


def test_own_earlier_submission_is_history_not_a_peer(app, client, bank):
    first = submit_org(app, bank, "Me", 1)
    for i in range(5):
        submit_org(app, bank, f"Peer {i}", 20 + i)
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    second = store.create_response(db, bank, "en")
    store.set_response_organisation(db, second.id, first.organisation_id)
    second = store.get_response(db, second.token)
    answers = random_answers(bank, random.Random(5), 0.8)
    store.save_answers(db, second, answers)
    store.submit(db, second, bank, score(bank, answers))
    db.conn.close()
    data = client.get(f"/r/{second.token}/report.json").get_json()
    assert data["peers"]["n"] == 5
    assert len(data["history"]) == 1
    html = client.get(f"/r/{second.token}/report").get_data(as_text=True)
    assert "Changes since earlier assessments" in html
    figure = json.loads(_attr(html, "data-figure"))
    assert len(figure["data"]) == 4  # band, median, the earlier submission, now


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


def extreme_answers(bank, high: bool, rng: random.Random):
    """Every scored question at its lowest or highest option: scores of exactly 0 or 100, tied."""
    answers = random_answers(bank, rng, 1.0)
    for q in bank.scored_questions:
        if q.type == "multi":
            answers[q.id] = [o.value for o in q.options] if high else []
        elif q.type == "yesno":
            answers[q.id] = "yes" if high else "no"
        elif q.options:
            ranked = sorted(q.options, key=lambda o: o.score if o.score is not None else float(o.value))
            answers[q.id] = (ranked[-1] if high else ranked[0]).value
    return answers


@pytest.mark.parametrize("group", [None, "country"])
def test_figures_exact_with_many_tied_scores(app, client, bank, group):
    """Ties at 0 and 100 — common among real providers — are counted exactly (the rank is not scanned)."""
    path = app.config["SELFASSESS_DATABASE"]
    db = store.connect(path)
    store.register_profile(db, bank)
    rng = random.Random(11)
    tokens = []
    for i in range(40):
        answers = extreme_answers(bank, high=i % 3 == 0, rng=rng) if i % 4 else random_answers(bank, rng, 0.7)
        answers["country"] = "NO" if i % 2 else "DK"
        response = store.create_response(db, bank, "en")
        store.set_organisation(db, response, f"Tied {i}")
        response = store.get_response(db, response.token)
        checked = score(bank, answers)
        store.save_answers(db, response, answers)
        store.submit(db, response, bank, checked)
        tokens.append(response.token)
    db.conn.close()
    seen_ties = False
    for token in tokens[:6]:
        query = f"?peers={group}" if group else ""
        peers = client.get(f"/r/{token}/report.json{query}").get_json()["peers"]
        for dim in ["", *(d.id for d in bank.dimensions)]:
            values, mine = raw_peers(path, bank.id, token, dim, group)
            got = peers["overall"] if dim == "" else peers["dimensions"][dim]
            if mine is None or got is None:
                continue
            seen_ties = seen_ties or sum(v == mine for v in values) > 3
            for key, value in expected(values, mine).items():
                assert got[key] == pytest.approx(value, abs=1e-9), (token, dim, key)
    assert seen_ties

"""The cohort dashboard's charts: nothing empty below the threshold, at most five providers compared."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from tests.conftest import csrf_token


def cohort_of(app, count):
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = create_demo_data(path, [bank], count, seed=7)
    db = store.connect(path)
    owner = accounts.add(db, "lead@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Seminar")
    with db.conn:
        db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
    ids = [row[0] for row in db.conn.execute("SELECT id FROM responses WHERE cohort_id = ? ORDER BY id", [cohort.id])]
    db.conn.close()
    client = app.test_client()
    html = client.get("/facilitator/login").get_data(as_text=True)
    client.post(
        "/facilitator/login",
        data={"csrf_token": csrf_token(html), "email": "lead@agency.eu", "password": "a long password"},
    )
    return client, cohort.code, ids


def figure(html, chart_id):
    found = re.search(rf'id="{chart_id}"[^>]*data-figure="([^"]*)"', html)
    return None if found is None else json.loads(unescape(found.group(1)))


@pytest.mark.parametrize(("submitted", "more"), [(2, "3 more to go"), (4, "one more to go")])
def test_too_few_submissions_draw_no_empty_chart(app, submitted, more):
    client, code, ids = cohort_of(app, submitted)
    html = client.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    assert 'id="radar"' not in html and 'id="boxes"' not in html  # no empty axes, no box plots of a few
    assert f"at least 5 providers have submitted: {more}." in html
    # Ticked providers are still drawn, alone: no cohort band or median from too few.
    html = client.get(f"/facilitator/cohorts/{code}?compare={ids[0]}&compare={ids[1]}").get_data(as_text=True)
    names = [t["name"] for t in figure(html, "radar")["data"]]
    assert len(names) == 2 and not any(n.startswith("Cohort") for n in names)
    assert 'id="boxes"' not in html


def test_enough_submissions_draw_the_cohort_and_the_box_plots(app):
    client, code, _ids = cohort_of(app, 5)
    html = client.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    assert [t["name"] for t in figure(html, "radar")["data"]] == ["Cohort: middle half", "Cohort: median"]
    boxes = figure(html, "boxes")
    assert len(boxes["data"]) == 9 and boxes["layout"]["xaxis"]["automargin"] is True
    assert boxes["titles"][0] == "Strategy and leadership"  # full titles, for report.js to wrap
    assert "more to go" not in html


def test_six_ticked_providers_say_that_five_are_shown(app):
    client, code, ids = cohort_of(app, 8)
    ticked = "&".join(f"compare={i}" for i in ids[:6])
    html = client.get(f"/facilitator/cohorts/{code}?{ticked}").get_data(as_text=True)
    assert "You can compare at most 5 providers at a time; the first 5 you ticked are shown." in html
    assert len(figure(html, "radar")["data"]) == 2 + 5
    html = client.get(f"/facilitator/cohorts/{code}?{'&'.join(f'compare={i}' for i in ids[:5])}").get_data(as_text=True)
    assert "at most 5" not in html

"""The report page: one rule for shown scores, next steps that point to the advice, a language switch."""

from __future__ import annotations

import re

import pytest

from selfassess import accounts, cohorts, reports, store
from selfassess.demo import create_demo_data
from tests.conftest import csrf_token

BOUNDS = [0, 40, 65, 85]  # go-international's levels


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (64.9, 64),  # rounding would cross into Established: the bound governs
        (64.5, 64),
        (65.0, 65),
        (64.99999999999, 65),  # a sum of floats that reached the level (scoring's tolerance)
        (39.6, 39),
        (40.4, 40),
        (28.6, 29),
        (65.4, 65),
        (72.5, 72),  # a half to the even, as '%.0f' and the exports do
        (73.5, 74),
        (0.2, 0),
        (100.0, 100),
        (None, None),
    ],
)
def test_shown_score(score, shown):
    assert reports.shown_score(score, BOUNDS) == shown


def test_shown_score_never_crosses_a_fractional_bound():
    assert reports.shown_score(62.4, [62.5]) == 62
    assert reports.shown_score(64.45, [64.4]) == 65  # reached the level: not shown as 64 below it


@pytest.fixture
def world(app):
    """Two demo submissions of one organisation: an earlier one and a latest at 64.9 overall."""
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = create_demo_data(path, [bank], 6, seed=4)
    conn = store.open_database(path).conn
    with conn:
        now, old = (
            conn.execute("SELECT id, organisation_id FROM responses WHERE token = ?", [t]).fetchone()
            for t in tokens[:2]
        )
        conn.execute(
            "UPDATE responses SET organisation_id = ?, submitted_at = '2020-01-01T00:00:00Z' WHERE id = ?",
            [now[1], old[0]],
        )
        conn.execute("UPDATE scores SET organisation_id = ? WHERE response_id = ?", [now[1], old[0]])
        # Demo providers answer in their country's language; these tests read the English report.
        conn.execute("UPDATE responses SET language = 'en' WHERE id IN (?, ?)", [now[0], old[0]])
        conn.execute(
            "UPDATE scores SET score = 64.9, level = 'developing' WHERE response_id = ? AND dimension = ?",
            [now[0], store.OVERALL],
        )
        conn.execute(
            "UPDATE scores SET score = 65.4, level = 'established' WHERE response_id = ? AND dimension = 'strategy'",
            [now[0]],
        )
        conn.execute(
            "UPDATE scores SET score = 28.6, level = 'starting' WHERE response_id = ? AND dimension = 'strategy'",
            [old[0]],
        )
    conn.close()  # fmt: skip
    db = store.connect(path)
    owner = accounts.add(db, "lead@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Seminar")
    with db.conn:
        db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
    db.conn.close()
    return {"token": tokens[0], "response_id": now[0], "cohort": cohort.code}


def facilitator(app):
    client = app.test_client()
    html = client.get("/facilitator/login").get_data(as_text=True)
    client.post(
        "/facilitator/login",
        data={"csrf_token": csrf_token(html), "email": "lead@agency.eu", "password": "a long password"},
    )
    return client


def test_scores_show_by_one_rule_in_report_history_and_dashboard(app, client, world):
    html = client.get(f"/r/{world['token']}/report").get_data(as_text=True)
    overall = re.search(r'class="score">(\d+)</span>.*?class="level">([^<]+)<', html, re.S)
    assert overall is not None and overall.groups() == ("64", "Developing")
    history = re.search(r'id="history-caption".*?</table>', html, re.S)
    assert history is not None
    strategy = re.search(r"Strategy and leadership</th>(.*?)</tr>", history.group(0), re.S)
    assert strategy is not None
    assert re.findall(r"<td>([^<]*)</td>", strategy.group(1)) == ["29", "65", "+36"]  # 65 - 29, not 36.8 rounded
    dashboard = facilitator(app).get(f"/facilitator/cohorts/{world['cohort']}").get_data(as_text=True)
    assert "Developing (64)" in dashboard and "Established (65)" in dashboard


def test_next_steps_point_to_the_advice_without_repeating_it(client, world):
    html = client.get(f"/r/{world['token']}/report").get_data(as_text=True)
    plan = re.search(r'<section aria-labelledby="plan-heading".*?</section>', html, re.S)
    assert plan is not None
    steps = re.findall(r'<li><a href="#(advice-[\w-]+)">([^<]+)</a>: (\d+), ([^<]+)</li>', plan.group(0))
    assert 2 <= len(steps) <= 3
    for anchor, _title, _score, _level in steps:
        advice = re.search(rf'<h3 id="{anchor}">.*?</h3>\s*<p>([^<]+)</p>', html, re.S)
        assert advice is not None
        assert advice.group(1) not in plan.group(0)  # the advice is written once, below


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_report_switches_language(app, client, world, lang):
    bank = app.extensions["selfassess_catalog"].get("go-international")
    html = client.get(f"/r/{world['token']}/report?lang={lang}&peers=country").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert bank.dimensions[0].title.get(lang) in html
    assert bank.rubric.levels[1].label.get(lang) in html  # the overall level
    assert "Your results" not in html  # the interface follows
    for code in bank.languages:
        assert re.search(rf'<a href="[^"]*\?lang={code}&amp;peers=country"', html) or re.search(
            rf'<a href="[^"]*\?peers=country&amp;lang={code}"', html
        )
    seen = facilitator(app).get(f"/facilitator/cohorts/{world['cohort']}/responses/{world['response_id']}?lang={lang}")
    page = seen.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and bank.dimensions[0].title.get(lang) in page
    assert f"/facilitator/cohorts/{world['cohort']}/responses/{world['response_id']}?" in page  # the switch stays there


def test_an_unknown_language_keeps_the_response_language(client, world):
    html = client.get(f"/r/{world['token']}/report?lang=xx").get_data(as_text=True)
    assert '<html lang="en">' in html

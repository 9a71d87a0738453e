"""Expiry of abandoned drafts: empty ones after a day, untouched ones after SELFASSESS_DRAFT_DAYS; reports stay."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from selfassess import purge, store
from selfassess.bank.synthetic import random_answers
from selfassess.web import create_app
from tests.conftest import Respondent, query
from tests.test_take_flow import answer_all

# (name, answers, last touched that many days ago, expected to go with the default 180 days)
DRAFTS = [
    ("empty, just started", {}, 0.5, False),
    ("empty, a day and more", {}, 1.1, True),
    ("empty, long ago", {}, 400, True),
    ("answered yesterday", {"q": 1}, 1.1, False),
    ("answered, 179 days ago", {"q": 1, "r": "text"}, 179, False),
    ("answered, 181 days ago", {"q": 1, "r": "text"}, 181, True),
]


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()


def touch(path: str, token: str, days: float) -> None:
    """Pretend the response was last changed *days* ago."""
    query(path, "UPDATE responses SET updated_at = ? WHERE token = ?", [days_ago(days), token])


def tokens(path: str) -> set[str]:
    return {row[0] for row in query(path, "SELECT token FROM responses")}


def answer_count(path: str) -> int:
    return int(query(path, "SELECT count(*) FROM answers")[0][0])


@pytest.fixture
def world(app):
    """A submitted response last touched long ago, and the drafts of DRAFTS; their tokens by name."""
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    respondent = Respondent(app.test_client())
    answer_all(respondent, bank, random_answers(bank, random.Random(1), 0.5))
    assert respondent.submit().status_code == 302
    touch(path, respondent.token, 1000)
    made = {"submitted": respondent.token}
    db = store.connect(path)
    for name, answers, age, _ in DRAFTS:
        response = store.create_response(db, bank, "en")
        if answers:
            store.save_answers(db, response, answers)
        touch(path, response.token, age)
        made[name] = response.token
    db.conn.close()
    return made


def purge_now(app, **kwargs):
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    try:
        return purge.purge_drafts(db, kwargs.pop("days", 180), **kwargs)
    finally:
        db.conn.close()


def test_dry_run_counts_and_changes_nothing(app, world):
    path = app.config["SELFASSESS_DATABASE"]
    before, answers = tokens(path), answer_count(path)
    counted = purge_now(app, dry_run=True)
    assert (counted.empty, counted.untouched, counted.answers, counted.dry_run) == (2, 1, 2, True)
    assert tokens(path) == before and answer_count(path) == answers


def test_purge_deletes_exactly_the_expired_drafts(app, world):
    path = app.config["SELFASSESS_DATABASE"]
    answers = answer_count(path)
    done = purge_now(app)
    assert (done.empty, done.untouched, done.answers, done.drafts) == (2, 1, 2, 3)
    kept = {name for name, token in world.items() if token in tokens(path)}
    assert kept == {"submitted"} | {name for name, _, _, goes in DRAFTS if not goes}
    assert answer_count(path) == answers - 2
    assert purge_now(app).drafts == 0  # nothing left to do


def test_submitted_responses_and_their_reports_survive(app, world):
    purge_now(app, days=1)
    client = app.test_client()
    report = client.get(f"/r/{world['submitted']}/report")
    assert report.status_code == 200
    assert client.get(f"/r/{world['submitted']}/report.json").json["result"] is not None


def test_the_number_of_days_is_the_setting(app, world):
    path = app.config["SELFASSESS_DATABASE"]
    purge_now(app, days=30)
    assert world["answered, 179 days ago"] not in tokens(path)
    assert world["answered yesterday"] in tokens(path)


def test_copies_forget_a_deleted_draft(app, world):
    path = app.config["SELFASSESS_DATABASE"]
    db = store.connect(path)
    source = store.get_response(db, world["answered, 181 days ago"])
    assert source is not None
    bank = app.extensions["selfassess_catalog"].get("go-international")
    copy = store.create_response(db, bank, "en", copied_from=source.id)
    store.save_answers(db, copy, {"q": 1})
    purge_now(app)
    found = store.get_response(db, copy.token)
    assert found is not None and found.copied_from is None  # SQLite may give the old id to a new response
    db.conn.close()


def test_the_app_purges_at_start(app, world, tmp_path):
    path = app.config["SELFASSESS_DATABASE"]
    create_app({"SELFASSESS_DATABASE": path, "SECRET_KEY": "test", "TESTING": True, "SELFASSESS_DRAFT_DAYS": 180})
    kept = {name for name, token in world.items() if token in tokens(path)}
    assert kept == {"submitted"} | {name for name, _, _, goes in DRAFTS if not goes}


def test_the_command_reports_and_purges(app, world, run_cli, monkeypatch):
    path = app.config["SELFASSESS_DATABASE"]
    dry = run_cli("purge", "--dry-run", "--db", path)
    assert dry.exit_code == 0
    assert dry.stdout.strip() == (
        "would delete 3 drafts (2 empty for over 1 day, 1 untouched for over 180 days) with 2 answers"
    )
    monkeypatch.setenv("SELFASSESS_DRAFT_DAYS", "30")
    done = run_cli("purge", "--db", path)
    assert done.stdout.startswith("deleted 4 drafts (2 empty for over 1 day, 2 untouched for over 30 days)")
    assert run_cli("purge", "--db", path).stdout.startswith("deleted 0 drafts")


def test_a_draft_period_under_a_day_is_refused(app, world, run_cli, monkeypatch):
    monkeypatch.setenv("SELFASSESS_DRAFT_DAYS", "0")
    result = run_cli("purge", "--db", app.config["SELFASSESS_DATABASE"])
    assert result.exit_code == 1
    assert "SELFASSESS_DRAFT_DAYS is 0" in result.output and "set it to 1 or more" in result.output

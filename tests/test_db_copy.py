"""selfassess db copy: every row moves between engines with its id, reports stay the same, nothing half-done."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from selfassess import accounts, cohorts, dbcopy, store
from selfassess.bank.catalog import Catalog
from selfassess.demo import create_demo_data
from selfassess.store import copy as rows
from selfassess.store.schema import MIGRATIONS
from selfassess.web import create_app
from tests.conftest import V1_BANKS, Respondent, fresh_database

ORGANISATIONS = 110  # peer figures of everyone are released from about 100
PAIRS = [("sqlite", "postgresql"), ("postgresql", "sqlite"), ("sqlite", "sqlite"), ("postgresql", "postgresql")]


@pytest.fixture(params=PAIRS, ids=[f"{a}-to-{b}" for a, b in PAIRS])
def pair(request, tmp_path):
    """A fresh source and target database on the engines of one pair."""
    first, second = request.param
    with (
        fresh_database(first, tmp_path, "source.db") as source,
        fresh_database(second, tmp_path, "target.db") as target,
    ):
        yield source, target


def fill(target: str, organisations: int = ORGANISATIONS) -> list[str]:
    """Demo organisations, a facilitator with a cohort and a member, drafts, and released peer figures."""
    catalog = Catalog.load(V1_BANKS)
    tokens = create_demo_data(target, [catalog.banks["go-international"]], organisations, seed=7)
    db = store.connect(target)
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohorts.create(db, owner.id, "go-international", "Seminar")
    db.conn.close()
    app = create_app({"SELFASSESS_DATABASE": target, "SECRET_KEY": "t", "TESTING": True})
    client = app.test_client()
    drafts = [Respondent(client) for _ in range(3)]
    drafts[0].post_page(1, {"_organisation": "A draft's provider", "country": "DK"})
    for token in tokens[:5]:  # the first request of a group draws its release; the copy must carry it
        for group in ("all", "country"):
            assert client.get(f"/r/{token}/report.json?peers={group}").status_code == 200
    return tokens


def same_rows(first: str, second: str) -> dict[str, int]:
    """Assert that every data table holds the same rows in both databases (columns both have); return the counts."""
    a, b = store.open_database(first), store.open_database(second)
    counts = {}
    try:
        assert rows.data_tables(a) == rows.data_tables(b)
        for table in rows.data_tables(a):
            columns = rows.copied_columns(a, b, table)
            found = [
                sorted((r for chunk in rows.read_rows(db, table, columns, 1000) for r in chunk), key=repr)
                for db in (a, b)
            ]
            assert found[0] == found[1], f"table {table} differs"
            counts[table] = len(found[0])
    finally:
        a.conn.close()
        b.conn.close()
    return counts


def report(target: str, token: str, group: str) -> dict[str, Any]:
    app = create_app({"SELFASSESS_DATABASE": target, "SECRET_KEY": "t", "TESTING": True})
    response = app.test_client().get(f"/r/{token}/report.json?peers={group}")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_a_copy_holds_every_row_with_its_id_and_gives_the_same_reports(pair, run_cli):
    source, target = pair
    tokens = fill(source)
    result = run_cli("db", "copy", source, target)
    assert result.exit_code == 0, result.output
    assert "every table's row count matches" in result.output
    assert "all the same" in result.output and "reports of the sample compared: 0" not in result.output
    counts = same_rows(source, target)
    assert counts["responses"] == ORGANISATIONS + 3 and counts["peer_releases"] and counts["cohorts"] >= 1
    for token in tokens[:5]:
        for group in ("all", "country"):
            assert report(source, token, group) == report(target, token, group)
    # The answers keep the order they were given in; new rows get new ids after the copied ones.
    db, before = store.open_database(target), store.open_database(source)
    assert [store.load_answers(db, n) for n in range(1, 6)] == [store.load_answers(before, n) for n in range(1, 6)]
    assert [list(store.load_answers(db, n)) for n in range(1, 6)] == [
        list(store.load_answers(before, n)) for n in range(1, 6)
    ]
    highest = db.conn.execute("SELECT max(id) FROM organisations").fetchone()[0]
    assert store.add_organisation(db, "After the copy") == highest + 1
    db.conn.close()
    before.conn.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_target_with_data_is_refused_unless_replaced(engine, tmp_path, run_cli):
    source = str(tmp_path / "source.db")
    fill(source, 12)
    with fresh_database(engine, tmp_path, "target.db") as target:
        db = store.connect(target)
        store.add_organisation(db, "Already here")
        db.conn.close()
        refused = run_cli("db", "copy", source, target)
        assert refused.exit_code == 1
        assert f"the target {target} is not empty (organisations hold rows)" in refused.output
        assert "--replace" in refused.output
        replaced = run_cli("db", "copy", source, target, "--replace")
        assert replaced.exit_code == 0, replaced.output
        same_rows(source, target)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_failed_copy_leaves_the_target_as_it_was(engine, tmp_path, run_cli):
    source = str(tmp_path / "source.db")
    fill(source, 12)
    # An answer of a response that does not exist: the target's foreign key refuses it midway.
    with sqlite3.connect(source) as conn:
        conn.execute("INSERT INTO answers (response_id, question_id, value) VALUES (999999, 'q', '1')")
    with fresh_database(engine, tmp_path, "target.db") as target:
        failed = run_cli("db", "copy", source, target)
        assert failed.exit_code == 1
        assert "the copy was rolled back: writing table answers failed" in failed.output
        assert "the target holds what it held before" in failed.output
        db = store.open_database(target)
        assert [t for t in rows.data_tables(db) if rows.row_count(db, t)] == []
        db.conn.close()


def test_an_unreachable_server_is_named(tmp_path, run_cli):
    source = str(tmp_path / "source.db")
    store.connect(source).conn.close()
    refused = run_cli("db", "copy", source, "postgresql://app:secret@127.0.0.1:1/selfassess")
    assert refused.exit_code == 1
    assert (
        "the target database: cannot connect to the PostgreSQL database postgresql://app:***@127.0.0.1:1/selfassess"
        in refused.output
    )
    assert "secret" not in refused.output


def test_a_source_with_an_older_schema_is_migrated_first(tmp_path, run_cli):
    source, target = str(tmp_path / "old.db"), str(tmp_path / "target.db")
    db = store.open_database(source)
    MIGRATIONS.apply(db, stop_before="v12_rounds_of_role_groups")
    db.conn.close()
    refused = run_cli("db", "copy", source, target)
    assert refused.exit_code == 1
    assert "has an older schema (1 migrations behind, the first v12_rounds_of_role_groups)" in refused.output
    assert f"selfassess db migrate {source}" in refused.output
    assert run_cli("db", "migrate", source).exit_code == 0
    assert run_cli("db", "copy", source, target).exit_code == 0


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("missing.db", "there is no SQLite database at"),
        ("same", "the source and the target are the same database"),
    ],
)
def test_bad_arguments_are_named(tmp_path, run_cli, source, words):
    target = str(tmp_path / "target.db")
    if source == "same":
        store.connect(target).conn.close()
        source = target
    else:
        source = str(tmp_path / source)
    refused = run_cli("db", "copy", source, target)
    assert refused.exit_code == 1 and words in refused.output


def test_the_password_of_a_url_is_never_shown():
    assert dbcopy.shown("postgresql://app:secret@db.example.org:5432/selfassess") == (
        "postgresql://app:***@db.example.org:5432/selfassess"
    )
    assert dbcopy.shown("instance/selfassess.db") == "instance/selfassess.db"


def test_the_report_check_finds_a_report_that_differs(tmp_path, run_cli):
    source, target = str(tmp_path / "source.db"), str(tmp_path / "target.db")
    fill(source, 12)
    assert run_cli("db", "copy", source, target).exit_code == 0
    first, second = store.open_database(source), store.open_database(target)
    token = rows.sample_tokens(first, 1)[0]
    with second.conn:
        second.conn.execute(
            "UPDATE scores SET score = score / 2 WHERE dimension = '' AND response_id ="
            " (SELECT id FROM responses WHERE token = ?)",
            [token],
        )
    compared, differing = dbcopy.compare_reports(first, second, Catalog.load(V1_BANKS), 3)
    assert compared >= 3 and differing and all(d.startswith(token[:8]) for d in differing)
    first.conn.close()
    second.conn.close()

"""Migrations: a database made by the oldest schema, or left at any step of the old ladder, upgrades with its data.

The old ladder kept its version in ``PRAGMA user_version``; its first version is written
out below as it was, so that this test does not change when the code does.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3

import pytest
import sqlite_utils

from selfassess import peers, store
from selfassess.bank.loader import load_bank
from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import score
from selfassess.store.schema import LADDER, MIGRATIONS
from tests.conftest import V1_BANKS

# The history of SQLite files (user_version ladder, sqlite-utils migrations); a PostgreSQL
# database starts at v12 (tests/test_store.py, tests/test_store_postgres.py).
pytestmark = pytest.mark.sqlite_only

# The schema of user_version 1, as the first ladder step (_create_v1 in 61a63cf) made it.
V1_SCHEMA = """
CREATE TABLE "organisations" (
   "id" INTEGER PRIMARY KEY,
   "name" TEXT NOT NULL,
   "demo" INTEGER,
   "created_at" TEXT
);
CREATE TABLE "responses" (
   "id" INTEGER PRIMARY KEY,
   "token" TEXT NOT NULL,
   "organisation_id" INTEGER REFERENCES "organisations"("id"),
   "bank_id" TEXT NOT NULL,
   "bank_version" TEXT NOT NULL,
   "bank_hash" TEXT NOT NULL,
   "status" TEXT NOT NULL DEFAULT 'draft',
   "language" TEXT NOT NULL,
   "current_page" INTEGER DEFAULT 1,
   "copied_from" INTEGER,
   "created_at" TEXT NOT NULL,
   "updated_at" TEXT,
   "submitted_at" TEXT
);
CREATE UNIQUE INDEX "idx_responses_token" ON "responses" ("token");
CREATE INDEX "idx_responses_organisation_id_bank_id_status" ON "responses" ("organisation_id", "bank_id", "status");
CREATE TABLE "answers" (
   "response_id" INTEGER REFERENCES "responses"("id"),
   "question_id" TEXT,
   "value" TEXT,
   "updated_at" TEXT,
   PRIMARY KEY ("response_id", "question_id")
);
CREATE TABLE "scores" (
   "response_id" INTEGER REFERENCES "responses"("id"),
   "dimension" TEXT,
   "bank_id" TEXT,
   "organisation_id" INTEGER,
   "score" REAL,
   "level" TEXT,
   "counted" INTEGER,
   "of" INTEGER,
   "submitted_at" TEXT,
   PRIMARY KEY ("response_id", "dimension")
);
CREATE INDEX "idx_scores_bank_id_dimension_score" ON "scores" ("bank_id", "dimension", "score");
CREATE INDEX "idx_scores_organisation_id_bank_id" ON "scores" ("organisation_id", "bank_id");
PRAGMA user_version = 1;
"""

V1_COLUMNS = {
    "organisations": "id, name, demo, created_at",
    "responses": "id, token, organisation_id, bank_id, bank_version, bank_hash, status, language, current_page,"
    " copied_from, created_at, updated_at, submitted_at",
    "answers": "response_id, question_id, value, updated_at",
    "scores": 'response_id, dimension, bank_id, organisation_id, score, level, counted, "of", submitted_at',
}

# Every table and the order that makes two databases' rows comparable.
TABLES = {
    "organisations": "id",
    "responses": "id",
    "answers": "response_id, question_id",
    "scores": "response_id, dimension",
    "profile_questions": "bank_id, question_id",
    "peer_buckets": "bank_id, grp, grp_value, dimension, bucket",
    "version_counts": "bank_id, hash",
}


@pytest.fixture(scope="module")
def bank():
    return load_bank(V1_BANKS / "go-international.yaml")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, bank):
    """A database made by today's code: organisations re-submitting, drafts, a response with no organisation."""
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    db = store.connect(path)
    store.register_profile(db, bank)
    rng = random.Random(3)

    def start(name: str | None) -> store.Response:
        response = store.create_response(db, bank, "en")
        if name is not None:
            store.set_organisation(db, response, name)
        found = store.get_response(db, response.token)
        assert found is not None
        answers = random_answers(bank, rng, rng.random())
        answers["country"] = rng.choice(["DK", "NO", "SE"])
        store.save_answers(db, found, answers, page=3)
        return found

    def submit(response: store.Response) -> None:
        store.submit(db, response, bank, score(bank, store.load_answers(db, response.id)))

    for n in range(12):
        submit(start(f"Provider {n} — Ærø"))
    again = start("Vejle Tekniske Skole")  # submits twice: only the second counts
    submit(again)
    submit(_same_organisation(db, bank, again, rng))
    store.save_answers(db, _same_organisation(db, bank, again, rng), {"country": "DK"})  # and has a draft
    first = start("Out of order")
    submit(_same_organisation(db, bank, first, rng))
    submit(first)  # the older response submitted last: the rule decides which one counts
    submit(start(None))  # never named its organisation
    start("Only a draft")
    db.conn.close()
    return path


def _same_organisation(db, bank, response, rng):
    other = store.create_response(db, bank, "en")
    store.set_response_organisation(db, other.id, response.organisation_id)
    found = store.get_response(db, other.token)
    answers = random_answers(bank, rng, rng.random())
    answers["country"] = "NO"
    store.save_answers(db, found, answers)
    return store.get_response(db, other.token)


def rows(path, table):
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}").fetchall()
    finally:
        conn.close()
    if table in ("peer_buckets", "version_counts"):  # counts that went to zero stay as rows on submit
        return [row for row in found if row[-1] != 0]
    return found


def ladder_database(path, fresh, version):
    """The fresh database's data in the oldest schema, brought to *version* of the old ladder."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute("ATTACH DATABASE ? AS fresh", [str(fresh)])
    with conn:
        for table, columns in V1_COLUMNS.items():
            conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM fresh.{table}")
    conn.execute("DETACH DATABASE fresh")
    conn.close()
    if version > 1:  # the later ladder steps, which the migrations of the same names replay
        db = store.open_database(path)
        MIGRATIONS.apply(db, stop_before=LADDER[version] if version < len(LADDER) else None)
        db.execute("DROP TABLE _sqlite_migrations")
        db.execute(f"PRAGMA user_version = {version}")
        db.conn.close()


@pytest.mark.parametrize("version", range(1, len(LADDER) + 1))
def test_ladder_database_upgrades_with_its_data(tmp_path, fresh, bank, version):
    path = tmp_path / "old.db"
    ladder_database(path, fresh, version)
    db = store.connect(path)  # what a start of the app does: migrate, then register the banks
    store.register_profile(db, bank)
    assert [m.name for m in MIGRATIONS.applied(db)] == [
        m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))
    ]
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.conn.close()
    for table in TABLES:
        assert rows(path, table) == rows(fresh, table), table
    assert rows(path, "scores"), "the fixture has scores"


def test_upgraded_database_gives_the_same_report(tmp_path, fresh, bank):
    path = tmp_path / "old.db"
    ladder_database(path, fresh, 1)
    old, new = store.connect(path), store.connect(fresh)
    store.register_profile(old, bank)
    try:
        for token in [row[0] for row in new.execute("SELECT token FROM responses WHERE status = 'submitted'")]:
            response = store.get_response(new, token)
            for group in (peers.ALL, "country"):
                key = peers.group_key(new, bank, response, group)
                assert not isinstance(key, str)
                # Releases are random draws: the same histograms in both is the same report to draw from.
                assert peers.group_histograms(old, key, bank) == peers.group_histograms(new, key, bank)
    finally:
        old.conn.close()
        new.conn.close()


def test_last_ladder_state_applies_no_step_again(tmp_path, fresh):
    path = tmp_path / "v5.db"
    path.write_bytes(fresh.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE _sqlite_migrations")
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    before = rows(path, "scores"), sqlite3.connect(path).execute("SELECT * FROM peer_version").fetchall()
    db = store.connect(path)
    assert MIGRATIONS.pending(db) == []
    assert [m.name for m in MIGRATIONS.applied(db)][: len(LADDER)] == list(LADDER)
    db.conn.close()
    # A step run again would have recounted the peers and moved peer_version on.
    assert (rows(path, "scores"), sqlite3.connect(path).execute("SELECT * FROM peer_version").fetchall()) == before


def _start(path: str) -> list[str]:
    db = store.connect(path)
    try:
        return [m.name for m in MIGRATIONS.applied(db)]
    finally:
        db.conn.close()


def test_processes_starting_at_once_migrate_once(tmp_path, fresh):
    """Under the write lock the later starts wait, then find nothing pending (no step runs twice)."""
    path = tmp_path / "race.db"
    ladder_database(path, fresh, 1)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        applied = pool.map(_start, [str(path)] * 4)
    assert all(names == [m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))] for names in applied)
    assert rows(path, "responses") == rows(fresh, "responses")


def test_responses_from_before_rounds_give_the_same_reports_after_migrating(tmp_path, fresh, bank):
    """Single responses in a database at v11 (before rounds) report as before once v12 added rounds."""
    from selfassess.demo import create_demo_data
    from selfassess.web import create_app

    before = tmp_path / "before.db"
    before.write_bytes(fresh.read_bytes())
    create_demo_data(before, [bank], 300)  # enough single responses for released peer figures
    config = {"SECRET_KEY": "test", "TESTING": True, "SELFASSESS_RATE_LIMIT": "100000 per minute"}
    db = store.connect(before)
    tokens = [r[0] for r in db.execute("SELECT token FROM responses WHERE status = 'submitted' ORDER BY id LIMIT 4")]
    db.conn.close()
    paths = ("/report.json", "/report.json?peers=country", "/report.csv")
    client = create_app({**config, "SELFASSESS_DATABASE": str(before)}).test_client()
    reports = {(t, p): client.get(f"/r/{t}{p}").get_data() for t in tokens for p in paths}  # draws the releases
    assert json.loads(reports[tokens[0], paths[0]])["peers"]["figures"], "the reports hold peer figures"

    # The same data, releases included, in a database whose schema stops before rounds.
    old = tmp_path / "v11.db"
    db = store.open_database(old)
    MIGRATIONS.apply(db, stop_before="v12_rounds_of_role_groups")
    assert "rounds" not in db.table_names() and "round_id" not in db["responses"].columns_dict
    source = store.open_database(before)
    db.execute("ATTACH DATABASE ? AS before", [str(before)])
    with db.conn:
        for table in db.table_names():
            shared = [c for c in db[table].columns_dict if c in source[table].columns_dict]
            if table.startswith("_sqlite") or not shared:
                continue
            columns = ", ".join(f'"{c}"' for c in shared)
            db.execute(f"DELETE FROM {table}")
            db.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM before.{table}")
    db.execute("DETACH DATABASE before")
    db.conn.close()

    client = create_app({**config, "SELFASSESS_DATABASE": str(old)}).test_client()  # migrates to today's schema
    migrated = store.connect(old)
    assert "rounds" in migrated.table_names()
    assert migrated.execute("SELECT COUNT(*) FROM responses WHERE round_id IS NOT NULL").fetchone() == (0,)
    for (token, path), expected in reports.items():
        response = client.get(f"/r/{token}{path}")
        assert response.status_code == 200 and response.get_data() == expected, (token, path)

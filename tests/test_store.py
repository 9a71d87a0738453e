"""The store: schema created and migrated idempotently, WAL, indexes for the peer queries."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from selfassess import store
from selfassess.store.schema import MIGRATIONS
from tests.conftest import query, sqlite_only


def test_schema_is_created_once_and_kept(tmp_path):
    path = tmp_path / "s.db"
    first = store.connect(path)
    first.conn.close()
    again = store.connect(path)  # a second start migrates nothing and loses nothing
    assert set(again.table_names()) >= {"organisations", "responses", "answers", "scores"}
    assert MIGRATIONS.pending(again) == []
    assert [m.name for m in MIGRATIONS.applied(again)] == [
        m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))
    ]
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {tuple(i.columns) for i in again.table("scores").indexes}
    assert ("bank_id", "dimension", "score") in indexes
    assert {tuple(i.columns) for i in again.table("responses").indexes} >= {("token",)}


@sqlite_only
def test_readable_by_plain_sqlite(tmp_path, client):
    from tests.conftest import Respondent

    respondent = Respondent(client)
    respondent.post_page(1, {"_organisation": "Æblerød Erhvervsskole", "country": "DK"})
    path = client.application.config["SELFASSESS_DATABASE"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM organisations").fetchone() == ("Æblerød Erhvervsskole",)
    assert conn.execute("SELECT question_id, value FROM answers WHERE question_id = 'country'").fetchone() == (
        "country",
        '"DK"',
    )
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("engine", ["postgresql"])  # the SQLite schema: the first test
def test_postgresql_schema_is_created_once_with_every_step_recorded(database):
    first = store.connect(database)
    store.connect(database)  # a second start finds every step applied
    tables = {
        row[0]
        for row in query(
            database, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    assert tables >= {"organisations", "responses", "answers", "scores", "peer_buckets", "rounds", "schema_migrations"}
    recorded = [row[0] for row in query(database, "SELECT name FROM schema_migrations ORDER BY name")]
    assert sorted(m.name for m in MIGRATIONS._migrations) == recorded
    assert store.connection.is_postgres(first) and store.connection.is_postgres(database)

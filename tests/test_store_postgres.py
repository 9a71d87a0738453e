"""The store on PostgreSQL: the adapter's sqlite3 interface, clear errors, and what several processes do at once."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from selfassess import store
from selfassess.store import releases
from selfassess.store.postgres import Unreachable, placeholders, safe_url
from tests.conftest import fresh_database, query

on_postgresql = pytest.mark.parametrize("engine", ["postgresql"])


def test_placeholders_are_translated_outside_quotes_only():
    assert (
        placeholders("SELECT a FROM t WHERE b = ? AND c % 100 = 0") == "SELECT a FROM t WHERE b = %s AND c %% 100 = 0"
    )
    assert placeholders("SELECT '?', \"a?\" FROM t WHERE x = ?") == "SELECT '?', \"a?\" FROM t WHERE x = %s"
    assert placeholders("SELECT 'it''s ?' WHERE y = ?") == "SELECT 'it''s ?' WHERE y = %s"


def test_an_unreachable_server_says_where_and_what_to_do():
    url = "postgresql://someone:secret-pw@127.0.0.1:1/nowhere"
    with pytest.raises(Unreachable) as refused:
        store.connect(url)
    message = str(refused.value)
    assert "postgresql://someone:***@127.0.0.1:1/nowhere" in message and "secret-pw" not in message
    assert "Start the server, or correct SELFASSESS_DATABASE" in message
    assert safe_url("postgresql://a@h/db") == "postgresql://a@h/db"


@on_postgresql
def test_a_with_block_is_one_transaction_and_gives_its_connection_back(database):
    db = store.connect(database)
    with pytest.raises(RuntimeError), db.conn as conn:
        conn.execute("INSERT INTO organisations (name, demo, created_at) VALUES ('gone', 0, 'x')")
        with conn:  # an inner block commits nothing of its own
            conn.execute("INSERT INTO organisations (name, demo, created_at) VALUES ('gone too', 0, 'x')")
        raise RuntimeError("rolled back")
    assert not db.conn.in_transaction
    assert query(database, "SELECT COUNT(*) FROM organisations") == [(0,)]
    assert store.add_organisation(db, "kept") == 3  # ids come from RETURNING; the sequence moved on
    with pytest.raises(store.dialect.IntegrityError):
        store.new_facilitator(db, "a@b.eu", "h")
        store.new_facilitator(db, "a@b.eu", "h")  # the e-mail address is unique
    stats = db.conn.pool.get_stats()
    assert stats.get("requests_waiting", 0) == 0 and stats["pool_size"] == stats["pool_available"]


def _migrate(url: str) -> None:
    store.connect(url)


@on_postgresql
def test_servers_starting_at_once_migrate_once(database):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_migrate, [database] * 4)
    names = [row[0] for row in query(database, "SELECT name FROM schema_migrations")]
    assert len(names) == len(set(names)) == len(store.schema.MIGRATIONS._migrations)


def _release(args: tuple[str, str]) -> int:
    url, drawn = args
    db = store.open_database(url)
    key = releases.GroupKey("bank", "", "")

    def draw() -> releases.Draft:
        with open(drawn, "a") as log:  # each draw spends privacy budget: it must happen once
            log.write("drawn\n")
        time.sleep(0.2)  # long enough for every process to be waiting for the lock
        return releases.Draft(members=7, epsilon=1.0, figures={"n": 7})

    found = releases.make_release(db, key, lambda latest: latest is None, draw, "2026-01-01T00:00:00+00:00")
    assert found is not None
    return found.id


@on_postgresql
def test_one_release_per_group_drawn_once_however_many_servers_ask_at_once(database, tmp_path):
    store.connect(database)
    drawn = tmp_path / "drawn.txt"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        served = pool.map(_release, [(database, str(drawn))] * 8)
    assert len(set(served)) == 1  # every process serves the one release drawn
    assert query(database, "SELECT COUNT(*) FROM peer_releases") == [(1,)]
    assert drawn.read_text().count("drawn") == 1


def test_fresh_databases_are_separate(tmp_path):
    with fresh_database("postgresql", tmp_path) as first, fresh_database("postgresql", tmp_path) as second:
        store.add_organisation(store.connect(first), "only in the first")
        store.connect(second)
        assert query(second, "SELECT COUNT(*) FROM organisations") == [(0,)]


@on_postgresql
def test_text_sorts_byte_by_byte_as_on_sqlite_whatever_the_servers_collation(database):
    store.connect(database)
    columns = query(
        database,
        "SELECT table_name, column_name, collation_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND data_type = 'text' AND table_name != 'schema_migrations'",
    )
    assert columns and [c for c in columns if c[2] != "C"] == []


def test_the_command_line_says_so_without_a_traceback():
    import subprocess
    import sys

    url = "postgresql://someone:secret-pw@127.0.0.1:1/nowhere"
    done = subprocess.run(
        [sys.executable, "-m", "selfassess", "facilitator", "list", "--db", url], capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr and "secret-pw" not in done.stderr
    assert done.stderr.startswith("Error: cannot connect to the PostgreSQL database postgresql://someone:***@")


@on_postgresql
def test_requests_give_every_connection_back_to_the_pool(client, database):
    from tests.conftest import Respondent

    respondent = Respondent(client)
    respondent.post_page(1, {"_organisation": "Aalborg Tekniske Skole", "country": "DK"})
    assert respondent.get("/page/2").status_code == 200
    pool = store.open_database(database).conn.pool
    stats = pool.get_stats()
    assert stats["pool_size"] == stats["pool_available"] and stats["pool_size"] <= 4
    assert not store.open_database(database).conn.in_transaction


@on_postgresql
def test_connections_the_server_closed_are_replaced_without_an_error(database):
    import uuid

    import psycopg

    from tests.conftest import POSTGRES

    name = f"h4_{uuid.uuid4().hex[:12]}"
    url = f"{database}&application_name={name}"
    db = store.connect(url)
    with db.conn, db.conn:  # hold one connection while another is opened: two in the pool
        pass
    assert store.get_response(db, "none") is None
    with psycopg.connect(POSTGRES, autocommit=True) as admin:  # what a server restart does to them
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [name]
        ).fetchall()
    assert killed
    time.sleep(0.2)
    assert store.get_response(db, "none") is None  # a read outside a transaction goes to a new connection
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [name])
    time.sleep(0.2)
    assert store.add_organisation(db, "after a restart") == 1  # and so does a transaction
    store.connection.close_pool(url)

"""Facilitator accounts: the CLI, hashing, and login throttling."""

from __future__ import annotations

import pytest

from selfassess import accounts, store
from tests.conftest import stored_bytes


@pytest.fixture
def db_path(database):
    return database


def test_add_list_passwd_remove(run_cli, db_path):
    result = run_cli(
        "facilitator", "add", "Coordinator@Agency.eu", "--db", db_path, "--password-stdin", input="a long secret pass\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "facilitator coordinator@agency.eu added\n"
    assert run_cli("facilitator", "list", "--db", db_path).stdout.startswith("coordinator@agency.eu  (since ")
    again = run_cli(
        "facilitator", "add", "coordinator@agency.eu", "--db", db_path, "--password-stdin", input="another long one\n"
    )
    assert again.exit_code == 1 and "exists already" in again.output
    changed = run_cli(
        "facilitator",
        "passwd",
        "coordinator@agency.eu",
        "--db",
        db_path,
        "--password-stdin",
        input="a new long secret\n",
    )
    assert changed.exit_code == 0
    db = store.connect(db_path)
    assert isinstance(
        accounts.log_in(db, "coordinator@agency.eu", "a new long secret", "127.0.0.1"), accounts.Facilitator
    )
    assert accounts.log_in(db, "coordinator@agency.eu", "a long secret pass", "127.0.0.1") is None
    removed = run_cli("facilitator", "remove", "coordinator@agency.eu", "--db", db_path)
    assert removed.exit_code == 0
    assert run_cli("facilitator", "list", "--db", db_path).stdout == ""


def test_password_typed_twice(run_cli, db_path):
    result = run_cli("facilitator", "add", "a@b.eu", "--db", db_path, input="first password!\nfirst password!\n")
    assert result.exit_code == 0, result.output
    mismatch = run_cli("facilitator", "add", "c@d.eu", "--db", db_path, input="one password!!\nanother one!!\n")
    assert mismatch.exit_code != 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [("not-an-email", "long enough pw", "is not an e-mail address"), ("a@b.eu", "short", "at least 10 characters")],
)
def test_bad_accounts(run_cli, db_path, email, password, message):
    result = run_cli("facilitator", "add", email, "--db", db_path, "--password-stdin", input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output


def test_no_plain_text_password_anywhere(db_path):
    db = store.connect(db_path)
    accounts.add(db, "x@y.eu", "correct horse battery")
    accounts.log_in(db, "x@y.eu", "wrong guess here", "10.0.0.1")
    db.conn.close()
    raw = stored_bytes(db_path)
    assert b"correct horse battery" not in raw and b"wrong guess here" not in raw
    stored = store.open_database(db_path).conn.execute("SELECT password_hash FROM facilitators").fetchone()[0]
    assert stored.startswith("scrypt:")


def test_failures_slow_down_then_let_the_user_in(db_path):
    db = store.connect(db_path)
    accounts.add(db, "x@y.eu", "correct horse battery")
    now = 1_000_000.0
    for i in range(accounts.FREE_FAILURES):
        assert accounts.log_in(db, "x@y.eu", "nope", "10.0.0.1", now=now + i) is None
    wait = accounts.log_in(db, "x@y.eu", "correct horse battery", "10.0.0.1", now=now + 5)
    assert isinstance(wait, int) and 0 < wait <= accounts.MAX_WAIT_SECONDS
    # After the wait, the right password works and clears the account's failures.
    ok = accounts.log_in(db, "x@y.eu", "correct horse battery", "10.0.0.2", now=now + 5 + wait)
    assert isinstance(ok, accounts.Facilitator)
    assert accounts.wait_seconds(db, ["account:x@y.eu"], now=now + 6 + wait) == 0


def test_address_is_throttled_across_accounts(db_path):
    db = store.connect(db_path)
    now = 2_000_000.0
    for i in range(accounts.FREE_FAILURES + 2):
        accounts.log_in(db, f"guess{i}@y.eu", "nope", "10.9.9.9", now=now + i)
    address = accounts.failure_keys("anyone@y.eu", "10.9.9.9")[1]
    assert accounts.wait_seconds(db, [address], now=now + accounts.FREE_FAILURES + 2) > 0
    assert accounts.wait_seconds(db, [address], now=now + accounts.WINDOW_SECONDS + 60) == 0

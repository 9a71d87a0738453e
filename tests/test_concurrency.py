"""8 processes x 50 complete submissions against gunicorn on 127.0.0.1, on each engine: all stored, all scored, counted once."""

from __future__ import annotations

import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from selfassess import store
from selfassess.bank.loader import load_bank
from tests.conftest import V1_BANKS, query

PROCESSES, SUBMISSIONS = 8, 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker(args: tuple[str, int]) -> list[tuple[str, list[int]]]:
    from tests.loadgen import Client, complete_submission

    base, seed = args
    bank = load_bank(V1_BANKS / "go-international.yaml")
    rng = random.Random(seed)
    client = Client(base)
    return [complete_submission(client, bank, rng) for _ in range(SUBMISSIONS)]


@pytest.fixture
def gunicorn(tmp_path, database):
    port = free_port()
    env = {**os.environ, "SELFASSESS_DATABASE": database, "SELFASSESS_SECRET_KEY": "load-test",
           "SELFASSESS_SECURE_COOKIES": "0", "SELFASSESS_RATE_LIMIT": "1000000 per minute"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "selfassess:create_app()"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield base, database
    server.terminate()
    server.wait(10)


def test_parallel_submissions(gunicorn):
    base, database = gunicorn
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = [r for chunk in pool.map(worker, [(base, seed) for seed in range(PROCESSES)]) for r in chunk]
    assert len(results) == PROCESSES * SUBMISSIONS
    bad = [(token, statuses) for token, statuses in results if any(s != 302 for s in statuses)]
    assert not bad, bad[:3]
    if not store.connection.is_postgres(database):
        assert query(database, "PRAGMA integrity_check") == [("ok",)]
    assert query(database, "SELECT COUNT(*) FROM responses WHERE status = 'submitted'") == [(400,)]
    assert query(database, "SELECT COUNT(*) FROM scores WHERE dimension = ''") == [(400,)]
    assert query(database, "SELECT COUNT(*) FROM scores") == [(400 * 10,)]
    # The bucket counts written by concurrent submits equal a recount from the scores.
    counted = "SELECT bank_id, grp, grp_value, dimension, bucket, n FROM peer_buckets WHERE n != 0"
    before = sorted(query(database, counted))
    db = store.open_database(database)
    with db.conn:
        store.rebuild_peer_buckets(db)
    assert sorted(query(database, counted)) == before
    tokens = {token for token, _ in results}
    assert len(tokens) == 400

"""Two gunicorn servers on one database, as behind a load balancer: many clients, then one server killed with -9.

Client threads start assessments, save pages again and again, submit (some copy a submitted
response, change it and submit again, which swaps the organisation's counting response) and
ask for reports, sending each request to the other server than the last (their sessions are
signed cookies with one key, so either server serves them). The servers count rate limits in
Redis, as servers behind a load balancer do. Two rounds, on SQLite (one file in WAL mode) and
on PostgreSQL:

- both servers under load, started at the same moment on an empty database (so they also
  create its schema at once);
- the same, and after a few seconds one server is killed with SIGKILL, master and worker:
  the clients go on with the other, refused connections fail over at once.

Afterwards, read from the database: every acknowledged start is one response, every
acknowledged save is stored, every acknowledged submission is submitted with the answers
sent and exactly one set of scores; each organisation has one counting response per bank;
the peer bucket counts and version counts equal a rebuild from the scores; and every peer
group has one privacy release, however many requests on both servers asked for it at once.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from selfassess import store
from selfassess.bank.loader import load_bank
from selfassess.bank.model import Questionnaire
from selfassess.bank.pages import bank_pages
from selfassess.store.peer_index import rebuild_version_counts
from tests.conftest import ROOT, V1_BANKS, fresh_database
from tests.loadgen import Client
from tests.test_crash_durability import (
    SAVE_PAGE,
    UNKNOWN,
    Log,
    Refused,
    Saver,
    Submitter,
    children,
    free_port,
    normal,
    post,
)
from tests.test_rate_limits import reachable_redis

SAVERS, SUBMITTERS = 4, 4  # client threads
LOAD_SECONDS = 8.0
BOOT_SECONDS = 30.0


class Server:
    """One app server: `gunicorn -k gthread -w 1 --threads 4` on 127.0.0.1, as each server behind a load balancer."""

    def __init__(self, database: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "SELFASSESS_DATABASE": database,
            "SELFASSESS_SECRET_KEY": "two servers, one key",
            "SELFASSESS_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SELFASSESS_SECURE_COOKIES": "0",  # plain HTTP on loopback
            "SELFASSESS_RATE_LIMIT": "1000000 per minute",  # every client is 127.0.0.1
            "SELFASSESS_RATE_LIMIT_STORAGE": reachable_redis(),  # the counts both servers share
        }
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", "4",
                   "-b", f"127.0.0.1:{self.port}", "selfassess:create_app()"]  # fmt: skip
        if int(version("gunicorn").split(".")[0]) >= 27:  # gunicorn 27+: not the shared ~/.gunicorn
            command[3:3] = ["--control-socket", str(log.with_suffix(".ctl"))]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).close()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
        raise AssertionError(f"gunicorn did not answer within {BOOT_SECONDS} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> int:
        """SIGKILL the master, then its worker; return how many processes were killed."""
        master = self.process.pid
        workers = children(master)
        os.kill(master, signal.SIGKILL)
        for pid in set(children(master)) | set(workers):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(10)
        return 1 + len(workers)

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


class Alternating:
    """A client thread's requests go to each server in turn; a refused connection tries the other at once."""

    bases: list[str]
    turn = 0
    reports: Counter[int]

    def next_base(self) -> str:
        self.turn += 1
        return self.bases[self.turn % len(self.bases)]

    def session(self) -> Client:
        while self.client is None:  # type: ignore[attr-defined]
            self.check()  # type: ignore[attr-defined]
            try:
                self.client = Client(self.next_base())
            except (OSError, http.client.HTTPException, AttributeError):
                time.sleep(0.02)
        return self.client

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        while True:
            self.check()  # type: ignore[attr-defined]
            client = self.session()
            client.base = self.next_base()
            try:
                self.sent += 1  # type: ignore[attr-defined]
                status, location = post(client, path, data)
            except Refused:
                continue  # that server is down: the next turn is the other one
            self.log.note(path, status)  # type: ignore[attr-defined]
            return status, location


class AlternatingSaver(Alternating, Saver):
    pass


class AlternatingSubmitter(Alternating, Submitter):
    """Submit as a respondent does, then read the report of two peer groups, as they do after submitting."""

    def submit(self, token: str, answers: dict[str, Any]) -> bool:
        acked = super().submit(token, answers)
        if acked:
            for group in ("all", "country"):
                status = 0
                for _ in range(2):  # a refused or cut connection: the other server
                    client = self.session()
                    client.base = self.next_base()
                    try:
                        status, _ = client.get(f"/r/{token}/report.json?peers={group}")
                        break
                    except (OSError, http.client.HTTPException):
                        status = 0
                with self.log.lock:  # type: ignore[attr-defined]
                    self.reports[status] += 1
        return acked


def run_load(servers: list[Server], bank: Questionnaire, kill_after: float | None) -> tuple[Log, Counter[int], int]:
    """Drive both servers with client threads for LOAD_SECONDS; SIGKILL the first after *kill_after* seconds."""
    log, stop, reports = Log(), threading.Event(), Counter[int]()
    bases = [s.base for s in servers]
    drivers: list[Any] = [AlternatingSaver(bases[0], bank, log, stop, seed) for seed in range(SAVERS)]
    drivers += [AlternatingSubmitter(bases[0], bank, log, stop, 100 + seed) for seed in range(SUBMITTERS)]
    for driver in drivers:
        driver.bases, driver.reports = bases, reports
    threads = [threading.Thread(target=d.run, daemon=True) for d in drivers]
    killed = 0
    for thread in threads:
        thread.start()
    try:
        if kill_after is not None:
            time.sleep(kill_after)
            killed = servers[0].kill()
            time.sleep(LOAD_SECONDS - kill_after)
        else:
            time.sleep(LOAD_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not any(t.is_alive() for t in threads)
    return log, reports, killed


def rows(db: Any, sql: str, parameters: Any = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.conn.execute(sql, list(parameters)).fetchall()]


def check_database(database: str, bank: Questionnaire, log: Log) -> str:
    """Assert that every acknowledged write is stored exactly once and the derived counts are right; say what was checked."""
    db = store.open_database(database)
    try:
        responses = {t: (i, s) for i, t, s in rows(db, "SELECT id, token, status FROM responses")}
        assert len(responses) == len(rows(db, "SELECT token FROM responses")), "a token is stored twice"
        answers: dict[int, dict[str, Any]] = {}
        for response_id, question, value in rows(db, "SELECT response_id, question_id, value FROM answers"):
            answers.setdefault(response_id, {})[question] = normal(json.loads(value))

        def stored(token: str) -> tuple[str, dict[str, Any]] | None:
            found = responses.get(token)
            return None if found is None else (found[1], answers.get(found[0], {}))

        missing = [t for t in log.started if t not in responses]
        assert not missing, f"{len(missing)} acknowledged starts have no response, e.g. {missing[:3]}"
        assert len(set(log.started)) == len(log.started)

        page_ids = {q.id for q in bank_pages(bank)[SAVE_PAGE - 1].questions}
        lost_saves, checked_saves = [], 0
        for token, saves in log.saves.items():
            acked = [i for i, s in enumerate(saves) if s.outcome == "ack"]
            if not acked:
                continue
            last = acked[-1]
            candidates = [saves[last].page] + [s.page for s in saves[last + 1 :] if s.outcome == UNKNOWN]
            found = stored(token)
            assert found is not None
            checked_saves += len(acked)
            if {q: v for q, v in found[1].items() if q in page_ids} not in candidates:
                lost_saves.append(token)
        assert not lost_saves, f"{len(lost_saves)} responses lost an acknowledged save, e.g. {lost_saves[:3]}"

        dimensions = len(bank.dimensions) + 1  # and the overall score
        score_rows = Counter(r[0] for r in rows(db, "SELECT response_id FROM scores"))
        half = [t for t, (i, s) in responses.items() if (s == "submitted") != (score_rows[i] == dimensions)]
        assert not half, f"{len(half)} responses submitted without exactly one set of scores, e.g. {half[:3]}"
        lost_submits = [
            s.token
            for s in log.submissions
            if (found := stored(s.token)) is None
            or found[1] != s.answers
            or (s.outcome == "ack" and found[0] != "submitted")
        ]
        assert not lost_submits, (
            f"{len(lost_submits)} submissions not stored as sent and acknowledged: {lost_submits[:3]}"
        )

        # The response that counts: one per organisation, bank and dimension, however the submits raced.
        counting = rows(
            db,
            "SELECT organisation_id, bank_id, dimension, count(*) FROM scores WHERE latest = 1"
            " GROUP BY organisation_id, bank_id, dimension HAVING count(*) > 1",
        )
        assert not counting, f"organisations with two counting responses: {counting[:3]}"

        releases = rows(
            db, "SELECT bank_id, grp, grp_value, count(*) FROM peer_releases GROUP BY bank_id, grp, grp_value"
        )
        assert releases, "no report asked for a release"
        assert all(n == 1 for *_, n in releases), (
            f"a group released more than once: {[r for r in releases if r[3] > 1]}"
        )

        def peer_counts() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
            peers = rows(db, "SELECT bank_id, grp, grp_value, dimension, bucket, n FROM peer_buckets WHERE n != 0")
            versions = rows(db, "SELECT bank_id, hash, n FROM version_counts WHERE n != 0")
            return set(peers), set(versions)

        kept = peer_counts()
        with db.conn:  # the servers are gone: recount in place
            store.rebuild_peer_buckets(db)
            rebuild_version_counts(db)
        rebuilt = peer_counts()
        assert kept[0], "no peer counts at all: nothing was submitted"
        assert kept[0] == rebuilt[0], (
            f"peer_buckets differ from a rebuild: kept only {sorted(kept[0] - rebuilt[0])[:5]},"
            f" rebuilt only {sorted(rebuilt[0] - kept[0])[:5]}"
        )
        assert kept[1] == rebuilt[1], "version_counts differ from a rebuild"
        acked = sum(s.outcome == "ack" for s in log.submissions)
        return (
            f"{len(log.started)} starts, {checked_saves} saves and {acked} submits acknowledged and stored once;"
            f" {len(kept[0])} peer buckets as rebuilt; {len(releases)} groups released once each"
        )
    finally:
        db.conn.close()


def shared_starts(forget: bool = False) -> int:
    """The starts counted in Redis for 127.0.0.1 under this test's limit (this minute's window); *forget* them first."""
    import redis

    client = redis.Redis.from_url(reachable_redis())
    keys = list(client.scan_iter(match="*127.0.0.1/anonymous-writes/1000000/1/minute"))
    if forget and keys:
        client.delete(*keys)
        return 0
    return sum(int(client.get(key) or 0) for key in keys)


@pytest.mark.parametrize("kill", [False, True], ids=["both-up", "kill-9-one"])
def test_two_servers_on_one_database_keep_every_acknowledged_write(engine, kill, tmp_path):
    bank = load_bank(V1_BANKS / "go-international.yaml")
    shared_starts(forget=True)
    with fresh_database(engine, tmp_path) as database:
        servers = [Server(database, tmp_path / f"gunicorn-{n}.log") for n in range(2)]
        try:
            for server in servers:
                server.wait_until_up()
            log, reports, killed = run_load(servers, bank, LOAD_SECONDS / 2 if kill else None)
        finally:
            for server in servers:
                if server.process.poll() is None:
                    server.close()
        acked_saves = sum(s.outcome == "ack" for saves in log.saves.values() for s in saves)
        acked_submits = sum(s.outcome == "ack" for s in log.submissions)
        print(
            f"{engine}: {log.requests} requests, {log.lost} answers lost to the kill, {acked_saves} saves and"
            f" {acked_submits} submits acknowledged; report.json statuses {dict(reports)}"
        )
        assert not log.unexpected, f"statuses other than a redirect: {log.unexpected[:10]}"
        assert set(reports) <= {200, 0} and reports[200] >= 10, reports
        assert acked_saves >= 20 and acked_submits >= 5, "too little load to tell anything"
        assert shared_starts() >= 1, "the servers counted their starts somewhere else than in Redis"
        if kill:
            assert killed == 2, "the master and its worker"
            assert log.lost + reports[0] >= 1, "no request was in flight at the kill"
        else:
            assert log.lost == 0 and reports[0] == 0
        print(check_database(database, bank, log))

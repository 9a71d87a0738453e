"""kill -9 of gunicorn (master and workers) under saves and submissions, three rounds, on one database.

Client threads keep saving pages and submitting assessments over HTTP while the server is
killed with SIGKILL and started again on the same SQLite file. Afterwards, read with
sqlite3 directly:

- ``PRAGMA integrity_check`` is ``ok`` (and no foreign key is broken);
- every acknowledged save (a redirect) is stored: the page holds the answers of the last
  acknowledged save of its response, or of a later save whose answer was lost in the kill;
- every acknowledged submit (the redirect to the report) is ``submitted``, scored, and
  holds the answers sent;
- ``peer_buckets`` and ``version_counts`` equal a full rebuild from ``scores``.

Some submitted responses are copied (same organisation), changed and submitted again, so
that the kills also land on submits that swap an organisation's counting response.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from selfassess import store
from selfassess.bank.loader import load_bank
from selfassess.bank.model import Page, Questionnaire
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.store.peer_index import rebuild_version_counts
from tests.conftest import ROOT, V1_BANKS
from tests.loadgen import Client, form_data

# About the SQLite file (WAL, integrity_check); a kill -9 on PostgreSQL: tests/test_two_servers.py.
pytestmark = pytest.mark.sqlite_only

ROUNDS = 3
LOAD_SECONDS = 4.0  # of load per round, before the kill
SAVERS, SUBMITTERS = 3, 3  # client threads
MAX_REQUESTS = 4000  # per client thread, over all rounds
SAVES_PER_RESPONSE = 12
SAVE_PAGE = 2  # no show_if on it, and a free-text question to put a unique marker in
MARKER = "strategy_aim"
BOOT_SECONDS = 30.0

UNKNOWN = "unknown"  # the request may or may not have reached the database


class Refused(Exception):
    """The server was not listening: the request certainly changed nothing."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The processes whose parent is *pid*, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class Server:
    """gunicorn on 127.0.0.1:*port* serving *database*; started, killed with SIGKILL, started again."""

    def __init__(self, database: Path, port: int, log: Path) -> None:
        self.database, self.port, self.log = database, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.groups: list[int] = []  # process groups started (one per start), for the last clean-up

    def start(self) -> None:
        env = {
            **os.environ,
            "SELFASSESS_DATABASE": str(self.database),
            "SELFASSESS_SECRET_KEY": "test",
            "SELFASSESS_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SELFASSESS_SECURE_COOKIES": "0",  # plain HTTP on loopback: urllib drops Secure cookies
            "SELFASSESS_RATE_LIMIT": "1000000 per minute",  # one client address makes every request
        }
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "4",
                   "-b", f"127.0.0.1:{self.port}", "selfassess:create_app()"]  # fmt: skip
        if int(version("gunicorn").split(".")[0]) >= 27:  # gunicorn 27+: not the shared ~/.gunicorn
            command[3:3] = ["--control-socket", str(self.log.with_name("gunicorn.ctl"))]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.groups.append(self.process.pid)
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
        """SIGKILL the master, then every worker; return how many processes were killed."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"gunicorn stopped by itself ({self.process.returncode}):\n{self.log.read_text()[-3000:]}"
            )
        master = self.process.pid
        workers = children(master)
        os.kill(master, signal.SIGKILL)  # first, so that it starts no worker in place of a killed one
        killed = {master}
        for _ in range(3):  # a worker forked just before the master died is a child too
            for pid in set(children(master)) | set(workers):
                if pid not in killed:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    killed.add(pid)
            workers = []
        self.process.wait(10)
        self.process = None
        return len(killed)

    def close(self) -> None:
        """Kill whatever is left of every start (their process groups)."""
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.process is not None:
            self.process.wait(10)
            self.process = None


def post(client: Client, path: str, data: dict[str, Any]) -> tuple[int, str]:
    """POST; raise Refused if nothing listened, return UNKNOWN's status (0) if the answer was lost."""
    try:
        status, location, _ = client.post(path, data)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            raise Refused from exc
        return 0, ""
    except ConnectionRefusedError as exc:
        raise Refused from exc
    except (OSError, http.client.HTTPException):
        return 0, ""
    return status, location


def normal(value: Any) -> Any:
    """Answers compared as sent and as stored (JSON): numbers as floats, multiple choices as sorted texts."""
    if isinstance(value, list):
        return sorted(str(normal(v)) for v in value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else str(value)


def normal_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: normal(v) for k, v in answers.items()}


@dataclass
class Save:
    page: dict[str, Any]  # the page's answers as sent, normalised
    outcome: str  # "ack", UNKNOWN, or "rejected"


@dataclass
class Submission:
    token: str
    answers: dict[str, Any]  # every answer sent, normalised
    outcome: str


@dataclass
class Log:
    """What the clients sent and what the server acknowledged."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    started: list[str] = field(default_factory=list)  # tokens of acknowledged /start
    saves: dict[str, list[Save]] = field(default_factory=dict)  # token -> its page saves, in order
    submissions: list[Submission] = field(default_factory=list)
    unexpected: list[tuple[str, int]] = field(default_factory=list)  # (path, status) neither 302 nor lost
    requests: int = 0
    lost: int = 0  # answers lost to a kill

    def note(self, path: str, status: int) -> None:
        with self.lock:
            self.requests += 1
            if status == 0:
                self.lost += 1
            elif status not in (302, 303):
                self.unexpected.append((path, status))


class Stop(Exception):
    pass


class Driver:
    """One client thread: a browser session that keeps going through kills and restarts."""

    def __init__(self, base: str, bank: Questionnaire, log: Log, stop: threading.Event, seed: int) -> None:
        self.base, self.bank, self.log, self.stop = base, bank, log, stop
        self.rng = random.Random(seed)
        self.seed = seed
        self.sent = 0
        self.client: Client | None = None

    def session(self) -> Client:
        while self.client is None:
            self.check()
            try:
                self.client = Client(self.base)
            except (OSError, http.client.HTTPException, AttributeError):
                time.sleep(0.05)
        return self.client

    def check(self) -> None:
        if self.stop.is_set() or self.sent >= MAX_REQUESTS:
            raise Stop

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        """POST, waiting out a server that is down; status 0: the answer was lost."""
        while True:
            self.check()
            client = self.session()
            try:
                self.sent += 1
                status, location = post(client, path, data)
            except Refused:
                time.sleep(0.05)
                continue
            self.log.note(path, status)
            return status, location

    def start(self) -> str | None:
        status, location = self.post(f"/start/{self.bank.id}", {"lang": self.bank.languages[0]})
        if status != 302:
            return None
        token = location.split("/")[2]
        with self.log.lock:
            self.log.started.append(token)
        return token

    def one(self) -> None:
        """Take one assessment (or as far as the server lets us)."""
        raise NotImplementedError

    def run(self) -> None:
        try:
            while True:
                self.one()
        except Stop:
            pass


class Saver(Driver):
    """Start a response, then save its page SAVE_PAGE again and again, each time with other answers."""

    def one(self) -> None:
        token = self.start()
        if token is None:
            return
        saves: list[Save] = []
        with self.log.lock:
            self.log.saves[token] = saves
        page = bank_pages(self.bank)[SAVE_PAGE - 1]
        for n in range(SAVES_PER_RESPONSE):
            answers = random_answers(self.bank, self.rng, self.rng.random())
            sent = {q.id: answers[q.id] for q in page.questions if q.id in answers}
            sent[MARKER] = f"saver {self.seed} {token[:8]} save {n}"
            data = {**form_data(self.bank, SAVE_PAGE, sent), "action": self.rng.choice(["save", "next"])}
            save = Save(normal_answers(sent), "pending")
            saves.append(save)
            status, _ = self.post(f"/r/{token}/page/{SAVE_PAGE}", data)
            save.outcome = "ack" if status in (302, 303) else UNKNOWN if status == 0 else "rejected"


class Submitter(Driver):
    """Answer every page and submit; now and then copy the submitted response, change it and submit again."""

    def one(self) -> None:
        token = self.start()
        if token is None:
            return
        answers = random_answers(self.bank, self.rng, self.rng.random())
        if not self.save_pages(token, answers, bank_pages(self.bank)):
            return
        while self.submit(token, answers) and self.rng.random() < 0.6:
            status, location = self.post(f"/r/{token}/copy", {})
            if status != 302:
                return
            token = location.split("/")[2]
            # Another profile (page 1) and other answers on page 2: the copy changes peer group and score.
            fresh = random_answers(self.bank, self.rng, self.rng.random())
            changed = bank_pages(self.bank)[:2]
            ids = {q.id for p in changed for q in p.questions}
            answers = {k: v for k, v in answers.items() if k not in ids} | {k: v for k, v in fresh.items() if k in ids}
            if not self.save_pages(token, answers, changed):
                return

    def save_pages(self, token: str, answers: dict[str, Any], pages: Sequence[Page]) -> bool:
        for page in pages:
            status, _ = self.post(f"/r/{token}/page/{page.number}", form_data(self.bank, page.number, answers))
            if status != 302:
                return False
        return True

    def submit(self, token: str, answers: dict[str, Any]) -> bool:
        status, location = self.post(f"/r/{token}/submit", {})
        acked = status == 302 and "/report" in location
        outcome = "ack" if acked else UNKNOWN if status == 0 else "rejected"
        with self.log.lock:
            self.log.submissions.append(Submission(token, normal_answers(answers), outcome))
        return acked


def peer_rows(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return set(
        conn.execute("SELECT bank_id, grp, grp_value, dimension, bucket, n FROM peer_buckets WHERE n != 0").fetchall()
    )


def version_rows(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return set(conn.execute("SELECT bank_id, hash, n FROM version_counts WHERE n != 0").fetchall())


def check_database(database: Path, bank: Questionnaire, log: Log, tmp_path: Path) -> None:
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

        def stored(token: str) -> tuple[str, dict[str, Any]] | None:
            row = conn.execute("SELECT id, status FROM responses WHERE token = ?", [token]).fetchone()
            if row is None:
                return None
            answers = conn.execute("SELECT question_id, value FROM answers WHERE response_id = ?", [row[0]])
            return row[1], {q: normal(json.loads(v)) for q, v in answers}

        missing = [token for token in log.started if stored(token) is None]
        assert not missing, f"{len(missing)} acknowledged starts have no response, e.g. {missing[:3]}"

        page_ids = {q.id for q in bank_pages(bank)[SAVE_PAGE - 1].questions}
        lost_saves = []
        checked_saves = 0
        for token, saves in log.saves.items():
            acked = [i for i, s in enumerate(saves) if s.outcome == "ack"]
            if not acked:
                continue
            last = acked[-1]
            candidates = [saves[last].page] + [s.page for s in saves[last + 1 :] if s.outcome == UNKNOWN]
            found = stored(token)
            assert found is not None
            page = {q: v for q, v in found[1].items() if q in page_ids}
            checked_saves += len(acked)
            if page not in candidates:
                lost_saves.append((token, saves[last].page, page))
        assert not lost_saves, f"{len(lost_saves)} responses lost an acknowledged save, e.g. {lost_saves[:2]}"

        # Submitting is one transaction: a response is a scored submission or an unscored draft, never half.
        dimensions = len(bank.dimensions) + 1  # and the overall score
        half = conn.execute(
            "SELECT r.token, r.status, COUNT(s.response_id) FROM responses r LEFT JOIN scores s ON s.response_id = r.id"
            " GROUP BY r.id HAVING (r.status = 'submitted') != (COUNT(s.response_id) = ?)",
            [dimensions],
        ).fetchall()
        assert not half, f"{len(half)} responses half submitted (token, status, score rows), e.g. {half[:3]}"

        # Every page of these was acknowledged before the submit; the submit is acknowledged or its answer lost.
        lost_submits = []
        for submission in log.submissions:
            found = stored(submission.token)
            if (
                found is None
                or found[1] != submission.answers
                or (submission.outcome == "ack" and found[0] != "submitted")
            ):
                lost_submits.append((submission.token, submission.outcome, found and found[0]))
        assert not lost_submits, (
            f"{len(lost_submits)} submissions not stored as sent and acknowledged, e.g. {lost_submits[:3]}"
        )
        unknown = [s.token for s in log.submissions if s.outcome == UNKNOWN]
        landed = sum((found := stored(token)) is not None and found[0] == "submitted" for token in unknown)

        peers, versions = peer_rows(conn), version_rows(conn)
        copy = tmp_path / "rebuilt.db"
        target = sqlite3.connect(copy)
        conn.backup(target)
        target.close()
    finally:
        conn.close()

    db = store.connect(copy)
    try:
        store.rebuild_peer_buckets(db)
        rebuild_version_counts(db)
        rebuilt_peers, rebuilt_versions = peer_rows(db.conn), version_rows(db.conn)
    finally:
        db.conn.close()
    assert peers, "no peer counts at all: nothing was submitted"
    assert peers == rebuilt_peers, (
        f"peer_buckets differ from a rebuild: kept only {sorted(peers - rebuilt_peers)[:5]},"
        f" rebuilt only {sorted(rebuilt_peers - peers)[:5]}"
    )
    assert versions == rebuilt_versions
    print(
        f"checked {checked_saves} acknowledged saves, {len(log.started)} starts, {len(peers)} peer buckets;"
        f" of {len(unknown)} submits whose answer was lost, {landed} were stored"
    )


def test_kill_9_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    bank = load_bank(V1_BANKS / "go-international.yaml")
    database = tmp_path / "db.sqlite"
    server = Server(database, free_port(), tmp_path / "gunicorn.log")
    log = Log()
    stop = threading.Event()
    drivers: list[Driver] = [Saver(server.base, bank, log, stop, seed) for seed in range(SAVERS)]
    drivers += [Submitter(server.base, bank, log, stop, 100 + seed) for seed in range(SUBMITTERS)]
    threads = [threading.Thread(target=d.run, daemon=True) for d in drivers]
    rounds = []
    try:
        for number in range(ROUNDS):
            began = time.monotonic()
            server.start()
            if number == 0:
                for t in threads:
                    t.start()
            time.sleep(LOAD_SECONDS)
            requests = log.requests
            killed = server.kill()
            rounds.append((round(time.monotonic() - began, 1), requests, killed))
            time.sleep(0.3)  # the clients see the kill: answers lost, then connections refused
    finally:
        stop.set()
        server.close()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)

    acked_submits = sum(s.outcome == "ack" for s in log.submissions)
    acked_saves = sum(s.outcome == "ack" for saves in log.saves.values() for s in saves)
    print(
        f"rounds (seconds, requests so far, processes killed): {rounds}; {log.requests} requests,"
        f" {log.lost} answers lost to kills, {acked_saves} saves and {acked_submits} submits acknowledged"
    )
    assert not log.unexpected, f"statuses other than a redirect: {log.unexpected[:10]}"
    assert all(killed >= 3 for _, _, killed in rounds), rounds  # the master and both workers
    assert acked_saves >= 20 and acked_submits >= 5, "too little load to tell anything"
    assert log.lost >= 1, "no request was in flight at any kill"
    check_database(database, bank, log, tmp_path)

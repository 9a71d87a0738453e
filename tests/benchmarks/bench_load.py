"""Benchmark: page-turn latency as respondents feel it, at growing page-turn rates (open loop).

    python tests/benchmarks/bench_load.py [--rates 100,200,300,400,500,600] [--seconds 30]
        [--workers 2] [--threads 8] [--sync] [--drafts 300] [--clients 2] [--app-dir DIR]
        [--database URL] [--servers 1,2]

A page turn is what a respondent's "Next" costs: the POST that saves a question page
(answered 303, a redirect to the next page) and the GET of that next page, on one
connection, timed from the moment the turn was *scheduled* to the end of the page.
Respondents think 10-30 s (uniform) between turns, so N respondents make about N/20
turns per second; each rate in --rates is such a crowd (500/s = 10,000 respondents).
Target: 500 page turns/s with p95 < 200 ms and no errors, on two cores shared with the
load generator. Per rate it prints the turns scheduled and done, p50/p95/p99 of the
page-turn latency, the errors (a POST not answered 302/303 - a 200 re-render counts -,
a GET not answered 200, a refused or reset connection, a turn over 10 s or not finished
when the run ends), the CPU used by the load generator and by gunicorn (in cores), and
at the end the largest rate that held the target.

Preparation: gunicorn serves a fresh database in a temporary folder; the app itself, over
HTTP, starts --drafts drafts of go-international (GET / for the CSRF token, POST /start)
and saves every page once with random answers, each of which must be answered 303. Each
draft's requests are then encoded once: a POST per page (its cookie, CSRF token and
answers) and a GET per page. The run replays them; nothing is parsed but a status line
and a Content-Length.

The client is open loop. The schedule of every turn is drawn in advance (each simulated
respondent has a draft, a page, and turns at think-time intervals, the first one drawn
from the stationary distribution, so the rate is steady from the first second);
--clients processes (forked, a share of the respondents each) run a `selectors` loop over
non-blocking sockets that opens each turn's connection at its scheduled time, whatever
is still in flight, and latency is measured from the scheduled time, so a server that
falls behind is charged for the wait (no coordinated omission). A connection per turn,
closed after the page ("Connection: close"), is what a respondent with 10-30 s between
pages gets past a 2 s keep-alive. wrk was not used: it opens its next connection right
after a response, long before the next request is due, and an idle new connection holds
a gthread thread (up to 5 s) or a sync worker until data arrives, which would measure
the client's preconnects rather than the app. This client costs about 0.1 core at
500 turns/s (printed as the client's CPU; "other" is the rest of the machine's busy time,
which should be near 0: anything else running disturbs the figures; the server's CPU per
page turn is the figure that other load disturbs least).

The default serves with `gunicorn -k gthread -w WORKERS --threads THREADS`; --sync also
measures `-w WORKERS` sync workers. --app-dir serves another checkout of the package
(gunicorn runs there with PYTHONPATH set to it), e.g. a `git worktree` of an older commit.
All traffic is on 127.0.0.1; a default run takes about 4 minutes.

Several app servers (README "Running at scale"): --servers 1,2 measures one gunicorn, then
two, each `-w WORKERS`, on one database, the turns dealt to the servers in turn as a
round-robin load balancer would (without one in between: nginx would cost its own CPU).
--database postgresql://... serves a fresh schema in that database (dropped at the end)
instead of a SQLite file; several servers need it or a SQLite file on one machine. The
banks are the tests' version-1 banks (tests/fixtures/banks), which the figures above used.
"""

from __future__ import annotations

import argparse
import errno
import multiprocessing as mp
import os
import random
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("SELFASSESS_QUESTIONNAIRES", str(ROOT / "tests" / "fixtures" / "banks"))

from selfassess.bank.catalog import Catalog  # noqa: E402
from selfassess.bank.pages import bank_pages  # noqa: E402
from selfassess.bank.synthetic import random_answers  # noqa: E402
from selfassess.resources import questionnaires_dir  # noqa: E402
from tests.loadgen import Client, form_data  # noqa: E402

BANK = "go-international"
THINK = (10.0, 30.0)  # seconds between a respondent's page turns, uniform
TARGET_RATE, TARGET_P95 = 500, 0.200
TURN_TIMEOUT = 10.0
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
CLOSE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)


# -- the server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app_dir: Path, env: dict[str, str], args: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "selfassess:create_app()"],
        env={**os.environ, "PYTHONPATH": str(app_dir), **env}, cwd=app_dir,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"gunicorn {' '.join(args)} did not start in {app_dir}")


def cpu_seconds(*masters: int) -> float:
    """CPU time of the gunicorn masters and their workers so far."""
    pids = list(masters)
    for master in masters:
        try:
            pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        except OSError:
            pass
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process so far (its backends serve the app servers' connections)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores of this machine have spent busy (anyone's), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# -- preparing drafts --------------------------------------------------------------


@dataclass
class Draft:
    posts: list[bytes]  # per page, 0-based: the whole HTTP request saving it
    gets: list[bytes]  # per page, 0-based: the whole HTTP request showing it


def prepare_draft(base: str, seed: int) -> Draft:
    bank = Catalog.load(os.environ.get("SELFASSESS_QUESTIONNAIRES") or questionnaires_dir()).get(BANK)
    assert bank is not None
    rng = random.Random(seed)
    client = Client(base)
    status, location, _ = client.post(f"/start/{BANK}", {"lang": bank.languages[0]})
    if status not in (302, 303):
        raise RuntimeError(f"POST /start/{BANK} answered {status}")
    token = location.split("/")[2]
    answers = random_answers(bank, rng)
    bodies = []
    for page in bank_pages(bank):
        data = form_data(bank, page.number, answers)
        status, _, _ = client.post(f"/r/{token}/page/{page.number}", data)
        if status not in (302, 303):
            raise RuntimeError(f"saving page {page.number} of a draft answered {status}")
        bodies.append(urllib.parse.urlencode({"csrf_token": client.csrf, **data}, doseq=True).encode())
    jar = next(h for h in client.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    host = base.removeprefix("http://")
    posts, gets = [], []
    for number, body in enumerate(bodies, 1):
        path = f"/r/{token}/page/{number}"
        head = f"Host: {host}\r\nCookie: {cookie}\r\nUser-Agent: bench_load\r\n"
        posts.append(
            f"POST {path} HTTP/1.1\r\n{head}Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        gets.append(f"GET {path} HTTP/1.1\r\n{head}Connection: close\r\n\r\n".encode())
    return Draft(posts, gets)


def prepare(base: str, count: int) -> list[Draft]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(prepare_draft, [base] * count, range(count)))


# -- the schedule -------------------------------------------------------------------


def first_turn(rng: random.Random) -> float:
    """Time to a respondent's first turn, drawn so the crowd's rate is steady from the start."""
    low, high = THINK
    while True:  # the residual of a renewal process: density proportional to P(think > x)
        x = rng.uniform(0, high)
        if x < low or rng.random() < (high - x) / (high - low):
            return x


def schedule(rate: float, seconds: float, drafts: int, pages: int, clients: int, seed: int) -> list[list[tuple]]:
    """Per client process: sorted (time, draft, page) turns; the turn saves page, then shows page + 1."""
    rng = random.Random(seed)
    respondents = round(rate * sum(THINK) / 2)
    shares: list[list[tuple]] = [[] for _ in range(clients)]
    for n in range(respondents):
        draft, page = n % drafts, rng.randrange(pages)
        t = first_turn(rng)
        while t < seconds:
            shares[n % clients].append((t, draft, page))
            page = (page + 1) % pages
            t += rng.uniform(*THINK)
    for share in shares:
        share.sort()
    return shares


# -- the client ------------------------------------------------------------------------


@dataclass(eq=False)
class Turn:
    due: float
    post: bytes
    get: bytes
    sock: socket.socket | None = None
    step: str = "connect post"
    buf: bytearray = field(default_factory=bytearray)
    address: tuple[str, int] = ("127.0.0.1", 0)


def run_client(
    addresses: list[tuple[str, int]], start: float, turns: list[tuple], drafts: list[Draft], pipe: Connection
) -> None:
    """Play *turns* from monotonic time *start*; send back latencies, error counts and own CPU time."""
    sel = selectors.DefaultSelector()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    live: set[Turn] = set()
    pages = len(drafts[0].posts)

    def fail(turn: Turn, why: str) -> None:
        errors[why] = errors.get(why, 0) + 1
        finish(turn)

    def finish(turn: Turn) -> None:
        live.discard(turn)
        if turn.sock is not None:
            sel.unregister(turn.sock)
            turn.sock.close()
            turn.sock = None

    def connect(turn: Turn) -> None:
        address = turn.address
        if turn.sock is not None:
            sel.unregister(turn.sock)
            turn.sock.close()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            turn.sock = None
            fail(turn, "connect")
            return
        turn.sock = sock
        sel.register(sock, selectors.EVENT_WRITE, turn)

    def send(turn: Turn, request: bytes, step: str) -> None:
        assert turn.sock is not None
        try:
            turn.sock.sendall(request)  # a few hundred bytes into an empty loopback buffer
        except OSError:
            fail(turn, "connection")
            return
        turn.step = step
        turn.buf.clear()
        sel.modify(turn.sock, selectors.EVENT_READ, turn)

    def on_event(turn: Turn, now: float) -> None:
        assert turn.sock is not None
        if turn.step.startswith("connect"):
            if turn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                fail(turn, "connect")
            elif turn.step == "connect post":
                send(turn, turn.post, "read post")
            else:
                send(turn, turn.get, "read get")
            return
        try:
            chunk = turn.sock.recv(262144)
        except OSError:
            fail(turn, "connection")
            return
        if not chunk:
            fail(turn, "connection")
            return
        turn.buf += chunk
        end = turn.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(turn.buf[:end])
        length = CONTENT_LENGTH.search(head)
        if length is None or len(turn.buf) < end + 4 + int(length[1]):
            return
        status = int(head[9:12])
        if turn.step == "read post":
            if status not in (302, 303):
                fail(turn, f"POST {status}")
            elif CLOSE.search(head):  # sync workers close every connection: the browser opens another
                turn.step = "connect get"
                connect(turn)
            else:
                send(turn, turn.get, "read get")
        elif status != 200:
            fail(turn, f"GET {status}")
        else:
            latencies.append(now - turn.due)
            finish(turn)

    next_at, scanned = 0, 0.0
    deadline = start + (turns[-1][0] if turns else 0) + TURN_TIMEOUT
    while next_at < len(turns) or live:
        now = time.monotonic()
        while next_at < len(turns) and start + turns[next_at][0] <= now:
            t, draft, page = turns[next_at]
            next_at += 1
            # Each turn to the next server, as a round-robin load balancer deals connections.
            turn = Turn(start + t, drafts[draft].posts[page], drafts[draft].gets[(page + 1) % pages])
            turn.address = addresses[next_at % len(addresses)]
            live.add(turn)
            connect(turn)
        if now > scanned + 0.2:  # give up on turns over the time limit, and on all once the run is over
            scanned = now
            for turn in [t for t in live if t.due < now - TURN_TIMEOUT or now > deadline]:
                fail(turn, "over 10 s")
        wait = start + turns[next_at][0] - now if next_at < len(turns) else 0.05
        if not live:
            time.sleep(max(wait, 0))
            continue
        for key, _ in sel.select(max(min(wait, 0.05), 0)):
            on_event(key.data, time.monotonic())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pipe.send((latencies, errors, usage.ru_utime + usage.ru_stime))
    pipe.close()


# -- a step ------------------------------------------------------------------------------


@dataclass
class Step:
    rate: int
    scheduled: int
    latencies: list[float]
    errors: dict[str, int]
    client_cores: float
    server_cores: float
    database_cores: float  # PostgreSQL's processes (0 on SQLite: the server processes do its work)
    other_cores: float  # the rest of the machine: anything else running disturbs the figures

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[round(q * 1000) - 1]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def holds(self) -> bool:
        return self.error_count == 0 and self.quantile(0.95) < TARGET_P95


def step(bases: list[str], masters: list[int], drafts: list[Draft], rate: int, seconds: float, clients: int) -> Step:
    addresses = [("127.0.0.1", int(base.rsplit(":", 1)[1])) for base in bases]
    shares = schedule(rate, seconds, len(drafts), len(drafts[0].posts), clients, seed=rate)
    ctx = mp.get_context("fork")
    start = time.monotonic() + 0.5
    procs, pipes = [], []
    for share in shares:
        here, there = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=run_client, args=(addresses, start, share, drafts, there))
        proc.start()
        procs.append(proc)
        pipes.append(here)
    time.sleep(max(start - time.monotonic(), 0))
    server_before, machine_before = cpu_seconds(*masters), machine_busy_seconds()
    database_before = database_cpu_seconds()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    client_cpu = 0.0
    for pipe in pipes:
        lats, errs, cpu = pipe.recv()
        latencies += lats
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
        client_cpu += cpu
    elapsed = time.monotonic() - start
    server_cpu = cpu_seconds(*masters) - server_before
    database_cpu = database_cpu_seconds() - database_before
    other_cpu = machine_busy_seconds() - machine_before - server_cpu - client_cpu - database_cpu
    for proc in procs:
        proc.join()
    scheduled = sum(len(s) for s in shares)
    return Step(
        rate, scheduled, latencies, errors, client_cpu / elapsed, server_cpu / elapsed, database_cpu / elapsed,
        other_cpu / elapsed,
    )  # fmt: skip


def measure(
    label: str, bases: list[str], masters: list[int], drafts: list[Draft], args: argparse.Namespace
) -> list[Step]:
    print(f"\n{label}")
    print(
        "  rate/s  turns done    p50 ms   p95 ms   p99 ms  errors  CPU (cores): client server database other"
        "  server+database ms/turn"
    )
    steps = []
    for rate in args.rates:
        s = step(bases, masters, drafts, rate, args.seconds, args.clients)
        steps.append(s)
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(s.errors.items()))
        print(
            f"  {rate:6d}  {len(s.latencies):5d}/{s.scheduled:<5d}"
            f" {s.quantile(0.5) * 1000:8.1f} {s.quantile(0.95) * 1000:8.1f} {s.quantile(0.99) * 1000:8.1f}"
            f"  {s.error_count:6d}  {s.client_cores:18.2f} {s.server_cores:6.2f} {s.database_cores:8.2f}"
            f" {s.other_cores:5.2f} {(s.server_cores + s.database_cores) / rate * 1000:8.1f}"
            f"  {'holds' if s.holds else 'misses'} the target{f' ({detail})' if detail else ''}",
            flush=True,
        )
        if s.quantile(0.95) > 10 * TARGET_P95 or s.error_count > s.scheduled // 10:
            print("  (overloaded: higher rates skipped)")
            break
    held = [s.rate for s in steps if s.holds]
    # "Holds" up to a rate: every rate up to it held too.
    largest = next((steps[i - 1].rate for i, s in enumerate(steps) if not s.holds), steps[-1].rate if steps else 0)
    if not held or not steps[0].holds:
        print(f"  no rate held p95 < {TARGET_P95 * 1000:.0f} ms with no errors")
    else:
        verdict = "meets" if largest >= TARGET_RATE else "misses"
        print(
            f"  largest rate holding p95 < {TARGET_P95 * 1000:.0f} ms and no errors: {largest} page turns/s"
            f" ({largest * 20:,} respondents) - {verdict} the target of {TARGET_RATE}/s"
        )
    return steps


@contextmanager
def database(url: str | None, work: Path) -> Iterator[str]:
    """The database to serve: a SQLite file in *work*, or a fresh schema in the PostgreSQL database *url* (dropped after)."""
    if not url:
        yield str(work / "bench.db")
        return
    import psycopg

    schema = f"bench_load_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rates", type=lambda s: [int(r) for r in s.split(",")], default=[100, 200, 300, 400, 500, 600]
    )
    parser.add_argument("--seconds", type=float, default=30, help="length of each rate's schedule")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--sync", action="store_true", help="also measure -w WORKERS sync workers")
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose selfassess gunicorn serves")
    parser.add_argument("--database", help="a postgresql:// URL: serve a fresh schema there (default: a SQLite file)")
    parser.add_argument(
        "--servers", type=lambda s: [int(n) for n in s.split(",")], default=[1], help="app servers, e.g. 1,2"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    with database(args.database, work) as target:
        run(args, work, target)


def run(args: argparse.Namespace, work: Path, target: str) -> None:
    # Plain HTTP on loopback: session cookies must not be marked Secure; and the preparation starts
    # all its drafts from one address, above the per-address limit on starting drafts.
    # (Versions without these settings ignore them.)
    env = {
        "SELFASSESS_DATABASE": target,
        "SELFASSESS_SECRET_KEY": "bench",
        "SELFASSESS_SECURE_COOKIES": "0",
        "SELFASSESS_RATE_LIMIT": "100000 per minute",
    }
    app_dir = args.app_dir.resolve()
    gthread = ["-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads)]
    configs = [(f"gthread, {n} server{'s' if n > 1 else ''}", n, gthread) for n in args.servers]
    if args.sync:
        configs.append(("sync", 1, ["-w", str(args.workers)]))
    drafts: list[Draft] = []
    shown = target.split("?")[0] if args.database else target
    for name, count, gunicorn_args in configs:
        servers = [serve(app_dir, env, gunicorn_args) for _ in range(count)]
        bases = [base for _, base in servers]
        try:
            if not drafts:
                started = time.perf_counter()
                drafts = prepare(bases[0], args.drafts)
                print(
                    f"serving {app_dir} on {shown}; {len(drafts)} drafts of {BANK} prepared and every page saved"
                    f" once ({time.perf_counter() - started:.0f} s); page turns: POST page + GET next page,"
                    f" {args.seconds:.0f} s per rate, {args.clients} client processes"
                )
            else:  # the drafts' requests carry the old port in Host: harmless, but keep them honest
                old = drafts[0].gets[0].split(b"Host: ", 1)[1].split(b"\r\n", 1)[0]
                new = bases[0].removeprefix("http://").encode()
                drafts = [
                    Draft([r.replace(old, new, 1) for r in d.posts], [r.replace(old, new, 1) for r in d.gets])
                    for d in drafts
                ]
            label = f"{count} x gunicorn {' '.join(gunicorn_args)} ({name})"
            measure(label, bases, [proc.pid for proc, _ in servers], drafts, args)
        finally:
            for proc, _ in servers:
                proc.terminate()
                proc.wait(10)


if __name__ == "__main__":
    main()

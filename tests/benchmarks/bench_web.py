"""Benchmark: requests per second of a question page (GET) and a page save (POST), beside a bare Flask route.

    python tests/benchmarks/bench_web.py [--seconds 10] [--connections 16] [--rounds 5]

Both apps are served the same way: gunicorn, 2 sync workers, on 127.0.0.1, loaded by
wrk (Debian package `wrk`). The figures are the ratios to the "hello" route:
targets >= 0.6 for the GET, >= 0.35 for the POST.

The GET is measured twice: without a cookie (every request a first visit, so each one
starts a session: the harder case, and the target's figure) and with the session cookie
a respondent's browser sends on every page after the first.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from selfassess.bank.catalog import Catalog  # noqa: E402
from selfassess.bank.pages import bank_pages  # noqa: E402
from selfassess.bank.synthetic import random_answers  # noqa: E402
from selfassess.resources import questionnaires_dir  # noqa: E402
from tests.loadgen import Client, form_data  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        env={**os.environ, **env}, cwd=cwd,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            return proc, base
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, cookie: str = "") -> float:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script:
        cmd += ["-s", str(script)]
    run = subprocess.run([*cmd, url], capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"wrk failed on {url}:\n{run.stdout}{run.stderr}")
    out = run.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} error responses from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    work = Path(tempfile.mkdtemp())
    hello, hello_base = serve("hello_app:app", {}, HERE)
    env = {"SELFASSESS_DATABASE": str(work / "bench.db"), "SELFASSESS_SECRET_KEY": "bench"}
    app, app_base = serve("selfassess:create_app()", env, work)
    try:
        client = Client(app_base)
        _, location, _ = client.post("/start/go-international", {"lang": "en"})
        token = location.split("/")[2]
        jar = next(h for h in client.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        body = urllib.parse.urlencode(
            {"csrf_token": client.csrf, "action": "next", "strategy_written": "4", "strategy_action_plan": "3",
             "strategy_context": "4", "strategy_mapping": "yes", "strategy_funding": "budget_line",
             "strategy_involved": ["management", "teachers"], "strategy_leadership": "5", "strategy_staff_survey": "no"},
            doseq=True,
        )  # fmt: skip
        script = work / "post.lua"
        script.write_text(
            textwrap.dedent(
                f"""\
                wrk.method = "POST"
                wrk.body = "{body}"
                wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
                wrk.headers["Cookie"] = "{cookie}"
                """
            )
        )
        page = f"{app_base}/r/{token}/page/2"
        # A respondent late in the questionnaire: every page before the last one answered.
        bank = Catalog.load(questionnaires_dir()).get("go-international")
        assert bank is not None
        answers = random_answers(bank, random.Random(1), 1.0)
        _, location, _ = client.post("/start/go-international", {"lang": "en"})
        late_token = location.split("/")[2]
        last = len(bank_pages(bank))
        for number in range(1, last):
            client.post(f"/r/{late_token}/page/{number}", form_data(bank, number, answers))
        late_page = f"{app_base}/r/{late_token}/page/{last}"
        stored = sum(q.id in answers for page_ in bank_pages(bank)[:-1] for q in page_.questions)
        wrk(page, 2, args.connections)  # warm up both workers
        wrk(hello_base + "/", 2, args.connections)
        # The machine's speed drifts between runs, so measure in rounds, each app right after
        # the other, and compare within a round.
        rounds = []
        for n in range(args.rounds):
            hello_rps = wrk(hello_base + "/", args.seconds, args.connections)
            get_rps = wrk(page, args.seconds, args.connections)
            session_rps = wrk(page, args.seconds, args.connections, cookie=cookie)
            post_rps = wrk(page, args.seconds, args.connections, script)
            late_rps = wrk(late_page, args.seconds, args.connections, cookie=cookie)
            rounds.append((hello_rps, get_rps, session_rps, post_rps, late_rps))
            print(
                f"round {n + 1}: hello {hello_rps:6.0f}/s   GET page {get_rps:6.0f}/s ({get_rps / hello_rps:.2f})"
                f"   GET in session {session_rps:6.0f}/s ({session_rps / hello_rps:.2f})"
                f"   POST page {post_rps:6.0f}/s ({post_rps / hello_rps:.2f})"
                f"   GET last page of a long draft {late_rps:6.0f}/s ({late_rps / hello_rps:.2f})",
                flush=True,
            )
        get_ratio = statistics.median(r[1] / r[0] for r in rounds)
        session_ratio = statistics.median(r[2] / r[0] for r in rounds)
        post_ratio = statistics.median(r[3] / r[0] for r in rounds)
        late_ratio = statistics.median(r[4] / r[0] for r in rounds)
        print(f"median ratio GET question page, first visit / hello: {get_ratio:.2f} (target >= 0.6)")
        print(f"median ratio GET question page, in session / hello:  {session_ratio:.2f}")
        print(f"median ratio POST page save / hello:                 {post_ratio:.2f} (target >= 0.35)")
        print(f"median ratio GET last page, {stored} answers stored / hello: {late_ratio:.2f}")
    finally:
        for proc in (hello, app):
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()

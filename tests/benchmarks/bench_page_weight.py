"""Benchmark: the bytes a browser transfers for the report page, first view and repeat view.

    python tests/benchmarks/bench_page_weight.py [--before REV]

Serves this checkout with gunicorn on 127.0.0.1 (60 demo providers, the first one's report),
opens the report in Debian's Chromium (which sends Accept-Encoding: gzip, deflate, br, zstd)
and adds up the bytes of every response as the network saw them (the DevTools protocol's
Network.loadingFinished encodedDataLength: headers and compressed body). The repeat view is a
second visit in the same browser, with its cache. With --before REV, the same is measured for
that git revision (checked out in a temporary worktree; it must run in this virtualenv, e.g.
with `pip install plotly` for revisions that served plotly.min.js from it).
Targets: first view <= 500 KB, repeat view <= 50 KB.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]

FIRST_VIEW_TARGET = 500_000
REPEAT_VIEW_TARGET = 50_000
DEMO = """
import sys
from selfassess.bank.loader import load_bank
from selfassess.demo import create_demo_data
from selfassess.resources import questionnaires_dir
bank = load_bank(questionnaires_dir() / "go-international.yaml")
print(create_demo_data(sys.argv[1], [bank], 60, seed=9)[0])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(tree: Path, folder: Path) -> Iterator[str]:
    """Run gunicorn on the code in *tree* with demo data in *folder*; yield a report's URL."""
    database = folder / "bench.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "SELFASSESS_DATABASE": str(database),
        "SELFASSESS_SECRET_KEY": "bench",
        "SELFASSESS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SELFASSESS_SECURE_COOKIES": "0",
    }
    python = [sys.executable, "-c", DEMO, str(database)]
    token = subprocess.run(python, cwd=tree, env=env, check=True, capture_output=True, text=True).stdout.split()[-1]
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "selfassess:create_app()"]
    with (folder / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"gunicorn did not start:\n{(folder / 'gunicorn.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.1)
        yield f"{base}/r/{token}/report"
    finally:
        process.terminate()
        process.wait(10)


def visit(page: Any, network: dict[str, dict[str, Any]], url: str) -> dict[str, int]:
    """Load *url*; return the bytes transferred per resource path."""
    network.clear()
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("#radar .main-svg")
    by_path: dict[str, int] = {}
    for request in network.values():
        path = "/" + str(request.get("url", "?")).split("127.0.0.1:", 1)[-1].split("/", 1)[-1][:60]
        by_path[path] = by_path.get(path, 0) + int(request.get("bytes", 0))
    return by_path


def measure(url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Return the bytes per resource of a first view and of a repeat view of *url*."""
    from playwright.sync_api import sync_playwright

    network: dict[str, dict[str, Any]] = {}

    def received(event: dict[str, Any]) -> None:
        network.setdefault(event["requestId"], {})["url"] = event["response"]["url"]

    def finished(event: dict[str, Any]) -> None:
        network.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        first = visit(page, network, url)
        page.goto("about:blank")
        repeat = visit(page, network, url)
        browser.close()
    return first, repeat


def show(label: str, first: dict[str, int], repeat: dict[str, int]) -> None:
    print(f"\n{label}")
    print(f"  {'resource':62} {'first view':>12} {'repeat view':>12}")
    for path in sorted(first, key=lambda p: -first[p]):
        print(f"  {path:62} {first[path]:>12,} {repeat.get(path, 0):>12,}")
    total_first, total_repeat = sum(first.values()), sum(repeat.values())
    print(f"  {'total':62} {total_first:>12,} {total_repeat:>12,}")
    verdict = total_first <= FIRST_VIEW_TARGET and total_repeat <= REPEAT_VIEW_TARGET
    print(
        f"  targets: first view <= {FIRST_VIEW_TARGET:,}, repeat view <= {REPEAT_VIEW_TARGET:,}: {'met' if verdict else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also measure this git revision, e.g. the one before a change")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.before:
            tree = folder / "before"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.before], check=True
            )
            try:
                (folder / "b").mkdir()
                with served(tree, folder / "b") as url:
                    show(f"before ({args.before})", *measure(url))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
        (folder / "a").mkdir()
        with served(ROOT, folder / "a") as url:
            show("this checkout", *measure(url))


if __name__ == "__main__":
    main()

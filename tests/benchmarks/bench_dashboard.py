"""Benchmark: server time of a cohort dashboard with 2,000 submitted providers (target < 300 ms).

python tests/benchmarks/bench_dashboard.py [--providers 2000] [--requests 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from selfassess.web import create_app
from tests.conftest import csrf_token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "dash.db")
        app = create_app({"SELFASSESS_DATABASE": path, "SECRET_KEY": "bench"})
        bank = app.extensions["selfassess_catalog"].get("go-international")
        started = time.perf_counter()
        tokens = create_demo_data(path, [bank], args.providers, seed=5)
        db = store.connect(path)
        owner = accounts.add(db, "bench@agency.eu", "a long password")
        cohort = cohorts.create(db, owner.id, bank.id, "Benchmark cohort")
        with db.conn:
            db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
        print(f"{args.providers:,} submitted providers in one cohort ({time.perf_counter() - started:.0f} s to create)")
        client = app.test_client()
        html = client.get("/facilitator/login").get_data(as_text=True)
        client.post(
            "/facilitator/login",
            data={"csrf_token": csrf_token(html), "email": "bench@agency.eu", "password": "a long password"},
        )
        url = f"/facilitator/cohorts/{cohort.code}"
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"dashboard: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms, {len(response.data) / 1e6:.1f} MB of HTML (target < 300 ms)"
        )


if __name__ == "__main__":
    main()

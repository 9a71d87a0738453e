"""Benchmark: an organisation's report with 500 role respondents (target < 50 ms server time), and the close.

python tests/benchmarks/bench_rounds.py [--respondents 500] [--requests 200]

Fills one round of the roles fixture through the domain and the store (as the web would,
without HTTP), closes it, then times /c/<token>/report and /c/<token>/report.json with
the Flask test client. Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from selfassess import assessments, rounds, store
from selfassess.assessments import PageAnswers
from selfassess.bank.answers import check_answers
from selfassess.bank.synthetic import random_answers
from selfassess.web import create_app
from tests.conftest import FIXTURES


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {1000 * statistics.median(ordered):.1f} ms, p95 {1000 * p95:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        banks = Path(folder) / "banks"
        banks.mkdir()
        (banks / "roles.yaml").write_text((FIXTURES / "roles.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        path = str(Path(folder) / "rounds.db")
        app = create_app({"SELFASSESS_DATABASE": path, "SECRET_KEY": "bench", "SELFASSESS_QUESTIONNAIRES": str(banks)})
        catalog = app.extensions["selfassess_catalog"]
        bank = catalog.get("roles")
        db = store.connect(path)
        rng = random.Random(14)
        started = time.perf_counter()
        coordinating = rounds.start(db, bank, "en")
        assessment = assessments.open_by_token(db, catalog, coordinating.token)
        assessments.save_page(db, assessment, 1, PageAnswers({"size": "large"}, organisation="Benchmark school"))
        found = rounds.open_round(db, catalog, coordinating.token)
        invitations = rounds.invitation_tokens(db, found)
        profile = {q.id for q in bank.profile}
        weights = [1, 6, 3, 20]  # leaders, staff, company, learners: a large school's proportions
        for role in rng.choices([r.id for r in bank.roles], weights=weights[: len(bank.roles)], k=args.respondents):
            view = bank.for_role(role)
            answers = check_answers(view, {"size": "large", **random_answers(view, rng, rng.random())}).answers
            draft = rounds.join(db, catalog, invitations[role])
            store.save_answers(db, draft, {k: v for k, v in answers.items() if k not in profile}, page=2)
            assert assessments.submit(db, assessments.open_by_token(db, catalog, draft.token)).ok
        print(f"{args.respondents} role respondents in one round ({time.perf_counter() - started:.1f} s to create)")
        shown = {p.role.id: p.submitted for p in rounds.participation(db, found)}
        print(f"submitted per role: {shown}")
        started = time.perf_counter()
        rounds.close(db, rounds.open_round(db, catalog, coordinating.token))
        print(f"close (score, combine, store, enter the peer index): {1000 * (time.perf_counter() - started):.0f} ms")

        client = app.test_client()
        for page in ("report", "report.json"):
            url = f"/c/{coordinating.token}/{page}"
            first = client.get(url)  # warm: templates compiled, connection open
            assert first.status_code == 200, first.status_code
            print(f"/c/<token>/{page}: {len(first.get_data()):,} bytes")
            times = []
            for _ in range(args.requests):
                began = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200
            print(f"/c/<token>/{page}: {percentiles(times)} over {args.requests} requests (target < 50 ms)")


if __name__ == "__main__":
    main()

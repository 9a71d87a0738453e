"""Benchmark: report.json with peer figures over 1,000, 100,000 and 1,000,000 submitted responses, on SQLite and PostgreSQL.

    python tests/benchmarks/bench_report.py [--sizes 1000,100000,1000000] [--requests 500] [--keep DIR]
        [--engines sqlite,postgresql] [--database postgresql://postgres@127.0.0.1/test]

Each database is filled with bulk inserts (sqlite-utils): organisations, submitted
responses of go-international with profile answers, and their scores, plus the peer
bucket counts that submitting keeps up to date. Then report.json is requested for random
responses, half with peers=all and half with peers=country, and p50/p95 are printed. The
first request of each group draws its differentially private release (timed as "first
request"); every later one reads it.
Targets: p50 at 1,000,000 <= 2 x p50 at 1,000; p50 at 100,000 <= 30 ms.
With --keep, the databases stay in DIR and a later run with the same DIR reuses them
(filling 1,000,000 responses takes several minutes).

On PostgreSQL (--database names a database; each size gets a schema bench_report_<size> in
it, kept and reused with --keep, else dropped) the same rows are moved from the SQLite file
with `selfassess db copy`'s code (COPY, one transaction, counts and sampled reports checked),
and that copy's time and rows per second are printed: the figure for `db copy` of that many
responses. Then ANALYZE, and the same requests. Targets as above, on each engine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The tests' version-1 banks: a respondent answers for the organisation, as the figures before.
BANKS = Path(os.environ.setdefault("SELFASSESS_QUESTIONNAIRES", str(ROOT / "tests" / "fixtures" / "banks")))

from selfassess import dbcopy, store  # noqa: E402
from selfassess.bank.catalog import Catalog  # noqa: E402
from selfassess.bank.loader import load_bank  # noqa: E402

BATCH = 20_000


def fill(path: Path, size: int, seed: int = 1) -> list[str]:
    bank = load_bank(BANKS / "go-international.yaml")
    db = store.connect(path)
    store.register_profile(db, bank)
    # A bulk load: no indexes while inserting (built once at the end), a large page cache.
    db.execute("PRAGMA cache_size = -1000000")
    db.execute("PRAGMA synchronous = OFF")
    indexes = [
        (name, sql)
        for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    ]
    for name, _sql in indexes:
        db.execute(f"DROP INDEX [{name}]")
    rng = random.Random(seed)
    levels = [(lvl.min, lvl.id) for lvl in bank.rubric.levels]
    dims = [d.id for d in bank.dimensions]
    weights = {d.id: d.weight for d in bank.dimensions}
    profile = [(q.id, [o.value for o in q.options]) for q in bank.profile if q.options]
    buckets: Counter[tuple[str, str, str, int]] = Counter()
    tokens: list[str] = []
    stamp = store.now()

    def level(score: float) -> str:
        return [lid for low, lid in levels if low <= score][-1]

    started = time.perf_counter()
    for first in range(0, size, BATCH):
        count = min(BATCH, size - first)
        orgs, responses, answers, scores = [], [], [], []
        for i in range(first + 1, first + count + 1):
            token = store.new_token()
            if len(tokens) < 1000:
                tokens.append(token)
            orgs.append({"id": i, "name": f"Benchmark provider {i}", "demo": 1, "created_at": stamp})
            responses.append(
                {"id": i, "token": token, "organisation_id": i, "bank_id": bank.id, "bank_version": bank.version,
                 "bank_hash": bank.content_hash, "status": "submitted", "language": "en", "current_page": 10,
                 "created_at": stamp, "updated_at": stamp, "submitted_at": stamp}
            )  # fmt: skip
            mine = []
            for qid, values in profile:
                value = rng.choice(values)
                encoded = f'"{value}"' if isinstance(value, str) else str(value)
                answers.append({"response_id": i, "question_id": qid, "value": encoded, "updated_at": stamp})
                mine.append((qid, encoded))
            key = store.profile_key(mine)
            maturity = rng.betavariate(2.2, 2.2)
            dim_scores = {d: round(min(100.0, max(0.0, rng.gauss(maturity * 100, 15))), 4) for d in dims}
            overall = sum(weights[d] * s for d, s in dim_scores.items()) / sum(weights.values())
            for dim, value in [*dim_scores.items(), (store.OVERALL, overall)]:
                bucket = store.bucket_of(value)
                scores.append(
                    {"response_id": i, "dimension": dim, "bank_id": bank.id, "organisation_id": i, "score": value,
                     "level": level(value), "counted": 5, "of": 5, "submitted_at": stamp, "latest": 1, "bucket": bucket,
                     "profile": key}
                )  # fmt: skip
                buckets[(dim, "", "", bucket)] += 1  # type: ignore[index]
                for qid, encoded in mine:
                    buckets[(dim, qid, encoded, bucket)] += 1  # type: ignore[index]
        with db.conn:
            db.table("organisations").insert_all(orgs, batch_size=BATCH)
            db.table("responses").insert_all(responses, batch_size=BATCH)
            db.table("answers").insert_all(answers, batch_size=BATCH)
            db.table("scores").insert_all(scores, batch_size=BATCH)
        print(f"  {first + count:>9,} responses ({time.perf_counter() - started:.0f} s)", end="\r", flush=True)
    with db.conn:
        db.table("peer_buckets").insert_all(
            {"bank_id": bank.id, "grp": grp, "grp_value": value, "dimension": dim, "bucket": bucket, "n": n}
            for (dim, grp, value, bucket), n in buckets.items()
        )
        db.execute("INSERT OR REPLACE INTO peer_version (bank_id, version) VALUES (?, 1)", [bank.id])
    for _name, sql in indexes:
        db.execute(sql)
    db.execute("ANALYZE")
    db.conn.close()
    print(f"  {size:>9,} responses filled in {time.perf_counter() - started:.0f} s")
    return tokens


def stored_tokens(path: Path | str) -> list[str]:
    """The tokens fill() returns: those of the first 1,000 responses."""
    db = store.connect(path)
    tokens = [row[0] for row in db.execute("SELECT token FROM responses ORDER BY id LIMIT 1000")]
    db.conn.close()
    return tokens


def schema_url(server: str, schema: str) -> str:
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"


def postgres_copy(path: Path, server: str, size: int, keep: bool) -> str:
    """The SQLite file's rows in a PostgreSQL schema of their own (reused with --keep); the copy is timed."""
    import psycopg

    schema = f"bench_report_{size}"
    url = schema_url(server, schema)
    with psycopg.connect(server, autocommit=True) as admin:
        found = admin.execute("SELECT to_regclass(%s)", [f"{schema}.responses"]).fetchone()
        if (
            keep
            and found
            and found[0]
            and admin.execute(f"SELECT count(*) FROM {schema}.responses").fetchone()[0] == size
        ):
            print(f"reusing schema {schema}")
            return url
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    catalog = Catalog.load(BANKS)
    print(f"selfassess db copy {path.name} -> PostgreSQL schema {schema}")
    outcome = dbcopy.copy_database(str(path), url, catalog, sample=5)
    assert outcome.ok, outcome
    print(
        f"  db copy of {size:,} responses: {outcome.rows:,} rows in {outcome.seconds:.0f} s"
        f" ({outcome.rows / outcome.seconds:,.0f} rows/s), counts and {outcome.reports_compared} reports the same"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")
    return url


def drop_schema(server: str, size: int) -> None:
    import psycopg

    store.connection.close_pool(schema_url(server, f"bench_report_{size}"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS bench_report_{size} CASCADE")


def measure(target: Path | str, tokens: list[str], requests: int, warmup: int) -> tuple[float, float, float]:
    from selfassess.web import create_app

    app = create_app({"SELFASSESS_DATABASE": str(target), "SECRET_KEY": "bench"})
    client = app.test_client()
    rng = random.Random(7)
    started = time.perf_counter()
    assert client.get(f"/r/{tokens[0]}/report.json").status_code == 200
    cold = (time.perf_counter() - started) * 1000
    for n in range(warmup):  # fill the per-bucket caches, as a running server would have
        client.get(f"/r/{rng.choice(tokens)}/report.json?peers={'all' if n % 2 == 0 else 'country'}")
    times = []
    for n in range(requests):
        group = "all" if n % 2 == 0 else "country"
        url = f"/r/{rng.choice(tokens)}/report.json?peers={group}"
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        # Small groups (a country among 1,000 providers) get no figures: a release all the same.
        assert response.status_code == 200 and "peers" in response.get_json()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], cold


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=500, help="requests before measuring (not timed)")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases in DIR and reuse those found there")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1/test", help="the PostgreSQL database to measure in"
    )
    args = parser.parse_args()
    engines = args.engines.split(",")
    results: dict[str, dict[int, float]] = {engine: {} for engine in engines}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            path = folder / f"bench-{size}.db"
            if path.exists() and args.keep:
                print(f"reusing {path}")
                tokens = stored_tokens(path)
            else:
                print(f"filling {size:,} responses")
                tokens = fill(path, size)
            for engine in engines:
                target: Path | str = (
                    path if engine == "sqlite" else postgres_copy(path, args.database, size, bool(args.keep))
                )
                p50, p95, cold = measure(target, tokens, args.requests, args.warmup)
                results[engine][size] = p50
                print(
                    f"{engine:>10}: report.json over {size:>9,} responses: p50 {p50:6.2f} ms   p95 {p95:6.2f} ms"
                    f"   (first request {cold:.0f} ms)",
                    flush=True,
                )
                if engine != "sqlite" and not args.keep:
                    drop_schema(args.database, size)
            if not args.keep:
                path.unlink()
    for engine, found in results.items():
        sizes = sorted(found)
        if len(sizes) > 1:
            print(
                f"{engine}: p50 at {sizes[-1]:,} / p50 at {sizes[0]:,} = {found[sizes[-1]] / found[sizes[0]]:.2f}"
                " (target <= 2)"
            )


if __name__ == "__main__":
    main()

"""Benchmark: `selfassess db copy` of 1,000,000 submitted responses, SQLite to PostgreSQL and back.

    python tests/benchmarks/bench_db_copy.py [--size 1000000] [--keep DIR] [--database postgresql://postgres@127.0.0.1/test]

The SQLite file is bench_report.py's (filled the same way; with --keep DIR, bench_report's
file of that size in DIR is reused). It is copied into a fresh schema of --database and from
there into a new SQLite file, each time as the command does it (one transaction, counts and
20 organisations' reports compared); the time and rows per second of each copy are printed.
The schema and the new file are removed at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import BANKS, fill, schema_url

from selfassess import dbcopy, store
from selfassess.bank.catalog import Catalog


def timed_copy(source: str, target: str, label: str, catalog: Catalog) -> None:
    started = time.perf_counter()
    outcome = dbcopy.copy_database(source, target, catalog)
    total = time.perf_counter() - started
    assert outcome.ok, outcome
    print(
        f"{label}: {outcome.rows:,} rows of {len(outcome.tables)} tables in {outcome.seconds:.0f} s"
        f" ({outcome.rows / outcome.seconds:,.0f} rows/s); with the {outcome.reports_compared} reports compared"
        f" {total:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="bench_report's folder: reuse its file of this size")
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1/test")
    args = parser.parse_args()
    import psycopg

    catalog = Catalog.load(BANKS)
    schema = f"bench_db_copy_{args.size}"
    url = schema_url(args.database, schema)
    with tempfile.TemporaryDirectory() as scratch, psycopg.connect(args.database, autocommit=True) as admin:
        source = Path(args.keep or scratch) / f"bench-{args.size}.db"
        if not source.exists():
            print(f"filling {args.size:,} responses")
            fill(source, args.size)
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
        back = Path(scratch) / "back.db"
        try:
            timed_copy(str(source), url, f"SQLite -> PostgreSQL, {args.size:,} responses", catalog)
            timed_copy(url, str(back), f"PostgreSQL -> SQLite, {args.size:,} responses", catalog)
        finally:
            store.connection.close_pool(url)
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()

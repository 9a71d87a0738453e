"""Benchmark: score generated go-international answer sets on one core; prints answer sets per second.

    python tests/benchmarks/bench_score.py [N]      (default N = 100000)

Answer sets are generated first (not timed), then scored with the bank's rubric,
exactly as `selfassess score` does after checking the answers. Target: >= 20,000/s.
"""

from __future__ import annotations

import random
import sys
import time

from selfassess.bank.answers import check_answers
from selfassess.bank.loader import load_bank
from selfassess.bank.synthetic import random_answers
from selfassess.resources import questionnaires_dir
from selfassess.scoring.engine import score


def main(n: int) -> None:
    bank = load_bank(questionnaires_dir() / "go-international.yaml")
    rng = random.Random(2026)
    started = time.perf_counter()
    sets = [random_answers(bank, rng, rng.random()) for _ in range(n)]
    print(f"generated {n:,} answer sets in {time.perf_counter() - started:.1f} s")

    score(bank, sets[0])  # compile the bank once, as a long-running server would
    started = time.perf_counter()
    for answers in sets:
        score(bank, answers)
    elapsed = time.perf_counter() - started
    print(f"scored {n:,} answer sets in {elapsed:.2f} s: {n / elapsed:,.0f} answer sets per second (target >= 20,000)")

    sample = sets[: max(1, n // 10)]
    started = time.perf_counter()
    for answers in sample:
        checked = check_answers(bank, answers)
        score(bank, checked.answers)
    elapsed = time.perf_counter() - started
    print(f"checked and scored {len(sample):,} answer sets: {len(sample) / elapsed:,.0f} per second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

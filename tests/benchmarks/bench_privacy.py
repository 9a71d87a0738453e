"""Utility of the private peer releases at the default settings: how close the figures land, and how fast.

For groups of 30, 100, 1,000 and 10,000 synthetic peers (scores per dimension from clipped
normal distributions around a provider's maturity, like real ones: spread, with ties at 0
and 100) and the go-international bank's ten axes, draw many releases and print the share
of released medians and quartiles within ±3 and ±10 points of the exact figures, and the
time of one release. Then the time of one release from a million scores' bucket counts.

    .venv/bin/python tests/benchmarks/bench_privacy.py [--releases 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from selfassess import privacy, settings

AXES = 10  # go-international: nine dimensions and overall


def synthetic(n: int, rng: random.Random) -> list[list[float]]:
    """Scores of *n* providers on AXES axes: a maturity per provider, each axis around it."""
    out: list[list[float]] = [[] for _ in range(AXES)]
    for _ in range(n):
        maturity = rng.gauss(58, 15)
        for axis in range(AXES):
            out[axis].append(round(min(100.0, max(0.0, rng.gauss(maturity, 12))), 2))
    return out


def histogram(values: list[float]) -> privacy.Histogram:
    counts: dict[int, int] = {}
    for value in values:
        bucket = min(10_000, int(value * 100))
        counts[bucket] = counts.get(bucket, 0) + 1
    return privacy.Histogram.from_buckets(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=200, help="Releases drawn per group size.")
    args = parser.parse_args()
    epsilon = float(settings.DEFAULTS["SELFASSESS_PRIVACY_EPSILON"])
    rng = random.Random(13)
    print(f"epsilon per release {epsilon:g}, {AXES} axes, {args.releases} releases per size")
    print("peers   shown   median ±3  ±10   quartiles ±3  ±10   typical ±   ms/release")
    for n in (30, 100, 1000, 10_000):
        scores = synthetic(n, rng)
        names = ["", *(str(a) for a in range(1, AXES))]  # axis 0 stands for overall
        hists = {name: histogram(values) for name, values in zip(names, scores, strict=True)}
        truth = {}
        for name, values in zip(names, scores, strict=True):
            floored = sorted(int(v * 100) / 100 for v in values)  # what the buckets hold
            q1, _, q3 = statistics.quantiles(floored, n=4, method="inclusive")
            truth[name] = (statistics.median(floored), q1, q3)
        shown = m3 = m10 = q3n = q10 = quart = 0
        pms: list[int] = []
        started = time.perf_counter()
        for _ in range(args.releases):
            release = privacy.release(hists, epsilon, "")
            if not release.get("axes"):
                continue
            shown += 1
            for axis, fig in release["axes"].items():
                median, low, high = truth[axis]
                m3 += abs(fig["median"] - median) <= 3
                m10 += abs(fig["median"] - median) <= 10
                pms.append(fig["pm"])
                if fig["p25"] is not None:
                    quart += 2
                    q3n += (abs(fig["p25"] - low) <= 3) + (abs(fig["p75"] - high) <= 3)
                    q10 += (abs(fig["p25"] - low) <= 10) + (abs(fig["p75"] - high) <= 10)
        ms = 1000 * (time.perf_counter() - started) / args.releases
        axes_shown = max(1, shown * len(hists))
        quartiles = f"{q3n / quart:6.0%} {q10 / quart:5.0%}" if quart else "     –     –"
        pm = f"{statistics.median(pms):>5}" if pms else "    –"
        print(
            f"{n:>6} {shown / args.releases:6.0%}   {m3 / axes_shown:9.0%} {m10 / axes_shown:5.0%}   {quartiles:>17}"
            f"   {pm:>9}   {ms:10.1f}"
        )
    # A million scores: the release reads ten bucket histograms, never the scores.
    big = {str(a): histogram(v) for a, v in enumerate(synthetic(1_000_000 // 10, rng))}
    big = {a: privacy.Histogram(tuple(10 * b for b in h.below), tuple(10 * e for e in h.equal)) for a, h in big.items()}
    big[""] = big.pop("0")
    started = time.perf_counter()
    privacy.release(big, epsilon, "")
    print(f"one release at 1,000,000 peers: {1000 * (time.perf_counter() - started):.1f} ms (from bucket counts)")


if __name__ == "__main__":
    main()

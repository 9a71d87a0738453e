"""Differentially private peer figures: what one release of a peer group holds, and how it is drawn.

A release is computed from the group's score distributions, one per axis (each dimension
and overall), each given as a :class:`Histogram` of scores floored to 0.01 points (the
store's ``peer_buckets``). One organisation contributes one score per axis and one to the
count; neighbouring data sets differ by one organisation added or removed (OpenDP's
symmetric distance). The mechanisms, all OpenDP's:

- a count of the group (Laplace, ``make_laplace``), which decides the group's tier and the
  size band shown;
- per axis the median by the exponential mechanism over the candidates 0, 1, ..., 100
  (OpenDP's quantile score of ``make_quantile_score_candidates``, computed here from the
  counts so that a million scores need not be handed over one by one, then
  ``make_noisy_max``); in the larger tier then the median of each half below and above the
  released median: the halves are disjoint, so both quartiles together cost one more
  median's budget (parallel composition).

The ε of a release is the sum of its parts (sequential composition), each read from
OpenDP's own privacy map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import opendp.prelude as dp

dp.enable_features("contrib")

CANDIDATES = tuple(range(101))
COUNT_SHARE = 0.05  # of a release's ε: enough for a size band (±60 at ε = 2), the rest goes to the figures
# Tiers by the noisy count, measured with tests/benchmarks/bench_privacy.py at ε = 2 and ten
# axes: below 100 peers a median is more than ±10 points off too often to be worth showing;
# from 100 the median alone; from 1,000 the quartiles too (they halve each median's budget).
MEDIAN_FROM = 100
QUARTILES_FROM = 1000
BANDS = (5, 10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10_000, 50_000, 100_000)
LEVEL = 0.9  # the ± shown holds with about this probability


@dataclass(frozen=True)
class Histogram:
    """Scores of one axis floored to integers' boundaries: ``below[c]`` scores < c, ``equal[c]`` == c.

    ``below`` has 102 entries (``below[101]`` is the total), ``equal`` 101; scores are taken
    as floored to 0.01 points, so "equal to c" means in [c, c + 0.01).
    """

    below: tuple[int, ...]
    equal: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.below[-1]

    @classmethod
    def from_points(cls, per_point: list[int], equal: list[int]) -> Histogram:
        """Build from the scores in [c, c + 1) and in [c, c + 0.01) for each whole point c (101 each)."""
        below = [0] * 102
        for c in range(101):
            below[c + 1] = below[c] + per_point[c]
        return cls(tuple(below), tuple(equal))

    @classmethod
    def from_buckets(cls, counts: dict[int, int]) -> Histogram:
        """Build from 0.01-point bucket counts (bucket = floor(score x 100), 0 to 10,000)."""
        per_point = [0] * 101
        equal = [0] * 101
        for bucket, n in counts.items():
            per_point[min(100, bucket // 100)] += n
            if bucket % 100 == 0:
                equal[bucket // 100] += n
        return cls.from_points(per_point, equal)

    def split(self, at: int) -> tuple[Histogram, Histogram]:
        """The scores below candidate *at*, and the scores from *at* up (two disjoint halves)."""
        cut = self.below[at]
        low_below = tuple(min(b, cut) for b in self.below)
        low_equal = tuple(e if c < at else 0 for c, e in enumerate(self.equal))
        high_below = tuple(max(0, b - cut) for b in self.below)
        high_equal = tuple(e if c >= at else 0 for c, e in enumerate(self.equal))
        return Histogram(low_below, low_equal), Histogram(high_below, high_equal)


def median_scores(hist: Histogram) -> list[int]:
    """OpenDP's quantile score for alpha = 1/2 per candidate: |#below - #above| (lower is better)."""
    n = hist.total
    return [abs(hist.below[c] - (n - hist.below[c] - hist.equal[c])) for c in CANDIDATES]


@cache
def _score_space() -> Any:
    """OpenDP's own median-score transformation: its output space and its sensitivity."""
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    trans = space >> dp.t.then_quantile_score_candidates([float(c) for c in CANDIDATES], 0.5)
    return trans


@cache
def _selector(epsilon: float) -> Any:
    """The exponential mechanism (OpenDP's noisy max) that is *epsilon*-DP for the median scores."""
    trans = _score_space()
    d_mid = trans.map(1)  # one organisation moves every score by at most this

    def build(scale: float) -> Any:
        return dp.m.make_noisy_max(trans.output_domain, trans.output_metric, dp.max_divergence(), scale, negate=True)

    scale = dp.binary_search_param(build, d_in=d_mid, d_out=epsilon)
    return build(scale)


@cache
def _counter(epsilon: float) -> Any:
    """A Laplace count that is *epsilon*-DP (one organisation changes the count by one)."""
    space = dp.atom_domain(T=int), dp.absolute_distance(T=int)
    return dp.binary_search_chain(lambda s: dp.m.make_laplace(*space, s), d_in=1, d_out=epsilon)


def private_median(hist: Histogram, epsilon: float) -> int:
    """Draw an *epsilon*-DP median (a whole point) of one histogram."""
    return int(_selector(epsilon)(median_scores(hist)))


def private_count(n: int, epsilon: float) -> int:
    """Draw an *epsilon*-DP count."""
    return int(_counter(epsilon)(n))


def spent(epsilon: float, axes: int, quartiles: bool) -> float:
    """The ε a release spends, by OpenDP's privacy maps: the count plus one or two medians per axis."""
    share = _share(epsilon, axes, quartiles)
    return float(_counter(epsilon * COUNT_SHARE).map(1)) + axes * (2 if quartiles else 1) * float(
        _selector(share).map(_score_space().map(1))
    )


def _share(epsilon: float, axes: int, quartiles: bool) -> float:
    return round(epsilon * (1 - COUNT_SHARE) / (axes * (2 if quartiles else 1)), 12)


def band(n: int) -> tuple[int, int | None]:
    """The size band of a (noisy or exact) count: (low, high) inclusive, high None for the last."""
    low = max((b for b in BANDS if b <= n), default=0)
    higher = [b for b in BANDS if b > n]
    return low, (higher[0] - 1 if higher else None)


def tier(noisy_n: int) -> str:
    """What a group of this (noisy) size gets: ``none``, ``median`` or ``quartiles``."""
    return "quartiles" if noisy_n >= QUARTILES_FROM else "median" if noisy_n >= MEDIAN_FROM else "none"


def plus_minus(epsilon_share: float, low: int, spread: float) -> int:
    """The ± of a released quantile, from public things only: its ε, the band's low end, the released spread.

    The exponential mechanism (ε = 2 / scale) picks a candidate whose score |below - above|
    is t worse than the best with probability at most 101 x exp(-ε t / 2); r ranks off
    the median is t = 2r, so with probability LEVEL it is within r = ln(101 / (1 - LEVEL)) / ε
    ranks. Ranks become points through the density of the middle
    half of the peers: (low / 2) peers over *spread* points.
    """
    ranks = math.log(len(CANDIDATES) / (1 - LEVEL)) / epsilon_share
    points = ranks * max(spread, 1.0) / max(low / 2, 1.0)
    return max(1, min(50, math.ceil(points)))


TYPICAL_SPREAD = 25.0  # middle half of peers, in points, assumed where no quartiles are released


def release(hists: dict[str, Histogram], epsilon: float, overall: str) -> dict[str, Any]:
    """Draw one ε-DP release from the group's histograms (keyed by axis; *overall* names the count's axis)."""
    n = hists[overall].total if overall in hists else 0
    noisy = private_count(n, epsilon * COUNT_SHARE)
    kind = tier(noisy)
    out: dict[str, Any] = {"kind": "dp", "epsilon": epsilon, "tier": kind, "band": list(band(noisy))}
    if kind == "none":
        out["band"] = None  # nothing about a small group's size is shown
        return out
    quartiles = kind == "quartiles"
    share = _share(epsilon, len(hists), quartiles)
    low = band(noisy)[0]
    axes: dict[str, dict[str, int | None]] = {}
    for axis, hist in hists.items():
        median = private_median(hist, share)
        p25 = p75 = None
        if quartiles:
            below, above = hist.split(median)
            p25, p75 = private_median(below, share), private_median(above, share)
            p25, p75 = min(p25, median), max(p75, median)
        spread = float(p75 - p25) if p25 is not None and p75 is not None else TYPICAL_SPREAD
        axes[axis] = {
            "median": median,
            "p25": p25,
            "p75": p75,
            "pm": plus_minus(share, low, spread),
            "pm_quartile": plus_minus(share, low // 2, spread) if quartiles else None,
        }
    out["axes"] = axes
    return out

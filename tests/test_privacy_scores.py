"""The median scores computed from bucket counts are exactly OpenDP's own quantile scores.

privacy.py hands OpenDP's exponential mechanism a score vector it computes from the store's
bucket counts (a million scores need not be passed one by one); the privacy guarantee
rests on that vector being the one OpenDP's transformation would compute, whose
sensitivity OpenDP's privacy map states.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from selfassess import privacy

# Scores as the store keeps them: floored to 0.01 points, often exactly 0 or 100.
SCORES = st.one_of(st.sampled_from([0.0, 100.0, 50.0]), st.integers(0, 10_000).map(lambda b: b / 100))


@settings(max_examples=200, deadline=None)
@given(st.lists(SCORES, min_size=0, max_size=80))
def test_median_scores_equal_opendp_quantile_scores(scores: list[float]) -> None:
    counts: dict[int, int] = {}
    for score in scores:
        bucket = round(score * 100)
        counts[bucket] = counts.get(bucket, 0) + 1
    ours = privacy.median_scores(privacy.Histogram.from_buckets(counts))
    assert ours == list(privacy._score_space()(scores))


def test_one_organisation_moves_each_score_by_at_most_one() -> None:
    # The sensitivity the selector is calibrated for, from OpenDP's own map.
    assert privacy._score_space().map(1) == 1

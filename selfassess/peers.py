"""Peer figures for a report: median, quartiles and percentile rank among similar providers.

Peers are the counting responses (see :mod:`selfassess.store.counting`) of *other*
organisations to the same bank, optionally only those that gave the same answer to one
profile question, or only the members of the response's cohort. Figures are defined as

- median = ``statistics.median``; p25, p75 = ``statistics.quantiles(n=4, method="inclusive")``
- percentile rank = 100 x (peers below + 1/2 x peers equal) / n

and computed from ``peer_buckets`` (counts per 0.01-point bucket, kept up to date on
submit) plus the few buckets that hold the order statistics needed, whose values are
read once per change of the peers and then kept in memory. No request reads every score.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from selfassess import store
from selfassess.bank.model import Questionnaire
from selfassess.store import Db

ALL = "all"


@dataclass(frozen=True)
class Figures:
    """Peer figures for one dimension (or overall)."""

    n: int
    median: float
    p25: float
    p75: float
    percentile: float | None  # None when the provider has no score here


@dataclass(frozen=True)
class PeerReport:
    """Peer figures of one response, for one peer group; ``None`` figures below the threshold."""

    group: str
    n: int
    overall: Figures | None
    dimensions: dict[str, Figures | None] | None
    reason: str | None = None


@dataclass
class _Distribution:
    """The scores of one bank, group and dimension, as bucket counts; values read on demand."""

    counts: list[int]  # one per bucket (store.BUCKETS)
    cumulative: list[int]  # cumulative[b] = scores in buckets < b
    total: int
    values: dict[int, list[float]] = field(default_factory=dict)  # bucket -> sorted scores


class PeerCache:
    """Distributions per (bank, group, value, dimension), dropped when the bank's peers change."""

    def __init__(self, size: int = 512) -> None:
        self._entries: OrderedDict[tuple[Any, ...], _Distribution] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _Distribution | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: _Distribution) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


CACHE = PeerCache()


class _Peers:
    """Order statistics over one distribution, with one known score set aside (the viewer's own)."""

    def __init__(self, db: Db, group: store.PeerGroup, dist: _Distribution) -> None:
        self.db = db
        self.group = group
        self.dist = dist
        self._counted: dict[float, tuple[int, int]] = {}  # own and shown score are usually the same

    def bucket_values(self, bucket: int) -> list[float]:
        """The sorted scores of one bucket, read once per version of the peers."""
        found = self.dist.values.get(bucket)
        if found is None:
            found = self.dist.values[bucket] = store.bucket_scores(self.db, self.group, bucket)
        return found

    def kth(self, k: int) -> float:
        """Return the k-th smallest score (0-based) of the whole distribution."""
        bucket = bisect.bisect_right(self.dist.cumulative, k) - 1
        return self.bucket_values(bucket)[k - self.dist.cumulative[bucket]]

    def below_equal(self, score: float) -> tuple[int, int]:
        """Return how many scores are below *score*, and how many equal it."""
        bucket = store.bucket_of(score)
        assert bucket is not None
        values = self.dist.values.get(bucket)
        if values is None:  # a provider's own bucket: counted in SQL, not kept
            counted = self._counted.get(score)
            if counted is None:
                below, above = store.count_below_above(self.db, self.group, bucket, score)
                counted = self._counted[score] = (below, max(0, self.dist.counts[bucket] - below - above))
            below, equal = counted
            return self.dist.cumulative[bucket] + below, equal
        low = bisect.bisect_left(values, score)
        high = bisect.bisect_right(values, score)
        return self.dist.cumulative[bucket] + low, high - low


def _distribution(db: Db, group: store.PeerGroup, version: tuple[Any, ...]) -> _Distribution:
    cache_key = (*version, *group)  # a new version (a submit) means new figures
    found = CACHE.get(cache_key)
    if found is None:
        counts = [0] * store.BUCKETS
        for bucket, n in store.bucket_counts(db, group):
            counts[bucket] = n
        cumulative = [0] * (store.BUCKETS + 1)  # cumulative[b]: scores in the buckets below b
        for i, n in enumerate(counts):
            cumulative[i + 1] = cumulative[i] + n
        found = _Distribution(counts, cumulative, cumulative[-1])
        CACHE.put(cache_key, found)
    return found


def quartiles(n: int, kth: Callable[[int], float]) -> tuple[float, float, float]:
    """Return (p25, median, p75) of *n* values, given the k-th smallest (0-based) by *kth*.

    The median is ``statistics.median``, p25 and p75 are
    ``statistics.quantiles(n=4, method="inclusive")``; from order statistics, so that a
    million scores need not be read to find three of them. Needs n >= 2.
    """
    m = n - 1
    outer = []
    for i in (1, 3):
        j, delta = divmod(i * m, 4)
        low = kth(j)
        outer.append(low if delta == 0 else (low * (4 - delta) + kth(j + 1) * delta) / 4)
    middle = n // 2
    median = kth(middle) if n % 2 else (kth(middle - 1) + kth(middle)) / 2
    return outer[0], median, outer[1]


def _figures(peers: _Peers, own: float | None, mine: float | None, min_peers: int) -> Figures | None:
    """Figures over the distribution less the *own* score (the organisation's latest), for score *mine*."""
    total = peers.dist.total - (1 if own is not None else 0)
    if total < max(min_peers, 2):
        return None
    own_rank = peers.below_equal(own)[0] if own is not None else None

    def peer(k: int) -> float:  # k-th smallest of the peers, own score set aside
        return peers.kth(k if own_rank is None or k < own_rank else k + 1)

    p25, median, p75 = quartiles(total, peer)
    percentile = None
    if mine is not None:
        below, equal = peers.below_equal(mine)
        if own is not None:
            below -= 1 if own < mine else 0
            equal -= 1 if own == mine else 0
        percentile = 100.0 * (below + 0.5 * equal) / total
    return Figures(total, median, p25, p75, percentile)


def peer_report(
    db: Db,
    bank: Questionnaire,
    response: store.Response,
    group: str = ALL,
    min_peers: int = 5,
) -> PeerReport:
    """Return the peer figures of a submitted *response* in peer *group* (``all`` or a profile question id)."""
    grp, value = "", ""
    if group != ALL:
        answer = store.stored_answer(db, response.id, group)
        if answer is None:
            return PeerReport(group, 0, None, None, reason="no-answer")
        grp, value = group, answer
    version = (*store.database_identity(db), store.peer_version(db, bank.id))
    mine = store.response_scores(db, response.id)
    # The organisation's counting response is not its own peer, whichever response is shown.
    own = store.own_counting_scores(db, bank.id, response.id, response.organisation_id, grp, value)
    keys = [store.OVERALL] + [d.id for d in bank.dimensions]
    figures: dict[str, Figures | None] = {}
    n_group = 0
    for dim in keys:
        where = store.PeerGroup(bank.id, grp, value, dim)
        peers = _Peers(db, where, _distribution(db, where, version))
        own_score = own.get(dim)
        if dim == store.OVERALL:
            n_group = peers.dist.total - (1 if own_score is not None else 0)
            if n_group < min_peers:
                return PeerReport(group, n_group, None, None, reason="too-few")
        figures[dim] = _figures(peers, own_score, mine.get(dim), min_peers)
    overall = figures.pop(store.OVERALL)
    return PeerReport(group, n_group, overall, figures)


COHORT = "cohort"


def plain_figures(values: list[float], mine: float | None, min_peers: int) -> Figures | None:
    """The same figures from a list of scores (for groups small by nature, such as a cohort)."""
    if len(values) < max(min_peers, 2):
        return None
    ordered = sorted(values)
    p25, median, p75 = quartiles(len(ordered), ordered.__getitem__)
    percentile = None
    if mine is not None:
        below = bisect.bisect_left(ordered, mine)
        equal = bisect.bisect_right(ordered, mine) - below
        percentile = 100.0 * (below + 0.5 * equal) / len(ordered)
    return Figures(len(ordered), median, p25, p75, percentile)


def cohort_report(db: Db, bank: Questionnaire, response: store.Response, min_peers: int = 5) -> PeerReport:
    """Peer figures among the other members of the response's cohort, by their counting responses."""
    if response.cohort_id is None:
        return PeerReport(COHORT, 0, None, None, reason="no-cohort")
    me = (
        ("organisation", response.organisation_id)
        if response.organisation_id is not None
        else ("response", response.id)
    )
    peer_ids = [s.response_id for s in store.cohort_counted(db, response.cohort_id) if s.member != me]
    if len(peer_ids) < min_peers:
        return PeerReport(COHORT, len(peer_ids), None, None, reason="too-few")
    scores = store.scores_of(db, peer_ids)
    mine = store.response_scores(db, response.id)
    dims = {d.id: plain_figures(scores.get(d.id, []), mine.get(d.id), min_peers) for d in bank.dimensions}
    return PeerReport(
        COHORT, len(peer_ids), plain_figures(scores.get(store.OVERALL, []), mine.get(store.OVERALL), min_peers), dims
    )

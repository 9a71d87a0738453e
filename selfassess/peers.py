"""Peer figures for a report: median, quartiles and percentile rank among similar providers.

Peers are the latest submissions of *other* organisations to the same bank, optionally
only those that gave the same answer to one profile question. Figures are defined as

- median = ``statistics.median``; p25, p75 = ``statistics.quantiles(n=4, method="inclusive")``
- percentile rank = 100 x (peers below + 1/2 x peers equal) / n

and computed from ``peer_buckets`` (counts per 0.1-point bucket, kept up to date on
submit) plus the few buckets that hold the order statistics needed, whose values are
read once per change of the peers and then kept in memory. No request reads every score.
"""

from __future__ import annotations

import bisect
import os
import statistics
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from selfassess import store
from selfassess.bank.model import Questionnaire

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

    def __init__(self, db: sqlite_utils.Database, where: tuple[str, str, str, str], dist: _Distribution) -> None:
        self.db = db
        self.bank_id, self.grp, self.value, self.dimension = where
        self.dist = dist
        self._counted: dict[float, tuple[int, int]] = {}  # own and shown score are usually the same

    def _in_bucket(self, select: str, bucket: int, condition: str = "", args: tuple[Any, ...] = ()) -> Any:
        # One range of the covering index (bank, dimension, latest, bucket, score, profile).
        sql = f"SELECT {select} FROM scores s WHERE s.bank_id = ? AND s.dimension = ? AND s.latest = 1 AND s.bucket = ?"
        params: list[Any] = [self.bank_id, self.dimension, bucket]
        if condition:
            sql += f" AND {condition}"
            params.extend(args)
        if self.grp:
            sql += " AND instr(s.profile, ?) > 0"
            params.append(store.group_needle(self.grp, self.value))
        return self.db.conn.execute(sql, params)

    def bucket_values(self, bucket: int) -> list[float]:
        """The sorted scores of one bucket, read once per version of the peers."""
        found = self.dist.values.get(bucket)
        if found is None:
            found = sorted(row[0] for row in self._in_bucket("s.score", bucket))
            self.dist.values[bucket] = found
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
                # The scores below and above, each a range of the index; the ties between
                # them (thousands at exactly 0 or 100 in a large database) are not walked.
                below = self._in_bucket("count(*)", bucket, "s.score < ?", (score,)).fetchone()[0]
                above = self._in_bucket("count(*)", bucket, "s.score > ?", (score,)).fetchone()[0]
                counted = self._counted[score] = (below, max(0, self.dist.counts[bucket] - below - above))
            below, equal = counted
            return self.dist.cumulative[bucket] + below, equal
        low = bisect.bisect_left(values, score)
        high = bisect.bisect_right(values, score)
        return self.dist.cumulative[bucket] + low, high - low


def _database_identity(db: sqlite_utils.Database) -> tuple[str, int]:
    """Which database file this is (path and inode): connections come and go, files stay."""
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    try:
        return path, os.stat(path).st_ino
    except OSError:
        return path, 0


def _distribution(db: sqlite_utils.Database, key: tuple[str, str, str, str], version: tuple[Any, ...]) -> _Distribution:
    cache_key = (*version, *key)  # a new version (a submit) means new figures
    found = CACHE.get(cache_key)
    if found is None:
        counts = [0] * store.BUCKETS
        for bucket, n in db.conn.execute(
            "SELECT bucket, n FROM peer_buckets WHERE bank_id = ? AND grp = ? AND grp_value = ? AND dimension = ? AND n > 0",
            list(key),
        ):
            counts[bucket] = n
        cumulative = [0] * (store.BUCKETS + 1)  # cumulative[b]: scores in the buckets below b
        for i, n in enumerate(counts):
            cumulative[i + 1] = cumulative[i] + n
        found = _Distribution(counts, cumulative, cumulative[-1])
        CACHE.put(cache_key, found)
    return found


def _figures(peers: _Peers, own: float | None, mine: float | None, min_peers: int) -> Figures | None:
    """Figures over the distribution less the *own* score (the organisation's latest), for score *mine*."""
    total = peers.dist.total - (1 if own is not None else 0)
    if total < max(min_peers, 2):
        return None
    own_rank = peers.below_equal(own)[0] if own is not None else None

    def peer(k: int) -> float:  # k-th smallest of the peers, own score set aside
        return peers.kth(k if own_rank is None or k < own_rank else k + 1)

    # statistics.quantiles(n=4, method="inclusive"), from the order statistics
    m = total - 1
    quartiles = []
    for i in (1, 2, 3):
        j, delta = divmod(i * m, 4)
        low = peer(j)
        quartiles.append(low if delta == 0 else (low * (4 - delta) + peer(j + 1) * delta) / 4)
    middle = total // 2  # statistics.median
    median = peer(middle) if total % 2 else (peer(middle - 1) + peer(middle)) / 2
    percentile = None
    if mine is not None:
        below, equal = peers.below_equal(mine)
        if own is not None:
            below -= 1 if own < mine else 0
            equal -= 1 if own == mine else 0
        percentile = 100.0 * (below + 0.5 * equal) / total
    return Figures(total, median, quartiles[0], quartiles[2], percentile)


def peer_report(
    db: sqlite_utils.Database,
    bank: Questionnaire,
    response: store.Response,
    group: str = ALL,
    min_peers: int = 5,
) -> PeerReport:
    """Return the peer figures of a submitted *response* in peer *group* (``all`` or a profile question id)."""
    grp, value = "", ""
    if group != ALL:
        row = db.conn.execute(
            "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", [response.id, group]
        ).fetchone()
        if row is None:
            return PeerReport(group, 0, None, None, reason="no-answer")
        grp, value = group, row[0]
    version = (*_database_identity(db), store.peer_version(db, bank.id))
    mine = {
        row[0]: row[1]
        for row in db.conn.execute("SELECT dimension, score FROM scores WHERE response_id = ?", [response.id])
    }
    own = _own_latest(db, bank.id, response, grp, value)
    keys = [store.OVERALL] + [d.id for d in bank.dimensions]
    figures: dict[str, Figures | None] = {}
    n_group = 0
    for dim in keys:
        where = (bank.id, grp, value, dim)
        peers = _Peers(db, where, _distribution(db, where, version))
        own_score = own.get(dim)
        if dim == store.OVERALL:
            n_group = peers.dist.total - (1 if own_score is not None else 0)
            if n_group < min_peers:
                return PeerReport(group, n_group, None, None, reason="too-few")
        figures[dim] = _figures(peers, own_score, mine.get(dim), min_peers)
    overall = figures.pop(store.OVERALL)
    return PeerReport(group, n_group, overall, figures)


def _own_latest(
    db: sqlite_utils.Database, bank_id: str, response: store.Response, grp: str, value: str
) -> dict[str, float]:
    """Scores of the organisation's latest submission, if it is in the group (it is not a peer)."""
    if response.organisation_id is None:
        owner = "s.response_id = ?"
        args: list[Any] = [response.id]
    else:
        owner = "s.organisation_id = ?"
        args = [response.organisation_id]
    sql = f"SELECT s.dimension, s.score, s.response_id FROM scores s WHERE {owner} AND s.bank_id = ? AND s.latest = 1 AND s.score IS NOT NULL"
    args.append(bank_id)
    if grp:
        sql += " AND instr(s.profile, ?) > 0"
        args.append(store.group_needle(grp, value))
    return {row[0]: row[1] for row in db.conn.execute(sql, args)}


COHORT = "cohort"


def plain_figures(values: list[float], mine: float | None, min_peers: int) -> Figures | None:
    """The same figures from a list of scores (for groups small by nature, such as a cohort)."""
    if len(values) < max(min_peers, 2):
        return None
    p25, _, p75 = statistics.quantiles(values, n=4, method="inclusive")
    percentile = None
    if mine is not None:
        below = sum(1 for v in values if v < mine)
        equal = sum(1 for v in values if v == mine)
        percentile = 100.0 * (below + 0.5 * equal) / len(values)
    return Figures(len(values), statistics.median(values), p25, p75, percentile)


def cohort_report(
    db: sqlite_utils.Database, bank: Questionnaire, response: store.Response, min_peers: int = 5
) -> PeerReport:
    """Peer figures among the other providers of the response's cohort (each organisation's latest)."""
    if response.cohort_id is None:
        return PeerReport(COHORT, 0, None, None, reason="no-cohort")
    latest: dict[Any, int] = {}
    for response_id, organisation_id in db.conn.execute(
        "SELECT id, organisation_id FROM responses WHERE cohort_id = ? AND status = 'submitted' AND bank_id = ?"
        " ORDER BY submitted_at, id",
        [response.cohort_id, bank.id],
    ):
        latest[organisation_id if organisation_id is not None else ("response", response_id)] = response_id
    own = response.organisation_id if response.organisation_id is not None else ("response", response.id)
    peer_ids = [rid for key, rid in latest.items() if key != own]
    scores: dict[str, list[float]] = {}
    for chunk in range(0, len(peer_ids), 500):
        ids = peer_ids[chunk : chunk + 500]
        for dimension, score in db.conn.execute(
            f"SELECT dimension, score FROM scores WHERE response_id IN ({', '.join('?' * len(ids))}) AND score IS NOT NULL",
            ids,
        ):
            scores.setdefault(dimension, []).append(score)
    if len(peer_ids) < min_peers:
        return PeerReport(COHORT, len(peer_ids), None, None, reason="too-few")
    mine = {
        row[0]: row[1]
        for row in db.conn.execute("SELECT dimension, score FROM scores WHERE response_id = ?", [response.id])
    }
    dims = {d.id: plain_figures(scores.get(d.id, []), mine.get(d.id), min_peers) for d in bank.dimensions}
    return PeerReport(
        COHORT, len(peer_ids), plain_figures(scores.get(store.OVERALL, []), mine.get(store.OVERALL), min_peers), dims
    )

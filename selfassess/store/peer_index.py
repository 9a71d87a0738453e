"""The peer index: scores of submitted responses, bucket counts per peer group, and their queries.

Tables: ``scores`` (one row per submitted response x dimension, with the bank, the
organisation and the response's profile answers copied in, so that every peer query is
one range of one covering index), ``peer_buckets`` (how many counting scores fall in each
0.01-point bucket, per bank, peer group and dimension), ``peer_version`` (moved on by
a full rebuild only; kept for older code), ``version_counts`` (counting submissions per bank
version) and ``profile_questions`` (the questions that define peer groups).

The write half runs inside ``submit``'s transaction (:func:`enter`); the read half is
every query the peer figures need, each a short range of an index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from selfassess.bank.model import Questionnaire
from selfassess.scoring.rubrics.base import Result
from selfassess.store.connection import Connection, Db
from selfassess.store.counting import counting_response
from selfassess.store.dialect import is_postgres, list_items, serialise

if TYPE_CHECKING:
    from selfassess.store.responses import Response

OVERALL = ""  # the dimension id under which the overall score is stored
BUCKETS = 10_001  # 0.01-point buckets on the 0-100 scale
SEPARATOR = "\x1f"

SCORE_COLUMNS = (
    "response_id", "dimension", "bank_id", "organisation_id", "score", "level", "counted", "of",
    "submitted_at", "latest", "bucket", "profile",
)  # fmt: skip
_QUOTED = ", ".join(f'"{c}"' for c in SCORE_COLUMNS)  # "of" is an SQL keyword


def bucket_of(score: float | None) -> int | None:
    """Return the 0.01-point bucket of a 0-100 score (0 to 10,000)."""
    return None if score is None else min(BUCKETS - 1, max(0, int(score * 100)))


def profile_key(answers: Iterable[tuple[str, str]]) -> str:
    """Encode (question id, JSON value) pairs so that one group is a plain substring test."""
    return SEPARATOR + "".join(f"{qid}={value}{SEPARATOR}" for qid, value in sorted(answers))


# --- profile questions ------------------------------------------------------------------------


def register_profile(db: Db, bank: Questionnaire) -> None:
    """Record which question ids of *bank* are profile questions (its peer groups).

    A question new to the list re-encodes the bank's stored profiles and recounts the
    peer buckets: scores stored before (or migrated from a schema without profiles)
    then join their groups like new ones.
    """
    with db.conn as conn:
        added = conn.executemany(
            "INSERT INTO profile_questions (bank_id, question_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(bank.id, q.id) for q in bank.profile],
        ).rowcount
        if added > 0 and conn.execute("SELECT 1 FROM scores WHERE bank_id = ? LIMIT 1", [bank.id]).fetchone():
            set_profiles(db, bank.id)
            rebuild_peer_buckets(db)


def group_values(value: str) -> list[str]:
    """The peer-group values of one stored profile answer (JSON): the answer, or each value chosen of a list.

    A provider that chose several sectors is a peer of the providers of each sector it
    chose; an exact match of the whole list would leave it nearly always alone.
    """
    if not value.startswith("["):
        return [value]
    return [json.dumps(item, ensure_ascii=False) for item in json.loads(value)]


def _profile_answers(conn: Connection, bank_id: str, response_id: int) -> list[tuple[str, str]]:
    return [
        (qid, one)
        for qid, value in conn.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN profile_questions p"
            " ON p.bank_id = ? AND p.question_id = a.question_id WHERE a.response_id = ?",
            [bank_id, response_id],
        )
        for one in group_values(value)
    ]


# --- the write half: inside submit's transaction ---------------------------------------------


def enter(conn: Connection, response: Response, bank_id: str, result: Result, stamp: str) -> None:
    """Store a just-submitted response's scores; if it now counts for its organisation, swap it into the counts.

    *conn* is inside the transaction that marked the response submitted, so the earlier
    response leaves the counts and this one enters them atomically. Submits to one bank
    write its counts one at a time (SQLite's one writer; an advisory lock per bank on
    PostgreSQL): each sees which response counts as the one before it committed, and the
    bucket rows are never locked in two orders at once.
    """
    serialise(conn, "peer_index", bank_id)
    profile = profile_key(_profile_answers(conn, bank_id, response.id))
    counts = True
    earlier: list[int] = []
    if response.organisation_id is not None:
        counts = counting_response(conn, response.organisation_id, bank_id) == response.id
        if counts:
            earlier = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT response_id FROM scores WHERE organisation_id = ? AND bank_id = ? AND latest = 1",
                    [response.organisation_id, bank_id],
                )
            ]
    dims = result.dimensions.values()
    rows = [
        (response.id, dim_id, bank_id, response.organisation_id, r.score, r.level, r.counted, r.of, stamp,
         int(counts), bucket_of(r.score), profile)
        for dim_id, r in result.dimensions.items()
    ]  # fmt: skip
    rows.append(
        (response.id, OVERALL, bank_id, response.organisation_id, result.score, result.level,
         sum(r.counted for r in dims), sum(r.of for r in dims), stamp, int(counts), bucket_of(result.score), profile)
    )  # fmt: skip
    for old in earlier:  # the organisation's previous counting response leaves the counts
        _count_in_peers(conn, bank_id, old, -1)
        conn.execute("UPDATE scores SET latest = 0 WHERE response_id = ?", [old])
        conn.execute(
            "UPDATE version_counts SET n = n - 1 WHERE bank_id = ? AND hash = (SELECT bank_hash FROM responses WHERE id = ?)",
            [bank_id, old],
        )
    conn.executemany(f"INSERT INTO scores ({_QUOTED}) VALUES ({', '.join('?' * len(SCORE_COLUMNS))})", rows)
    if counts:
        _count_in_peers(conn, bank_id, response.id, +1)
        conn.execute(
            "INSERT INTO version_counts (bank_id, hash, n) VALUES (?, ?, 1) ON CONFLICT (bank_id, hash) DO UPDATE SET n = version_counts.n + 1",
            [bank_id, response.bank_hash],
        )


def _count_in_peers(conn: Connection, bank_id: str, response_id: int, step: int) -> None:
    """Add (+1) or remove (-1) one response's scores in every peer group it belongs to."""
    groups = [("", ""), *_profile_answers(conn, bank_id, response_id)]
    buckets = conn.execute(
        "SELECT dimension, bucket FROM scores WHERE response_id = ? AND bucket IS NOT NULL", [response_id]
    ).fetchall()
    conn.executemany(
        "INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (bank_id, grp, grp_value, dimension, bucket) DO UPDATE SET n = peer_buckets.n + excluded.n",
        [(bank_id, grp, value, dimension, bucket, step) for grp, value in groups for dimension, bucket in buckets],
    )


def rebuild_peer_buckets(db: Db) -> None:
    """Recount ``peer_buckets`` from ``scores`` (after a migration or a bulk load).

    Inside the caller's transaction; on PostgreSQL it first waits to be the only writer of
    each bank's counts (in one order, as submits take them), so no submit's +1 falls between
    the DELETE and the recount.
    """
    if is_postgres(db):  # SQLite: the caller's transaction holds the one write lock already
        counted = "SELECT DISTINCT bank_id FROM scores WHERE latest = 1 AND score IS NOT NULL ORDER BY bank_id"
        for (bank_id,) in db.execute(counted).fetchall():
            serialise(db.conn, "peer_index", bank_id)
    db.execute("DELETE FROM peer_buckets")
    db.execute(
        """INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n)
           SELECT bank_id, '', '', dimension, bucket, COUNT(*) FROM scores
           WHERE latest = 1 AND score IS NOT NULL GROUP BY bank_id, dimension, bucket"""
    )
    # Groups come from the profile questions each bank registered (profile_questions); a
    # list answer puts the response in the group of each value (group_values, in SQL).
    db.execute(
        f"""INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n)
           SELECT s.bank_id, a.question_id, v.value, s.dimension, s.bucket, COUNT(*)
           FROM scores s JOIN answers a ON a.response_id = s.response_id
           JOIN profile_questions p ON p.bank_id = s.bank_id AND p.question_id = a.question_id
           JOIN (SELECT a2.response_id, a2.question_id, a2.value FROM answers a2 WHERE substr(a2.value, 1, 1) != '['
                 UNION ALL
                 {list_items(db, "a3")}) v
             ON v.response_id = a.response_id AND v.question_id = a.question_id
           WHERE s.latest = 1 AND s.score IS NOT NULL
           GROUP BY s.bank_id, a.question_id, v.value, s.dimension, s.bucket"""
    )
    db.execute(
        "INSERT INTO peer_version (bank_id, version) SELECT DISTINCT bank_id, 1 FROM scores WHERE true"
        " ON CONFLICT (bank_id) DO UPDATE SET version = peer_version.version + 1"
    )


def rebuild_version_counts(db: Db) -> None:
    """Recount ``version_counts`` (counting submissions per bank version) from ``scores``."""
    db.execute("DELETE FROM version_counts")
    db.execute(
        "INSERT INTO version_counts (bank_id, hash, n) SELECT r.bank_id, r.bank_hash, COUNT(*) FROM scores s"
        " JOIN responses r ON r.id = s.response_id WHERE s.dimension = ? AND s.latest = 1 GROUP BY r.bank_id, r.bank_hash",
        [OVERALL],
    )


def set_profiles(db: Db, bank_id: str | None = None) -> None:
    """Copy each scored response's profile answers into its score rows (of one bank, or all)."""
    responses = (
        db.execute("SELECT DISTINCT response_id FROM scores").fetchall()
        if bank_id is None
        else db.execute("SELECT DISTINCT response_id FROM scores WHERE bank_id = ?", [bank_id]).fetchall()
    )
    for (response_id,) in responses:
        pairs = db.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id"
            " JOIN profile_questions p ON p.bank_id = r.bank_id AND p.question_id = a.question_id WHERE a.response_id = ?",
            [response_id],
        ).fetchall()
        groups = [(qid, one) for qid, value in pairs for one in group_values(value)]
        db.execute("UPDATE scores SET profile = ? WHERE response_id = ?", [profile_key(groups), response_id])


# --- the read half: what reports and peer figures ask --------------------------------------


def other_version_peers(db: Db, bank_id: str, content_hash: str) -> int:
    """How many counting submissions to *bank_id* answered a version other than *content_hash*."""
    row = db.conn.execute(
        "SELECT COALESCE(SUM(n), 0) FROM version_counts WHERE bank_id = ? AND hash != ?", [bank_id, content_hash]
    ).fetchone()
    return int(row[0])


def load_scores(db: Db, response_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored scores of a response: dimension id (``""`` = overall) → row."""
    cursor = db.conn.execute(f"SELECT {_QUOTED} FROM scores WHERE response_id = ?", [response_id])
    return {row[1]: dict(zip(SCORE_COLUMNS, row, strict=True)) for row in cursor}


def response_scores(db: Db, response_id: int) -> dict[str, float | None]:
    """Return a response's score per dimension (``""`` = overall)."""
    return {
        row[0]: row[1]
        for row in db.conn.execute("SELECT dimension, score FROM scores WHERE response_id = ?", [response_id])
    }


def scores_of(db: Db, response_ids: Sequence[int]) -> dict[str, list[float]]:
    """Return the scores of many responses, per dimension (``None`` scores left out)."""
    out: dict[str, list[float]] = {}
    for first in range(0, len(response_ids), 500):  # stay below SQLite's parameter limit
        ids = list(response_ids[first : first + 500])
        for dimension, score in db.conn.execute(
            f"SELECT dimension, score FROM scores WHERE response_id IN ({', '.join('?' * len(ids))}) AND score IS NOT NULL",
            ids,
        ):
            out.setdefault(dimension, []).append(score)
    return out

"""The SQLite store, through sqlite-utils: organisations, responses, answers and scores.

Tables (documented in the README):

- ``organisations``: one row per provider (``name``, ``demo`` for synthetic ones).
- ``responses``: one per attempt at a bank: an unguessable ``token``, the bank's id,
  version and content hash as answered, ``status`` (draft/submitted), language, the
  page to resume at, timestamps, and ``copied_from`` when started from another one.
- ``answers``: one row per response x question; ``value`` is JSON.
- ``scores``: one row per submitted response x dimension (``dimension`` ``""`` is the
  overall score), with the bank id and organisation copied in so that the peer queries
  of the report run on one indexed table; ``latest`` marks each organisation's latest
  submission to a bank, ``bucket`` is ``floor(score x 10)``.
- ``peer_buckets``: how many latest scores fall in each 0.1-point bucket, per bank,
  dimension and peer group (``grp`` ``""`` is everyone; else a profile question id and
  ``grp_value`` the answer, as JSON). Kept up to date on submit, so peer figures never
  need to count millions of rows.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils

from selfassess.bank.model import Questionnaire
from selfassess.scoring.rubrics.base import Result

SCHEMA_VERSION = 5
OVERALL = ""  # the dimension id under which the overall score is stored


def now() -> str:
    """Return the current UTC time as ISO 8601 text, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_token() -> str:
    """Return an unguessable response token (192 random bits)."""
    return secrets.token_urlsafe(24)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database at *path* in WAL mode, creating and migrating its schema."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    configure(conn)
    migrate(db)
    return db


def configure(conn: sqlite3.Connection) -> None:
    """Set the per-connection options every connection needs."""
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL keeps the database consistent after a crash; only the last
    # transactions before a power cut can be lost, and commits need no fsync.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Reads through a memory map need no system call per page: the peer queries and the
    # report of one provider touch a few dozen scattered pages of a large database.
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -32000")


def migrate(db: sqlite_utils.Database) -> None:
    """Create or upgrade the schema; safe to run at every start and from many processes."""
    with db.conn:  # one transaction: two processes starting at once cannot both migrate
        db.conn.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:
            _create_v1(db)
        if version < 2:
            _migrate_v2(db)
        if version < 3:
            _migrate_v3(db)
        if version < 4:
            _migrate_v4(db)
        if version < 5:
            _migrate_v5(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _create_v1(db: sqlite_utils.Database) -> None:
    db.table("organisations").create(
        {"id": int, "name": str, "demo": int, "created_at": str}, pk="id", not_null={"name"}, if_not_exists=True
    )
    db.table("responses").create(
        {
            "id": int,
            "token": str,
            "organisation_id": int,
            "bank_id": str,
            "bank_version": str,
            "bank_hash": str,
            "status": str,
            "language": str,
            "current_page": int,
            "copied_from": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
        },
        pk="id",
        foreign_keys=[("organisation_id", "organisations", "id")],
        not_null={"token", "bank_id", "bank_version", "bank_hash", "status", "language", "created_at"},
        defaults={"status": "draft", "current_page": 1},
        if_not_exists=True,
    )
    db.table("responses").create_index(["token"], unique=True, if_not_exists=True)
    db.table("responses").create_index(["organisation_id", "bank_id", "status"], if_not_exists=True)
    db.table("answers").create(
        {"response_id": int, "question_id": str, "value": str, "updated_at": str},
        pk=("response_id", "question_id"),
        foreign_keys=[("response_id", "responses", "id")],
        if_not_exists=True,
    )
    db.table("scores").create(
        {
            "response_id": int,
            "dimension": str,
            "bank_id": str,
            "organisation_id": int,
            "score": float,
            "level": str,
            "counted": int,
            "of": int,
            "submitted_at": str,
        },
        pk=("response_id", "dimension"),
        foreign_keys=[("response_id", "responses", "id")],
        if_not_exists=True,
    )
    # Peer figures: all submitted scores of one bank and dimension, in score order.
    db.table("scores").create_index(["bank_id", "dimension", "score"], if_not_exists=True)
    db.table("scores").create_index(["organisation_id", "bank_id"], if_not_exists=True)


def _migrate_v2(db: sqlite_utils.Database) -> None:
    scores = db.table("scores")
    if "latest" not in scores.columns_dict:
        scores.add_column("latest", int, not_null_default=1)
        scores.add_column("bucket", int)
    db.execute("UPDATE scores SET bucket = CAST(score * 10 AS INTEGER) WHERE score IS NOT NULL")
    # Only each organisation's last submission to a bank counts as a peer.
    db.execute(
        """UPDATE scores SET latest = (response_id = (
               SELECT r.id FROM responses r WHERE r.organisation_id IS scores.organisation_id
               AND r.bank_id = scores.bank_id AND r.status = 'submitted'
               ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1))
           WHERE organisation_id IS NOT NULL"""
    )
    scores.create_index(["bank_id", "dimension", "latest", "bucket", "score"], if_not_exists=True)
    db.table("profile_questions").create(
        {"bank_id": str, "question_id": str}, pk=("bank_id", "question_id"), if_not_exists=True
    )
    db.table("peer_buckets").create(
        {"bank_id": str, "grp": str, "grp_value": str, "dimension": str, "bucket": int, "n": int},
        pk=("bank_id", "grp", "grp_value", "dimension", "bucket"),
        if_not_exists=True,
    )
    db.table("peer_version").create({"bank_id": str, "version": int}, pk="bank_id", if_not_exists=True)
    rebuild_peer_buckets(db)


def _migrate_v3(db: sqlite_utils.Database) -> None:
    """Facilitators, their cohorts, and failed logins (for throttling)."""
    db.table("facilitators").create(
        {"id": int, "email": str, "password_hash": str, "created_at": str},
        pk="id",
        not_null={"email", "password_hash"},
        if_not_exists=True,
    )
    db.table("facilitators").create_index(["email"], unique=True, if_not_exists=True)
    db.table("cohorts").create(
        {
            "id": int,
            "code": str,
            "bank_id": str,
            "name": str,
            "description": str,
            "open": int,
            "owner_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("owner_id", "facilitators", "id")],
        not_null={"code", "bank_id", "name"},
        if_not_exists=True,
    )
    db.table("cohorts").create_index(["code"], unique=True, if_not_exists=True)
    db.table("cohort_facilitators").create(
        {"cohort_id": int, "facilitator_id": int},
        pk=("cohort_id", "facilitator_id"),
        foreign_keys=[("cohort_id", "cohorts", "id"), ("facilitator_id", "facilitators", "id")],
        if_not_exists=True,
    )
    db.table("login_failures").create({"key": str, "at": float}, if_not_exists=True)
    db.table("login_failures").create_index(["key", "at"], if_not_exists=True)
    if "cohort_id" not in db.table("responses").columns_dict:
        db.table("responses").add_column("cohort_id", int)
    db.table("responses").create_index(["cohort_id", "status"], if_not_exists=True)


def _migrate_v4(db: sqlite_utils.Database) -> None:
    """Bank versions kept as snapshots, and how many latest submissions each version has."""
    db.table("bank_versions").create(
        {"hash": str, "bank_id": str, "version": str, "text": str, "created_at": str}, pk="hash", if_not_exists=True
    )
    db.table("version_counts").create(
        {"bank_id": str, "hash": str, "n": int}, pk=("bank_id", "hash"), if_not_exists=True
    )
    db.execute("DELETE FROM version_counts")
    db.execute(
        "INSERT INTO version_counts (bank_id, hash, n) SELECT r.bank_id, r.bank_hash, COUNT(*) FROM scores s"
        " JOIN responses r ON r.id = s.response_id WHERE s.dimension = '' AND s.latest = 1 GROUP BY r.bank_id, r.bank_hash"
    )


def _migrate_v5(db: sqlite_utils.Database) -> None:
    """0.01-point buckets, and each score row carrying its response's profile answers.

    With both, every peer query is a range scan of one covering index, however many
    responses there are and whichever profile group is asked for.
    """
    scores = db.table("scores")
    if "profile" not in scores.columns_dict:
        scores.add_column("profile", str)
    db.execute("UPDATE scores SET bucket = MIN(10000, MAX(0, CAST(score * 100 AS INTEGER))) WHERE score IS NOT NULL")
    for (response_id,) in db.execute("SELECT DISTINCT response_id FROM scores").fetchall():
        pairs = db.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id"
            " JOIN profile_questions p ON p.bank_id = r.bank_id AND p.question_id = a.question_id WHERE a.response_id = ?",
            [response_id],
        ).fetchall()
        db.execute("UPDATE scores SET profile = ? WHERE response_id = ?", [profile_key(pairs), response_id])
    db.execute("DROP INDEX IF EXISTS idx_scores_bank_id_dimension_latest_bucket_score")
    scores.create_index(["bank_id", "dimension", "latest", "bucket", "score", "profile"], if_not_exists=True)
    rebuild_peer_buckets(db)


def keep_snapshot(db: sqlite_utils.Database, bank: Questionnaire) -> None:
    """Store the bank's text under its hash, once: reports of its responses render from it."""
    if not bank.text:
        return
    with db.conn as conn:
        conn.execute(
            "INSERT OR IGNORE INTO bank_versions (hash, bank_id, version, text, created_at) VALUES (?, ?, ?, ?, ?)",
            [bank.content_hash, bank.id, bank.version, bank.text, now()],
        )


def snapshot(db: sqlite_utils.Database, content_hash: str) -> str | None:
    """Return the stored text of a bank version."""
    row = db.conn.execute("SELECT text FROM bank_versions WHERE hash = ?", [content_hash]).fetchone()
    return row[0] if row else None


def latest_snapshot(db: sqlite_utils.Database, bank_id: str) -> tuple[str, str] | None:
    """Return (version, text) of the newest stored version of a bank."""
    row = db.conn.execute(
        "SELECT version, text FROM bank_versions WHERE bank_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        [bank_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def other_version_peers(db: sqlite_utils.Database, bank_id: str, content_hash: str) -> int:
    """How many latest submissions to *bank_id* answered a version other than *content_hash*."""
    row = db.conn.execute(
        "SELECT COALESCE(SUM(n), 0) FROM version_counts WHERE bank_id = ? AND hash != ?", [bank_id, content_hash]
    ).fetchone()
    return int(row[0])


def rebuild_peer_buckets(db: sqlite_utils.Database) -> None:
    """Recount ``peer_buckets`` from ``scores`` (after a migration or a bulk load)."""
    db.execute("DELETE FROM peer_buckets")
    db.execute(
        """INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n)
           SELECT bank_id, '', '', dimension, bucket, COUNT(*) FROM scores
           WHERE latest = 1 AND score IS NOT NULL GROUP BY bank_id, dimension, bucket"""
    )
    # Groups come from the profile questions each bank registered (profile_questions).
    db.execute(
        """INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n)
           SELECT s.bank_id, a.question_id, a.value, s.dimension, s.bucket, COUNT(*)
           FROM scores s JOIN answers a ON a.response_id = s.response_id
           JOIN profile_questions p ON p.bank_id = s.bank_id AND p.question_id = a.question_id
           WHERE s.latest = 1 AND s.score IS NOT NULL
           GROUP BY s.bank_id, a.question_id, a.value, s.dimension, s.bucket"""
    )
    db.execute(
        "INSERT OR REPLACE INTO peer_version (bank_id, version) "
        "SELECT b.bank_id, COALESCE((SELECT v.version FROM peer_version v WHERE v.bank_id = b.bank_id), 0) + 1 "
        "FROM (SELECT DISTINCT bank_id FROM scores) b"
    )


def register_profile(db: sqlite_utils.Database, bank: Questionnaire) -> None:
    """Record which question ids of *bank* are profile questions (its peer groups)."""
    with db.conn as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO profile_questions (bank_id, question_id) VALUES (?, ?)",
            [(bank.id, q.id) for q in bank.profile],
        )


class Response(NamedTuple):
    """One row of ``responses`` (a named tuple: built on every request, so it must be cheap)."""

    id: int
    token: str
    organisation_id: int | None
    bank_id: str
    bank_version: str
    bank_hash: str
    status: str
    language: str
    current_page: int
    copied_from: int | None
    created_at: str
    updated_at: str | None
    submitted_at: str | None
    cohort_id: int | None = None

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"


RESPONSE_COLUMNS = (
    "id, token, organisation_id, bank_id, bank_version, bank_hash, status, language, "
    "current_page, copied_from, created_at, updated_at, submitted_at, cohort_id"
)


def _response(row: Any) -> Response | None:
    return Response(*row) if row else None


# The request path uses plain SQL: sqlite-utils' conveniences look up the table's
# columns on every call, which costs more than the query itself.


def create_response(
    db: sqlite_utils.Database, bank: Questionnaire, language: str, copied_from: int | None = None
) -> Response:
    """Start a draft response to *bank* and return it."""
    keep_snapshot(db, bank)
    stamp = now()
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO responses (token, bank_id, bank_version, bank_hash, status, language, current_page,"
            " copied_from, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, 1, ?, ?, ?)",
            [new_token(), bank.id, bank.version, bank.content_hash, language, copied_from, stamp, stamp],
        )
    found = get_response_by_id(db, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def get_response(db: sqlite_utils.Database, token: str) -> Response | None:
    """Return the response with *token*, or ``None``."""
    return _response(db.conn.execute(f"SELECT {RESPONSE_COLUMNS} FROM responses WHERE token = ?", [token]).fetchone())


def get_response_by_id(db: sqlite_utils.Database, response_id: int) -> Response | None:
    """Return the response with this id, or ``None``."""
    return _response(
        db.conn.execute(f"SELECT {RESPONSE_COLUMNS} FROM responses WHERE id = ?", [response_id]).fetchone()
    )


def load_answers(db: sqlite_utils.Database, response_id: int) -> dict[str, Any]:
    """Return the stored answers of a response: question id → value."""
    rows = db.conn.execute(
        "SELECT question_id, value FROM answers WHERE response_id = ? ORDER BY rowid", [response_id]
    ).fetchall()
    # Each value is a JSON text: parsing them as one array is several times quicker than
    # a json.loads per value, which cost more than the query on a page of a long draft.
    values = json.loads("[" + ",".join(value for _, value in rows) + "]")
    return dict(zip([question_id for question_id, _ in rows], values, strict=True))


def save_answers(
    db: sqlite_utils.Database,
    response: Response,
    answers: Mapping[str, Any],
    remove: Iterable[str] = (),
    *,
    page: int | None = None,
    language: str | None = None,
) -> None:
    """Store *answers* (upsert), delete the *remove* ids, and touch the response, in one transaction."""
    stamp = now()
    removed = [(response.id, q) for q in remove]
    with db.conn as conn:
        if removed:
            conn.executemany("DELETE FROM answers WHERE response_id = ? AND question_id = ?", removed)
        conn.executemany(
            "INSERT INTO answers (response_id, question_id, value, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (response_id, question_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [(response.id, q, json.dumps(v, ensure_ascii=False), stamp) for q, v in answers.items()],
        )
        conn.execute(
            "UPDATE responses SET updated_at = ?, current_page = coalesce(?, current_page),"
            " language = coalesce(?, language) WHERE id = ?",
            [stamp, page, language, response.id],
        )


def set_organisation(db: sqlite_utils.Database, response: Response, name: str) -> int:
    """Name the response's organisation, creating it on first use; return its id."""
    with db.conn as conn:
        if response.organisation_id is not None:
            conn.execute("UPDATE organisations SET name = ? WHERE id = ?", [name, response.organisation_id])
            return response.organisation_id
        cursor = conn.execute("INSERT INTO organisations (name, demo, created_at) VALUES (?, 0, ?)", [name, now()])
        pk = int(cursor.lastrowid or 0)
        conn.execute("UPDATE responses SET organisation_id = ? WHERE id = ?", [pk, response.id])
        return pk


def set_response_organisation(db: sqlite_utils.Database, response_id: int, organisation_id: int | None) -> None:
    """Attach a response to an existing organisation."""
    with db.conn as conn:
        conn.execute("UPDATE responses SET organisation_id = ? WHERE id = ?", [organisation_id, response_id])


def organisation_name(db: sqlite_utils.Database, organisation_id: int | None) -> str | None:
    """Return an organisation's name."""
    if organisation_id is None:
        return None
    row = db.conn.execute("SELECT name FROM organisations WHERE id = ?", [organisation_id]).fetchone()
    return row[0] if row else None


class AlreadySubmitted(Exception):
    """The response was submitted already (perhaps by another tab a moment ago)."""


SCORE_COLUMNS = (
    "response_id", "dimension", "bank_id", "organisation_id", "score", "level", "counted", "of",
    "submitted_at", "latest", "bucket", "profile",
)  # fmt: skip


BUCKETS = 10_001  # 0.01-point buckets on the 0-100 scale


def bucket_of(score: float | None) -> int | None:
    """Return the 0.01-point bucket of a 0-100 score (0 to 10,000)."""
    return None if score is None else min(BUCKETS - 1, max(0, int(score * 100)))


SEPARATOR = "\x1f"


def profile_key(answers: Iterable[tuple[str, str]]) -> str:
    """Encode (question id, JSON value) pairs so that one group is a plain substring test."""
    return SEPARATOR + "".join(f"{qid}={value}{SEPARATOR}" for qid, value in sorted(answers))


def group_needle(question_id: str, value: str) -> str:
    """The substring of a profile key that marks membership of one peer group."""
    return f"{SEPARATOR}{question_id}={value}{SEPARATOR}"


def submit(db: sqlite_utils.Database, response: Response, bank: Questionnaire, result: Result) -> None:
    """Mark *response* submitted and store its scores, atomically and only once.

    The response becomes its organisation's latest submission to the bank: the earlier
    one leaves the peer counts and this one enters them, in the same transaction.
    """
    stamp = now()
    profile = profile_key(
        db.conn.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN profile_questions p"
            " ON p.bank_id = ? AND p.question_id = a.question_id WHERE a.response_id = ?",
            [bank.id, response.id],
        ).fetchall()
    )
    rows = [
        (
            response.id,
            dim_id,
            bank.id,
            response.organisation_id,
            r.score,
            r.level,
            r.counted,
            r.of,
            stamp,
            1,
            bucket_of(r.score),
            profile,
        )
        for dim_id, r in result.dimensions.items()
    ]
    rows.append(
        (
            response.id, OVERALL, bank.id, response.organisation_id, result.score, result.level,
            sum(r.counted for r in result.dimensions.values()), sum(r.of for r in result.dimensions.values()),
            stamp, 1, bucket_of(result.score), profile,
        )
    )  # fmt: skip
    with db.conn as conn:
        cursor = conn.execute(
            "UPDATE responses SET status = 'submitted', submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            [stamp, stamp, response.id],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)
        if response.organisation_id is not None:
            earlier = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT response_id FROM scores WHERE organisation_id = ? AND bank_id = ? AND latest = 1",
                    [response.organisation_id, bank.id],
                )
            ]
            for old in earlier:
                _count_in_peers(conn, bank.id, old, -1)
                conn.execute("UPDATE scores SET latest = 0 WHERE response_id = ?", [old])
                conn.execute(
                    "UPDATE version_counts SET n = n - 1 WHERE bank_id = ? AND hash = (SELECT bank_hash FROM responses WHERE id = ?)",
                    [bank.id, old],
                )
        conn.executemany(
            f"INSERT INTO scores ({', '.join(f'[{c}]' for c in SCORE_COLUMNS)}) VALUES ({', '.join('?' * len(SCORE_COLUMNS))})",
            rows,
        )
        _count_in_peers(conn, bank.id, response.id, +1)
        conn.execute(
            "INSERT INTO version_counts (bank_id, hash, n) VALUES (?, ?, 1) ON CONFLICT (bank_id, hash) DO UPDATE SET n = n + 1",
            [bank.id, response.bank_hash],
        )
        conn.execute(
            "INSERT INTO peer_version (bank_id, version) VALUES (?, 1)"
            " ON CONFLICT (bank_id) DO UPDATE SET version = version + 1",
            [bank.id],
        )


def _count_in_peers(conn: sqlite3.Connection, bank_id: str, response_id: int, step: int) -> None:
    """Add (+1) or remove (-1) one response's scores in every peer group it belongs to."""
    groups = [("", "")] + [
        (qid, value)
        for qid, value in conn.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN profile_questions p"
            " ON p.bank_id = ? AND p.question_id = a.question_id WHERE a.response_id = ?",
            [bank_id, response_id],
        )
    ]
    buckets = conn.execute(
        "SELECT dimension, bucket FROM scores WHERE response_id = ? AND bucket IS NOT NULL", [response_id]
    ).fetchall()
    conn.executemany(
        "INSERT INTO peer_buckets (bank_id, grp, grp_value, dimension, bucket, n) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (bank_id, grp, grp_value, dimension, bucket) DO UPDATE SET n = n + excluded.n",
        [(bank_id, grp, value, dimension, bucket, step) for grp, value in groups for dimension, bucket in buckets],
    )


def peer_version(db: sqlite_utils.Database, bank_id: str) -> int:
    """Return a number that changes whenever the peers of *bank_id* change."""
    row = db.conn.execute("SELECT version FROM peer_version WHERE bank_id = ?", [bank_id]).fetchone()
    return int(row[0]) if row else 0


def load_scores(db: sqlite_utils.Database, response_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored scores of a response: dimension id (``""`` = overall) → row."""
    cursor = db.conn.execute(
        f"SELECT {', '.join(f'[{c}]' for c in SCORE_COLUMNS)} FROM scores WHERE response_id = ?", [response_id]
    )
    return {row[1]: dict(zip(SCORE_COLUMNS, row, strict=True)) for row in cursor}

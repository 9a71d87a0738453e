"""The SQLite store, through sqlite-utils: organisations, responses, answers and scores.

Tables (documented in the README):

- ``organisations``: one row per provider (``name``, ``demo`` for synthetic ones).
- ``responses``: one per attempt at a bank: an unguessable ``token``, the bank's id,
  version and content hash as answered, ``status`` (draft/submitted), language, the
  page to resume at, timestamps, and ``copied_from`` when started from another one.
- ``answers``: one row per response x question; ``value`` is JSON.
- ``scores``: one row per submitted response x dimension (``dimension`` ``""`` is the
  overall score), with the bank id and organisation copied in so that the peer queries
  of the report run on one indexed table.
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

from selfassess.bank import Questionnaire
from selfassess.rubrics.base import Result

SCHEMA_VERSION = 1
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


def migrate(db: sqlite_utils.Database) -> None:
    """Create or upgrade the schema; safe to run at every start and from many processes."""
    with db.conn:  # one transaction: two processes starting at once cannot both migrate
        db.conn.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:
            _create_v1(db)
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

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"


RESPONSE_COLUMNS = (
    "id, token, organisation_id, bank_id, bank_version, bank_hash, status, language, "
    "current_page, copied_from, created_at, updated_at, submitted_at"
)


def _response(row: Any) -> Response | None:
    return Response(*row) if row else None


# The request path uses plain SQL: sqlite-utils' conveniences look up the table's
# columns on every call, which costs more than the query itself.


def create_response(
    db: sqlite_utils.Database, bank: Questionnaire, language: str, copied_from: int | None = None
) -> Response:
    """Start a draft response to *bank* and return it."""
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
    rows = db.conn.execute("SELECT question_id, value FROM answers WHERE response_id = ? ORDER BY rowid", [response_id])
    return {question_id: json.loads(value) for question_id, value in rows}


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
    with db.conn as conn:
        conn.executemany(
            "DELETE FROM answers WHERE response_id = ? AND question_id = ?", [(response.id, q) for q in remove]
        )
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
    "response_id",
    "dimension",
    "bank_id",
    "organisation_id",
    "score",
    "level",
    "counted",
    "of",
    "submitted_at",
)


def submit(db: sqlite_utils.Database, response: Response, bank: Questionnaire, result: Result) -> None:
    """Mark *response* submitted and store its scores, atomically and only once."""
    stamp = now()
    rows = [
        (response.id, dim_id, bank.id, response.organisation_id, r.score, r.level, r.counted, r.of, stamp)
        for dim_id, r in result.dimensions.items()
    ]
    rows.append(
        (
            response.id, OVERALL, bank.id, response.organisation_id, result.score, result.level,
            sum(r.counted for r in result.dimensions.values()), sum(r.of for r in result.dimensions.values()), stamp,
        )
    )  # fmt: skip
    with db.conn as conn:
        cursor = conn.execute(
            "UPDATE responses SET status = 'submitted', submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            [stamp, stamp, response.id],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)
        conn.executemany(
            f"INSERT INTO scores ({', '.join(f'[{c}]' for c in SCORE_COLUMNS)}) VALUES ({', '.join('?' * len(SCORE_COLUMNS))})",
            rows,
        )


def load_scores(db: sqlite_utils.Database, response_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored scores of a response: dimension id (``""`` = overall) → row."""
    cursor = db.conn.execute(
        f"SELECT {', '.join(f'[{c}]' for c in SCORE_COLUMNS)} FROM scores WHERE response_id = ?", [response_id]
    )
    return {row[1]: dict(zip(SCORE_COLUMNS, row, strict=True)) for row in cursor}

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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    conn.execute("PRAGMA busy_timeout = 30000")
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


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


@dataclass(frozen=True)
class Response:
    """One row of ``responses``."""

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


def _response(row: Mapping[str, Any] | None) -> Response | None:
    return Response(**dict(row)) if row else None


def create_response(
    db: sqlite_utils.Database, bank: Questionnaire, language: str, copied_from: int | None = None
) -> Response:
    """Start a draft response to *bank* and return it."""
    stamp = now()
    row = {
        "token": new_token(),
        "bank_id": bank.id,
        "bank_version": bank.version,
        "bank_hash": bank.content_hash,
        "status": "draft",
        "language": language,
        "current_page": 1,
        "copied_from": copied_from,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with db.conn:
        pk = db.table("responses").insert(row).last_rowid
    assert pk is not None
    found = get_response_by_id(db, pk)
    assert found is not None
    return found


def get_response(db: sqlite_utils.Database, token: str) -> Response | None:
    """Return the response with *token*, or ``None``."""
    return _response(next(db.table("responses").rows_where("token = ?", [token], limit=1), None))


def get_response_by_id(db: sqlite_utils.Database, response_id: int) -> Response | None:
    """Return the response with this id, or ``None``."""
    return _response(next(db.table("responses").rows_where("id = ?", [response_id], limit=1), None))


def load_answers(db: sqlite_utils.Database, response_id: int) -> dict[str, Any]:
    """Return the stored answers of a response: question id → value."""
    return {
        row["question_id"]: json.loads(row["value"])
        for row in db.table("answers").rows_where("response_id = ?", [response_id], order_by="rowid")
    }


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
    with db.conn:
        for question_id in remove:
            db.execute("DELETE FROM answers WHERE response_id = ? AND question_id = ?", [response.id, question_id])
        if answers:
            db.table("answers").upsert_all(
                [
                    {
                        "response_id": response.id,
                        "question_id": qid,
                        "value": json.dumps(value, ensure_ascii=False),
                        "updated_at": stamp,
                    }
                    for qid, value in answers.items()
                ],
                pk=("response_id", "question_id"),
            )
        changes: dict[str, Any] = {"updated_at": stamp}
        if page is not None:
            changes["current_page"] = page
        if language is not None:
            changes["language"] = language
        db.table("responses").update(response.id, changes)


def set_organisation(db: sqlite_utils.Database, response: Response, name: str) -> int:
    """Name the response's organisation, creating it on first use; return its id."""
    with db.conn:
        if response.organisation_id is not None:
            db.table("organisations").update(response.organisation_id, {"name": name})
            return response.organisation_id
        pk = db.table("organisations").insert({"name": name, "demo": 0, "created_at": now()}).last_rowid
        assert pk is not None
        db.table("responses").update(response.id, {"organisation_id": pk})
        return pk


def organisation_name(db: sqlite_utils.Database, organisation_id: int | None) -> str | None:
    """Return an organisation's name."""
    if organisation_id is None:
        return None
    row = next(db.table("organisations").rows_where("id = ?", [organisation_id], limit=1), None)
    return row["name"] if row else None


class AlreadySubmitted(Exception):
    """The response was submitted already (perhaps by another tab a moment ago)."""


def submit(db: sqlite_utils.Database, response: Response, bank: Questionnaire, result: Result) -> None:
    """Mark *response* submitted and store its scores, atomically and only once."""
    stamp = now()
    rows = [
        {
            "response_id": response.id,
            "dimension": dim_id,
            "bank_id": bank.id,
            "organisation_id": response.organisation_id,
            "score": r.score,
            "level": r.level,
            "counted": r.counted,
            "of": r.of,
            "submitted_at": stamp,
        }
        for dim_id, r in result.dimensions.items()
    ]
    rows.append(
        {
            "response_id": response.id,
            "dimension": OVERALL,
            "bank_id": bank.id,
            "organisation_id": response.organisation_id,
            "score": result.score,
            "level": result.level,
            "counted": sum(r.counted for r in result.dimensions.values()),
            "of": sum(r.of for r in result.dimensions.values()),
            "submitted_at": stamp,
        }
    )
    with db.conn:
        cursor = db.execute(
            "UPDATE responses SET status = 'submitted', submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            [stamp, stamp, response.id],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)
        db.table("scores").insert_all(rows)


def load_scores(db: sqlite_utils.Database, response_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored scores of a response: dimension id (``""`` = overall) → row."""
    return {row["dimension"]: row for row in db.table("scores").rows_where("response_id = ?", [response_id])}

"""Organisations, responses and their answers, bank snapshots, and submitting.

A response is one attempt at a bank; an organisation is who it is for. Responses point
at their organisation (``responses.organisation_id``), so an organisation may have
many responses, from one respondent or, later, from several.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from selfassess.bank.model import Questionnaire
from selfassess.scoring.rubrics.base import Result
from selfassess.store import peer_index
from selfassess.store.connection import Db
from selfassess.store.counting import SUBMITTED
from selfassess.store.dialect import INSERTION_ORDER, now


def new_token() -> str:
    """Return an unguessable response token (192 random bits)."""
    return secrets.token_urlsafe(24)


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
    # Set on the responses of a round (banks with roles): the coordinator's has no role.
    round_id: int | None = None
    role: str | None = None

    @property
    def submitted(self) -> bool:
        return self.status == SUBMITTED

    @property
    def coordinates(self) -> bool:
        """Whether this is a round's coordinating response (the organisation's profile and, once closed, its scores)."""
        return self.round_id is not None and self.role is None


RESPONSE_COLUMNS = (
    "id, token, organisation_id, bank_id, bank_version, bank_hash, status, language, "
    "current_page, copied_from, created_at, updated_at, submitted_at, cohort_id, round_id, role"
)


class AlreadySubmitted(Exception):
    """The response was submitted already (perhaps by another tab a moment ago)."""


def _response(row: Any) -> Response | None:
    return Response(*row) if row else None


# The request path uses plain SQL: sqlite-utils' conveniences look up the table's
# columns on every call, which costs more than the query itself.

# --- bank snapshots --------------------------------------------------------------------------


def keep_snapshot(db: Db, bank: Questionnaire) -> None:
    """Store the bank's text under its hash, once: reports of its responses render from it."""
    if not bank.text:
        return
    with db.conn as conn:
        conn.execute(
            "INSERT INTO bank_versions (hash, bank_id, version, text, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [bank.content_hash, bank.id, bank.version, bank.text, now()],
        )


def snapshot(db: Db, content_hash: str) -> str | None:
    """Return the stored text of a bank version."""
    row = db.conn.execute("SELECT text FROM bank_versions WHERE hash = ?", [content_hash]).fetchone()
    return row[0] if row else None


def latest_snapshot(db: Db, bank_id: str) -> tuple[str, str] | None:
    """Return (version, text) of the newest stored version of a bank."""
    row = db.conn.execute(
        f"SELECT version, text FROM bank_versions WHERE bank_id = ? ORDER BY created_at DESC, {INSERTION_ORDER} DESC LIMIT 1",
        [bank_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


# --- responses -------------------------------------------------------------------------------


def create_response(db: Db, bank: Questionnaire, language: str, copied_from: int | None = None) -> Response:
    """Start a draft response to *bank* and return it."""
    keep_snapshot(db, bank)
    stamp = now()
    with db.conn:
        (pk,) = db.conn.execute(
            "INSERT INTO responses (token, bank_id, bank_version, bank_hash, status, language, current_page,"
            " copied_from, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, 1, ?, ?, ?) RETURNING id",
            [new_token(), bank.id, bank.version, bank.content_hash, language, copied_from, stamp, stamp],
        ).fetchone()
    found = get_response_by_id(db, int(pk))
    assert found is not None
    return found


def get_response(db: Db, token: str) -> Response | None:
    """Return the response with *token*, or ``None``."""
    return _response(db.conn.execute(f"SELECT {RESPONSE_COLUMNS} FROM responses WHERE token = ?", [token]).fetchone())


def get_response_by_id(db: Db, response_id: int) -> Response | None:
    """Return the response with this id, or ``None``."""
    return _response(
        db.conn.execute(f"SELECT {RESPONSE_COLUMNS} FROM responses WHERE id = ?", [response_id]).fetchone()
    )


def earlier_submissions(db: Db, response: Response) -> list[tuple[int, str]]:
    """Return (id, submitted_at) of the organisation's earlier submissions to the same bank, oldest first."""
    if response.organisation_id is None or response.submitted_at is None:
        return []
    return [
        (int(row[0]), str(row[1]))
        for row in db.conn.execute(
            "SELECT id, submitted_at FROM responses WHERE organisation_id = ? AND bank_id = ? AND status = ?"
            " AND id != ? AND submitted_at <= ? ORDER BY submitted_at, id",
            [response.organisation_id, response.bank_id, SUBMITTED, response.id, response.submitted_at],
        )
    ]


class AnswersChanged(Exception):
    """The answers changed between being scored and being submitted (a page saved in another tab)."""


def submit(
    db: Db, response: Response, bank: Questionnaire, result: Result, scored: Mapping[str, Any] | None = None
) -> None:
    """Mark *response* submitted and store its scores, atomically and only once.

    The response becomes its organisation's counting submission to the bank: the earlier
    one leaves the peer counts and this one enters them, in the same transaction. With
    *scored* (the answers *result* was computed from), the submit is refused with
    :class:`AnswersChanged` if the stored answers are no longer those: the stored scores
    always belong to the stored answers.
    """
    stamp = now()
    with db.conn as conn:
        cursor = conn.execute(
            "UPDATE responses SET status = ?, submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            [SUBMITTED, stamp, stamp, response.id],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)
        # This transaction holds the write lock now: no page save can come between this
        # read and the commit.
        if scored is not None and load_answers(db, response.id) != dict(scored):
            raise AnswersChanged(response.token)  # leaving the block rolls the UPDATE back
        peer_index.enter(conn, response, bank.id, result, stamp)


# --- answers ---------------------------------------------------------------------------------


def load_answers(db: Db, response_id: int) -> dict[str, Any]:
    """Return the stored answers of a response: question id → value."""
    rows = db.conn.execute(
        f"SELECT question_id, value FROM answers WHERE response_id = ? ORDER BY {INSERTION_ORDER}", [response_id]
    ).fetchall()
    # Each value is a JSON text: parsing them as one array is several times quicker than
    # a json.loads per value, which cost more than the query on a page of a long draft.
    values = json.loads("[" + ",".join(value for _, value in rows) + "]")
    return dict(zip([question_id for question_id, _ in rows], values, strict=True))


def stored_answer(db: Db, response_id: int, question_id: str) -> str | None:
    """Return one answer as stored (JSON text), or ``None``: peer groups compare these texts."""
    row = db.conn.execute(
        "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", [response_id, question_id]
    ).fetchone()
    return None if row is None else str(row[0])


def save_answers(
    db: Db,
    response: Response,
    answers: Mapping[str, Any],
    remove: Iterable[str] = (),
    *,
    page: int | None = None,
    language: str | None = None,
) -> bool:
    """Store *answers* (upsert), delete the *remove* ids, and touch the response, in one transaction.

    Only a draft changes: returns False, having written nothing, when the response was
    submitted (perhaps a moment ago, from another tab), so stored answers always give the
    stored scores.
    """
    stamp = now()
    removed = [(response.id, q) for q in remove]
    with db.conn as conn:
        # First, so that this transaction holds the write lock before it decides: a submit
        # of the same response either happened before (nothing written) or waits for it.
        touched = conn.execute(
            "UPDATE responses SET updated_at = ?, current_page = coalesce(?, current_page),"
            " language = coalesce(?, language) WHERE id = ? AND status = 'draft'",
            [stamp, page, language, response.id],
        ).rowcount
        if touched != 1:
            return False
        if removed:
            conn.executemany("DELETE FROM answers WHERE response_id = ? AND question_id = ?", removed)
        conn.executemany(
            "INSERT INTO answers (response_id, question_id, value, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (response_id, question_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [(response.id, q, json.dumps(v, ensure_ascii=False), stamp) for q, v in answers.items()],
        )
    return True


# --- organisations ---------------------------------------------------------------------------


def add_organisation(db: Db, name: str, *, demo: bool = False) -> int:
    """Create an organisation and return its id."""
    with db.conn as conn:
        (pk,) = conn.execute(
            "INSERT INTO organisations (name, demo, created_at) VALUES (?, ?, ?) RETURNING id", [name, int(demo), now()]
        ).fetchone()
    return int(pk)


def demo_organisations(db: Db) -> int:
    """Return how many demo organisations there are."""
    return int(db.conn.execute("SELECT COUNT(*) FROM organisations WHERE demo = 1").fetchone()[0])


def set_organisation(db: Db, response: Response, name: str) -> int:
    """Name the response's organisation, creating it on first use; return its id."""
    with db.conn as conn:
        if response.organisation_id is not None:
            conn.execute("UPDATE organisations SET name = ? WHERE id = ?", [name, response.organisation_id])
            return response.organisation_id
        pk = int(
            conn.execute(
                "INSERT INTO organisations (name, demo, created_at) VALUES (?, 0, ?) RETURNING id", [name, now()]
            ).fetchone()[0]
        )
        conn.execute("UPDATE responses SET organisation_id = ? WHERE id = ?", [pk, response.id])
        return pk


def set_response_organisation(db: Db, response_id: int, organisation_id: int | None) -> None:
    """Attach a response to an existing organisation."""
    with db.conn as conn:
        conn.execute("UPDATE responses SET organisation_id = ? WHERE id = ?", [organisation_id, response_id])


def organisation_name(db: Db, organisation_id: int | None) -> str | None:
    """Return an organisation's name."""
    if organisation_id is None:
        return None
    row = db.conn.execute("SELECT name FROM organisations WHERE id = ?", [organisation_id]).fetchone()
    return row[0] if row else None

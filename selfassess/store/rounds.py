"""Rounds of banks with roles: the coordinator's response, role invitations, respondents, closing.

A round is one organisation's assessment by its people. Its coordinating response is an
ordinary response (the profile, the organisation, and on closing the combined scores, so
that the peer index, cohorts and exports see one submission per organisation as for any
bank). Respondents' responses are ordinary responses too, with ``round_id`` and ``role``
set and no organisation: they never enter the peer index or a cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeAlias

from selfassess.scoring.rubrics.base import Result
from selfassess.store import peer_index
from selfassess.store.connection import Db
from selfassess.store.counting import SUBMITTED
from selfassess.store.dialect import begin_writing, for_share, for_update, now
from selfassess.store.responses import AlreadySubmitted, AnswersChanged, Response, load_answers, new_token

OPEN = "open"
CLOSED = "closed"


class Round(NamedTuple):
    """One row of ``rounds``; ``result`` is the organisation's result as JSON once closed."""

    id: int
    organisation_id: int | None
    bank_id: str
    bank_hash: str
    response_id: int
    status: str
    cohort_id: int | None
    created_at: str
    closed_at: str | None
    result: str | None

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


_COLUMNS = "id, organisation_id, bank_id, bank_hash, response_id, status, cohort_id, created_at, closed_at, result"


def create_round(db: Db, response: Response, roles: tuple[str, ...]) -> Round:
    """Make *response* the coordinating response of a new round, with one invitation token per role."""
    with db.conn as conn:
        round_id = _insert_round(conn, response, roles)
    found = round_by_id(db, round_id)
    assert found is not None
    return found


def _insert_round(conn: Any, response: Response, roles: tuple[str, ...]) -> int:
    round_id = int(
        conn.execute(
            "INSERT INTO rounds (organisation_id, bank_id, bank_hash, response_id, status, cohort_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [response.organisation_id, response.bank_id, response.bank_hash, response.id, OPEN,
             response.cohort_id, now()],
        ).fetchone()[0]
    )  # fmt: skip
    conn.execute("UPDATE responses SET round_id = ? WHERE id = ?", [round_id, response.id])
    conn.executemany(
        "INSERT INTO role_invitations (round_id, role, token) VALUES (?, ?, ?)",
        [(round_id, role, new_token()) for role in roles],
    )
    return round_id


def create_next_round(db: Db, previous: Round, response: Response, roles: tuple[str, ...]) -> Round:
    """Make *response* the coordinating response of the organisation's round after *previous*, once.

    An organisation has at most one open round of a bank: when one is open already (a second
    "Start the next round" a moment before, or in parallel), *response*, a draft made for this
    round and still nobody's link, is deleted with its answers and that round is returned.
    One write transaction under the lock of the organisation's rounds of the bank.
    """
    with db.conn as conn:
        begin_writing(conn, "rounds of", previous.organisation_id, previous.bank_id)
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM rounds WHERE organisation_id = ? AND bank_id = ? AND status = ?"
            f" ORDER BY id DESC LIMIT 1{for_update(conn)}",
            [previous.organisation_id, previous.bank_id, OPEN],
        ).fetchone()
        if row is not None:
            conn.execute("DELETE FROM answers WHERE response_id = ?", [response.id])
            conn.execute("DELETE FROM responses WHERE id = ? AND status = 'draft' AND round_id IS NULL", [response.id])
            return Round(*row)
        round_id = _insert_round(conn, response, roles)
    found = round_by_id(db, round_id)
    assert found is not None
    return found


def newest_rounds(db: Db, cohort_id: int) -> dict[int, int]:
    """Per coordinating response of a round in the cohort, the coordinating response of its organisation's newest round.

    The rounds of one organisation of the cohort's bank are those whose coordinators gave the
    same organisation (a round without one yet stands alone).
    """
    rows = db.conn.execute(
        "SELECT r.id, r.response_id, c.organisation_id FROM rounds r JOIN responses c ON c.id = r.response_id"
        " WHERE r.cohort_id = ? ORDER BY r.id",
        [cohort_id],
    ).fetchall()
    newest: dict[Any, int] = {}
    for _round_id, response_id, organisation_id in rows:  # in order of ids: the last one wins
        newest[organisation_id if organisation_id is not None else ("alone", response_id)] = int(response_id)
    return {
        int(response_id): newest[organisation_id if organisation_id is not None else ("alone", response_id)]
        for _round_id, response_id, organisation_id in rows
    }


def round_by_id(db: Db, round_id: int) -> Round | None:
    """Return the round with this id, or ``None``."""
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM rounds WHERE id = ?", [round_id]).fetchone()
    return Round(*row) if row else None


def invitations(db: Db, round_id: int) -> dict[str, str]:
    """Return the round's invitation token per role id."""
    return dict(db.conn.execute("SELECT role, token FROM role_invitations WHERE round_id = ?", [round_id]).fetchall())


def invitation(db: Db, token: str) -> tuple[Round, str] | None:
    """Return the round and the role an invitation token opens, or ``None``."""
    row = db.conn.execute("SELECT round_id, role FROM role_invitations WHERE token = ?", [token]).fetchone()
    if row is None:
        return None
    found = round_by_id(db, int(row[0]))
    return (found, str(row[1])) if found is not None else None


def join_round(db: Db, response: Response, round_id: int, role: str) -> bool:
    """Make a new draft a respondent of an open round in *role*; False (nothing written) once it closed."""
    with db.conn as conn:
        return (
            conn.execute(
                "UPDATE responses SET round_id = ?, role = ? WHERE id = ? AND status = 'draft'"
                " AND EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = ?)",
                [round_id, role, response.id, round_id, OPEN],
            ).rowcount
            == 1
        )


def participation(db: Db, round_id: int) -> dict[str, tuple[int, int]]:
    """Return, per role with respondents, (started, submitted)."""
    return {
        str(role): (int(started), int(submitted or 0))
        for role, started, submitted in db.conn.execute(
            "SELECT role, COUNT(*), SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) FROM responses WHERE round_id = ? AND role IS NOT NULL"
            " GROUP BY role",
            [SUBMITTED, round_id],
        )
    }


def cohort_participation(db: Db, cohort_id: int) -> dict[int, tuple[bool, dict[str, tuple[int, int]]]]:
    """Per coordinating response of a round in the cohort: whether closed and, per role, (started, submitted)."""
    out: dict[int, tuple[bool, dict[str, tuple[int, int]]]] = {}
    for response_id, status, role, started, submitted in db.conn.execute(
        "SELECT r.response_id, r.status, p.role, COUNT(p.id), SUM(CASE WHEN p.status = ? THEN 1 ELSE 0 END)"
        " FROM rounds r"
        " LEFT JOIN responses p ON p.round_id = r.id AND p.role IS NOT NULL"
        " WHERE r.cohort_id = ? GROUP BY r.id, p.role",
        [SUBMITTED, cohort_id],
    ):
        counts = out.setdefault(int(response_id), (status == CLOSED, {}))[1]
        if role is not None:
            counts[str(role)] = (int(started), int(submitted or 0))
    return out


def submitted_respondents(db: Db, round_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Return (role, answers) of each submitted respondent of the round, in no meaningful order."""
    return _submitted(db, round_id)


def submit_respondent(db: Db, response: Response, scored: Mapping[str, Any]) -> None:
    """Mark a respondent's draft submitted while its round is open; it enters no peer figures.

    Raises :class:`AlreadySubmitted` when it was submitted (or its round closed), and
    :class:`AnswersChanged` when the stored answers are no longer *scored*.
    """
    stamp = now()
    with db.conn as conn:
        # The round's row, kept from closing until this commits (PostgreSQL; SQLite has one writer).
        conn.execute(f"SELECT status FROM rounds WHERE id = ?{for_share(conn)}", [response.round_id])
        cursor = conn.execute(
            "UPDATE responses SET status = ?, submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'"
            " AND EXISTS (SELECT 1 FROM rounds WHERE id = responses.round_id AND status = ?)",
            [SUBMITTED, stamp, stamp, response.id, OPEN],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)
        if load_answers(db, response.id) != dict(scored):
            raise AnswersChanged(response.token)  # leaving the block rolls the UPDATE back


def _submitted(db: Db, round_id: int) -> list[tuple[str, dict[str, Any]]]:
    ids = db.conn.execute(
        "SELECT id, role FROM responses WHERE round_id = ? AND role IS NOT NULL AND status = ? ORDER BY id",
        [round_id, SUBMITTED],
    ).fetchall()
    return [(str(role), load_answers(db, int(rid))) for rid, role in ids]


Respondents: TypeAlias = list[tuple[str, dict[str, Any]]]


def close_round(db: Db, found: Round, response: Response, combine: Callable[[Respondents], tuple[Result, str]]) -> bool:
    """Close an open round: store the organisation's result and submit the coordinating response with it.

    One write transaction (the round's row locked first) reads the submitted respondents, has
    *combine* turn them into the result and its stored JSON, closes the round and enters
    the response in the peer index: a respondent's submit waits for it or comes before the
    read, so everyone shown as submitted is in the result. False when it was closed already.
    """
    stamp = now()
    with db.conn as conn:
        begin_writing(conn, "round", found.id)
        row = conn.execute(f"SELECT status FROM rounds WHERE id = ?{for_update(conn)}", [found.id]).fetchone()
        if row is None or row[0] != OPEN:
            return False
        result, stored = combine(_submitted(db, found.id))
        conn.execute(
            "UPDATE rounds SET status = ?, closed_at = ?, result = ?, organisation_id = ? WHERE id = ?",
            [CLOSED, stamp, stored, response.organisation_id, found.id],
        )
        cursor = conn.execute(
            "UPDATE responses SET status = ?, submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            [SUBMITTED, stamp, stamp, response.id],
        )
        if cursor.rowcount != 1:
            raise AlreadySubmitted(response.token)  # rolls the round's closing back
        peer_index.enter(conn, response, found.bank_id, result, stamp)
    return True


def earlier_rounds(db: Db, found: Round) -> list[Round]:
    """Return the organisation's closed rounds of the same bank before *found*, oldest first."""
    if found.organisation_id is None:
        return []
    return [
        Round(*row)
        for row in db.conn.execute(
            f"SELECT {_COLUMNS} FROM rounds WHERE organisation_id = ? AND bank_id = ? AND status = ? AND id < ?"
            " ORDER BY id",
            [found.organisation_id, found.bank_id, CLOSED, found.id],
        )
    ]

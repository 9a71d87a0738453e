"""Cohorts, their facilitators, and what a dashboard and an export read of their members."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from selfassess.store.connection import Db
from selfassess.store.counting import Shown, shown_in_cohorts
from selfassess.store.dialect import INSERTION_ORDER, now


@dataclass(frozen=True)
class Cohort:
    """One row of ``cohorts``: providers invited by facilitators to answer one bank."""

    id: int
    code: str
    bank_id: str
    name: str
    description: str
    open: bool
    owner_id: int | None
    created_at: str


_COLUMNS = ("id", "code", "bank_id", "name", "description", "open", "owner_id", "created_at")


def _select(alias: str = "") -> str:
    return ", ".join(alias + c for c in _COLUMNS)


def _cohort(row: Any) -> Cohort | None:
    return Cohort(row[0], row[1], row[2], row[3], row[4] or "", bool(row[5]), row[6], row[7]) if row else None


def new_cohort(db: Db, code: str, owner_id: int | None, bank_id: str, name: str, description: str) -> Cohort:
    """Create an open cohort with *owner_id* as its first facilitator (``None``: no facilitator yet)."""
    with db.conn as conn:
        (pk,) = conn.execute(
            "INSERT INTO cohorts (code, bank_id, name, description, open, owner_id, created_at)"
            " VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
            [code, bank_id, name, description, owner_id, now()],
        ).fetchone()
        if owner_id is not None:
            conn.execute("INSERT INTO cohort_facilitators (cohort_id, facilitator_id) VALUES (?, ?)", [pk, owner_id])
    found = cohort_by_code(db, code)
    assert found is not None
    return found


def cohort_by_code(db: Db, code: str) -> Cohort | None:
    """Return the cohort with this invite code."""
    return _cohort(db.conn.execute(f"SELECT {_select()} FROM cohorts WHERE code = ?", [code]).fetchone())


def cohort_by_id(db: Db, cohort_id: int) -> Cohort | None:
    """Return the cohort with this id."""
    return _cohort(db.conn.execute(f"SELECT {_select()} FROM cohorts WHERE id = ?", [cohort_id]).fetchone())


def cohorts_of_facilitator(db: Db, facilitator_id: int) -> list[Cohort]:
    """The cohorts a facilitator owns or co-owns, newest first."""
    rows = db.conn.execute(
        f"SELECT {_select('c.')} FROM cohorts c JOIN cohort_facilitators f ON f.cohort_id = c.id"
        " WHERE f.facilitator_id = ? ORDER BY c.created_at DESC, c.id DESC",
        [facilitator_id],
    )
    return [c for c in map(_cohort, rows) if c is not None]


def is_cohort_facilitator(db: Db, cohort_id: int, facilitator_id: int) -> bool:
    """Whether the facilitator owns or co-owns the cohort."""
    row = db.conn.execute(
        "SELECT 1 FROM cohort_facilitators WHERE cohort_id = ? AND facilitator_id = ?", [cohort_id, facilitator_id]
    ).fetchone()
    return row is not None


def add_cohort_facilitator(db: Db, cohort_id: int, facilitator_id: int) -> None:
    """Make a facilitator a co-facilitator of the cohort (once)."""
    with db.conn as conn:
        conn.execute(
            "INSERT INTO cohort_facilitators (cohort_id, facilitator_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [cohort_id, facilitator_id],
        )


def remove_cohort_facilitator(db: Db, cohort_id: int, facilitator_id: int) -> None:
    """Take a co-facilitator off the cohort."""
    with db.conn as conn:
        conn.execute(
            "DELETE FROM cohort_facilitators WHERE cohort_id = ? AND facilitator_id = ?", [cohort_id, facilitator_id]
        )


def cohort_facilitator_emails(db: Db, cohort_id: int) -> list[str]:
    """The e-mail addresses of the cohort's facilitators, sorted."""
    return [
        r[0]
        for r in db.conn.execute(
            "SELECT f.email FROM facilitators f JOIN cohort_facilitators c ON c.facilitator_id = f.id"
            " WHERE c.cohort_id = ? ORDER BY f.email",
            [cohort_id],
        )
    ]


def set_cohort_open(db: Db, cohort_id: int, is_open: bool) -> None:
    """Open or close the cohort to new starts."""
    with db.conn as conn:
        conn.execute("UPDATE cohorts SET open = ? WHERE id = ?", [int(is_open), cohort_id])


def join_cohort(db: Db, response_id: int, cohort_id: int) -> None:
    """Make a response part of a cohort."""
    with db.conn as conn:
        conn.execute("UPDATE responses SET cohort_id = ? WHERE id = ?", [cohort_id, response_id])


# --- members, by the one rule of store.counting -------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One member organisation of a cohort, by the response shown for it, with what the dashboard shows."""

    response_id: int
    organisation: str
    status: str
    created_at: str
    updated_at: str
    submitted_at: str | None
    profile: dict[str, Any]
    scores: dict[str, float | None]
    levels: dict[str, str | None]


def cohort_counts(db: Db, cohort_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Return per cohort how many member organisations started and how many have a counting submission."""
    counts = dict.fromkeys(cohort_ids, (0, 0))
    for shown in shown_in_cohorts(db, cohort_ids):
        started, submitted = counts[shown.cohort_id]
        counts[shown.cohort_id] = (started + 1, submitted + int(shown.counts))
    return counts


def cohort_shown(db: Db, cohort_id: int) -> list[Shown]:
    """The response shown for each member of the cohort: its counting one, else its latest draft."""
    return shown_in_cohorts(db, [cohort_id])


def cohort_counted(db: Db, cohort_id: int) -> list[Shown]:
    """The counting responses of the cohort's members (one per organisation)."""
    return [s for s in shown_in_cohorts(db, [cohort_id]) if s.counts]


def cohort_members(db: Db, cohort: Cohort, profile_ids: Sequence[str]) -> list[Member]:
    """Every member organisation of the cohort, by its counting response or else its latest draft.

    Four queries whatever the cohort's size (a national cohort has thousands).
    """
    shown = {s.response_id for s in shown_in_cohorts(db, [cohort.id])}
    rows = [
        row
        for row in db.conn.execute(
            "SELECT r.id, COALESCE(o.name, ''), r.status, r.created_at, r.updated_at, r.submitted_at"
            " FROM responses r LEFT JOIN organisations o ON o.id = r.organisation_id WHERE r.cohort_id = ?"
            " ORDER BY r.created_at, r.id",
            [cohort.id],
        )
        if row[0] in shown
    ]
    profiles: dict[int, dict[str, Any]] = {}
    if profile_ids:
        for response_id, qid, value in db.conn.execute(
            "SELECT a.response_id, a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id"
            f" WHERE r.cohort_id = ? AND a.question_id IN ({', '.join('?' * len(profile_ids))})",
            [cohort.id, *profile_ids],
        ):
            if response_id in shown:
                profiles.setdefault(response_id, {})[qid] = json.loads(value)
    scores: dict[int, dict[str, tuple[float | None, str | None]]] = {}
    for response_id, dimension, score, level in db.conn.execute(
        "SELECT s.response_id, s.dimension, s.score, s.level FROM scores s JOIN responses r ON r.id = s.response_id"
        " WHERE r.cohort_id = ?",
        [cohort.id],
    ):
        if response_id in shown:
            scores.setdefault(response_id, {})[dimension] = (score, level)
    out = []
    for row in rows:
        own = scores.get(row[0], {})
        out.append(
            Member(
                row[0], row[1], row[2], row[3], row[4], row[5], profiles.get(row[0], {}),
                {k: v[0] for k, v in own.items()}, {k: v[1] for k, v in own.items()},
            )
        )  # fmt: skip
    return out


def cohort_answers(db: Db, cohort: Cohort) -> list[tuple[int, str, Any]]:
    """(response id, question id, value) of every answer of the members' shown responses."""
    shown = {s.response_id for s in shown_in_cohorts(db, [cohort.id])}
    return [
        (response_id, qid, json.loads(value))
        for response_id, qid, value in db.conn.execute(
            "SELECT r.id, a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id"
            f" WHERE r.cohort_id = ? ORDER BY r.id, a.{INSERTION_ORDER}",
            [cohort.id],
        )
        if response_id in shown
    ]

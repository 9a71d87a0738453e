"""Cohorts: a group of providers invited by facilitators to answer one bank."""

from __future__ import annotations

import json
import secrets
import statistics
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from selfassess import store


@dataclass(frozen=True)
class Cohort:
    id: int
    code: str
    bank_id: str
    name: str
    description: str
    open: bool
    owner_id: int | None
    created_at: str


COLUMNS = "id, code, bank_id, name, description, open, owner_id, created_at"


def _cohort(row: Any) -> Cohort | None:
    return Cohort(row[0], row[1], row[2], row[3], row[4] or "", bool(row[5]), row[6], row[7]) if row else None


def create(db: sqlite_utils.Database, owner_id: int, bank_id: str, name: str, description: str = "") -> Cohort:
    """Create an open cohort owned by *owner_id*, with an unguessable invite code."""
    code = secrets.token_urlsafe(9)
    with db.conn as conn:
        cursor = conn.execute(
            "INSERT INTO cohorts (code, bank_id, name, description, open, owner_id, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
            [code, bank_id, name.strip(), description.strip(), owner_id, store.now()],
        )
        conn.execute(
            "INSERT INTO cohort_facilitators (cohort_id, facilitator_id) VALUES (?, ?)", [cursor.lastrowid, owner_id]
        )
    found = by_code(db, code)
    assert found is not None
    return found


def by_code(db: sqlite_utils.Database, code: str) -> Cohort | None:
    return _cohort(db.conn.execute(f"SELECT {COLUMNS} FROM cohorts WHERE code = ?", [code]).fetchone())


def by_id(db: sqlite_utils.Database, cohort_id: int | None) -> Cohort | None:
    if cohort_id is None:
        return None
    return _cohort(db.conn.execute(f"SELECT {COLUMNS} FROM cohorts WHERE id = ?", [cohort_id]).fetchone())


def of_facilitator(db: sqlite_utils.Database, facilitator_id: int) -> list[Cohort]:
    """The cohorts a facilitator owns or co-owns, newest first."""
    rows = db.conn.execute(
        f"SELECT {', '.join('c.' + c for c in COLUMNS.split(', '))} FROM cohorts c JOIN cohort_facilitators f ON f.cohort_id = c.id"
        " WHERE f.facilitator_id = ? ORDER BY c.created_at DESC, c.id DESC",
        [facilitator_id],
    )
    return [c for c in map(_cohort, rows) if c is not None]


def may_see(db: sqlite_utils.Database, cohort: Cohort, facilitator_id: int | None) -> bool:
    if facilitator_id is None:
        return False
    row = db.conn.execute(
        "SELECT 1 FROM cohort_facilitators WHERE cohort_id = ? AND facilitator_id = ?", [cohort.id, facilitator_id]
    ).fetchone()
    return row is not None


def add_facilitator(db: sqlite_utils.Database, cohort: Cohort, facilitator_id: int) -> None:
    with db.conn as conn:
        conn.execute(
            "INSERT OR IGNORE INTO cohort_facilitators (cohort_id, facilitator_id) VALUES (?, ?)",
            [cohort.id, facilitator_id],
        )


def facilitator_emails(db: sqlite_utils.Database, cohort: Cohort) -> list[str]:
    return [
        r[0]
        for r in db.conn.execute(
            "SELECT f.email FROM facilitators f JOIN cohort_facilitators c ON c.facilitator_id = f.id WHERE c.cohort_id = ? ORDER BY f.email",
            [cohort.id],
        )
    ]


def set_open(db: sqlite_utils.Database, cohort: Cohort, is_open: bool) -> None:
    with db.conn as conn:
        conn.execute("UPDATE cohorts SET open = ? WHERE id = ?", [int(is_open), cohort.id])


def join(db: sqlite_utils.Database, response_id: int, cohort: Cohort) -> None:
    with db.conn as conn:
        conn.execute("UPDATE responses SET cohort_id = ? WHERE id = ?", [cohort.id, response_id])


@dataclass(frozen=True)
class Member:
    """One response in a cohort, with what the dashboard shows of it."""

    response_id: int
    token: str
    organisation: str
    status: str
    created_at: str
    updated_at: str
    submitted_at: str | None
    profile: dict[str, Any]
    scores: dict[str, float | None]
    levels: dict[str, str | None]


def members(db: sqlite_utils.Database, cohort: Cohort, profile_ids: list[str]) -> list[Member]:
    """Every response started in the cohort; each organisation's latest one only.

    Three queries whatever the cohort's size (a national cohort has thousands).
    """
    rows = db.conn.execute(
        "SELECT r.id, r.token, COALESCE(o.name, ''), r.status, r.created_at, r.updated_at, r.submitted_at, r.organisation_id"
        " FROM responses r LEFT JOIN organisations o ON o.id = r.organisation_id WHERE r.cohort_id = ?"
        " ORDER BY r.created_at, r.id",
        [cohort.id],
    ).fetchall()
    latest: dict[Any, Any] = {}
    for row in rows:  # a later start by the same organisation replaces the earlier one
        latest[row[7] if row[7] is not None else ("response", row[0])] = row
    profiles: dict[int, dict[str, Any]] = {}
    if profile_ids:
        for response_id, qid, value in db.conn.execute(
            "SELECT a.response_id, a.question_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id"
            f" WHERE r.cohort_id = ? AND a.question_id IN ({', '.join('?' * len(profile_ids))})",
            [cohort.id, *profile_ids],
        ):
            profiles.setdefault(response_id, {})[qid] = json.loads(value)
    scores: dict[int, dict[str, tuple[float | None, str | None]]] = {}
    for response_id, dimension, score, level in db.conn.execute(
        "SELECT s.response_id, s.dimension, s.score, s.level FROM scores s JOIN responses r ON r.id = s.response_id"
        " WHERE r.cohort_id = ?",
        [cohort.id],
    ):
        scores.setdefault(response_id, {})[dimension] = (score, level)
    out = []
    for row in latest.values():
        own = scores.get(row[0], {})
        out.append(
            Member(
                row[0], row[1], row[2], row[3], row[4], row[5], row[6], profiles.get(row[0], {}),
                {k: v[0] for k, v in own.items()}, {k: v[1] for k, v in own.items()},
            )
        )  # fmt: skip
    return out


def spread(values: list[float]) -> dict[str, float] | None:
    """Median and quartiles as the report defines them, or None for fewer than two values."""
    if len(values) < 2:
        return None
    p25, _, p75 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": statistics.median(values), "p25": p25, "p75": p75}

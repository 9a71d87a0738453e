"""Peer-figure releases: stored once per peer group, served until the next; how much each group changed.

Tables: ``peer_releases`` (one row per release of a bank's peer group: its sequence number,
when, the exact number of members it was drawn from, the ε it spent, and the released
figures as JSON; ``peer_changes`` is no longer written), and ``cohort_approvals`` with ``cohorts.vetted``
(cohorts whose facilitators approve each member).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from selfassess.store.connection import Connection, Db
from selfassess.store.dialect import IntegrityError, begin_writing

COHORT_GROUP = "@cohort"  # grp of a cohort's releases; profile question ids never start with "@"


class GroupKey(NamedTuple):
    """One peer group of one bank: everyone (``""``, ``""``), a profile answer, or a cohort (``@cohort``, id)."""

    bank_id: str
    grp: str
    grp_value: str


@dataclass(frozen=True)
class Release:
    """One stored release of a peer group's figures."""

    id: int
    key: GroupKey
    seq: int
    created_at: str
    members: int  # exact, never shown
    epsilon: float
    figures: dict[str, Any]
    member_ids: tuple[int, ...]  # a cohort's counting responses when drawn (empty for other groups)


@dataclass(frozen=True)
class Draft:
    """What a new release stores."""

    members: int
    epsilon: float
    figures: dict[str, Any]
    member_ids: tuple[int, ...] = ()


# changes_at (and the table peer_changes) served a release policy driven by membership
# changes, replaced by a timetable whose timing tells nothing; the column is written as 0.
_COLUMNS = "id, bank_id, grp, grp_value, seq, created_at, members, epsilon, figures, member_ids"


def _release(row: Any) -> Release:
    return Release(
        row[0], GroupKey(row[1], row[2], row[3]), row[4], row[5], row[6], row[7],
        json.loads(row[8]), tuple(json.loads(row[9] or "[]")),
    )  # fmt: skip


def _latest(conn: Connection, key: GroupKey) -> Release | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM peer_releases WHERE bank_id = ? AND grp = ? AND grp_value = ? ORDER BY seq DESC LIMIT 1",
        list(key),
    ).fetchone()
    return _release(row) if row else None


def latest_release(db: Db, key: GroupKey) -> Release | None:
    """Return the group's newest release (one indexed look-up)."""
    return _latest(db.conn, key)


def make_release(
    db: Db, key: GroupKey, due: Callable[[Release | None], bool], draw: Callable[[], Draft], stamp: str
) -> Release | None:
    """Store a new release if *due* says so for the latest one; return the release to serve.

    Reading the latest release, deciding, drawing and inserting happen as the group's only
    writer (SQLite's write lock; on PostgreSQL an advisory lock on the group, which every app
    server takes), so concurrent requests draw once; the unique (group, seq) key makes a
    second writer that somehow got past it lose cleanly, and it then serves the winner's release.
    """
    conn = db.conn
    try:
        with conn:
            begin_writing(conn, "release", *key)
            latest = _latest(conn, key)
            if not due(latest):
                return latest
            draft = draw()
            conn.execute(
                "INSERT INTO peer_releases (bank_id, grp, grp_value, seq, created_at, members, changes_at, epsilon,"
                " figures, member_ids) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                [*key, (latest.seq if latest else 0) + 1, stamp, draft.members, draft.epsilon,
                 json.dumps(draft.figures), json.dumps(list(draft.member_ids))],
            )  # fmt: skip
    except IntegrityError:
        pass  # another writer stored this sequence number first
    return _latest(conn, key)


def releases_since(db: Db, key: GroupKey, since: str) -> int:
    """How many releases the group had from *since* (ISO time) on."""
    row = db.conn.execute(
        "SELECT COUNT(*) FROM peer_releases WHERE bank_id = ? AND grp = ? AND grp_value = ? AND created_at >= ?",
        [*key, since],
    ).fetchone()
    return int(row[0])


def all_releases(db: Db) -> list[Release]:
    """Every release, oldest first (for ``selfassess privacy --db``)."""
    return [_release(r) for r in db.conn.execute(f"SELECT {_COLUMNS} FROM peer_releases ORDER BY created_at, id")]


def forget_releases(db: Db, key: GroupKey) -> None:
    """Delete a group's releases, so the next request draws afresh (tests: fresh randomness per run)."""
    with db.conn as conn:
        conn.execute("DELETE FROM peer_releases WHERE bank_id = ? AND grp = ? AND grp_value = ?", list(key))


def group_histogram_rows(db: Db, key: GroupKey) -> list[tuple[str, int, int, int]]:
    """Per dimension and whole point c: (dimension, c, scores in [c, c + 1), scores in [c, c + 0.01))."""
    return [
        (row[0], int(row[1]), int(row[2]), int(row[3]))
        for row in db.conn.execute(
            "SELECT dimension, bucket / 100, SUM(n), SUM(CASE WHEN bucket % 100 = 0 THEN n ELSE 0 END)"
            " FROM peer_buckets WHERE bank_id = ? AND grp = ? AND grp_value = ? AND n > 0 GROUP BY dimension, bucket / 100",
            list(key),
        )
    ]


# --- vetted cohorts ------------------------------------------------------------------------------


def cohort_vetted(db: Db, cohort_id: int) -> bool:
    """Whether the cohort's facilitators approve each organisation that joins."""
    row = db.conn.execute("SELECT vetted FROM cohorts WHERE id = ?", [cohort_id]).fetchone()
    return bool(row and row[0])


def set_cohort_vetted(db: Db, cohort_id: int, vetted: bool) -> None:
    """Require (or stop requiring) approval of each member."""
    with db.conn as conn:
        conn.execute("UPDATE cohorts SET vetted = ? WHERE id = ?", [int(vetted), cohort_id])


def approve_member(db: Db, cohort_id: int, member: str) -> None:
    """Approve one member of a cohort (``o<organisation id>`` or ``r<response id>``)."""
    with db.conn as conn:
        conn.execute(
            "INSERT INTO cohort_approvals (cohort_id, member) VALUES (?, ?) ON CONFLICT DO NOTHING", [cohort_id, member]
        )


def approved_members(db: Db, cohort_id: int) -> set[str]:
    """The members of a cohort its facilitators approved."""
    return {r[0] for r in db.conn.execute("SELECT member FROM cohort_approvals WHERE cohort_id = ?", [cohort_id])}

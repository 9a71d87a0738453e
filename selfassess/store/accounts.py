"""Facilitator accounts and failed logins (``facilitators``, ``login_failures``)."""

from __future__ import annotations

from typing import NamedTuple

from selfassess.store.connection import Db
from selfassess.store.dialect import now


class FacilitatorRow(NamedTuple):
    """One row of ``facilitators``."""

    id: int
    email: str
    password_hash: str
    created_at: str
    session_version: int


_COLUMNS = "id, email, password_hash, created_at, session_version"


def new_facilitator(db: Db, email: str, password_hash: str) -> int:
    """Create a facilitator account and return its id."""
    with db.conn as conn:
        (pk,) = conn.execute(
            "INSERT INTO facilitators (email, password_hash, created_at) VALUES (?, ?, ?) RETURNING id",
            [email, password_hash, now()],
        ).fetchone()
    return int(pk)


def facilitator_by_email(db: Db, email: str) -> FacilitatorRow | None:
    """Return the account with this (normalised) e-mail address."""
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM facilitators WHERE email = ?", [email]).fetchone()
    return FacilitatorRow(*row) if row else None


def facilitator_by_id(db: Db, facilitator_id: int) -> FacilitatorRow | None:
    """Return the account with this id."""
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM facilitators WHERE id = ?", [facilitator_id]).fetchone()
    return FacilitatorRow(*row) if row else None


def facilitators(db: Db) -> list[FacilitatorRow]:
    """Every account, by e-mail address."""
    return [FacilitatorRow(*row) for row in db.conn.execute(f"SELECT {_COLUMNS} FROM facilitators ORDER BY email")]


def delete_facilitator(db: Db, facilitator_id: int) -> None:
    """Delete an account; its cohorts stay, without it as owner or co-facilitator."""
    with db.conn as conn:
        conn.execute("DELETE FROM cohort_facilitators WHERE facilitator_id = ?", [facilitator_id])
        # Its reset links go too: a later account may be given the same id.
        conn.execute("DELETE FROM password_resets WHERE facilitator_id = ?", [facilitator_id])
        conn.execute("UPDATE cohorts SET owner_id = NULL WHERE owner_id = ?", [facilitator_id])
        conn.execute("DELETE FROM facilitators WHERE id = ?", [facilitator_id])


def set_password_hash(db: Db, facilitator_id: int, password_hash: str) -> None:
    """Replace an account's password hash and end its sessions."""
    with db.conn as conn:
        conn.execute(
            "UPDATE facilitators SET password_hash = ?, session_version = session_version + 1 WHERE id = ?",
            [password_hash, facilitator_id],
        )


def end_sessions(db: Db, facilitator_id: int) -> None:
    """End every session of an account (its signed cookies name an older session version)."""
    with db.conn as conn:
        conn.execute("UPDATE facilitators SET session_version = session_version + 1 WHERE id = ?", [facilitator_id])


def recent_failures(db: Db, key: str, since: float) -> tuple[int, float | None]:
    """Return how many failed logins *key* had after *since*, and when the last was."""
    row = db.conn.execute(
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = ? AND at > ?", [key, since]
    ).fetchone()
    return int(row[0]), row[1]


def record_failure(db: Db, keys: list[str], at: float, forget_before: float) -> None:
    """Note a failed login for each key, and forget failures older than *forget_before*."""
    with db.conn as conn:
        conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, at) for k in keys])
        conn.execute("DELETE FROM login_failures WHERE at < ?", [forget_before])


def forget_failures(db: Db, key: str) -> None:
    """Forget the failed logins of *key* (after a successful one)."""
    with db.conn as conn:
        conn.execute("DELETE FROM login_failures WHERE key = ?", [key])

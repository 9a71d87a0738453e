"""Facilitator accounts: passwords hashed with scrypt, and logins that slow down after failures."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from selfassess import store

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
# Failed logins per account or address before waiting begins, the window they are
# counted in, and the longest wait: a real user is never locked out for long.
FREE_FAILURES = 5
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 60


class AccountError(ValueError):
    """A facilitator account cannot be created or changed; the message says why."""


@dataclass(frozen=True)
class Facilitator:
    id: int
    email: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add(db: sqlite_utils.Database, email: str, password: str) -> Facilitator:
    """Create a facilitator; raise :class:`AccountError` for a bad or taken e-mail or a short password."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    check_new_password(password)
    if find(db, email) is not None:
        raise AccountError(f"a facilitator with e-mail {email} exists already")
    with db.conn as conn:
        cursor = conn.execute(
            "INSERT INTO facilitators (email, password_hash, created_at) VALUES (?, ?, ?)",
            [email, generate_password_hash(password, method="scrypt"), store.now()],
        )
    return Facilitator(int(cursor.lastrowid or 0), email)


def find(db: sqlite_utils.Database, email: str) -> Facilitator | None:
    row = db.conn.execute("SELECT id, email FROM facilitators WHERE email = ?", [normalise_email(email)]).fetchone()
    return Facilitator(*row) if row else None


def get(db: sqlite_utils.Database, facilitator_id: int) -> Facilitator | None:
    row = db.conn.execute("SELECT id, email FROM facilitators WHERE id = ?", [facilitator_id]).fetchone()
    return Facilitator(*row) if row else None


def all_facilitators(db: sqlite_utils.Database) -> list[tuple[Facilitator, str]]:
    """Every facilitator with the date the account was made."""
    return [
        (Facilitator(r[0], r[1]), r[2])
        for r in db.conn.execute("SELECT id, email, created_at FROM facilitators ORDER BY email")
    ]


def remove(db: sqlite_utils.Database, email: str) -> None:
    found = find(db, email)
    if found is None:
        raise AccountError(f"there is no facilitator with e-mail {normalise_email(email)}")
    with db.conn as conn:
        conn.execute("DELETE FROM cohort_facilitators WHERE facilitator_id = ?", [found.id])
        conn.execute("UPDATE cohorts SET owner_id = NULL WHERE owner_id = ?", [found.id])
        conn.execute("DELETE FROM facilitators WHERE id = ?", [found.id])


def set_password(db: sqlite_utils.Database, email: str, password: str) -> None:
    found = find(db, email)
    if found is None:
        raise AccountError(f"there is no facilitator with e-mail {normalise_email(email)}")
    check_new_password(password)
    with db.conn as conn:
        conn.execute(
            "UPDATE facilitators SET password_hash = ? WHERE id = ?",
            [generate_password_hash(password, method="scrypt"), found.id],
        )


def wait_seconds(db: sqlite_utils.Database, keys: list[str], now: float | None = None) -> int:
    """Return how long these keys (account, address) must wait before the next try; 0 = go."""
    now = time.time() if now is None else now
    longest = 0.0
    for key in keys:
        rows = db.conn.execute(
            "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = ? AND at > ?", [key, now - WINDOW_SECONDS]
        ).fetchone()
        failures, last = rows[0], rows[1]
        if failures >= FREE_FAILURES and last is not None:
            delay = min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1))
            longest = max(longest, last + delay - now)
    return max(0, math.ceil(longest))


def log_in(
    db: sqlite_utils.Database, email: str, password: str, address: str, now: float | None = None
) -> Facilitator | int | None:
    """Check a login: the facilitator, or seconds to wait (too many failures), or None (wrong)."""
    now = time.time() if now is None else now
    keys = [f"account:{normalise_email(email)}", f"address:{address}"]
    wait = wait_seconds(db, keys, now)
    if wait:
        return wait
    row = db.conn.execute(
        "SELECT id, email, password_hash FROM facilitators WHERE email = ?", [normalise_email(email)]
    ).fetchone()
    # Check a hash even for unknown e-mails, so that timing does not tell which exist.
    ok = check_password_hash(row[2] if row else _DUMMY_HASH, password)
    with db.conn as conn:
        if ok and row:
            conn.execute("DELETE FROM login_failures WHERE key = ?", [keys[0]])
            return Facilitator(row[0], row[1])
        conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, now) for k in keys])
        conn.execute("DELETE FROM login_failures WHERE at < ?", [now - WINDOW_SECONDS])
    return None


_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")

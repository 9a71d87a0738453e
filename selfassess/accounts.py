"""Facilitator accounts: passwords hashed with scrypt, and logins that slow down after failures."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from selfassess import store
from selfassess.store import Db

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
    """Return the e-mail address as stored: trimmed, lower case."""
    return email.strip().lower()


def check_new_password(password: str) -> None:
    """Raise :class:`AccountError` for a password too short to keep."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add(db: Db, email: str, password: str) -> Facilitator:
    """Create a facilitator; raise :class:`AccountError` for a bad or taken e-mail or a short password."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    check_new_password(password)
    if find(db, email) is not None:
        raise AccountError(f"a facilitator with e-mail {email} exists already")
    return Facilitator(store.new_facilitator(db, email, generate_password_hash(password, method="scrypt")), email)


def find(db: Db, email: str) -> Facilitator | None:
    """Return the facilitator with this e-mail address (any case, spaces around ignored)."""
    row = store.facilitator_by_email(db, normalise_email(email))
    return Facilitator(row.id, row.email) if row else None


def get(db: Db, facilitator_id: int) -> Facilitator | None:
    """Return the facilitator with this id."""
    row = store.facilitator_by_id(db, facilitator_id)
    return Facilitator(row.id, row.email) if row else None


def all_facilitators(db: Db) -> list[tuple[Facilitator, str]]:
    """Every facilitator with the date the account was made."""
    return [(Facilitator(r.id, r.email), r.created_at) for r in store.facilitators(db)]


def remove(db: Db, email: str) -> None:
    """Delete a facilitator; their cohorts stay."""
    found = find(db, email)
    if found is None:
        raise AccountError(f"there is no facilitator with e-mail {normalise_email(email)}")
    store.delete_facilitator(db, found.id)


def set_password(db: Db, email: str, password: str) -> None:
    """Give a facilitator a new password."""
    found = find(db, email)
    if found is None:
        raise AccountError(f"there is no facilitator with e-mail {normalise_email(email)}")
    check_new_password(password)
    store.set_password_hash(db, found.id, generate_password_hash(password, method="scrypt"))


def wait_seconds(db: Db, keys: list[str], now: float | None = None) -> int:
    """Return how long these keys (account, address) must wait before the next try; 0 = go."""
    now = time.time() if now is None else now
    longest = 0.0
    for key in keys:
        failures, last = store.recent_failures(db, key, now - WINDOW_SECONDS)
        if failures >= FREE_FAILURES and last is not None:
            delay = min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1))
            longest = max(longest, last + delay - now)
    return max(0, math.ceil(longest))


def log_in(db: Db, email: str, password: str, address: str, now: float | None = None) -> Facilitator | int | None:
    """Check a login: the facilitator, or seconds to wait (too many failures), or None (wrong)."""
    now = time.time() if now is None else now
    keys = [f"account:{normalise_email(email)}", f"address:{address}"]
    wait = wait_seconds(db, keys, now)
    if wait:
        return wait
    row = store.facilitator_by_email(db, normalise_email(email))
    # Check a hash even for unknown e-mails, so that timing does not tell which exist.
    ok = check_password_hash(row.password_hash if row else _DUMMY_HASH, password)
    if ok and row:
        store.forget_failures(db, keys[0])
        return Facilitator(row.id, row.email)
    store.record_failure(db, keys, now, now - WINDOW_SECONDS)
    return None


_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")

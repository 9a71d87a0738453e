"""Facilitator accounts: passwords hashed with scrypt, and logins that slow down after failures."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from selfassess import store
from selfassess.store import Db

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254  # the longest address SMTP allows
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte of "password" is work for nothing
# Failed logins per (account, address) pair or per address before waiting begins, the
# window they are counted in, and the longest wait: a real user is never locked out for long.
FREE_FAILURES = 5
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 60
# A password-reset link works once, within this time: long enough to find the e-mail.
RESET_MINUTES = 60


class AccountError(ValueError):
    """A facilitator account cannot be created or changed; the message says why."""


@dataclass(frozen=True)
class Facilitator:
    id: int
    email: str
    session_version: int = 0


def normalise_email(email: str) -> str:
    """Return the e-mail address as stored: trimmed, lower case."""
    return email.strip().lower()


def check_new_password(password: str) -> None:
    """Raise :class:`AccountError` for a password too short to keep."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")


def add(db: Db, email: str, password: str) -> Facilitator:
    """Create a facilitator; raise :class:`AccountError` for a bad or taken e-mail or a short password."""
    email = normalise_email(email)
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    check_new_password(password)
    if find(db, email) is not None:
        raise AccountError(f"a facilitator with e-mail {email} exists already")
    return Facilitator(store.new_facilitator(db, email, generate_password_hash(password, method="scrypt")), email)


def find(db: Db, email: str) -> Facilitator | None:
    """Return the facilitator with this e-mail address (any case, spaces around ignored)."""
    row = store.facilitator_by_email(db, normalise_email(email))
    return Facilitator(row.id, row.email, row.session_version) if row else None


def get(db: Db, facilitator_id: int) -> Facilitator | None:
    """Return the facilitator with this id."""
    row = store.facilitator_by_id(db, facilitator_id)
    return Facilitator(row.id, row.email, row.session_version) if row else None


def end_sessions(db: Db, facilitator: Facilitator) -> None:
    """End every session of this facilitator, on every device (logging out does)."""
    store.end_sessions(db, facilitator.id)


def all_facilitators(db: Db) -> list[tuple[Facilitator, str]]:
    """Every facilitator with the date the account was made."""
    return [(Facilitator(r.id, r.email, r.session_version), r.created_at) for r in store.facilitators(db)]


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


def failure_keys(email: str, address: str) -> list[str]:
    """The counters a failed login adds to: this account from this address, and this address.

    Failures are never counted per account alone: then anyone could make the real user, at
    another address, wait. Keys are hashed, so that what an attacker types is not stored.
    """
    account = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    where = hashlib.sha256(address.encode()).hexdigest()[:32]
    return [f"account:{account}@{where}", f"address:{where}"]


def wait_seconds(db: Db, keys: list[str], now: float | None = None) -> int:
    """Return how long these keys must wait before the next try; 0 = go."""
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
    keys = failure_keys(email, address)
    wait = wait_seconds(db, keys, now)
    if wait:
        return wait
    email = normalise_email(email)
    row = store.facilitator_by_email(db, email) if len(email) <= MAX_EMAIL else None
    # Check a hash even for unknown e-mails, so that timing does not tell which exist.
    ok = check_password_hash(row.password_hash if row else _DUMMY_HASH, password[:MAX_PASSWORD])
    if ok and row and len(password) <= MAX_PASSWORD:
        store.forget_failures(db, keys[0])
        return Facilitator(row.id, row.email, row.session_version)
    store.record_failure(db, keys, now, now - WINDOW_SECONDS)
    return None


_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


# -- password reset by e-mail -------------------------------------------------------------


def _token_hash(token: str) -> str:
    # The table keeps only this: reading the database gives no working link.
    return hashlib.sha256(token.encode()).hexdigest()


def start_reset(db: Db, email: str, now: float | None = None) -> tuple[Facilitator, str] | None:
    """Make a single-use reset link's token for the account with *email*; None when there is none."""
    now = time.time() if now is None else now
    found = find(db, email[: MAX_EMAIL + 1])
    if found is None:
        return None
    token = secrets.token_urlsafe(32)
    store.new_reset(db, found.id, _token_hash(token), now + RESET_MINUTES * 60, now)
    return found, token


def reset_account(db: Db, token: str, now: float | None = None) -> Facilitator | None:
    """Return the account a reset link is for, while the link is unspent and unexpired."""
    now = time.time() if now is None else now
    facilitator_id = store.reset_facilitator(db, _token_hash(token[:100]), now)
    return get(db, facilitator_id) if facilitator_id is not None else None


def finish_reset(db: Db, token: str, password: str, now: float | None = None) -> Facilitator | None:
    """Set a new password through a reset link, spending it and ending every session of the account.

    Raise :class:`AccountError` for a password too short or too long; return None when the
    link is unknown, spent or expired.
    """
    check_new_password(password)
    now = time.time() if now is None else now
    password_hash = generate_password_hash(password, method="scrypt")
    facilitator_id = store.spend_reset(db, _token_hash(token[:100]), password_hash, now)
    return get(db, facilitator_id) if facilitator_id is not None else None

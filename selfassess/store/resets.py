"""Password-reset links (``password_resets``): only a hash of each link's token is kept."""

from __future__ import annotations

from selfassess.store.connection import Db


def new_reset(db: Db, facilitator_id: int, token_hash: str, expires_at: float, now: float) -> None:
    """Keep a reset link's token hash until it expires; forget links that expired before *now*."""
    with db.conn as conn:
        conn.execute("DELETE FROM password_resets WHERE expires_at < ?", [now])
        conn.execute(
            "INSERT INTO password_resets (token_hash, facilitator_id, expires_at) VALUES (?, ?, ?)",
            [token_hash, facilitator_id, expires_at],
        )


def reset_facilitator(db: Db, token_hash: str, now: float) -> int | None:
    """Return the account an unspent, unexpired link belongs to."""
    row = db.conn.execute(
        "SELECT facilitator_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        [token_hash, now],
    ).fetchone()
    return int(row[0]) if row else None


def spend_reset(db: Db, token_hash: str, password_hash: str, now: float) -> int | None:
    """Spend a valid link: set the account's password, end its sessions, spend its other links too.

    One conditional UPDATE decides, so that two uses of one link at once set one password.
    Return the account's id, or None when the link is unknown, spent or expired.
    """
    with db.conn as conn:
        spent = conn.execute(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [now, token_hash, now],
        )
        if spent.rowcount != 1:
            return None
        (facilitator_id,) = conn.execute(
            "SELECT facilitator_id FROM password_resets WHERE token_hash = ?", [token_hash]
        ).fetchone()
        conn.execute(
            "UPDATE password_resets SET used_at = ? WHERE facilitator_id = ? AND used_at IS NULL", [now, facilitator_id]
        )
        conn.execute(
            "UPDATE facilitators SET password_hash = ?, session_version = session_version + 1 WHERE id = ?",
            [password_hash, facilitator_id],
        )
    return int(facilitator_id)

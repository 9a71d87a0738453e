"""What differs between SQLite and PostgreSQL in the store's SQL; every other statement is the same text on both.

The common subset the store keeps to: ``?`` placeholders (translated once for psycopg),
``INSERT ... ON CONFLICT ... DO UPDATE/NOTHING``, ``RETURNING id`` for new ids (SQLite
3.35+), window functions, ``CASE`` instead of summing booleans, timestamps as ISO 8601 text.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from typing import Any

# The order rows were inserted in (answers are shown in the order they were given). SQLite's
# rowid; the PostgreSQL schema gives the tables ordered by it an identity column named rowid.
INSERTION_ORDER = "rowid"


class IntegrityError(sqlite3.IntegrityError):
    """A broken constraint on PostgreSQL, raised as sqlite3's so one ``except`` serves both engines."""


def is_postgres(handle: Any) -> bool:
    """Whether a database handle or connection speaks to PostgreSQL (sqlite3's have no ``engine``)."""
    return getattr(handle, "engine", "sqlite") == "postgresql"


def now() -> str:
    """Return the current UTC time as ISO 8601 text, to the second (the store keeps timestamps as text)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _lock_key(key: tuple[object, ...]) -> str:
    return "\x1f".join(map(str, key))


def begin_writing(conn: Any, *key: object) -> None:
    """Open a ``with conn:`` block as the only writer of *key* until it ends.

    SQLite has one writer at a time: ``BEGIN IMMEDIATE`` takes the database's write lock
    now rather than at the first write. PostgreSQL locks only what the key names (a
    transaction-scoped advisory lock), so writers of other keys go on in parallel.
    """
    if is_postgres(conn):
        serialise(conn, *key)
    else:
        conn.execute("BEGIN IMMEDIATE")


def serialise(conn: Any, *key: object) -> None:
    """Inside a transaction that has written already: wait to be the only writer of *key* until it ends.

    Nothing to do on SQLite, where a transaction's first write took the one write lock.
    """
    if is_postgres(conn):
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [_lock_key(key)])


def for_update(conn: Any) -> str:
    """The suffix that locks the rows a SELECT reads until the transaction ends (SQLite: the write lock does)."""
    return " FOR UPDATE" if is_postgres(conn) else ""


def for_share(conn: Any) -> str:
    """The suffix that keeps the rows a SELECT reads from changing until the transaction ends."""
    return " FOR SHARE" if is_postgres(conn) else ""


def list_items(handle: Any, alias: str) -> str:
    """SQL for ``(response_id, question_id, value)`` of each value of the list answers in ``answers`` *alias*.

    Each value as JSON text, as :func:`selfassess.store.peer_index.group_values` writes it.
    """
    if is_postgres(handle):
        return (
            f"SELECT {alias}.response_id, {alias}.question_id, j.value::text FROM answers {alias},"
            f" jsonb_array_elements({alias}.value::jsonb) j WHERE left({alias}.value, 1) = '['"
        )
    return (
        f"SELECT {alias}.response_id, {alias}.question_id, json_quote(j.value) FROM answers {alias},"
        f" json_each({alias}.value) j WHERE json_type({alias}.value) = 'array'"
    )


def database_identity(db: Any) -> tuple[str, int]:
    """Which database this is: a file's path and inode (connections come and go, files stay), or a server's URL."""
    if is_postgres(db):
        from selfassess.store.postgres import safe_url

        return safe_url(db.url), 0
    path = str(db.conn.execute("PRAGMA database_list").fetchone()[2])
    try:
        return path, os.stat(path).st_ino
    except OSError:
        return path, 0

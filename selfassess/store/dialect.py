"""What is particular to SQLite in the store's SQL, named so that a second engine knows what to replace."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlite_utils

# The order rows were inserted in (answers are shown in the order they were given).
# PostgreSQL has no rowid: it would use a serial column.
INSERTION_ORDER = "rowid"


def now() -> str:
    """Return the current UTC time as ISO 8601 text, to the second (SQLite has no timestamp type)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def database_identity(db: sqlite_utils.Database) -> tuple[str, int]:
    """Which database file this is (path and inode): connections come and go, files stay."""
    path = str(db.conn.execute("PRAGMA database_list").fetchone()[2])
    try:
        return path, os.stat(path).st_ino
    except OSError:
        return path, 0

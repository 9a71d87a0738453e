"""Opening SQLite databases: per-connection options, and one kept connection per thread and file."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import TypeAlias

import sqlite_utils

# The handle every store function takes first. A second engine would put its own
# handle here (with a connection that speaks DB-API, as sqlite3 does).
Db: TypeAlias = sqlite_utils.Database

_local = threading.local()


def configure(conn: sqlite3.Connection) -> None:
    """Set the per-connection options every connection needs."""
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL keeps the database consistent after a crash; only the last
    # transactions before a power cut can be lost, and commits need no fsync.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Reads through a memory map need no system call per page: the peer queries and the
    # report of one provider touch a few dozen scattered pages of a large database.
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -32000")


def open_database(path: str | Path) -> Db:
    """Open the database at *path* with the options set, without touching its schema."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    configure(conn)
    return sqlite_utils.Database(conn)


def create_private(path: Path) -> None:
    """Create the database file readable by its owner only: it holds password hashes, tokens and answers.

    SQLite gives the -wal and -shm files the main file's permissions.
    """
    if str(path) == ":memory:":
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def connect(path: str | Path) -> Db:
    """Open the database at *path* in WAL mode, creating and migrating its schema."""
    from selfassess.store.schema import migrate  # the schema's steps use the other store modules

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    create_private(Path(path))
    db = open_database(path)
    db.enable_wal()
    migrate(db)
    return db


def thread_connection(path: str) -> Db:
    """Return this thread's connection to the database at *path*, opening it on first use.

    Opening a SQLite connection and closing it (which may checkpoint the WAL) costs more
    than the queries of a page, so each worker thread keeps its own. No transaction is
    left open between uses: every write in the store runs inside ``with conn:``.
    """
    connections: dict[str, Db] = _local.__dict__.setdefault("connections", {})
    db = connections.get(path)
    if db is None:
        if len(connections) >= 4:  # an app serves one database; tests make many
            connections.pop(next(iter(connections))).conn.close()
        db = connections[path] = open_database(path)
    return db

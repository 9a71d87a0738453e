"""Opening databases: a SQLite file (per-connection options, one kept connection per thread and file)
or a PostgreSQL URL (a pool of connections per process and URL, see :mod:`selfassess.store.postgres`)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import sqlite_utils

from selfassess.store import dialect

if TYPE_CHECKING:
    from selfassess.store.postgres import PgConnection, PgDatabase

# The handle every store function takes first, and its connection: both engines give the
# store sqlite3's small interface (execute, executemany, ``with conn:`` as one transaction).
Db: TypeAlias = "sqlite_utils.Database | PgDatabase"
Connection: TypeAlias = "sqlite3.Connection | PgConnection"

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_POOL_SIZE = 4

_local = threading.local()


class Unreachable(RuntimeError):
    """The PostgreSQL server of a database URL cannot be reached or refuses the connection (the message says which)."""


__all__ = [
    "Connection", "Db", "Unreachable", "configure", "connect", "is_postgres", "open_database", "thread_connection",
]  # fmt: skip


def is_postgres(target: str | Path | Any) -> bool:
    """Whether *target* (a database setting, or a handle or connection) is PostgreSQL rather than SQLite."""
    if isinstance(target, str | Path):
        return str(target).startswith(POSTGRES_SCHEMES)
    return dialect.is_postgres(target)


def configure(conn: sqlite3.Connection) -> None:
    """Set the per-connection options every SQLite connection needs."""
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL keeps the database consistent after a crash; only the last
    # transactions before a power cut can be lost, and commits need no fsync.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Reads through a memory map need no system call per page: the peer queries and the
    # report of one provider touch a few dozen scattered pages of a large database.
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -32000")


def open_database(target: str | Path, *, pool_size: int = DEFAULT_POOL_SIZE) -> Db:
    """Open the database *target* (a SQLite path or a PostgreSQL URL) without touching its schema."""
    if is_postgres(target):
        from selfassess.store.postgres import open_pg  # psycopg only when PostgreSQL is used

        return open_pg(str(target), pool_size)
    conn = sqlite3.connect(str(target), timeout=30, check_same_thread=False)
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


def connect(target: str | Path, *, pool_size: int = DEFAULT_POOL_SIZE) -> Db:
    """Open the database *target*, creating and migrating its schema (a SQLite file in WAL mode)."""
    from selfassess.store.schema import migrate  # the schema's steps use the other store modules

    if is_postgres(target):
        db = open_database(target, pool_size=pool_size)
    else:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        create_private(Path(target))
        db = open_database(target)
        assert isinstance(db, sqlite_utils.Database)
        db.enable_wal()
    migrate(db)
    return db


def thread_connection(target: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> Db:
    """Return this thread's handle on the database *target*, opening it on first use.

    Opening a SQLite connection and closing it (which may checkpoint the WAL) costs more
    than the queries of a page, so each worker thread keeps its own. A PostgreSQL handle
    borrows a pooled connection per statement or transaction, so one per process serves
    every thread. No transaction is left open between uses: every write in the store runs
    inside ``with conn:``.
    """
    if is_postgres(target):
        return open_database(target, pool_size=pool_size)
    connections: dict[str, Db] = _local.__dict__.setdefault("connections", {})
    db = connections.get(target)
    if db is None:
        if len(connections) >= 4:  # an app serves one database; tests make many
            connections.pop(next(iter(connections))).conn.close()
        db = connections[target] = open_database(target)
    return db


def close_pool(target: str) -> None:
    """Close this process's PostgreSQL pool for *target*, if it has one (nothing to do for SQLite)."""
    if is_postgres(target):
        from selfassess.store.postgres import close_pool as close

        close(target)


def engine_name(target: str | Path | Any) -> str:
    """``sqlite`` or ``postgresql``: which engine a setting, handle or connection names."""
    return "postgresql" if is_postgres(target) else "sqlite"

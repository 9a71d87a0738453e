"""Database connections for requests: one per thread, opened on first use and kept.

Opening a SQLite connection and closing it (which may checkpoint the WAL) costs more
than the queries of a page, so each worker thread keeps its own connection.
"""

from __future__ import annotations

import sqlite3
import threading

import sqlite_utils
from flask import Flask, current_app

from selfassess import store

_local = threading.local()


def get_db() -> sqlite_utils.Database:
    """Return this thread's connection to the app's database, opening it on first use."""
    return connection(current_app.config["SELFASSESS_DATABASE"])


def connection(path: str) -> sqlite_utils.Database:
    """Return this thread's connection to the database at *path*, opening it on first use."""
    connections: dict[str, sqlite_utils.Database] = _local.__dict__.setdefault("connections", {})
    db = connections.get(path)
    if db is None:
        if len(connections) >= 4:  # an app serves one database; tests make many
            connections.pop(next(iter(connections))).conn.close()
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        store.configure(conn)
        db = connections[path] = sqlite_utils.Database(conn)
    return db


def init_app(app: Flask) -> None:
    """Create or migrate the schema once at start.

    No teardown is needed: every write in :mod:`selfassess.store` runs inside
    ``with conn:``, which commits or rolls back, so a kept connection never holds
    a transaction open between requests.
    """
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    for bank in app.extensions["selfassess_catalog"].banks.values():
        store.register_profile(db, bank)
    db.conn.close()

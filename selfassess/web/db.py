"""One database connection per request, kept on ``g`` and closed at teardown."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from flask import Flask, current_app, g

from selfassess import store


def get_db() -> sqlite_utils.Database:
    """Return this request's database connection, opening it on first use."""
    if "db" not in g:
        conn = sqlite3.connect(current_app.config["SELFASSESS_DATABASE"], timeout=30, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        g.db = sqlite_utils.Database(conn)
    return g.db  # type: ignore[no-any-return]


def close_db(exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    """Create or migrate the schema once at start, and close connections after each request."""
    store.connect(app.config["SELFASSESS_DATABASE"]).conn.close()
    app.teardown_appcontext(close_db)

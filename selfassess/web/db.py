"""The request's database: this thread's kept SQLite connection, or the process's PostgreSQL pool."""

from __future__ import annotations

from flask import Flask, current_app

from selfassess import purge, store
from selfassess.store import thread_connection as connection

__all__ = ["connection", "get_db", "init_app"]


def get_db() -> store.Db:
    """Return this thread's handle on the app's database, opening it on first use."""
    config = current_app.config
    return connection(config["SELFASSESS_DATABASE"], pool_size=config["SELFASSESS_DB_POOL_SIZE"])


def init_app(app: Flask) -> None:
    """Create or migrate the schema once at start, record the banks' peer groups, and purge expired drafts.

    No teardown is needed: every write in :mod:`selfassess.store` runs inside
    ``with conn:``, which commits or rolls back, so a kept connection never holds
    a transaction open between requests (and a pooled one is back in its pool).
    """
    db = store.connect(app.config["SELFASSESS_DATABASE"], pool_size=app.config["SELFASSESS_DB_POOL_SIZE"])
    for bank in app.extensions["selfassess_catalog"].banks.values():
        store.register_profile(db, bank)
    purged = purge.purge_drafts(db, app.config["SELFASSESS_DRAFT_DAYS"])
    if purged.drafts:
        app.logger.info("deleted %d expired drafts (%d empty) at start", purged.drafts, purged.empty)
    db.conn.close()

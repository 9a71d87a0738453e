"""The request's database connection: this thread's kept connection to the app's database."""

from __future__ import annotations

from flask import Flask, current_app

from selfassess import purge, store
from selfassess.store import thread_connection as connection

__all__ = ["connection", "get_db", "init_app"]


def get_db() -> store.Db:
    """Return this thread's connection to the app's database, opening it on first use."""
    return connection(current_app.config["SELFASSESS_DATABASE"])


def init_app(app: Flask) -> None:
    """Create or migrate the schema once at start, record the banks' peer groups, and purge expired drafts.

    No teardown is needed: every write in :mod:`selfassess.store` runs inside
    ``with conn:``, which commits or rolls back, so a kept connection never holds
    a transaction open between requests.
    """
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    for bank in app.extensions["selfassess_catalog"].banks.values():
        store.register_profile(db, bank)
    purged = purge.purge_drafts(db, app.config["SELFASSESS_DRAFT_DAYS"])
    if purged.drafts:
        app.logger.info("deleted %d expired drafts (%d empty) at start", purged.drafts, purged.empty)
    db.conn.close()

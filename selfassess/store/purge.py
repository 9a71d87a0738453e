"""Abandoned drafts: finding and deleting drafts nobody has touched for a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from selfassess.store.connection import Db
from selfassess.store.dialect import begin_writing, for_update

# A draft is empty when it has no answers, and its last change is updated_at (created_at for
# rows of the oldest schema, which could lack it). Submitted responses never match: their
# reports must last.
_LAST_CHANGE = "coalesce(updated_at, created_at)"
_EMPTY = "NOT EXISTS (SELECT 1 FROM answers a WHERE a.response_id = responses.id)"
_EMPTY_COUNT = f"CASE WHEN {_EMPTY} THEN 1 ELSE 0 END"
# A round's coordinator and respondents keep their drafts while the round is open: the
# coordinator's response holds the round together until it is closed.
_IN_OPEN_ROUND = (
    "round_id IS NOT NULL AND EXISTS (SELECT 1 FROM rounds o WHERE o.id = responses.round_id AND o.status = 'open')"
)
_EXPIRED = f"status = 'draft' AND NOT ({_IN_OPEN_ROUND}) AND (({_LAST_CHANGE} < ? AND {_EMPTY}) OR {_LAST_CHANGE} < ?)"


class DraftCounts(NamedTuple):
    """Expired drafts: empty ones, ones with answers, and those answers."""

    empty: int
    untouched: int
    answers: int


def _cutoffs(empty_days: int, draft_days: int) -> list[str]:
    """The two moments, as the stored timestamps' text (ISO 8601, UTC, to the second), in _EXPIRED's order."""
    now = datetime.now(UTC).replace(microsecond=0)
    return [(now - timedelta(days=days)).isoformat() for days in (empty_days, draft_days)]


def count_expired_drafts(db: Db, *, empty_days: int, draft_days: int) -> DraftCounts:
    """Count the drafts (and their answers) that :func:`delete_expired_drafts` would delete now."""
    return _count(db, _cutoffs(empty_days, draft_days))


def _count(db: Db, cutoffs: list[str]) -> DraftCounts:
    empty, untouched = db.conn.execute(
        f"SELECT coalesce(sum({_EMPTY_COUNT}), 0), coalesce(sum(1 - {_EMPTY_COUNT}), 0) FROM responses WHERE {_EXPIRED}",
        cutoffs,
    ).fetchone()
    (answers,) = db.conn.execute(
        f"SELECT count(*) FROM answers WHERE response_id IN (SELECT id FROM responses WHERE {_EXPIRED})", cutoffs
    ).fetchone()
    return DraftCounts(int(empty), int(untouched), int(answers))


def delete_expired_drafts(db: Db, *, empty_days: int, draft_days: int) -> DraftCounts:
    """Delete drafts without answers untouched for *empty_days* and all drafts untouched for *draft_days*.

    One transaction, under the write lock from its start (on PostgreSQL, the expired drafts'
    rows locked first): a respondent saving a page at that moment either touched the draft
    before (it stays) or waits and finds it gone.
    """
    cutoffs = _cutoffs(empty_days, draft_days)
    with db.conn as conn:
        begin_writing(conn, "purge")
        conn.execute(f"SELECT id FROM responses WHERE {_EXPIRED}{for_update(conn)}", cutoffs)
        counts = _count(db, cutoffs)
        # copied_from is no foreign key, and SQLite may give a deleted draft's id to a new
        # response: a copy must not come to point at a stranger's response.
        conn.execute(
            f"UPDATE responses SET copied_from = NULL WHERE copied_from IN (SELECT id FROM responses WHERE {_EXPIRED})",
            cutoffs,
        )
        conn.execute(f"DELETE FROM answers WHERE response_id IN (SELECT id FROM responses WHERE {_EXPIRED})", cutoffs)
        conn.execute(f"DELETE FROM responses WHERE {_EXPIRED}", cutoffs)
    return counts

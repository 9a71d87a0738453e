"""Expiry of abandoned drafts: empty ones after a day, untouched ones after SELFASSESS_DRAFT_DAYS."""

from __future__ import annotations

from dataclasses import dataclass

from selfassess import store
from selfassess.store import Db

# An empty draft holds nothing a respondent could lose, and one start often leaves one behind
# (a second tab, a change of mind); a day covers a sitting that spans midnight.
EMPTY_DRAFT_DAYS = 1


@dataclass(frozen=True)
class Purged:
    """What a purge deleted (or, in a dry run, would delete)."""

    empty: int
    untouched: int
    answers: int
    dry_run: bool

    @property
    def drafts(self) -> int:
        return self.empty + self.untouched


def purge_drafts(db: Db, draft_days: int, *, dry_run: bool = False) -> Purged:
    """Delete expired drafts and their answers (count them only, if *dry_run*); submitted responses stay."""
    if draft_days < EMPTY_DRAFT_DAYS:
        raise ValueError(
            f"SELFASSESS_DRAFT_DAYS is {draft_days}, but drafts must be kept at least {EMPTY_DRAFT_DAYS} day;"
            " set it to 1 or more (180 is the default)"
        )
    act = store.count_expired_drafts if dry_run else store.delete_expired_drafts
    counts = act(db, empty_days=EMPTY_DRAFT_DAYS, draft_days=draft_days)
    return Purged(counts.empty, counts.untouched, counts.answers, dry_run)

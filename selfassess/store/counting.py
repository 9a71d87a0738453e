"""The one rule for which response counts for an organisation, and the queries that apply it.

The response that counts for an organisation, for one bank and within one scope (all
responses, or one cohort's), is its latest *submitted* response: the greatest
``submitted_at``, ties (timestamps are to the second) to the greater id. Only that
response enters figures: the peer index (``scores.latest``), the cohort figures, the
dashboard and the exports. An organisation with nothing submitted in a cohort is shown
there by its latest draft, as in progress, and counts in no figures. A response with no
organisation yet stands for itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from selfassess.store.connection import Connection, Db

SUBMITTED = "submitted"
# The rule, as an ORDER BY over ``responses``: the response that counts comes first.
LATEST_SUBMITTED_FIRST = "submitted_at DESC, id DESC"


def counting_response(conn: Connection, organisation_id: int, bank_id: str) -> int | None:
    """Return the id of the response that counts for an organisation among all its responses to a bank."""
    row = conn.execute(
        "SELECT id FROM responses WHERE organisation_id = ? AND bank_id = ? AND status = ?"
        f" ORDER BY {LATEST_SUBMITTED_FIRST} LIMIT 1",
        [organisation_id, bank_id, SUBMITTED],
    ).fetchone()
    return int(row[0]) if row else None


class Shown(NamedTuple):
    """The response shown for one member of a cohort: the one that counts, else its latest draft."""

    cohort_id: int
    response_id: int
    organisation_id: int | None
    status: str

    @property
    def counts(self) -> bool:
        return self.status == SUBMITTED

    @property
    def member(self) -> tuple[str, int]:
        """Who this is: the organisation, or the response itself while it has none."""
        return (
            ("organisation", self.organisation_id)
            if self.organisation_id is not None
            else ("response", self.response_id)
        )


def shown_in_cohorts(db: Db, cohort_ids: Sequence[int]) -> list[Shown]:
    """Return one response per member organisation of each cohort (responses to the cohort's bank)."""
    out: list[Shown] = []
    for first in range(0, len(cohort_ids), 500):  # stay below SQLite's parameter limit
        ids = list(cohort_ids[first : first + 500])
        # A window over the cohort's responses: submitted ones first, in the rule's order, then
        # drafts, newest first. Standard SQL (SQLite 3.25+, PostgreSQL).
        out.extend(
            Shown(*row)
            for row in db.conn.execute(
                "SELECT cohort_id, id, organisation_id, status FROM ("
                " SELECT cohort_id, id, organisation_id, status, ROW_NUMBER() OVER ("
                "  PARTITION BY cohort_id, organisation_id, CASE WHEN organisation_id IS NULL THEN id END"
                f"  ORDER BY CASE WHEN status = ? THEN 0 ELSE 1 END, {LATEST_SUBMITTED_FIRST}) AS pick"
                " FROM responses"
                f" WHERE cohort_id IN ({', '.join('?' * len(ids))})"
                " AND bank_id = (SELECT c.bank_id FROM cohorts c WHERE c.id = responses.cohort_id)"
                ") AS ranked WHERE pick = 1 ORDER BY id",
                [SUBMITTED, *ids],
            )
        )
    return out

"""Cohorts: a group of providers invited by facilitators to answer one bank."""

from __future__ import annotations

import secrets

from selfassess import store
from selfassess.peers import member_key, quartiles
from selfassess.store import Cohort, Db, Member

__all__ = [
    "Cohort",
    "Member",
    "add_facilitator",
    "approve",
    "approved",
    "by_code",
    "by_id",
    "create",
    "facilitator_emails",
    "is_vetted",
    "join",
    "may_see",
    "member_of",
    "members",
    "of_facilitator",
    "remove_facilitator",
    "set_open",
    "set_vetted",
    "spread",
]  # fmt: skip


def create(
    db: Db, owner_id: int | None, bank_id: str, name: str, description: str = "", code: str | None = None
) -> Cohort:
    """Create an open cohort owned by *owner_id* (``None``: by nobody), with an unguessable invite code unless given."""
    return store.new_cohort(db, code or secrets.token_urlsafe(9), owner_id, bank_id, name.strip(), description.strip())


def by_code(db: Db, code: str) -> Cohort | None:
    """Return the cohort with this invite code."""
    return store.cohort_by_code(db, code)


def by_id(db: Db, cohort_id: int | None) -> Cohort | None:
    """Return the cohort with this id (none for ``None``)."""
    return None if cohort_id is None else store.cohort_by_id(db, cohort_id)


def of_facilitator(db: Db, facilitator_id: int) -> list[Cohort]:
    """The cohorts a facilitator owns or co-owns, newest first."""
    return store.cohorts_of_facilitator(db, facilitator_id)


def may_see(db: Db, cohort: Cohort, facilitator_id: int | None) -> bool:
    """Whether this facilitator (``None``: nobody logged in) may see the cohort."""
    return facilitator_id is not None and store.is_cohort_facilitator(db, cohort.id, facilitator_id)


def add_facilitator(db: Db, cohort: Cohort, facilitator_id: int) -> None:
    """Share the cohort with another facilitator."""
    store.add_cohort_facilitator(db, cohort.id, facilitator_id)


def remove_facilitator(db: Db, cohort: Cohort, facilitator_id: int) -> None:
    """Stop sharing the cohort with a co-facilitator (never its owner)."""
    if facilitator_id != cohort.owner_id:
        store.remove_cohort_facilitator(db, cohort.id, facilitator_id)


def facilitator_emails(db: Db, cohort: Cohort) -> list[str]:
    """The e-mail addresses of the cohort's facilitators, sorted."""
    return store.cohort_facilitator_emails(db, cohort.id)


def set_open(db: Db, cohort: Cohort, is_open: bool) -> None:
    """Open or close the cohort to new starts."""
    store.set_cohort_open(db, cohort.id, is_open)


def is_vetted(db: Db, cohort: Cohort) -> bool:
    """Whether the cohort's facilitators approve each organisation that joins."""
    return store.cohort_vetted(db, cohort.id)


def set_vetted(db: Db, cohort: Cohort, vetted: bool) -> None:
    """Require approval of each member (the cohort's peer group then holds approved members only), or stop."""
    store.set_cohort_vetted(db, cohort.id, vetted)


def member_of(response: store.Response) -> str:
    """How an approval names the member a response stands for: its organisation, or itself while it has none."""
    if response.organisation_id is not None:
        return member_key(("organisation", response.organisation_id))
    return member_key(("response", response.id))


def approve(db: Db, cohort: Cohort, response_id: int) -> bool:
    """Approve the organisation of one of the cohort's responses; False if the response is not the cohort's."""
    response = store.get_response_by_id(db, response_id) if 0 < response_id < 2**63 else None
    if response is None or response.cohort_id != cohort.id:
        return False
    store.approve_member(db, cohort.id, member_of(response))
    return True


def approved(db: Db, cohort: Cohort, members_shown: list[Member]) -> set[int]:
    """The response ids among *members_shown* whose organisation is approved."""
    keys = store.approved_members(db, cohort.id)
    wanted = {m.response_id for m in members_shown}
    # Two queries whatever the cohort's size: the members shown, and the approvals.
    return {
        s.response_id
        for s in store.cohort_shown(db, cohort.id)
        if s.response_id in wanted and member_key(s.member) in keys
    }


def join(db: Db, response_id: int, cohort: Cohort) -> None:
    """Make a response part of the cohort."""
    store.join_cohort(db, response_id, cohort.id)


def members(db: Db, cohort: Cohort, profile_ids: list[str]) -> list[Member]:
    """One member per organisation: its counting response, or while it has none its latest draft."""
    return store.cohort_members(db, cohort, profile_ids)


def spread(values: list[float]) -> dict[str, float] | None:
    """Median and quartiles as the report defines them, or None for fewer than two values."""
    if len(values) < 2:
        return None
    ordered = sorted(values)
    p25, median, p75 = quartiles(len(ordered), ordered.__getitem__)
    return {"median": median, "p25": p25, "p75": p75}

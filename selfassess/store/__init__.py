"""The store: every SQL statement of selfassess, on SQLite (through sqlite-utils) or PostgreSQL (psycopg).

Modules, one job each:

- ``connection``: opening a database (a SQLite path or a ``postgresql://`` URL), SQLite's
  per-connection options, one kept SQLite connection per thread.
- ``postgres``: sqlite3's small interface over a psycopg pool per process and URL.
- ``schema``: the schema's history as sqlite-utils migrations; ``both_engines`` steps after v12.
- ``pg_schema``: the PostgreSQL schema, created at v12, its migrations table and lock.
- ``dialect``: what differs between the engines (write locks, row locks, JSON lists, identity).
- ``counting``: the one rule for the response that counts for an organisation.
- ``responses``: organisations, responses, answers, bank snapshots, submitting.
- ``peer_index``: scores, peer bucket counts and every query the peer figures need.
- ``accounts``: facilitators and failed logins.
- ``cohorts``: cohorts, their facilitators and members.
- ``purge``: finding and deleting abandoned drafts.
- ``releases``: peer-figure releases, per-group change counters, vetted cohorts' approvals.
- ``resets``: password-reset links (a hash of each token).
- ``rounds``: rounds of banks with roles: coordinating response, role invitations, closing.

Tables (documented in the README):

- ``organisations``: one row per provider (``name``, ``demo`` for synthetic ones).
- ``responses``: one per attempt at a bank: an unguessable ``token``, the bank's id,
  version and content hash as answered, ``status`` (draft/submitted), language, the
  page to resume at, timestamps, ``copied_from`` when started from another one, and
  ``cohort_id`` when started from a cohort's invitation.
- ``answers``: one row per response x question; ``value`` is JSON.
- ``scores``: one row per submitted response x dimension (``dimension`` ``""`` is the
  overall score), with the bank id, organisation and profile answers copied in so that
  the peer queries of the report run on one indexed table; ``latest`` marks the response
  that counts for its organisation, ``bucket`` is ``floor(score x 100)``.
- ``peer_buckets``: how many counting scores fall in each 0.01-point bucket, per bank,
  dimension and peer group (``grp`` ``""`` is everyone; else a profile question id and
  ``grp_value`` the answer, as JSON). Kept up to date on submit, so peer figures never
  need to count millions of rows.
- ``peer_version``, ``version_counts``, ``profile_questions``, ``bank_versions``;
  ``facilitators``, ``login_failures``, ``cohorts``, ``cohort_facilitators``;
  ``password_resets`` (a SHA-256 of each reset link's token, its account, expiry and use).
- ``rounds`` (a bank with roles: one organisation's round, its coordinating response, status,
  the combined result as JSON once closed), ``role_invitations`` (one token per round and
  role); ``responses.round_id`` and ``responses.role`` mark a round's responses.
"""

from __future__ import annotations

from selfassess.store.accounts import (
    FacilitatorRow,
    delete_facilitator,
    end_sessions,
    facilitator_by_email,
    facilitator_by_id,
    facilitators,
    forget_failures,
    new_facilitator,
    recent_failures,
    record_failure,
    set_password_hash,
)
from selfassess.store.cohorts import (
    Cohort,
    Member,
    add_cohort_facilitator,
    cohort_answers,
    cohort_by_code,
    cohort_by_id,
    cohort_counted,
    cohort_counts,
    cohort_facilitator_emails,
    cohort_members,
    cohort_shown,
    cohorts_of_facilitator,
    is_cohort_facilitator,
    join_cohort,
    new_cohort,
    remove_cohort_facilitator,
    set_cohort_open,
)
from selfassess.store.connection import Db, Unreachable, configure, connect, open_database, thread_connection
from selfassess.store.counting import SUBMITTED, Shown
from selfassess.store.dialect import database_identity, now
from selfassess.store.peer_index import (
    BUCKETS,
    OVERALL,
    bucket_of,
    group_values,
    load_scores,
    other_version_peers,
    profile_key,
    rebuild_peer_buckets,
    register_profile,
    response_scores,
    scores_of,
)
from selfassess.store.purge import DraftCounts, count_expired_drafts, delete_expired_drafts
from selfassess.store.releases import (
    COHORT_GROUP,
    Draft,
    GroupKey,
    Release,
    all_releases,
    approve_member,
    approved_members,
    cohort_vetted,
    forget_releases,
    group_histogram_rows,
    latest_release,
    make_release,
    releases_since,
    set_cohort_vetted,
)
from selfassess.store.resets import new_reset, reset_facilitator, spend_reset
from selfassess.store.responses import (
    AlreadySubmitted,
    AnswersChanged,
    Response,
    add_organisation,
    create_response,
    demo_organisations,
    earlier_submissions,
    get_response,
    get_response_by_id,
    keep_snapshot,
    latest_snapshot,
    load_answers,
    new_token,
    organisation_name,
    save_answers,
    set_organisation,
    set_response_organisation,
    snapshot,
    stored_answer,
    submit,
)
from selfassess.store.rounds import (
    Round,
    close_round,
    cohort_participation,
    create_next_round,
    create_round,
    earlier_rounds,
    invitation,
    invitations,
    join_round,
    newest_rounds,
    participation,
    round_by_id,
    submit_respondent,
    submitted_respondents,
)
from selfassess.store.schema import migrate

__all__ = [
    "BUCKETS",
    "OVERALL",
    "SUBMITTED",
    "AlreadySubmitted",
    "AnswersChanged",
    "Cohort",
    "Db",
    "DraftCounts",
    "FacilitatorRow",
    "Member",
    "Response",
    "Shown",
    "Unreachable",
    "add_cohort_facilitator",
    "add_organisation",
    "bucket_of",
    "cohort_answers",
    "cohort_by_code",
    "cohort_by_id",
    "cohort_counted",
    "cohort_counts",
    "cohort_facilitator_emails",
    "cohort_members",
    "cohort_shown",
    "cohorts_of_facilitator",
    "configure",
    "connect",
    "count_expired_drafts",
    "create_response",
    "database_identity",
    "delete_expired_drafts",
    "delete_facilitator",
    "demo_organisations",
    "earlier_submissions",
    "end_sessions",
    "facilitator_by_email",
    "facilitator_by_id",
    "facilitators",
    "forget_failures",
    "get_response",
    "get_response_by_id",
    "group_values",
    "is_cohort_facilitator",
    "join_cohort",
    "keep_snapshot",
    "latest_snapshot",
    "load_answers",
    "load_scores",
    "migrate",
    "new_cohort",
    "new_facilitator",
    "new_reset",
    "new_token",
    "now",
    "open_database",
    "organisation_name",
    "other_version_peers",
    "profile_key",
    "rebuild_peer_buckets",
    "recent_failures",
    "record_failure",
    "register_profile",
    "remove_cohort_facilitator",
    "reset_facilitator",
    "response_scores",
    "save_answers",
    "scores_of",
    "set_cohort_open",
    "set_organisation",
    "set_password_hash",
    "set_response_organisation",
    "snapshot",
    "spend_reset",
    "stored_answer",
    "submit",
    "thread_connection",
]  # fmt: skip
__all__ += [  # peer-figure releases (issue 13)
    "COHORT_GROUP", "Draft", "GroupKey", "Release", "all_releases", "approve_member", "approved_members",
    "cohort_vetted", "forget_releases", "group_histogram_rows", "latest_release", "make_release",
    "releases_since", "set_cohort_vetted",
]  # fmt: skip
__all__ += [  # rounds of banks with roles (issue 14)
    "Round", "close_round", "cohort_participation", "create_next_round", "create_round", "earlier_rounds", "invitation",
    "invitations", "join_round", "newest_rounds", "participation", "round_by_id", "submit_respondent",
    "submitted_respondents",
]  # fmt: skip

"""The schema's history, as sqlite-utils migrations; :func:`migrate` brings any database up to date.

Each step is named and recorded in ``_sqlite_migrations`` once applied. A new step is a
new function at the end, never an edit of an applied one. The steps only create and
reshape tables; what they recompute comes from the modules that own the data.

A PostgreSQL database is created at v12 in one step (:mod:`selfassess.store.pg_schema`).
Steps after v12 run on both engines: write them with :func:`both_engines`, in the SQL both
speak (``db.execute``), and they are recorded in each engine's migrations table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from selfassess.store import peer_index, pg_schema
from selfassess.store.connection import Db, is_postgres
from selfassess.store.counting import LATEST_SUBMITTED_FIRST, SUBMITTED

MIGRATIONS = Migrations("selfassess")

# Before sqlite-utils' migrations, a hand-written ladder kept the schema version in
# PRAGMA user_version (1-5). Its steps are the first five migrations below, in order,
# and do what the ladder did; LADDER[:n] are the steps a database at version n has had.
LADDER = (
    "v1_responses_and_scores",
    "v2_peer_buckets",
    "v3_facilitators_and_cohorts",
    "v4_bank_versions",
    "v5_fine_buckets_and_profiles",
)
LADDER_VERSION = len(LADDER)


@MIGRATIONS(name=LADDER[0])
def _v1(db: sqlite_utils.Database) -> None:
    db.table("organisations").create(
        {"id": int, "name": str, "demo": int, "created_at": str}, pk="id", not_null={"name"}, if_not_exists=True
    )
    db.table("responses").create(
        {
            "id": int,
            "token": str,
            "organisation_id": int,
            "bank_id": str,
            "bank_version": str,
            "bank_hash": str,
            "status": str,
            "language": str,
            "current_page": int,
            "copied_from": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
        },
        pk="id",
        foreign_keys=[("organisation_id", "organisations", "id")],
        not_null={"token", "bank_id", "bank_version", "bank_hash", "status", "language", "created_at"},
        defaults={"status": "draft", "current_page": 1},
        if_not_exists=True,
    )
    db.table("responses").create_index(["token"], unique=True, if_not_exists=True)
    db.table("responses").create_index(["organisation_id", "bank_id", "status"], if_not_exists=True)
    db.table("answers").create(
        {"response_id": int, "question_id": str, "value": str, "updated_at": str},
        pk=("response_id", "question_id"),
        foreign_keys=[("response_id", "responses", "id")],
        if_not_exists=True,
    )
    db.table("scores").create(
        {
            "response_id": int,
            "dimension": str,
            "bank_id": str,
            "organisation_id": int,
            "score": float,
            "level": str,
            "counted": int,
            "of": int,
            "submitted_at": str,
        },
        pk=("response_id", "dimension"),
        foreign_keys=[("response_id", "responses", "id")],
        if_not_exists=True,
    )
    # Peer figures: all submitted scores of one bank and dimension, in score order.
    db.table("scores").create_index(["bank_id", "dimension", "score"], if_not_exists=True)
    db.table("scores").create_index(["organisation_id", "bank_id"], if_not_exists=True)


@MIGRATIONS(name=LADDER[1])
def _v2(db: sqlite_utils.Database) -> None:
    scores = db.table("scores")
    if "latest" not in scores.columns_dict:
        scores.add_column("latest", int, not_null_default=1)
        scores.add_column("bucket", int)
    db.execute("UPDATE scores SET bucket = CAST(score * 10 AS INTEGER) WHERE score IS NOT NULL")
    # Only the response that counts for an organisation (store.counting) is a peer.
    db.execute(
        "UPDATE scores SET latest = CASE WHEN response_id = (SELECT id FROM responses"
        " WHERE organisation_id = scores.organisation_id AND bank_id = scores.bank_id AND status = ?"
        f" ORDER BY {LATEST_SUBMITTED_FIRST} LIMIT 1) THEN 1 ELSE 0 END WHERE organisation_id IS NOT NULL",
        [SUBMITTED],
    )
    scores.create_index(["bank_id", "dimension", "latest", "bucket", "score"], if_not_exists=True)
    db.table("profile_questions").create(
        {"bank_id": str, "question_id": str}, pk=("bank_id", "question_id"), if_not_exists=True
    )
    db.table("peer_buckets").create(
        {"bank_id": str, "grp": str, "grp_value": str, "dimension": str, "bucket": int, "n": int},
        pk=("bank_id", "grp", "grp_value", "dimension", "bucket"),
        if_not_exists=True,
    )
    db.table("peer_version").create({"bank_id": str, "version": int}, pk="bank_id", if_not_exists=True)
    peer_index.rebuild_peer_buckets(db)


@MIGRATIONS(name=LADDER[2])
def _v3(db: sqlite_utils.Database) -> None:
    db.table("facilitators").create(
        {"id": int, "email": str, "password_hash": str, "created_at": str},
        pk="id",
        not_null={"email", "password_hash"},
        if_not_exists=True,
    )
    db.table("facilitators").create_index(["email"], unique=True, if_not_exists=True)
    db.table("cohorts").create(
        {
            "id": int,
            "code": str,
            "bank_id": str,
            "name": str,
            "description": str,
            "open": int,
            "owner_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("owner_id", "facilitators", "id")],
        not_null={"code", "bank_id", "name"},
        if_not_exists=True,
    )
    db.table("cohorts").create_index(["code"], unique=True, if_not_exists=True)
    db.table("cohort_facilitators").create(
        {"cohort_id": int, "facilitator_id": int},
        pk=("cohort_id", "facilitator_id"),
        foreign_keys=[("cohort_id", "cohorts", "id"), ("facilitator_id", "facilitators", "id")],
        if_not_exists=True,
    )
    db.table("login_failures").create({"key": str, "at": float}, if_not_exists=True)
    db.table("login_failures").create_index(["key", "at"], if_not_exists=True)
    if "cohort_id" not in db.table("responses").columns_dict:
        db.table("responses").add_column("cohort_id", int)
    db.table("responses").create_index(["cohort_id", "status"], if_not_exists=True)


@MIGRATIONS(name=LADDER[3])
def _v4(db: sqlite_utils.Database) -> None:
    """Bank versions kept as snapshots, and how many counting submissions each version has."""
    db.table("bank_versions").create(
        {"hash": str, "bank_id": str, "version": str, "text": str, "created_at": str}, pk="hash", if_not_exists=True
    )
    db.table("version_counts").create(
        {"bank_id": str, "hash": str, "n": int}, pk=("bank_id", "hash"), if_not_exists=True
    )
    peer_index.rebuild_version_counts(db)


@MIGRATIONS(name=LADDER[4])
def _v5(db: sqlite_utils.Database) -> None:
    """0.01-point buckets, and each score row carrying its response's profile answers.

    With both, every peer query is a range scan of one covering index, however many
    responses there are and whichever profile group is asked for.
    """
    scores = db.table("scores")
    if "profile" not in scores.columns_dict:
        scores.add_column("profile", str)
    db.execute(
        "UPDATE scores SET bucket = CASE WHEN score < 0 THEN 0 WHEN score >= ? THEN ?"
        " ELSE CAST(score * 100 AS INTEGER) END WHERE score IS NOT NULL",
        [(peer_index.BUCKETS - 1) / 100, peer_index.BUCKETS - 1],
    )
    peer_index.set_profiles(db)
    db.execute("DROP INDEX IF EXISTS idx_scores_bank_id_dimension_latest_bucket_score")
    scores.create_index(["bank_id", "dimension", "latest", "bucket", "score", "profile"], if_not_exists=True)
    peer_index.rebuild_peer_buckets(db)


@MIGRATIONS(name="v6_facilitator_session_versions")
def _v6(db: sqlite_utils.Database) -> None:
    """A session version per facilitator: logging out or a new password ends every session of the account."""
    facilitators = db.table("facilitators")
    if "session_version" not in facilitators.columns_dict:
        facilitators.add_column("session_version", int, not_null_default=0)


@MIGRATIONS(name="v7_drafts_by_age")
def _v7(db: sqlite_utils.Database) -> None:
    """An index for purging abandoned drafts at start without reading every response."""
    db.table("responses").create_index(["status", "updated_at"], if_not_exists=True)


@MIGRATIONS(name="v9_peer_releases")
def _v9(db: sqlite_utils.Database) -> None:
    """Peer-figure releases, per-group change counters, and vetted cohorts with approved members."""
    db.table("peer_releases").create(
        {"id": int, "bank_id": str, "grp": str, "grp_value": str, "seq": int, "created_at": str, "members": int,
         "changes_at": int, "epsilon": float, "figures": str, "member_ids": str},
        pk="id", not_null={"bank_id", "grp", "grp_value", "seq", "created_at", "figures"}, if_not_exists=True,
    )  # fmt: skip
    # One release per sequence number: of two writers drawing at once, the second loses.
    db.table("peer_releases").create_index(["bank_id", "grp", "grp_value", "seq"], unique=True, if_not_exists=True)
    db.table("peer_changes").create(
        {"bank_id": str, "grp": str, "grp_value": str, "n": int}, pk=("bank_id", "grp", "grp_value"), if_not_exists=True
    )
    if "vetted" not in db.table("cohorts").columns_dict:
        db.table("cohorts").add_column("vetted", int, not_null_default=0)
    db.table("cohort_approvals").create(
        {"cohort_id": int, "member": str}, pk=("cohort_id", "member"), if_not_exists=True
    )


@MIGRATIONS(name="v10_password_resets")
def _v10(db: sqlite_utils.Database) -> None:
    """Password-reset links: a hash of each token, its account, when it expires and when it was used."""
    db.table("password_resets").create(
        {"token_hash": str, "facilitator_id": int, "expires_at": float, "used_at": float},
        pk="token_hash",
        not_null={"facilitator_id", "expires_at"},
        if_not_exists=True,
    )
    db.table("password_resets").create_index(["facilitator_id"], if_not_exists=True)


@MIGRATIONS(name="v11_peer_groups_per_chosen_value")
def _v11(db: sqlite_utils.Database) -> None:
    """A list answer to a profile question (several sectors) joins the group of each value chosen."""
    # Only scores stored with a whole list as one group value need it (a profile key holds "=[").
    if db.execute("SELECT 1 FROM scores WHERE instr(profile, '=[') > 0 LIMIT 1").fetchone():
        peer_index.set_profiles(db)
        peer_index.rebuild_peer_buckets(db)


@MIGRATIONS(name="v12_rounds_of_role_groups")
def _v12(db: sqlite_utils.Database) -> None:
    """Rounds of banks with roles: a coordinator's response, one invitation per role, respondents' responses."""
    db.table("rounds").create(
        {"id": int, "organisation_id": int, "bank_id": str, "bank_hash": str, "response_id": int, "status": str,
         "cohort_id": int, "created_at": str, "closed_at": str, "result": str},
        pk="id", not_null={"bank_id", "bank_hash", "response_id", "status", "created_at"}, if_not_exists=True,
    )  # fmt: skip
    # The coordinator's link is their response's token: one round per coordinating response.
    db.table("rounds").create_index(["response_id"], unique=True, if_not_exists=True)
    db.table("role_invitations").create(
        {"round_id": int, "role": str, "token": str},
        pk=("round_id", "role"), not_null={"token"}, if_not_exists=True,
    )  # fmt: skip
    db.table("role_invitations").create_index(["token"], unique=True, if_not_exists=True)
    responses = db.table("responses")
    if "round_id" not in responses.columns_dict:
        responses.add_column("round_id", int)
        responses.add_column("role", str)
    responses.create_index(["round_id", "role"], if_not_exists=True)


# The steps after the PostgreSQL baseline (v12): each runs on both engines.
LATER: list[tuple[str, Callable[[Any], None]]] = []


def both_engines(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a migration step for SQLite (after the others) and PostgreSQL alike."""

    def register(step: Callable[[Any], None]) -> Callable[[Any], None]:
        MIGRATIONS(name=name)(step)
        LATER.append((name, step))
        return step

    return register


def migrate(db: Db) -> None:
    """Create or upgrade the schema; safe to run at every start and from many processes."""
    if is_postgres(db):
        history = [m.name for m in MIGRATIONS._migrations]
        later = {name for name, _ in LATER}
        pg_schema.migrate(db, [name for name in history if name not in later], LATER)
        return
    assert isinstance(db, sqlite_utils.Database)
    # Migrations.apply runs each step in its own transaction, and reads what is pending
    # before any of them: two processes starting at once could both apply a step. One
    # write lock over the whole run (its steps become savepoints inside it) lets the second
    # wait and then find nothing pending.
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        _adopt_ladder(db)
        MIGRATIONS.apply(db)
        # Older code reads user_version: it must see a database it need not touch.
        db.execute(f"PRAGMA user_version = {LADDER_VERSION}")


def _adopt_ladder(db: sqlite_utils.Database) -> None:
    """Record the ladder's steps that a database made before these migrations has had."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version == 0 or MIGRATIONS.applied(db):
        return
    MIGRATIONS.ensure_migrations_table(db)
    stamp = str(datetime.now(UTC))  # the format sqlite-utils records
    db.table(Migrations.migrations_table).insert_all(
        {"migration_set": MIGRATIONS.name, "name": name, "applied_at": stamp} for name in LADDER[:version]
    )

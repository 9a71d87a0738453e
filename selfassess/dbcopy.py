"""Moving all data from one database to another (SQLite to PostgreSQL and back): ``selfassess db copy``.

The copy is all-or-nothing: every row goes into the target in one transaction, and the
row counts of every table are compared inside it, before it commits. A target that already
holds data is refused unless the caller asks to replace it (in the same transaction). After
the commit, reports of a sample of organisations are built from both databases and compared:
the same result, peer figures (the latest release; none is drawn) and history.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfassess import assessments, reports, store
from selfassess.bank.catalog import Catalog
from selfassess.peers import COHORT, Policy
from selfassess.store import Db
from selfassess.store import copy as rows

BATCH = 5000
# Reports are compared without drawing a release: no yearly budget, so the latest one is shown.
READ_ONLY_POLICY = Policy(yearly_epsilon=0.0)


class CopyError(Exception):
    """The copy cannot be made; the message names the database at fault and what to do."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int


@dataclass
class Outcome:
    """What was copied and what the checks found."""

    tables: list[TableCount] = field(default_factory=list)
    seconds: float = 0.0
    reports_compared: int = 0
    reports_differing: list[str] = field(default_factory=list)  # "token group" of each report that differs

    @property
    def rows(self) -> int:
        return sum(t.target for t in self.tables)

    @property
    def ok(self) -> bool:
        return all(t.source == t.target for t in self.tables) and not self.reports_differing


def is_postgres(target: str) -> bool:
    """Whether *target* names a PostgreSQL database (a URL) rather than a SQLite file."""
    return target.startswith(("postgresql://", "postgres://"))


def shown(target: str) -> str:
    """A database as messages name it: a path, or a URL without its password."""
    if not is_postgres(target):
        return target
    parts = urllib.parse.urlsplit(target)
    if parts.password is None:
        return target
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _reach(target: str, opener: Callable[[str], Db], role: str) -> Db:
    try:
        return opener(target)
    except Exception as exc:  # the driver's own errors: refused, unknown host, bad password, no database
        if type(exc).__name__ == "Unreachable":  # the store's own message names the server and the fix
            raise CopyError(f"the {role} database: {exc}") from None
        raise CopyError(
            f"cannot open the {role} database {shown(target)}: {_first_line(exc)}; check that the server runs and the URL"
            " (host, port, user, database name) is right"
        ) from None


def open_source(source: str) -> Db:
    """Open the database to copy from, unchanged; it must exist and have the newest schema."""
    if not is_postgres(source) and not Path(source).is_file():
        raise CopyError(f"there is no SQLite database at {source}; give the path of an existing file")
    db = _reach(source, store.open_database, "source")
    behind = rows.pending_migrations(db)
    if behind:
        raise CopyError(
            f"the source database {shown(source)} has an older schema ({len(behind)} migrations behind, the first"
            f" {behind[0]}); bring it up to date first with: selfassess db migrate {source}"
        )
    return db


def open_target(target: str) -> Db:
    """Open the database to copy into, creating it and its schema if needed."""
    return _reach(target, store.connect, "target")


def plan(source: Db, target: Db, target_name: str, *, replace: bool) -> dict[str, int]:
    """Rows per table to copy; refuse a target that holds data unless *replace*, or whose tables differ."""
    tables, theirs = rows.data_tables(target), rows.data_tables(source)
    missing = sorted(set(theirs) - set(tables))
    if missing:
        raise CopyError(
            f"the target {shown(target_name)} has no table {', '.join(missing)}; is it a newer version of"
            " selfassess that wrote the source? Copy with that version"
        )
    if not replace:
        filled = [t for t in tables if rows.row_count(target, t)]
        if filled:
            raise CopyError(
                f"the target {shown(target_name)} is not empty ({', '.join(filled[:5])} hold rows); copy into an"
                " empty database, or add --replace to delete its data in the same transaction"
            )
    return {t: rows.row_count(source, t) if t in theirs else 0 for t in tables}


def copy_rows(
    source: Db,
    target: Db,
    counts: dict[str, int],
    *,
    replace: bool,
    batch: int = BATCH,
    progress: Callable[[int], None] = lambda n: None,
) -> list[TableCount]:
    """Copy every table's rows in one target transaction, and compare the counts before it commits."""
    tables = list(counts)
    checked: list[TableCount] = []
    with rows.snapshot(source), target.conn:
        if replace:
            rows.clear_tables(target, tables)
        for table in tables:
            if counts[table] == 0:
                checked.append(TableCount(table, 0, rows.row_count(target, table)))
                continue
            columns = rows.copied_columns(source, target, table)
            try:
                for chunk in rows.read_rows(source, table, columns, batch):
                    rows.write_rows(target, table, columns, chunk)
                    progress(len(chunk))
            except Exception as exc:  # the driver's own errors (a constraint, a lost connection); rolls back
                raise CopyError(
                    f"the copy was rolled back: writing table {table} failed ({_first_line(exc)}); the target"
                    " holds what it held before"
                ) from exc
            checked.append(TableCount(table, rows.row_count(source, table), rows.row_count(target, table)))
        rows.reset_identities(target, tables)
        wrong = [c for c in checked if c.source != c.target]
        if wrong:
            # Leaving the block by an exception rolls the whole copy back.
            raise CopyError(
                "the copy was rolled back: "
                + ", ".join(f"{c.table} has {c.target} rows where the source has {c.source}" for c in wrong)
            )
    return checked


def report_document(db: Db, catalog: Catalog, token: str, group: str) -> dict[str, Any]:
    """The data of ``/r/<token>/report.json?peers=<group>``, as the view builds it, without drawing a release."""
    found = assessments.open_by_token(db, catalog, token)
    return reports.report_document(
        found, reports.report_data(db, found, group, READ_ONLY_POLICY), found.response.language
    )


def compare_reports(source: Db, target: Db, catalog: Catalog, sample: int) -> tuple[int, list[str]]:
    """Build the reports of *sample* organisations' responses from both databases; return how many, and which differ."""
    compared, differing = 0, []
    for token in rows.sample_tokens(source, sample):
        found = assessments.open_by_token(source, catalog, token)
        groups = [g for g in reports.peer_groups(source, found) if g != COHORT]  # a vetted cohort would draw
        for group in groups:
            compared += 1
            try:
                same = report_document(source, catalog, token, group) == report_document(target, catalog, token, group)
            except (assessments.UnknownToken, reports.UnknownPeerGroup):
                same = False
            if not same:
                differing.append(f"{token[:8]}… {group}")
    return compared, differing


def copy_database(
    source_name: str,
    target_name: str,
    catalog: Catalog,
    *,
    replace: bool = False,
    sample: int = 20,
    batch: int = BATCH,
    start: Callable[[int], Callable[[int], None]] = lambda total: lambda n: None,
) -> Outcome:
    """Copy everything from *source_name* to *target_name* and check it; *start* gets the row total, returns a progress callback."""
    began = time.perf_counter()
    if source_name == target_name or (
        not is_postgres(source_name) and not is_postgres(target_name) and _same_file(source_name, target_name)
    ):
        raise CopyError(f"the source and the target are the same database, {shown(source_name)}; give another target")
    source = open_source(source_name)
    try:
        target = open_target(target_name)
        try:
            counts = plan(source, target, target_name, replace=replace)
            outcome = Outcome()
            outcome.tables = copy_rows(
                source, target, counts, replace=replace, batch=batch, progress=start(sum(counts.values()))
            )
            outcome.seconds = time.perf_counter() - began
            outcome.reports_compared, outcome.reports_differing = compare_reports(source, target, catalog, sample)
            return outcome
        finally:
            target.conn.close()
    finally:
        source.conn.close()


def _same_file(first: str, second: str) -> bool:
    try:
        return Path(first).resolve() == Path(second).resolve()
    except OSError:
        return False

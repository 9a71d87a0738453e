"""Copying every row of one database into another, engine to engine: the SQL of ``selfassess db copy``.

The tables are found in the databases themselves (a new migration's table is copied without
a change here); the migrations' own bookkeeping is not copied, as each side has its own.
Rows are read in insertion order (SQLite's rowid; on PostgreSQL the table's identity column
or its key), so that what the store shows "in the order given" keeps its order, and they
keep their ids. Values are converted only where the engines store them differently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from selfassess.store import dialect
from selfassess.store.connection import Db

# Each database records its own migrations; they are compared, never copied.
BOOKKEEPING = frozenset({"_sqlite_migrations", "schema_migrations", "_migrations", "migrations"})


def is_postgres_db(db: Db) -> bool:
    """Whether *db* is a PostgreSQL handle (else SQLite)."""
    return dialect.is_postgres(db)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def data_tables(db: Db) -> list[str]:
    """The tables holding data, parents before the tables whose foreign keys point at them."""
    if is_postgres_db(db):
        names = [
            r[0]
            for r in db.conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        edges = db.conn.execute(
            "SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc"
            " JOIN information_schema.constraint_column_usage ccu"
            " ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema"
            " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
        ).fetchall()
    else:
        names = [
            r[0]
            for r in db.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        ]
        edges = [(name, fk[2]) for name in names for fk in db.conn.execute(f"PRAGMA foreign_key_list({_quote(name)})")]
    names = sorted(n for n in names if n not in BOOKKEEPING)
    parents: dict[str, set[str]] = {n: set() for n in names}
    for child, parent in edges:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(n for n, p in parents.items() if not p - set(ordered))
        if not ready:  # a cycle of foreign keys: no order inserts them all
            raise ValueError(f"the tables {', '.join(sorted(parents))} refer to each other in a cycle")
        ordered += ready
        for n in ready:
            del parents[n]
    return ordered


def table_columns(db: Db, table: str) -> list[str]:
    """The columns of *table*, in their order."""
    if is_postgres_db(db):
        rows = db.conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    else:
        rows = [(r[1],) for r in db.conn.execute(f"PRAGMA table_info({_quote(table)})")]
    return [r[0] for r in rows]


def _generated_columns(db: Db, table: str) -> list[str]:
    """The identity (PostgreSQL) columns of *table*: filled by the engine, never copied into."""
    if not is_postgres_db(db):
        return []
    rows = db.conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? AND (is_identity = 'YES' OR starts_with(column_default, 'nextval('))",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def copied_columns(source: Db, target: Db, table: str) -> list[str]:
    """The columns of *table* whose values travel: the target's, less those only one engine has.

    An identity column the target has for insertion order alone (not in the source) is
    filled by the target as the rows arrive in order.
    """
    theirs = set(table_columns(source, table))
    return [c for c in table_columns(target, table) if c in theirs]


def _key_columns(db: Db, table: str) -> list[str]:
    """The primary key of a PostgreSQL table; its insertion-order column first when it has one."""
    order = [
        r[0]
        for r in db.conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
            [_quote(table)],
        ).fetchall()
    ]
    generated = _generated_columns(db, table)
    return generated[:1] or order


def row_count(db: Db, table: str) -> int:
    """How many rows *table* holds."""
    return int(db.conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0])


@contextmanager
def snapshot(db: Db) -> Iterator[None]:
    """Read *db* as of one moment (a live app may go on writing): one read-only transaction."""
    if is_postgres_db(db):
        with db.conn:
            db.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        db.conn.execute("BEGIN")  # WAL: a read transaction sees the database as it was when it began
        try:
            yield
        finally:
            db.conn.execute("ROLLBACK")


def read_rows(db: Db, table: str, columns: Sequence[str], batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the rows of *table* (only *columns*) in insertion order, *batch* at a time.

    Each batch starts after the last one's key, so a million rows cost a million index
    steps, not a scan per batch, and no more than a batch is held in memory.
    """
    wanted = ", ".join(_quote(c) for c in columns)
    if is_postgres_db(db):
        keys = _key_columns(db, table) or ["ctid"]
        key_sql = ", ".join(k if k == "ctid" else _quote(k) for k in keys)
        select = f"SELECT {key_sql}, {wanted} FROM {_quote(table)}"
    else:
        keys = ["rowid"]
        key_sql = "rowid"
        select = f"SELECT rowid, {wanted} FROM {_quote(table)}"
    marks = ", ".join("?" for _ in keys)
    after: tuple[Any, ...] | None = None
    width = len(keys)
    while True:
        if after is None:
            rows = db.conn.execute(f"{select} ORDER BY {key_sql} LIMIT ?", [batch]).fetchall()
        else:
            rows = db.conn.execute(
                f"{select} WHERE ({key_sql}) > ({marks}) ORDER BY {key_sql} LIMIT ?", [*after, batch]
            ).fetchall()
        if not rows:
            return
        after = tuple(rows[-1][:width])
        yield [tuple(row[width:]) for row in rows]
        if len(rows) < batch:
            return


def _for_sqlite(value: Any) -> Any:
    """A value read from PostgreSQL as the SQLite store keeps it (text timestamps, JSON as text)."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def write_rows(db: Db, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert *rows* into *table* of *db*, inside the caller's transaction."""
    if not rows:
        return
    if is_postgres_db(db):
        raw = _transaction_connection(db)
        if raw is not None:  # COPY: several times faster than INSERTs, in the same transaction
            names = ", ".join(_quote(c) for c in columns)
            with raw.cursor() as cursor, cursor.copy(f"COPY {_quote(table)} ({names}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)
            return
        override = " OVERRIDING SYSTEM VALUE" if set(_generated_columns(db, table)) & set(columns) else ""
    else:
        rows = [[_for_sqlite(v) for v in row] for row in rows]
        override = ""
    names = ", ".join(_quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO {_quote(table)} ({names}){override} VALUES ({marks})", rows)


def _transaction_connection(db: Db) -> Any:
    """The psycopg connection of this thread's open ``with db.conn:`` transaction, or None.

    The adapter keeps it while a transaction is open; COPY needs the driver's connection itself.
    """
    return getattr(db.conn, "transaction_connection", None)  # SQLite's connection has none


def clear_tables(db: Db, tables: Sequence[str]) -> None:
    """Delete every row of *tables* (children first), inside the caller's transaction."""
    if is_postgres_db(db) and tables:
        db.conn.execute(f"TRUNCATE {', '.join(_quote(t) for t in tables)}")
        return
    for table in reversed(tables):
        db.conn.execute(f"DELETE FROM {_quote(table)}")


def reset_identities(db: Db, tables: Sequence[str]) -> None:
    """Move PostgreSQL's identity sequences past the ids copied in, so that new rows get new ids."""
    if not is_postgres_db(db):
        return  # SQLite's next rowid follows the largest one
    for table in tables:
        for column in _generated_columns(db, table):
            db.conn.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({_quote(column)}), 0) + 1, false)"
                f" FROM {_quote(table)}",
                [_quote(table), column],
            )


def sample_tokens(db: Db, count: int) -> list[str]:
    """Tokens of up to *count* submitted responses with a report of their own, spread evenly over the ids."""
    low, high = db.conn.execute(
        "SELECT min(id), max(id) FROM responses WHERE status = 'submitted' AND role IS NULL"
    ).fetchone()
    if low is None or count <= 0:
        return []
    step = max((high - low) / count, 1)
    tokens: list[str] = []
    for n in range(count):
        row = db.conn.execute(
            "SELECT token FROM responses WHERE id >= ? AND status = 'submitted' AND role IS NULL ORDER BY id LIMIT 1",
            [int(low + n * step)],
        ).fetchone()
        if row is not None and row[0] not in tokens:
            tokens.append(row[0])
    return tokens


def pending_migrations(db: Db) -> list[str]:
    """The names of the schema's migrations *db* has not had (read only)."""
    from selfassess.store import pg_schema
    from selfassess.store.schema import MIGRATIONS

    if not is_postgres_db(db):
        return [m.name for m in MIGRATIONS.pending(db)]  # type: ignore[arg-type]
    table = pg_schema.MIGRATIONS_TABLE
    if db.conn.execute("SELECT to_regclass(?)", [table]).fetchone()[0] is None:
        applied: set[str] = set()
    else:
        applied = {r[0] for r in db.conn.execute(f"SELECT name FROM {table}").fetchall()}
    return [m.name for m in MIGRATIONS._migrations if m.name not in applied]

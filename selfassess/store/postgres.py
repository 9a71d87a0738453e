"""PostgreSQL through psycopg 3: the small sqlite3 interface the store uses, over a pool of connections.

The store's statements are written once, with ``?`` placeholders, and run on both engines.
:class:`PgConnection` gives them what they use of a ``sqlite3.Connection``: ``execute`` and
``executemany`` returning a cursor (rows, ``rowcount``), and ``with conn:`` as one
transaction. Outside a transaction each statement borrows a connection from the pool and
gives it back at once; a ``with`` block keeps one connection from BEGIN to COMMIT or
ROLLBACK. So no connection is held between requests and none is left in a transaction.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg_pool

from selfassess.store.connection import Unreachable
from selfassess.store.dialect import IntegrityError

DEFAULT_POOL_SIZE = 4
# One pool per process and URL: a forked worker (gunicorn --preload) must not share its parent's sockets.
_pools: dict[tuple[int, str], psycopg_pool.ConnectionPool[Any]] = {}
_handles: dict[tuple[int, str], PgDatabase] = {}
_pools_lock = threading.Lock()


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


# A quoted literal or identifier, kept as it is; outside them ? becomes %s and % becomes %%.
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")")


@lru_cache(maxsize=1024)
def placeholders(sql: str) -> str:
    """Translate a statement with sqlite3's ``?`` placeholders to psycopg's ``%s`` (once per text)."""
    parts = _QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[i] = parts[i].replace("%", "%%").replace("?", "%s")
    return "".join(parts)


class PgCursor:
    """The rows and row count of one statement, read in full so its connection can go back to the pool."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = None  # PostgreSQL has none: the store asks for ids with RETURNING

    def fetchone(self) -> Any:
        return self.rows.pop(0) if self.rows else None

    def fetchall(self) -> list[Any]:
        rows, self.rows = self.rows, []
        return rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class _State(threading.local):
    conn: psycopg.Connection[Any] | None = None
    depth = 0


class PgConnection:
    """sqlite3's ``execute``/``executemany``/``with conn:`` over pooled psycopg connections; safe to share between threads."""

    engine = "postgresql"

    def __init__(self, pool: psycopg_pool.ConnectionPool[Any]) -> None:
        self.pool = pool
        self._state = _State()

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> PgCursor:
        return self._run(lambda cur: cur.execute(placeholders(sql), _text_safe(parameters)))

    def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> PgCursor:
        rows = [_text_safe(row) for row in seq_of_parameters]
        return self._run(lambda cur: cur.executemany(placeholders(sql), rows))

    def _run(self, statement: Any) -> PgCursor:
        conn = self._state.conn
        try:
            if conn is not None:  # inside this thread's transaction
                return _read(conn, statement)
            for attempt in range(self.pool.max_size + 1):
                with self.pool.connection() as borrowed:
                    try:
                        return _read(borrowed, statement)
                    except psycopg.OperationalError:
                        # A pooled connection the server closed (a restart, a failover): the pool
                        # drops it and the statement goes to the next one. Only reads run outside
                        # a transaction (every write is inside ``with conn:``), so none runs twice.
                        if not borrowed.broken or attempt == self.pool.max_size:
                            raise
            raise AssertionError("unreachable")  # pragma: no cover
        except psycopg.errors.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    def __enter__(self) -> PgConnection:
        state = self._state
        if state.depth == 0:
            state.conn = self._begin()
        state.depth += 1
        return self

    def _begin(self) -> psycopg.Connection[Any]:
        """Borrow a connection and BEGIN on it; one the server closed is dropped for the next."""
        for attempt in range(self.pool.max_size + 1):
            conn: psycopg.Connection[Any] = self.pool.getconn()
            try:
                conn.execute("BEGIN")
                return conn
            except psycopg.OperationalError:
                self.pool.putconn(conn)
                if not conn.broken or attempt == self.pool.max_size:
                    raise
            except BaseException:
                self.pool.putconn(conn)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        state = self._state
        state.depth -= 1
        if state.depth or state.conn is None:
            return  # an inner block: the outermost one commits
        conn, state.conn = state.conn, None
        try:
            conn.execute("ROLLBACK" if kind is not None else "COMMIT")
        except psycopg.errors.IntegrityError as failed:  # a deferred constraint checked at COMMIT
            raise IntegrityError(str(failed)) from failed
        finally:
            self.pool.putconn(conn)  # a broken connection is discarded by the pool

    def commit(self) -> None:
        """Nothing to do: outside a ``with`` block each statement commits on its own."""

    def close(self) -> None:
        """Nothing to close: connections belong to the pool, which lives as long as the process."""

    @property
    def in_transaction(self) -> bool:
        return self._state.conn is not None

    @property
    def transaction_connection(self) -> Any:
        """The psycopg connection of this thread's open ``with`` block (for COPY), or ``None`` outside one."""
        return self._state.conn


def _text_safe(parameters: Sequence[Any] | None) -> Sequence[Any] | None:
    """PostgreSQL text cannot hold NUL: U+FFFD stands in (a token with one then matches nothing, as on SQLite)."""
    if parameters is None or not any(isinstance(p, str) and "\x00" in p for p in parameters):
        return parameters
    return [p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in parameters]


def _read(conn: psycopg.Connection[Any], statement: Any) -> PgCursor:
    with conn.cursor() as cur:
        statement(cur)
        rows = cur.fetchall() if cur.description is not None else []
        return PgCursor(rows, cur.rowcount)


class PgDatabase:
    """The store's handle on a PostgreSQL database: ``conn`` and ``execute``, as on sqlite-utils' ``Database``."""

    engine = "postgresql"

    def __init__(self, url: str, pool: psycopg_pool.ConnectionPool[Any]) -> None:
        self.url = url
        self.conn = PgConnection(pool)

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> PgCursor:
        return self.conn.execute(sql, parameters)


def pool(url: str, size: int = DEFAULT_POOL_SIZE) -> psycopg_pool.ConnectionPool[Any]:
    """This process's pool of connections to *url*, opened on first use with up to *size* connections."""
    key = (os.getpid(), url)
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            _check_reachable(url)
            found = _pools[key] = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=max(1, size), kwargs={"autocommit": True}, open=True, timeout=30,
                name=f"selfassess {safe_url(url)}",
            )  # fmt: skip
    return found


def close_pool(url: str) -> None:
    """Close this process's pool for *url* (tests that drop a database; the end of a command)."""
    with _pools_lock:
        _handles.pop((os.getpid(), url), None)
        found = _pools.pop((os.getpid(), url), None)
    if found is not None:
        found.close()


def _check_reachable(url: str) -> None:
    """Fail at once with a clear message, not after the pool's timeout, when the server cannot be reached."""
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise Unreachable(
            f"cannot connect to the PostgreSQL database {safe_url(url)} ({reason}). "
            "Start the server, or correct SELFASSESS_DATABASE (or --db)."
        ) from None


def open_pg(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> PgDatabase:
    """This process's handle on the PostgreSQL database at *url* (one, shared by its threads, over one pool).

    One handle, so that code holding a transaction on a thread and code asking for the
    database again on that thread use the same connection.
    """
    key = (os.getpid(), url)
    found = _handles.get(key)
    if found is None:
        found = PgDatabase(url, pool(url, pool_size))
        with _pools_lock:
            found = _handles.setdefault(key, found)
    return found

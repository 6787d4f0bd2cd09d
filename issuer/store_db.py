"""A thin DB-API adapter: one code path for SQLite (embedded default) and PostgreSQL (shared).

Why no ORM: the registry needs a dozen statements, two transaction modes and exact control over
locking (``BEGIN IMMEDIATE``, ``SELECT ... FOR UPDATE``, ``ON CONFLICT DO NOTHING``); SQLAlchemy
Core would add a dependency and hide the very statements the durability argument rests on. SQL
is written once with ``?`` placeholders, translated to ``%s`` for psycopg.

Durability settings (ARCHITECTURE.md, "Storage and scale"): SQLite runs in WAL mode with
``synchronous=FULL`` and ``foreign_keys=ON``; every write transaction starts ``BEGIN IMMEDIATE``
(the write lock is taken up front, so two writers never deadlock on a lock upgrade). PostgreSQL runs
with ``synchronous_commit=on`` and a ``lock_timeout``. A lock that cannot be had within
``busy_timeout`` seconds, or a database that cannot be reached, becomes
``SkillcredError(code=STORE_BUSY)`` after the transaction has been rolled back: nothing partial is
ever committed.

Connections are per thread (the HTTP layer runs plain ``def`` endpoints in a thread pool) and per
process: open a new :class:`Database` after ``fork``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from issuer.store_schema import Dialect
from vccore.errors import Code, SkillcredError

Row = tuple[Any, ...]
Params = Sequence[object]


def _sqlite_connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    # one connection per thread (see Database._connection); check_same_thread=False only so that
    # close() may close them all from whichever thread shuts the store down
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {max(0, int(busy_timeout * 1000))}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _sqlite_busy(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Database:
    """A URL (``postgresql://...``), a ``sqlite:///path`` URL or a plain file path.

    ``schema`` confines a PostgreSQL connection to one schema (``search_path``); it must be None for
    SQLite. ``busy_timeout`` (seconds) bounds every lock wait.
    """

    def __init__(self, url: str | Path, *, busy_timeout: float = 5.0, schema: str | None = None) -> None:
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout: must be >= 0 seconds, got {busy_timeout!r}")
        text = str(url)
        self.dialect: Dialect
        if text.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            self._target = text
        else:
            if schema is not None:
                raise ValueError("schema: only PostgreSQL databases have schemas")
            self.dialect = "sqlite"
            self._target = text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text
        self.busy_timeout = busy_timeout
        self.schema = schema
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    # --- connections ---------------------------------------------------------------------

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                if self.dialect == "sqlite":
                    conn = _sqlite_connect(self._target, self.busy_timeout)
                else:
                    from issuer import store_pg

                    conn = store_pg.connect(self._target, busy_timeout=self.busy_timeout, schema=self.schema)
            except Exception as err:
                if self._is_busy(err):
                    raise SkillcredError(f"the registry database is unavailable: {err}",
                                         code=Code.STORE_BUSY) from err
                raise
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this object opened (in any thread)."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def _errors(self) -> tuple[type[BaseException], ...]:
        if self.dialect == "sqlite":
            return (sqlite3.Error,)
        from issuer import store_pg

        return (store_pg.error_types()[0],)

    def _is_busy(self, err: BaseException) -> bool:
        if self.dialect == "sqlite":
            return _sqlite_busy(err)
        from issuer import store_pg

        return store_pg.is_busy(err)

    # --- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Cursor]:
        """One transaction: committed when the block ends, rolled back on any exception.

        A write transaction on SQLite takes the database write lock at ``BEGIN IMMEDIATE``.
        """
        conn = self._connection()
        begin = "BEGIN IMMEDIATE" if write and self.dialect == "sqlite" else "BEGIN"
        started = False
        try:
            conn.execute(begin)
            started = True
            yield Cursor(conn, self.dialect)
            conn.execute("COMMIT")
            started = False
        except self._errors() as err:
            if started:
                self._rollback(conn)
            if getattr(conn, "closed", False):  # a lost PostgreSQL connection: reconnect next time
                self._local.conn = None
            if self._is_busy(err):
                raise SkillcredError(f"the registry is busy: {err}", code=Code.STORE_BUSY) from err
            raise
        except BaseException:
            if started:
                self._rollback(conn)
            raise

    def _rollback(self, conn: Any) -> None:
        try:
            conn.execute("ROLLBACK")
        except self._errors():  # the connection is gone: the server rolls back for us
            pass


class Cursor:
    """Executes SQL written with ``?`` placeholders on either backend."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect: Dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        cur = self._conn.execute(self._sql(sql), tuple(params))
        return int(cur.rowcount)

    def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement once per parameter row (prepared once); the number of rows it changed."""
        if not rows:
            return 0
        params = [tuple(r) for r in rows]
        if self.dialect == "sqlite":
            return int(self._conn.executemany(sql, params).rowcount)
        with self._conn.cursor() as cur:
            cur.executemany(self._sql(sql), params)
            return int(cur.rowcount)

    def one(self, sql: str, params: Params = ()) -> Row | None:
        row = self._conn.execute(self._sql(sql), tuple(params)).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(r) for r in self._conn.execute(self._sql(sql), tuple(params)).fetchall()]

    def for_update(self) -> str:
        """The row-locking suffix: ``FOR UPDATE`` on PostgreSQL; SQLite's lock is the whole file."""
        return " FOR UPDATE" if self.dialect == "postgresql" else ""

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

Connections come from a bounded pool per :class:`Database` (``pool_size``, default
:data:`DEFAULT_POOL_SIZE`): a transaction borrows one and gives it back when it ends, so a process never
holds more than ``pool_size`` connections however many threads it runs (the HTTP layer runs plain
``def`` endpoints in a thread pool of 40). A transaction that cannot borrow one within ``busy_timeout`` is
``STORE_BUSY``. PostgreSQL uses psycopg's pool (``psycopg_pool``), which checks a connection before lending
it, so connections that died with a database restart are replaced, not handed out; a ``BEGIN`` that still
fails on a dead connection (nothing was sent yet) is retried once on a fresh one. SQLite uses a small pool
of its own (a file connection per borrower at most, closed when the pool closes). Open a new
:class:`Database` after ``fork``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from issuer.store.schema import Dialect
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


#: Connections one Database (one process's registry) may hold at most, unless told otherwise: enough for the
#: short transactions of a busy issuer (each request holds one for a few milliseconds), few enough that
#: several issuer processes fit PostgreSQL's default 100 (docs/operations.md, "Connection budget").
DEFAULT_POOL_SIZE = 8


class _SqlitePool:
    """At most ``size`` SQLite connections, lent one at a time (the newest idle one first)."""

    def __init__(self, path: str, *, busy_timeout: float, size: int) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._open = 0
        self.size = size

    @property
    def open_connections(self) -> int:
        return self._open

    @contextmanager
    def connection(self, *, timeout: float) -> Iterator[sqlite3.Connection]:
        if not self._slots.acquire(timeout=timeout):
            raise SkillcredError(f"all {self.size} registry connections are busy", code=Code.STORE_BUSY)
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = _sqlite_connect(self._path, self._busy_timeout)
                with self._lock:
                    self._open += 1
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # never lend a connection with an open transaction
                    conn.close()
                    with self._lock:
                        self._open -= 1
                    conn = None
                raise
            finally:
                if conn is not None:
                    with self._lock:
                        self._idle.append(conn)
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for conn in idle:
            conn.close()


class Database:
    """A URL (``postgresql://...``), a ``sqlite:///path`` URL or a plain file path.

    ``schema`` confines a PostgreSQL connection to one schema (``search_path``); it must be None for
    SQLite. ``busy_timeout`` (seconds) bounds every lock wait and every wait for a pooled connection;
    ``pool_size`` bounds the connections this object holds.
    """

    def __init__(
        self,
        url: str | Path,
        *,
        busy_timeout: float = 5.0,
        schema: str | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        application_name: str = "skillcred-issuer",
    ) -> None:
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout: must be >= 0 seconds, got {busy_timeout!r}")
        if not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f"pool_size: at least 1 connection, got {pool_size!r}")
        text = str(url)
        self.dialect: Dialect
        self.busy_timeout = busy_timeout
        self.schema = schema
        self.pool_size = pool_size
        self._pool: Any
        if text.startswith(("postgresql://", "postgres://")):
            from issuer.store import pg as store_pg

            self.dialect = "postgresql"
            self._pool = store_pg.pool(
                text, busy_timeout=busy_timeout, schema=schema, size=pool_size, application_name=application_name
            )
        else:
            if schema is not None:
                raise ValueError("schema: only PostgreSQL databases have schemas")
            self.dialect = "sqlite"
            path = text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text
            self._pool = _SqlitePool(path, busy_timeout=busy_timeout, size=pool_size)

    @property
    def open_connections(self) -> int:
        """Connections this object holds now (in use or idle), never more than ``pool_size``."""
        return int(self._pool.open_connections)

    def close(self) -> None:
        """Close every connection this object opened."""
        self._pool.close()

    def _errors(self) -> tuple[type[BaseException], ...]:
        if self.dialect == "sqlite":
            return (sqlite3.Error,)
        from issuer.store import pg as store_pg

        return (store_pg.error_types()[0],)

    def _is_busy(self, err: BaseException) -> bool:
        if self.dialect == "sqlite":
            return _sqlite_busy(err)
        from issuer.store import pg as store_pg

        return store_pg.is_busy(err)

    def _lost(self, conn: Any) -> bool:
        return self.dialect == "postgresql" and bool(getattr(conn, "closed", False))

    # --- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Cursor]:
        """One transaction on a borrowed connection: committed when the block ends, rolled back on any
        exception. A write transaction on SQLite takes the database write lock at ``BEGIN IMMEDIATE``."""
        begin = "BEGIN IMMEDIATE" if write and self.dialect == "sqlite" else "BEGIN"
        for attempt in (1, 2):
            with self._borrow() as conn:
                try:
                    conn.execute(begin)
                except self._errors() as err:
                    if attempt == 1 and self._lost(conn):
                        continue  # a connection that died with the server: nothing was done, try a fresh one
                    raise self._translate(err) from err
                try:
                    yield Cursor(conn, self.dialect)
                    conn.execute("COMMIT")
                except self._errors() as err:
                    self._rollback(conn)
                    raise self._translate(err) from err
                except BaseException:
                    self._rollback(conn)
                    raise
                return

    @contextmanager
    def _borrow(self) -> Iterator[Any]:
        try:
            with self._pool.connection(timeout=self.busy_timeout) as conn:
                yield conn
        except SkillcredError:
            raise
        except self._errors() as err:  # the pool could not connect at all
            raise self._translate(err) from err
        except Exception as err:
            from issuer.store import pg as store_pg

            if self.dialect == "postgresql" and store_pg.is_pool_timeout(err):
                raise SkillcredError(
                    f"no registry connection within {self.busy_timeout} s: {err}", code=Code.STORE_BUSY
                ) from err
            raise

    def _translate(self, err: BaseException) -> BaseException:
        if self._is_busy(err):
            return SkillcredError(f"the registry is busy: {err}", code=Code.STORE_BUSY)
        return err

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

    def for_update(self, *, skip_locked: bool = False) -> str:
        """The row-locking suffix: ``FOR UPDATE`` on PostgreSQL (``SKIP LOCKED``: leave out the rows another
        transaction holds); SQLite's lock is the whole file."""
        if self.dialect == "sqlite":
            return ""
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"

    def clock(self) -> str:
        """An SQL expression for the database's own time in seconds since the epoch: the one clock every
        process of a shared batch reads, whatever machine it runs on (leases, :mod:`issuer.batch.claims`)."""
        if self.dialect == "postgresql":
            return "EXTRACT(EPOCH FROM clock_timestamp())::float8"
        return "((julianday('now') - 2440587.5) * 86400.0)"

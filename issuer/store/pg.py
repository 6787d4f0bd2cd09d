"""PostgreSQL connections for the issuer registry, pooled (the only issuer module besides ``store`` that
imports psycopg and psycopg_pool; see tests/test_architecture.py).

Connections run in autocommit mode so that :mod:`issuer.store.db` can issue ``BEGIN``/``COMMIT``
itself, exactly as it does for SQLite: one code path for both backends. ``synchronous_commit`` is
forced ``on`` (a credential is released only after its record is durable, SECURITY.md issuer item 1)
and ``lock_timeout`` bounds how long a transaction waits for a row lock before the store reports
``STORE_BUSY``.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import psycopg
import psycopg.errors

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: SQLSTATE classes that mean "try again later", not "your request is wrong".
_BUSY_TYPES: tuple[type[BaseException], ...] = (
    psycopg.errors.LockNotAvailable,
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.QueryCanceled,
    psycopg.errors.AdminShutdown,
    psycopg.errors.TooManyConnections,
    psycopg.errors.CannotConnectNow,
)


def _configure(busy_timeout: float, schema: str | None) -> Any:
    ms = max(1, int(busy_timeout * 1000))

    def configure(conn: Any) -> None:
        conn.execute("SET synchronous_commit TO on")
        conn.execute(f"SET lock_timeout TO {ms}")
        if schema is not None:
            conn.execute(f'SET search_path TO "{schema}"')

    return configure


def connect(url: str, *, busy_timeout: float, schema: str | None) -> Any:
    """One psycopg connection to ``url`` in autocommit mode, optionally confined to ``schema``."""
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise ValueError(f"schema: {schema!r} is not a plain lower-case SQL identifier")
    conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(busy_timeout) or 1))
    _configure(busy_timeout, schema)(conn)
    return conn


class _Pool:
    """psycopg's pool, opened lazily on first use, with the one extra number the store reports."""

    def __init__(self, url: str, *, busy_timeout: float, schema: str | None, size: int, application_name: str) -> None:
        from psycopg_pool import ConnectionPool

        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError(f"schema: {schema!r} is not a plain lower-case SQL identifier")
        # min_size 0: an idle process gives its connections back (max_idle), and no connection is opened
        # before the first transaction; check: a connection is tested before it is lent, so one that died
        # with a database restart is replaced, not handed to a request
        self._pool = ConnectionPool(
            url,
            min_size=0,
            max_size=size,
            open=False,
            timeout=max(busy_timeout, 0.001),
            max_idle=60.0,
            kwargs={
                "autocommit": True,
                "connect_timeout": max(1, int(busy_timeout) or 1),
                "application_name": application_name,
            },
            configure=_configure(busy_timeout, schema),
            check=ConnectionPool.check_connection,
            name="skillcred-registry",
        )
        self._opened = False
        self._lock = threading.Lock()

    def _ensure_open(self) -> None:
        if not self._opened:
            with self._lock:
                if not self._opened:
                    self._pool.open(wait=False)
                    self._opened = True

    def connection(self, *, timeout: float) -> Any:
        self._ensure_open()
        return self._pool.connection(timeout=max(timeout, 0.001))

    @property
    def open_connections(self) -> int:
        if not self._opened:
            return 0
        return int(self._pool.get_stats().get("pool_size", 0))

    def close(self) -> None:
        if self._opened:
            self._pool.close()
            self._opened = False


def pool(
    url: str, *, busy_timeout: float, schema: str | None, size: int, application_name: str = "skillcred-issuer"
) -> _Pool:
    """A bounded pool of connections as :func:`connect` makes them (``size`` at most), named
    ``application_name`` in ``pg_stat_activity``."""
    return _Pool(url, busy_timeout=busy_timeout, schema=schema, size=size, application_name=application_name)


def is_pool_timeout(err: BaseException) -> bool:
    from psycopg_pool import PoolTimeout

    return isinstance(err, PoolTimeout)


def error_types() -> tuple[type[BaseException], ...]:
    """The DB-API ``Error`` base and ``IntegrityError`` of psycopg, for the adapter."""
    return (psycopg.Error, psycopg.IntegrityError)


def is_busy(err: BaseException) -> bool:
    """True when ``err`` says the database is locked, overloaded or unreachable (retry later)."""
    return isinstance(err, _BUSY_TYPES) or isinstance(err, psycopg.OperationalError)

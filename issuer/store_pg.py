"""PostgreSQL connections for the issuer registry (the only issuer module besides ``store`` that
imports psycopg; see tests/test_architecture.py).

Connections run in autocommit mode so that :mod:`issuer.store_db` can issue ``BEGIN``/``COMMIT``
itself, exactly as it does for SQLite: one code path for both backends. ``synchronous_commit`` is
forced ``on`` (a credential is released only after its record is durable, SECURITY.md issuer item 1)
and ``lock_timeout`` bounds how long a transaction waits for a row lock before the store reports
``STORE_BUSY``.
"""

from __future__ import annotations

import re
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


def connect(url: str, *, busy_timeout: float, schema: str | None) -> Any:
    """A psycopg connection to ``url`` in autocommit mode, optionally confined to ``schema``."""
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise ValueError(f"schema: {schema!r} is not a plain lower-case SQL identifier")
    conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(busy_timeout) or 1))
    ms = max(1, int(busy_timeout * 1000))
    conn.execute("SET synchronous_commit TO on")
    conn.execute(f"SET lock_timeout TO {ms}")
    if schema is not None:
        conn.execute(f'SET search_path TO "{schema}"')
    return conn


def error_types() -> tuple[type[BaseException], ...]:
    """The DB-API ``Error`` base and ``IntegrityError`` of psycopg, for the adapter."""
    return (psycopg.Error, psycopg.IntegrityError)


def is_busy(err: BaseException) -> bool:
    """True when ``err`` says the database is locked, overloaded or unreachable (retry later)."""
    return isinstance(err, _BUSY_TYPES) or isinstance(err, psycopg.OperationalError)

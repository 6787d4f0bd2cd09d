"""The issuer registry: issued credentials, status lists, keys, idempotency keys, API tokens and an
append-only event log, behind one module with two backends (ARCHITECTURE.md, "Storage and scale").

``Store(url)`` opens SQLite (a file path or ``sqlite:///path``) or PostgreSQL (``postgresql://...``)
and applies the forward migrations of :mod:`issuer.store.schema`. Work happens in transactions:
``with store.write() as tx: ...`` commits everything ``tx`` did when the block ends, or nothing if it
raises. One operation of the service is one transaction. A lock not obtained within
``busy_timeout`` raises ``SkillcredError(code=STORE_BUSY)`` (HTTP 503 + Retry-After), after rollback.

Concurrency contract (SECURITY.md issuer item 7): a status index is inserted under
``PRIMARY KEY (list_id, idx)`` with ``ON CONFLICT DO NOTHING`` and never deleted, so no index is
handed out twice even across processes and machines; status bits are read-modified-written under the
list's row lock (``FOR UPDATE`` on PostgreSQL, the database write lock of ``BEGIN IMMEDIATE`` on
SQLite), so concurrent revocations lose no update.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from issuer.store.db import DEFAULT_POOL_SIZE, Database
from issuer.store.schema import LATEST, SCHEMA_VERSION_TABLE, statements
from issuer.store.tx import Tx
from vccore.errors import Code, SkillcredError


class Store:
    """The registry. One object per process, holding at most ``pool_size`` connections (lent to one
    transaction at a time, :mod:`issuer.store.db`). See the module docstring."""

    def __init__(
        self,
        url: str | Path,
        *,
        busy_timeout: float = 5.0,
        schema: str | None = None,
        migrate: bool = True,
        pool_size: int = DEFAULT_POOL_SIZE,
        application_name: str = "skillcred-issuer",
    ) -> None:
        self._db = Database(
            url, busy_timeout=busy_timeout, schema=schema, pool_size=pool_size, application_name=application_name
        )
        if migrate:
            self.migrate()

    @property
    def open_connections(self) -> int:
        """Database connections this store holds now (at most its ``pool_size``)."""
        return self._db.open_connections

    @property
    def dialect(self) -> str:
        return self._db.dialect

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self._db.transaction(write=True) as cursor:
            yield Tx(cursor)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction (a consistent snapshot on SQLite; read committed on PostgreSQL)."""
        with self._db.transaction(write=False) as cursor:
            yield Tx(cursor)

    def migrate(self) -> int:
        """Apply every pending forward migration, each in one transaction; the resulting version."""
        with self._db.transaction(write=True) as c:
            if c.dialect == "postgresql":
                c.one("SELECT pg_advisory_xact_lock(7251)")
            c.execute(SCHEMA_VERSION_TABLE)
            row = c.one("SELECT MAX(version) FROM schema_version")
        current = int(row[0]) if row and row[0] is not None else 0
        if current > LATEST:
            raise SkillcredError(
                f"the registry schema is version {current}, newer than this code ({LATEST})", code=Code.CONFLICT
            )
        for version in range(current + 1, LATEST + 1):
            with self._db.transaction(write=True) as c:
                if c.dialect == "postgresql":
                    c.one("SELECT pg_advisory_xact_lock(7251)")
                row = c.one("SELECT MAX(version) FROM schema_version")
                if row and row[0] is not None and int(row[0]) >= version:
                    continue  # another process applied it meanwhile
                for sql in statements(version, self._db.dialect):
                    c.execute(sql)
                c.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        return LATEST

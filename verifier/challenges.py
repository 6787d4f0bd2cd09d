"""Single-use, short-lived presentation challenges bound to the verifier's domain (SECURITY.md item 11).

``issue()`` stores a fresh random challenge (OS CSPRNG) with its domain and expiry; ``consume()``
deletes it and reports whether it existed, was for this domain and had not expired. The delete is
one atomic statement (``DELETE ... RETURNING``), so when several verifier processes share a store,
exactly one of them can consume a challenge. SQLite (the default; ``BEGIN IMMEDIATE`` serializes
writers across processes) or PostgreSQL when a URL is configured.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol

from vccore.clock import Clock
from vccore.timeutil import require_aware

DEFAULT_TTL: Final = timedelta(minutes=5)
MAX_CHALLENGE_CHARS: Final = 128
_TABLE: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class IssuedChallenge:
    challenge: str
    domain: str
    expires: datetime


class ChallengeStore(Protocol):
    domain: str

    def issue(self) -> str: ...

    def issue_details(self) -> IssuedChallenge: ...

    def consume(self, challenge: str) -> bool: ...


def _new_challenge() -> str:
    return secrets.token_urlsafe(24)


def _usable(challenge: object) -> bool:
    return isinstance(challenge, str) and 0 < len(challenge) <= MAX_CHALLENGE_CHARS


class _Base:
    def __init__(self, *, domain: str, ttl: timedelta, clock: Clock) -> None:
        if not isinstance(domain, str) or not domain:
            raise ValueError(f"domain: expected a non-empty string, got {domain!r}")
        if ttl <= timedelta(0):
            raise ValueError(f"ttl: expected a positive duration, got {ttl!r}")
        self.domain = domain
        self.ttl = ttl
        self.clock = clock

    def _now_ts(self) -> float:
        return require_aware(self.clock()).timestamp()

    def issue_details(self) -> IssuedChallenge:
        raise NotImplementedError

    def issue(self) -> str:
        return self.issue_details().challenge


class SqliteChallengeStore(_Base):
    """Challenges in a SQLite file (WAL). One connection per call: safe across threads and processes."""

    def __init__(self, path: str | Path, *, domain: str, ttl: timedelta = DEFAULT_TTL, clock: Clock) -> None:
        super().__init__(domain=domain, ttl=ttl, clock=clock)
        self.path = str(path)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS challenges (challenge TEXT PRIMARY KEY, domain TEXT NOT NULL,"
                " expires REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def issue_details(self) -> IssuedChallenge:
        now = self._now_ts()
        value = _new_challenge()
        expires = now + self.ttl.total_seconds()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM challenges WHERE expires < ?", (now,))
            conn.execute(
                "INSERT INTO challenges (challenge, domain, expires) VALUES (?, ?, ?)",
                (value, self.domain, expires),
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        return IssuedChallenge(value, self.domain, datetime.fromtimestamp(expires, tz=self.clock().tzinfo))

    def consume(self, challenge: str) -> bool:
        if not _usable(challenge):
            return False
        now = self._now_ts()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "DELETE FROM challenges WHERE challenge = ? AND domain = ? RETURNING expires",
                (challenge, self.domain),
            ).fetchone()
            conn.execute("COMMIT")
        finally:
            conn.close()
        return row is not None and float(row[0]) >= now


class PostgresChallengeStore(_Base):
    """Challenges in PostgreSQL: ``DELETE ... RETURNING`` is atomic across processes and machines."""

    def __init__(
        self,
        url: str,
        *,
        domain: str,
        ttl: timedelta = DEFAULT_TTL,
        clock: Clock,
        table: str = "skillcred_challenges",
    ) -> None:
        super().__init__(domain=domain, ttl=ttl, clock=clock)
        if not _TABLE.fullmatch(table):
            raise ValueError(f"table: {table!r} is not a plain lower-case SQL identifier")
        self.url = url
        self.table = table
        with _psycopg().connect(url, autocommit=True) as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (challenge TEXT PRIMARY KEY, "
                "domain TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL)"
            )

    def issue_details(self) -> IssuedChallenge:
        now = self._now_ts()
        value = _new_challenge()
        expires = now + self.ttl.total_seconds()
        with _psycopg().connect(self.url, autocommit=True) as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE expires < %s", (now,))
            conn.execute(
                f"INSERT INTO {self.table} (challenge, domain, expires) VALUES (%s, %s, %s)",
                (value, self.domain, expires),
            )
        return IssuedChallenge(value, self.domain, datetime.fromtimestamp(expires, tz=self.clock().tzinfo))

    def consume(self, challenge: str) -> bool:
        if not _usable(challenge):
            return False
        now = self._now_ts()
        with _psycopg().connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                f"DELETE FROM {self.table} WHERE challenge = %s AND domain = %s RETURNING expires",
                (challenge, self.domain),
            ).fetchone()
        return row is not None and float(row[0]) >= now


def _psycopg() -> Any:
    """The PostgreSQL driver, imported when a PostgreSQL store is used (a verifier that never uses one, and
    ``skillcred verify``, do not pay for loading it)."""
    import psycopg

    return psycopg


def open_challenge_store(
    location: str | Path, *, domain: str, ttl: timedelta = DEFAULT_TTL, clock: Clock
) -> SqliteChallengeStore | PostgresChallengeStore:
    """A PostgreSQL store for ``postgresql://`` / ``postgres://`` URLs, else a SQLite file path."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresChallengeStore(text, domain=domain, ttl=ttl, clock=clock)
    return SqliteChallengeStore(text, domain=domain, ttl=ttl, clock=clock)

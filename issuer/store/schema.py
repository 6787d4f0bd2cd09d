"""The issuer registry's schema, as an ordered list of forward migrations.

SQL is written once; the few words the two dialects spell differently are placeholders filled in
by :func:`statements` (``{blob}``, ``{serial}``). Each migration is applied in its own transaction
and recorded in ``schema_version``; a database newer than this code is refused rather than guessed.

Invariants the schema itself enforces (SECURITY.md, "Issuer"):

* ``status_allocations`` has ``PRIMARY KEY (list_id, idx)``: an index is handed out once per list,
  and rows are never deleted, so a burned index is never reused.
* ``idempotency.key`` is unique: one key names one credential.
* ``events`` refuses UPDATE and DELETE with a trigger on both backends (the code has no such path
  either).
"""

from __future__ import annotations

from typing import Final, Literal

Dialect = Literal["sqlite", "postgresql"]

_WORDS: Final[dict[Dialect, dict[str, str]]] = {
    "sqlite": {"blob": "BLOB", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"},
    "postgresql": {
        "blob": "BYTEA",
        "serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "real": "DOUBLE PRECISION",
    },
}

_V1_TABLES: Final[tuple[str, ...]] = (
    """CREATE TABLE status_lists (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
        seq INTEGER NOT NULL,
        length INTEGER NOT NULL,
        allocated INTEGER NOT NULL DEFAULT 0,
        full_ INTEGER NOT NULL DEFAULT 0,
        bits {blob} NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        cached {blob},
        cached_version INTEGER,
        cached_valid_until TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (purpose, seq)
    )""",
    """CREATE TABLE status_allocations (
        list_id TEXT NOT NULL REFERENCES status_lists (id),
        idx INTEGER NOT NULL,
        allocated_at TEXT NOT NULL,
        PRIMARY KEY (list_id, idx)
    )""",
    """CREATE TABLE issuer_keys (
        id TEXT PRIMARY KEY,
        controller TEXT NOT NULL,
        public_multibase TEXT NOT NULL UNIQUE,
        secret {blob} NOT NULL,
        kdf_salt {blob} NOT NULL,
        kdf_ops INTEGER NOT NULL,
        kdf_mem INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'retired', 'compromised')),
        valid_from TEXT NOT NULL,
        valid_until TEXT
    )""",
    """CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        document {blob} NOT NULL,
        key_id TEXT NOT NULL REFERENCES issuer_keys (id),
        revocation_list TEXT NOT NULL,
        revocation_index INTEGER NOT NULL,
        suspension_list TEXT NOT NULL,
        suspension_index INTEGER NOT NULL,
        idempotency_key TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (revocation_list, revocation_index),
        UNIQUE (suspension_list, suspension_index)
    )""",
    "CREATE INDEX credentials_by_key ON credentials (key_id)",
    """CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        request_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        secret_hash {blob} NOT NULL,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    """CREATE TABLE events (
        seq {serial},
        time TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        details TEXT NOT NULL
    )""",
    "CREATE INDEX events_by_subject ON events (subject)",
)

_APPEND_ONLY: Final[dict[Dialect, tuple[str, ...]]] = {
    "sqlite": (
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    ),
    "postgresql": (
        """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'events are append-only'; END $$""",
        """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
           FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    ),
}

#: Version 2: the shared batches of :mod:`issuer.batch.claims`. A batch (its id is a digest of its rows) is
#: cut into units of consecutive rows; a process claims a unit (``owner``, and ``lease_until`` in seconds of
#: the database's own clock), issues it and marks it ``done`` with the rows that failed (JSON).
_V2_BATCHES: Final[tuple[str, ...]] = (
    """CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        rows_ INTEGER NOT NULL,
        unit_rows INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE batch_units (
        batch_id TEXT NOT NULL REFERENCES batches (id),
        unit INTEGER NOT NULL,
        first_row INTEGER NOT NULL,
        rows_ INTEGER NOT NULL,
        owner TEXT,
        lease_until {real},
        done INTEGER NOT NULL DEFAULT 0,
        failures TEXT,
        PRIMARY KEY (batch_id, unit)
    )""",
)

#: Forward migrations: (version, statements per dialect). Append only; never edit a released one.
MIGRATIONS: Final[tuple[tuple[int, dict[Dialect, tuple[str, ...]]], ...]] = (
    (1, {d: _V1_TABLES + _APPEND_ONLY[d] for d in ("sqlite", "postgresql")}),
    (2, {d: _V2_BATCHES for d in ("sqlite", "postgresql")}),
)

LATEST: Final = MIGRATIONS[-1][0]

SCHEMA_VERSION_TABLE: Final = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"


def statements(version: int, dialect: Dialect) -> tuple[str, ...]:
    """The SQL of migration ``version`` for ``dialect``, with the dialect's words filled in."""
    for number, per_dialect in MIGRATIONS:
        if number == version:
            words = _WORDS[dialect]
            return tuple(s.format(**words) if "{" in s and "$$" not in s else s for s in per_dialect[dialect])
    raise ValueError(f"version: no migration numbered {version}")

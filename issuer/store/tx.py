"""Transactions on the issuer registry (:mod:`issuer.store.registry`): every query the issuer runs, on
one connection lent for one transaction. The concurrency contract is the registry's."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Sequence
from typing import Any, Final

from issuer.store.db import Cursor
from issuer.store.records import (
    CredentialRecord,
    Event,
    KeyRecord,
    KeyState,
    StatusListRecord,
    StatusRef,
    TokenRecord,
    dumps,
)

#: Random probes for a free index before falling back to choosing among the free ones.
_PROBES: Final = 32
#: Rows (or ``IN`` values) per statement of the ``*_many`` methods: far below the bound-parameter limits of
#: SQLite (32,766) and PostgreSQL (65,535).
_BATCH: Final = 500
#: At most this many candidate indexes drawn in one round of :meth:`Tx.allocate_many` (more: choose among
#: the free ones instead).
_DRAW_MAX: Final = 2000
_TABLES: Final = frozenset(
    {
        "credentials",
        "status_lists",
        "status_allocations",
        "issuer_keys",
        "idempotency",
        "api_tokens",
        "events",
        "batches",
        "batch_units",
    }
)
_CRED_COLS: Final = (
    "id, kind, document, key_id, revocation_list, revocation_index, suspension_list, "
    "suspension_index, idempotency_key, created_at"
)
_LIST_COLS: Final = "id, purpose, length, bits, version, allocated, cached, cached_version, cached_valid_until"
_KEY_COLS: Final = (
    "id, controller, public_multibase, secret, kdf_salt, kdf_ops, kdf_mem, state, valid_from, valid_until"
)


def _credential(row: tuple[Any, ...]) -> CredentialRecord:
    return CredentialRecord(
        row[0],
        row[1],
        bytes(row[2]),
        row[3],
        StatusRef(row[4], int(row[5])),
        StatusRef(row[6], int(row[7])),
        row[8],
        row[9],
    )


def _parts(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def random_below(size: int, count: int) -> list[int]:
    """``count`` independent uniform integers in ``[0, size)`` from the OS CSPRNG in one read (a batch
    draws hundreds at once; ``secrets.randbelow`` reads once per number). Rejection sampling over
    32-bit words, so there is no modulo bias."""
    if not 0 < size <= 1 << 32:
        raise ValueError(f"size: expected 1 .. 2**32, got {size!r}")
    limit = (1 << 32) - (1 << 32) % size
    out: list[int] = []
    while len(out) < count:
        words = memoryview(os.urandom(4 * (count - len(out)))).cast("I")
        out.extend(word % size for word in words if word < limit)
    return out


def _marks(count: int, width: int = 1) -> str:
    """``?, ?, ?`` for an ``IN`` list, or ``(?, ?), (?, ?)`` for a multi-row ``VALUES`` of ``width`` columns."""
    one = "?" if width == 1 else "(" + ", ".join("?" * width) + ")"
    return ", ".join([one] * count)


def _key(row: tuple[Any, ...]) -> KeyRecord:
    return KeyRecord(
        row[0], row[1], row[2], bytes(row[3]), bytes(row[4]), int(row[5]), int(row[6]), row[7], row[8], row[9]
    )


class Tx:
    """The operations of one open transaction. Obtained from :meth:`Store.write`/:meth:`Store.read`."""

    def __init__(self, cursor: Cursor) -> None:
        self._c = cursor

    # --- status lists ----------------------------------------------------------------------

    def allocate_many(self, purpose: str, count: int, *, length: int, now: str) -> list[StatusRef]:
        """``count`` fresh random indexes (OS CSPRNG) in the open lists of ``purpose``: every index claimed
        under ``PRIMARY KEY (list_id, idx)`` with ``ON CONFLICT DO NOTHING``, never reused; a new list of
        ``length`` bits is created when none is open, and a full list is closed (roll-over). A few
        statements, not three per index: one look at the open list, multi-row claims (repeated only for
        the candidates that collide) and one counter update per list touched. The order of the result is
        random too."""
        if count < 0:
            raise ValueError(f"count: expected a non-negative number, got {count!r}")
        c = self._c
        refs: list[StatusRef] = []
        while len(refs) < count:
            row = c.one(
                "SELECT id, length, allocated FROM status_lists WHERE purpose = ? AND full_ = 0 "
                "ORDER BY seq LIMIT 1" + c.for_update(),
                (purpose,),
            )
            if row is None:
                self._open_list(purpose, length, now)
                continue
            list_id, size, used = str(row[0]), int(row[1]), int(row[2])
            want = min(count - len(refs), size - used)
            claimed = self._claim_many(list_id, size, used, want, now) if want > 0 else []
            if claimed:
                c.execute("UPDATE status_lists SET allocated = allocated + ? WHERE id = ?", (len(claimed), list_id))
                refs.extend(StatusRef(list_id, index) for index in claimed)
            if len(claimed) < want or want <= 0:  # no free index left: close the list (roll-over)
                c.execute("UPDATE status_lists SET full_ = 1 WHERE id = ?", (list_id,))
        return refs

    def _open_list(self, purpose: str, length: int, now: str) -> None:
        c = self._c
        seq_row = c.one("SELECT COALESCE(MAX(seq), 0) + 1 FROM status_lists WHERE purpose = ?", (purpose,))
        seq = int(seq_row[0]) if seq_row else 1
        c.execute(
            "INSERT INTO status_lists (id, purpose, seq, length, bits, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (f"{purpose}-{seq}", purpose, seq, length, bytes(length // 8), now),
        )

    def _claim_many(self, list_id: str, size: int, used: int, want: int, now: str) -> list[int]:
        """Up to ``want`` indexes of ``list_id`` claimed now, uniformly among the free ones, in random
        order; fewer only when fewer are free. Random candidates first (on a list more than half full,
        more are drawn and the taken ones skipped); after :data:`_PROBES` rounds, or when the list is
        nearly full, a choice among all the free indexes."""
        claimed: list[int] = []
        known: set[int] = set()  # indexes seen taken, by others or by this call
        for _ in range(_PROBES):
            need, free = want - len(claimed), size - used - len(claimed)
            if need <= 0:
                return claimed
            draw = need if 2 * free >= size else -(-need * size * 5 // (4 * max(free, 1))) + 8
            if free <= 0 or draw > min(_DRAW_MAX, (size - len(known)) // 2):
                break
            picked: dict[int, None] = {}
            while len(picked) < draw:
                picked.update((index, None) for index in random_below(size, draw - len(picked)) if index not in known)
            candidates = list(picked)
            if draw > need:  # the first ``need`` free ones, in the order drawn
                taken = self._taken(list_id, candidates)
                known |= taken
                candidates = [i for i in candidates if i not in taken][:need]
            claimed += self._insert_indexes(list_id, candidates, now)
            known.update(candidates)
        need = want - len(claimed)
        if need > 0:
            taken = {int(r[0]) for r in self._c.all("SELECT idx FROM status_allocations WHERE list_id = ?", (list_id,))}
            free_indexes = [i for i in range(size) if i not in taken]
            chosen = secrets.SystemRandom().sample(free_indexes, min(need, len(free_indexes)))
            claimed += self._insert_indexes(list_id, chosen, now)
        return claimed

    def _taken(self, list_id: str, indexes: Sequence[int]) -> set[int]:
        taken: set[int] = set()
        for part in _parts(indexes):
            rows = self._c.all(
                f"SELECT idx FROM status_allocations WHERE list_id = ? AND idx IN ({_marks(len(part))})",
                (list_id, *part),
            )
            taken.update(int(r[0]) for r in rows)
        return taken

    def _insert_indexes(self, list_id: str, indexes: Sequence[int], now: str) -> list[int]:
        """The ``indexes`` this statement inserted (the others were taken), in the order given."""
        inserted: set[int] = set()
        for part in _parts(indexes):
            rows = self._c.all(
                "INSERT INTO status_allocations (list_id, idx, allocated_at) "
                f"VALUES {_marks(len(part), 3)} ON CONFLICT DO NOTHING RETURNING idx",
                [value for index in part for value in (list_id, index, now)],
            )
            inserted.update(int(r[0]) for r in rows)
        return [i for i in indexes if i in inserted]

    def status_list(self, list_id: str, *, lock: bool = False) -> StatusListRecord | None:
        """The list; ``lock`` holds its row until the transaction ends (read-modify-write)."""
        row = self._c.one(
            f"SELECT {_LIST_COLS} FROM status_lists WHERE id = ?" + (self._c.for_update() if lock else ""), (list_id,)
        )
        if row is None:
            return None
        return StatusListRecord(
            row[0],
            row[1],
            int(row[2]),
            bytes(row[3]),
            int(row[4]),
            int(row[5]),
            None if row[6] is None else bytes(row[6]),
            None if row[7] is None else int(row[7]),
            row[8],
        )

    def status_list_ids(self) -> tuple[str, ...]:
        return tuple(str(r[0]) for r in self._c.all("SELECT id FROM status_lists ORDER BY purpose, seq"))

    def write_bits(self, list_id: str, bits: bytes) -> None:
        """Replace the list's bits and bump its version (call with the row locked)."""
        self._c.execute("UPDATE status_lists SET bits = ?, version = version + 1 WHERE id = ?", (bits, list_id))

    def cache_list_credential(self, list_id: str, *, version: int, data: bytes, valid_until: str) -> bool:
        """Remember the signed list credential of ``version``; ignored if the list changed since."""
        return (
            self._c.execute(
                "UPDATE status_lists SET cached = ?, cached_version = ?, cached_valid_until = ? "
                "WHERE id = ? AND version = ?",
                (data, version, valid_until, list_id, version),
            )
            == 1
        )

    def drop_list_caches(self) -> None:
        """Forget every signed list credential (after a key compromise: they must be re-signed)."""
        self._c.execute("UPDATE status_lists SET cached = NULL, cached_version = NULL, cached_valid_until = NULL")

    def allocations(self) -> tuple[StatusRef, ...]:
        rows = self._c.all("SELECT list_id, idx FROM status_allocations ORDER BY list_id, idx")
        return tuple(StatusRef(str(r[0]), int(r[1])) for r in rows)

    # --- credentials and idempotency ----------------------------------------------------------

    def credential(self, credential_id: str) -> CredentialRecord | None:
        row = self._c.one(f"SELECT {_CRED_COLS} FROM credentials WHERE id = ?", (credential_id,))
        return None if row is None else _credential(row)

    def credentials(self) -> tuple[CredentialRecord, ...]:
        return tuple(_credential(r) for r in self._c.all(f"SELECT {_CRED_COLS} FROM credentials ORDER BY id"))

    def credential_ids_by_key(self, key_id: str) -> tuple[str, ...]:
        rows = self._c.all("SELECT id FROM credentials WHERE key_id = ? ORDER BY id", (key_id,))
        return tuple(str(r[0]) for r in rows)

    def insert_credentials(self, records: Sequence[CredentialRecord]) -> int:
        """Insert the records (one prepared statement); how many were new (ids already taken are skipped)."""
        return self._c.executemany(
            f"INSERT INTO credentials ({_CRED_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (
                    r.id,
                    r.kind,
                    r.document,
                    r.key_id,
                    r.revocation.list_id,
                    r.revocation.index,
                    r.suspension.list_id,
                    r.suspension.index,
                    r.idempotency_key,
                    r.created_at,
                )
                for r in records
            ],
        )

    def credentials_many(self, credential_ids: Sequence[str]) -> dict[str, CredentialRecord]:
        """The records of those ids that exist, by id."""
        found: dict[str, CredentialRecord] = {}
        for part in _parts(list(dict.fromkeys(credential_ids))):
            for row in self._c.all(f"SELECT {_CRED_COLS} FROM credentials WHERE id IN ({_marks(len(part))})", part):
                record = _credential(row)
                found[record.id] = record
        return found

    def idempotency_many(self, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``(credential id, request hash)`` of each of ``keys`` recorded, by key (one query per 500 keys)."""
        found: dict[str, tuple[str, str]] = {}
        for part in _parts(list(dict.fromkeys(keys))):
            rows = self._c.all(
                f"SELECT key, credential_id, request_hash FROM idempotency WHERE key IN ({_marks(len(part))})", part
            )
            found.update((str(r[0]), (str(r[1]), str(r[2]))) for r in rows)
        return found

    def put_idempotency_many(self, entries: Sequence[tuple[str, str, str]], *, now: str) -> int:
        """Record each ``(key, credential id, request hash)``; how many were new (see :meth:`put_idempotency`)."""
        return self._c.executemany(
            "INSERT INTO idempotency (key, credential_id, request_hash, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(key, cid, request_hash, now) for key, cid, request_hash in entries],
        )

    # --- keys and tokens ------------------------------------------------------------------------

    def insert_key(self, key: KeyRecord) -> None:
        self._c.execute(
            f"INSERT INTO issuer_keys ({_KEY_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key.id,
                key.controller,
                key.public_multibase,
                key.secret,
                key.kdf_salt,
                key.kdf_ops,
                key.kdf_mem,
                key.state,
                key.valid_from,
                key.valid_until,
            ),
        )

    def key(self, key_id: str, *, lock: bool = False) -> KeyRecord | None:
        suffix = (" FOR SHARE" if self._c.dialect == "postgresql" else "") if lock else ""
        row = self._c.one(f"SELECT {_KEY_COLS} FROM issuer_keys WHERE id = ?" + suffix, (key_id,))
        return None if row is None else _key(row)

    def keys(self) -> tuple[KeyRecord, ...]:
        rows = self._c.all(
            f"SELECT {_KEY_COLS} FROM issuer_keys ORDER BY valid_from, COALESCE(valid_until, '9999'), id"
        )
        return tuple(_key(r) for r in rows)

    def set_key_state(
        self, key_id: str, state: KeyState, *, valid_until: str | None, only_from: KeyState | None = None
    ) -> bool:
        """Move a key to ``state`` (``valid_until`` is kept if already set); with ``only_from``, only
        when it is in that state now. True when a row changed."""
        sql = "UPDATE issuer_keys SET state = ?, valid_until = COALESCE(valid_until, ?) WHERE id = ?"
        params: list[object] = [state, valid_until, key_id]
        if only_from is not None:
            sql += " AND state = ?"
            params.append(only_from)
        return self._c.execute(sql, params) == 1

    def insert_token(self, token: TokenRecord) -> None:
        self._c.execute(
            "INSERT INTO api_tokens (id, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?)",
            (token.id, token.secret_hash, " ".join(sorted(token.scopes)), token.created_at),
        )

    def token(self, token_id: str) -> TokenRecord | None:
        row = self._c.one(
            "SELECT id, secret_hash, scopes, created_at, revoked_at FROM api_tokens WHERE id = ?", (token_id,)
        )
        if row is None:
            return None
        return TokenRecord(row[0], bytes(row[1]), frozenset(str(row[2]).split()), row[3], row[4])

    def tokens(self) -> tuple[TokenRecord, ...]:
        rows = self._c.all(
            "SELECT id, secret_hash, scopes, created_at, revoked_at FROM api_tokens ORDER BY created_at, id"
        )
        return tuple(TokenRecord(r[0], bytes(r[1]), frozenset(str(r[2]).split()), r[3], r[4]) for r in rows)

    def revoke_token(self, token_id: str, *, now: str) -> bool:
        return (
            self._c.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, token_id))
            == 1
        )

    # --- events ---------------------------------------------------------------------------------

    def append_event(self, kind: str, subject: str, details: dict[str, Any], *, now: str) -> None:
        """Append to the event log (there is no update or delete path, and triggers refuse one)."""
        self._c.execute(
            "INSERT INTO events (time, kind, subject, details) VALUES (?, ?, ?, ?)",
            (now, kind, subject, dumps(details)),
        )

    def append_events(self, kind: str, entries: Sequence[tuple[str, dict[str, Any]]], *, now: str) -> None:
        """Append one ``kind`` event per ``(subject, details)``, in order (one prepared statement)."""
        self._c.executemany(
            "INSERT INTO events (time, kind, subject, details) VALUES (?, ?, ?, ?)",
            [(now, kind, subject, dumps(details)) for subject, details in entries],
        )

    def events(self, *, subject: str | None = None, kind: str | None = None) -> tuple[Event, ...]:
        where = [(col, value) for col, value in (("subject", subject), ("kind", kind)) if value is not None]
        clause = (" WHERE " + " AND ".join(f"{col} = ?" for col, _ in where)) if where else ""
        rows = self._c.all(
            f"SELECT seq, time, kind, subject, details FROM events{clause} ORDER BY seq", [value for _, value in where]
        )
        return tuple(Event(int(r[0]), r[1], r[2], r[3], json.loads(r[4])) for r in rows)

    # --- shared batches (issuer.batch.claims) -------------------------------------------------------------

    def open_batch(self, batch_id: str, rows: int, unit_rows: int, *, now: str) -> tuple[int, int]:
        """Register the batch and its units unless a process did already; the batch's (rows, unit size) as
        recorded, so every process cuts the rows alike."""
        c = self._c
        c.execute(
            "INSERT INTO batches (id, rows_, unit_rows, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (batch_id, rows, unit_rows, now),
        )
        row = c.one("SELECT rows_, unit_rows FROM batches WHERE id = ?", (batch_id,))
        assert row is not None
        rows, unit_rows = int(row[0]), int(row[1])
        units = [
            (batch_id, n, first, min(unit_rows, rows - first)) for n, first in enumerate(range(0, rows, unit_rows))
        ]
        c.executemany(
            "INSERT INTO batch_units (batch_id, unit, first_row, rows_) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            units,
        )
        return rows, unit_rows

    def claim_units(self, batch_id: str, owner: str, *, lease: float, count: int = 1) -> list[tuple[int, int, int]]:
        """Claim up to ``count`` units nobody holds (free, or their lease ran out on the database's clock) for
        ``lease`` seconds; their (unit, first row, rows). On PostgreSQL units another transaction is claiming
        are skipped (``FOR UPDATE SKIP LOCKED``), so processes never queue behind each other."""
        c = self._c
        now = c.clock()
        rows = c.all(
            f"SELECT unit, first_row, rows_ FROM batch_units WHERE batch_id = ? AND done = 0 "
            f"AND (owner IS NULL OR lease_until < {now}) ORDER BY unit LIMIT ?" + c.for_update(skip_locked=True),
            (batch_id, count),
        )
        c.executemany(
            f"UPDATE batch_units SET owner = ?, lease_until = {now} + ? WHERE batch_id = ? AND unit = ?",
            [(owner, lease, batch_id, int(r[0])) for r in rows],
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    def renew_units(self, batch_id: str, owner: str, *, lease: float) -> int:
        """Extend the lease of every unfinished unit ``owner`` holds; how many."""
        c = self._c
        return c.execute(
            f"UPDATE batch_units SET lease_until = {c.clock()} + ? WHERE batch_id = ? AND owner = ? AND done = 0",
            (lease, batch_id, owner),
        )

    def release_units(self, batch_id: str, owner: str) -> int:
        """Free the unfinished units of ``owner`` (a process known to be dead); how many."""
        return self._c.execute(
            "UPDATE batch_units SET owner = NULL, lease_until = NULL WHERE batch_id = ? AND owner = ? AND done = 0",
            (batch_id, owner),
        )

    def finish_unit(self, batch_id: str, unit: int, owner: str, failures: Sequence[tuple[int, str, str]]) -> None:
        """Mark ``unit`` done by ``owner``, with its failed rows (row, code, detail)."""
        self._c.execute(
            "UPDATE batch_units SET done = 1, owner = ?, lease_until = NULL, failures = ? "
            "WHERE batch_id = ? AND unit = ?",
            (owner, json.dumps([list(f) for f in failures]), batch_id, unit),
        )

    def batch_state(self, batch_id: str) -> tuple[int, int, tuple[str, ...]]:
        """(rows done, rows in all, owners holding an unfinished unit) of the batch."""
        c = self._c
        row = c.one(
            "SELECT COALESCE(SUM(CASE WHEN done = 1 THEN rows_ ELSE 0 END), 0), COALESCE(SUM(rows_), 0) "
            "FROM batch_units WHERE batch_id = ?",
            (batch_id,),
        )
        holders = c.all(
            "SELECT DISTINCT owner FROM batch_units WHERE batch_id = ? AND done = 0 AND owner IS NOT NULL "
            "ORDER BY owner",
            (batch_id,),
        )
        done, total = (int(row[0]), int(row[1])) if row else (0, 0)
        return done, total, tuple(str(r[0]) for r in holders)

    def batch_units(self, batch_id: str) -> list[tuple[int, int, int, str | None, bool, list[tuple[int, str, str]]]]:
        """Every unit of the batch: (unit, first row, rows, owner, done, failed rows)."""
        rows = self._c.all(
            "SELECT unit, first_row, rows_, owner, done, failures FROM batch_units WHERE batch_id = ? ORDER BY unit",
            (batch_id,),
        )
        return [
            (
                int(r[0]),
                int(r[1]),
                int(r[2]),
                None if r[3] is None else str(r[3]),
                bool(r[4]),
                [(int(f[0]), str(f[1]), str(f[2])) for f in json.loads(r[5] or "[]")],
            )
            for r in rows
        ]

    def count(self, table: str) -> int:
        if table not in _TABLES:
            raise ValueError(f"table: {table!r} is not one of {sorted(_TABLES)}")
        row = self._c.one(f"SELECT COUNT(*) FROM {table}")
        return int(row[0]) if row else 0

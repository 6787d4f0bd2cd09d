"""The registry on both backends: migrations, allocation, transactions, append-only events, busy."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from issuer.store import Store
from issuer.store_schema import LATEST
from tests.issuer.conftest import Target
from vccore.errors import Code, SkillcredError


def test_migrations_are_applied_once_and_reopening_is_harmless(target: Target) -> None:
    with target.open() as first:
        assert first.migrate() == LATEST
    with target.open() as second, second.read() as tx:
        assert tx.count("events") == 0


def test_allocations_are_distinct_and_roll_over_to_a_new_list_when_full(store: Store) -> None:
    with store.write() as tx:
        refs = [tx.allocate("revocation", length=16, now="2026-11-30T12:00:00Z") for _ in range(40)]
    assert len(set(refs)) == 40
    assert [r.list_id for r in refs[:16]] == ["revocation-1"] * 16
    assert {r.index for r in refs[:16]} == set(range(16))
    assert {r.list_id for r in refs} == {"revocation-1", "revocation-2", "revocation-3"}
    with store.read() as tx:
        assert tx.count("status_allocations") == 40
        assert tx.status_list_ids() == ("revocation-1", "revocation-2", "revocation-3")


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.allocate("suspension", length=16, now="t")
        tx.append_event("test", "x", {}, now="t")
        raise RuntimeError("boom")
    with store.read() as tx:
        assert (tx.count("status_allocations"), tx.count("events"), tx.count("status_lists")) == (0, 0, 0)


def test_an_idempotency_key_is_recorded_once(store: Store) -> None:
    from tests.issuer.conftest import build_service, small_credential

    issued = build_service(store).issue(small_credential())
    with store.write() as tx:
        assert tx.put_idempotency("k", credential_id=issued.id, request_hash="a", now="t") is True
        assert tx.put_idempotency("k", credential_id=issued.id, request_hash="b", now="t") is False
        assert tx.idempotency("k") == (issued.id, "a")


@pytest.mark.parametrize("statement", ["UPDATE events SET kind = 'edited'", "DELETE FROM events"])
def test_the_event_log_refuses_update_and_delete(store: Store, target: Target, statement: str) -> None:
    with store.write() as tx:
        tx.append_event("credential.issued", "urn:x", {"n": 1}, now="t")
    with pytest.raises(Exception, match="append-only"):
        target.raw(statement)
    with store.read() as tx:
        events = tx.events()
    assert [(e.kind, e.subject, dict(e.details)) for e in events] == [
        ("credential.issued", "urn:x", {"n": 1})]


def test_a_locked_database_is_store_busy_quickly_and_nothing_is_written(target: Target) -> None:
    with target.open() as setup:
        setup.migrate()
    if target.schema is None:
        holder = sqlite3.connect(target.url, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        holder = psycopg.connect(target.url, autocommit=True)  # type: ignore[assignment]
        holder.execute(f'SET search_path TO "{target.schema}"')
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE status_lists IN ACCESS EXCLUSIVE MODE")
    try:
        with target.open(busy_timeout=0.2, migrate=False) as busy:
            started = time.monotonic()
            with pytest.raises(SkillcredError) as info, busy.write() as tx:
                tx.append_event("partial", "x", {}, now="t")
                tx.allocate("revocation", length=16, now="t")
            assert info.value.code is Code.STORE_BUSY
            assert time.monotonic() - started < 2.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with target.open() as after, after.read() as tx:
        assert (tx.count("events"), tx.count("status_allocations")) == (0, 0)


def test_an_unknown_table_is_refused(store: Store) -> None:
    with store.read() as tx, pytest.raises(ValueError, match="table"):
        tx.count("sqlite_master")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Store(path) as opened, opened.read():
        pass
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()

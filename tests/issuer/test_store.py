"""The registry on both backends: migrations, allocation, transactions, append-only events, busy."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from issuer.store.records import CredentialRecord, KeyRecord, StatusRef
from issuer.store.registry import Store
from issuer.store.schema import LATEST
from issuer.store.tx import random_below
from tests.issuer.conftest import Target
from vccore.errors import Code, SkillcredError


def test_migrations_are_applied_once_and_reopening_is_harmless(target: Target) -> None:
    with target.open() as first:
        assert first.migrate() == LATEST
    with target.open() as second, second.read() as tx:
        assert tx.count("events") == 0


def test_allocations_are_distinct_and_roll_over_to_a_new_list_when_full(store: Store) -> None:
    with store.write() as tx:
        # one at a time, as single issuance allocates
        refs = [tx.allocate_many("revocation", 1, length=16, now="2026-11-30T12:00:00Z")[0] for _ in range(40)]
    assert len(set(refs)) == 40
    assert [r.list_id for r in refs[:16]] == ["revocation-1"] * 16
    assert {r.index for r in refs[:16]} == set(range(16))
    assert {r.list_id for r in refs} == {"revocation-1", "revocation-2", "revocation-3"}
    with store.read() as tx:
        assert tx.count("status_allocations") == 40
        assert tx.status_list_ids() == ("revocation-1", "revocation-2", "revocation-3")


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError, match="boom"), store.write() as tx:
        tx.allocate_many("suspension", 1, length=16, now="t")
        tx.append_event("test", "x", {}, now="t")
        raise RuntimeError("boom")
    with store.read() as tx:
        assert (tx.count("status_allocations"), tx.count("events"), tx.count("status_lists")) == (0, 0, 0)


def test_an_idempotency_key_is_recorded_once(store: Store) -> None:
    from tests.issuer.conftest import build_service, small_credential

    issued = build_service(store).issue(small_credential())
    with store.write() as tx:
        assert tx.put_idempotency_many([("k", issued.id, "a")], now="t") == 1
        assert tx.put_idempotency_many([("k", issued.id, "b")], now="t") == 0
        assert tx.idempotency_many(["k"]) == {"k": (issued.id, "a")}


@pytest.mark.parametrize("statement", ["UPDATE events SET kind = 'edited'", "DELETE FROM events"])
def test_the_event_log_refuses_update_and_delete(store: Store, target: Target, statement: str) -> None:
    with store.write() as tx:
        tx.append_event("credential.issued", "urn:x", {"n": 1}, now="t")
    with pytest.raises(Exception, match="append-only"):
        target.raw(statement)
    with store.read() as tx:
        events = tx.events()
    assert [(e.kind, e.subject, dict(e.details)) for e in events] == [("credential.issued", "urn:x", {"n": 1})]


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
                tx.allocate_many("revocation", 1, length=16, now="t")
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


# --- batched operations (issuer batch) ------------------------------------------------------------------


def test_allocate_many_hands_out_distinct_indexes_and_rolls_over(store: Store) -> None:
    with store.write() as tx:
        refs = tx.allocate_many("revocation", 40, length=16, now="t")
        assert tx.allocate_many("revocation", 0, length=16, now="t") == []
        with pytest.raises(ValueError, match="count"):
            tx.allocate_many("revocation", -1, length=16, now="t")
    assert len(refs) == len(set(refs)) == 40
    assert {r.index for r in refs if r.list_id == "revocation-1"} == set(range(16))
    assert {r.index for r in refs if r.list_id == "revocation-2"} == set(range(16))
    assert sum(r.list_id == "revocation-3" for r in refs) == 8
    with store.read() as tx:
        assert tx.count("status_allocations") == 40
        assert tx.status_list_ids() == ("revocation-1", "revocation-2", "revocation-3")
        listed = tx.status_list("revocation-3")
        assert listed is not None and listed.allocated == 8


def test_allocate_many_never_reuses_an_index_across_transactions_and_allocations_of_one(store: Store) -> None:
    seen: list[StatusRef] = []
    with store.write() as tx:
        seen += [tx.allocate_many("suspension", 1, length=64, now="t")[0] for _ in range(10)]
    for count in (7, 30, 1, 40):
        with store.write() as tx:
            seen += tx.allocate_many("suspension", count, length=64, now="t")
        with store.write() as tx:
            seen += tx.allocate_many("suspension", 1, length=64, now="t")
    assert len(seen) == len(set(seen)) == 10 + 78 + 4
    with store.read() as tx:
        assert set(tx.allocations()) == set(seen)
        one, two = tx.status_list("suspension-1"), tx.status_list("suspension-2")
    assert one is not None and two is not None and (one.allocated, two.allocated) == (64, 28)
    assert {r.index for r in seen if r.list_id == "suspension-1"} == set(range(64))


def test_allocate_many_on_a_fuller_list_skips_taken_indexes_and_fills_it_exactly(store: Store) -> None:
    with store.write() as tx:
        first = tx.allocate_many("revocation", 2100, length=4096, now="t")  # now less than half is free
    with store.write() as tx:
        more = tx.allocate_many("revocation", 64, length=4096, now="t")  # oversampled draws, taken ones skipped
    with store.write() as tx:
        rest = tx.allocate_many("revocation", 4096 - 2164, length=4096, now="t")  # the last free ones
        after = tx.allocate_many("revocation", 3, length=4096, now="t")
    claimed = first + more + rest
    assert len(set(claimed)) == 4096 and {r.list_id for r in claimed} == {"revocation-1"}
    assert {r.index for r in claimed} == set(range(4096))
    assert {r.list_id for r in after} == {"revocation-2"} and len(set(after)) == 3
    assert sorted(r.index for r in more) != [r.index for r in more]  # handed out in random order


def test_allocate_many_from_concurrent_threads_never_collides(target: Target) -> None:
    results: list[list[StatusRef]] = []

    def work(opened: Store) -> None:
        got: list[StatusRef] = []
        for _ in range(5):
            with opened.write() as tx:
                got += tx.allocate_many("revocation", 30, length=1024, now="t")
        results.append(got)

    with target.open(busy_timeout=30.0) as opened:
        threads = [threading.Thread(target=work, args=(opened,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with opened.read() as tx:
            assert tx.count("status_allocations") == 600
    refs = [r for got in results for r in got]
    assert len(results) == 4 and len(refs) == len(set(refs)) == 600
    assert all(0 <= r.index < 1024 for r in refs) and {r.list_id for r in refs} == {"revocation-1"}


def test_batched_records_reads_and_events(store: Store) -> None:
    key = KeyRecord("k1", "did:example:issuer", "z6Mk-test", b"s", b"salt", 1, 8192, "active", "t", None)
    records = [
        CredentialRecord(
            f"urn:uuid:{n}",
            "TestCredential",
            f'{{"n":{n}}}'.encode(),
            "k1",
            StatusRef("revocation-1", n),
            StatusRef("suspension-1", n),
            f"key-{n}",
            "t",
        )
        for n in range(3)
    ]
    with store.write() as tx:
        tx.insert_key(key)
        assert tx.insert_credentials(records) == 3
        assert tx.insert_credentials(records[:1]) == 0  # the id is taken: skipped
        assert tx.insert_credentials([]) == 0
        entries = [(f"key-{n}", f"urn:uuid:{n}", f"hash-{n}") for n in range(3)]
        assert tx.put_idempotency_many(entries, now="t") == 3
        assert tx.put_idempotency_many([*entries[1:], ("key-9", "urn:uuid:0", "h")], now="t") == 1
        tx.append_events("credential.issued", [(r.id, {"n": n}) for n, r in enumerate(records)], now="t")
    with store.read() as tx:
        assert tx.idempotency_many(["key-2", "key-0", "missing", "key-0"]) == {
            "key-0": ("urn:uuid:0", "hash-0"),
            "key-2": ("urn:uuid:2", "hash-2"),
        }
        assert tx.idempotency_many([]) == {}
        many = tx.credentials_many(["urn:uuid:1", "urn:uuid:7", "urn:uuid:2"])
        assert many == {"urn:uuid:1": records[1], "urn:uuid:2": records[2]}
        assert [(e.kind, e.subject, dict(e.details)) for e in tx.events()] == [
            ("credential.issued", f"urn:uuid:{n}", {"n": n}) for n in range(3)
        ]
        big = tx.idempotency_many([f"key-{n}" for n in range(1200)])  # more than one IN list
    assert set(big) == {"key-0", "key-1", "key-2", "key-9"}


@pytest.mark.parametrize("size", [1, 3, 16, 131_072, 1_000_003])
def test_random_below_draws_the_asked_count_in_range_and_covers_small_ranges(size: int) -> None:
    drawn = random_below(size, 4000)
    assert len(drawn) == 4000 and all(type(i) is int and 0 <= i < size for i in drawn)
    if size <= 16:  # 4,000 uniform draws miss one of 16 values with probability below 1e-100
        assert set(drawn) == set(range(size))
    else:
        assert len(set(drawn)) > 3000  # not a constant or a short cycle


def test_random_below_refuses_sizes_it_cannot_draw_without_bias() -> None:
    for size in (0, -5, (1 << 32) + 1):
        with pytest.raises(ValueError, match="size"):
            random_below(size, 1)

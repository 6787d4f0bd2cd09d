"""The registry's bounded connection pool (issue 20), on SQLite and PostgreSQL.

Before: one connection per thread, kept forever: an idle issuer with 16 threads held 48 PostgreSQL
connections, three of them starved the server (``too many clients``), and after a database restart each
stale connection failed one request. Now a store holds at most ``pool_size`` connections, lends one per
transaction, and replaces a dead one before it reaches a request.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Generator, Iterator
from typing import cast

import pytest

from issuer.store.db import DEFAULT_POOL_SIZE, Database
from issuer.store.registry import Store
from tests.issuer.conftest import PG_URL, Target, build_service, small_credential
from vccore.errors import Code, SkillcredError


def _server_connections(name: str) -> int:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def named(target: Target) -> Iterator[tuple[Store, str]]:
    name = f"skillcred-test-{uuid.uuid4().hex[:10]}"
    with target.open(pool_size=4, application_name=name) as store:
        yield store, name


def test_30_short_lived_threads_never_hold_more_than_the_pool(named: tuple[Store, str]) -> None:
    store, name = named
    service = build_service(store)
    seen: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        service.issue(small_credential(n))
        with store.read() as tx:
            tx.count("credentials")
        with lock:
            seen.append(store.open_connections)
            if store.dialect == "postgresql":
                seen.append(_server_connections(name))

    for wave in range(3):  # threads that come and go, ten at a time
        threads = [threading.Thread(target=work, args=(10 * wave + i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert len(seen) == 30 * (2 if store.dialect == "postgresql" else 1)
    assert max(seen) <= 4 and store.open_connections <= 4
    with store.read() as tx:
        assert tx.count("credentials") == 30


def test_a_borrower_waits_for_a_free_connection_then_gets_store_busy(target: Target) -> None:
    with target.open(pool_size=1, busy_timeout=0.3) as store:
        with store.read():
            with pytest.raises(SkillcredError) as err:
                with store.read():
                    pass
        assert err.value.code is Code.STORE_BUSY
        with store.read() as tx:  # the connection came back
            tx.count("events")


def test_connections_killed_by_the_server_are_replaced_without_failing_a_request() -> None:
    from tests.issuer.conftest import _pg_target

    targets = cast(Generator[Target, None, None], _pg_target())  # PostgreSQL only: SQLite has no server to restart
    target = next(targets)
    name = f"skillcred-test-{uuid.uuid4().hex[:10]}"
    try:
        with target.open(pool_size=4, application_name=name) as store:
            _kill_and_go_on(store, name)
    finally:
        targets.close()


def _kill_and_go_on(store: Store, name: str) -> None:
    import psycopg

    service = build_service(store)
    threads = [threading.Thread(target=service.issue, args=(small_credential(i),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _server_connections(name) >= 1
    with psycopg.connect(PG_URL, autocommit=True) as admin:  # what a database restart does to them
        # pg_terminate_backend(pid, timeout) waits (up to 5 s) until each backend is gone
        gone = admin.execute(
            "SELECT bool_and(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        ).fetchone()
    assert gone == (True,)
    assert _server_connections(name) == 0
    for i in range(20):  # every request succeeds: dead connections are replaced before they are lent
        service.issue(small_credential(100 + i))
    with store.read() as tx:
        assert tx.count("credentials") == 28


def test_the_pool_size_is_checked() -> None:
    with pytest.raises(ValueError, match="pool_size"):
        Database(":memory:", pool_size=0)
    assert DEFAULT_POOL_SIZE == 8

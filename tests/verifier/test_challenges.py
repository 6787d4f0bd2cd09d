from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import CLOCK, NOW
from verifier.challenges import PostgresChallengeStore, SqliteChallengeStore, open_challenge_store

PG_URL = os.environ.get("SKILLCRED_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    table = f"challenges_{uuid.uuid4().hex[:12]}"
    if request.param == "postgres" and not _pg_available():
        pytest.skip("PostgreSQL is not reachable")

    def make(**kw: Any) -> SqliteChallengeStore | PostgresChallengeStore:
        kw.setdefault("domain", "employer.example")
        kw.setdefault("clock", CLOCK)
        if request.param == "sqlite":
            return SqliteChallengeStore(tmp_path / "c.db", **kw)
        return PostgresChallengeStore(PG_URL, table=table, **kw)

    yield make
    if request.param == "postgres":
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def test_a_challenge_is_single_use(make_store: Callable[..., Any]) -> None:
    store = make_store()
    ch = store.issue()
    assert len(ch) >= 32 and ch != store.issue()
    assert store.consume(ch) is True
    assert store.consume(ch) is False


def test_an_unknown_or_foreign_domain_challenge_is_refused(make_store: Callable[..., Any]) -> None:
    store = make_store()
    other = make_store(domain="other.example")
    ch = other.issue()
    assert store.consume(ch) is False and store.consume("nope") is False and store.consume("x" * 500) is False
    assert other.consume(ch) is True


def test_an_expired_challenge_is_refused(make_store: Callable[..., Any]) -> None:
    clock = [NOW]
    store = make_store(ttl=timedelta(minutes=5), clock=lambda: clock[0])
    issued = store.issue_details()
    assert issued.expires == NOW + timedelta(minutes=5)
    clock[0] = NOW + timedelta(minutes=5, seconds=1)
    assert store.consume(issued.challenge) is False


def _consume(kind: str, where: str, table: str, challenge: str, start: Any, out: Any) -> None:
    if kind == "sqlite":
        store: Any = SqliteChallengeStore(where, domain="employer.example", clock=CLOCK)
    else:
        store = PostgresChallengeStore(where, domain="employer.example", table=table, clock=CLOCK)
    start.wait()
    out.put(store.consume(challenge))


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_racing_for_one_challenge_exactly_one_wins(kind: str, tmp_path: Path) -> None:
    if kind == "postgres" and not _pg_available():
        pytest.skip("PostgreSQL is not reachable")
    table = f"challenges_{uuid.uuid4().hex[:12]}"
    where = str(tmp_path / "race.db") if kind == "sqlite" else PG_URL
    store = (
        open_challenge_store(where, domain="employer.example", clock=CLOCK)
        if kind == "sqlite"
        else PostgresChallengeStore(PG_URL, domain="employer.example", table=table, clock=CLOCK)
    )
    ctx = multiprocessing.get_context("spawn")
    try:
        for _ in range(3):
            ch = store.issue()
            start, out = ctx.Event(), ctx.Queue()
            procs = [ctx.Process(target=_consume, args=(kind, where, table, ch, start, out)) for _ in range(4)]
            for p in procs:
                p.start()
            start.set()
            results = [out.get(timeout=60) for _ in procs]
            for p in procs:
                p.join(timeout=60)
            assert sorted(results) == [False, False, False, True]
    finally:
        if kind == "postgres":
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {table}")


def test_bad_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^domain: expected a non-empty string, got ''"):
        SqliteChallengeStore(tmp_path / "c.db", domain="", clock=CLOCK)
    with pytest.raises(ValueError, match=r"^table: 'x; DROP TABLE y' is not a plain lower-case SQL identifier"):
        PostgresChallengeStore(PG_URL, domain="d", table="x; DROP TABLE y", clock=CLOCK)

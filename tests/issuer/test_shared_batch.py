"""One batch shared by several processes against one registry (issue 19): units of rows claimed from the
database, a dead process's units taken over, every row issued exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from issuer.batch.claims import Claims, batch_identity, known_dead, owner_name
from issuer.batch.rows import read_rows
from issuer.home import IssuerHome, init_issuer, open_issuer
from issuer.signing import Request
from issuer.store.registry import Store
from tests.issuer.conftest import PG_URL, Target
from tests.issuer.test_batch import PASSPHRASE, REPO, row, write_csv
from tests.support import CLOCK, NOW


def requests(count: int) -> list[Request]:
    return [Request(f"key-{i}", f"hash-{i}", "skill-level", None) for i in range(count)]


# --- claims on both backends ------------------------------------------------------------------------------------


def test_two_owners_split_the_units_and_a_lapsed_lease_is_taken_over(store: Store) -> None:
    rows = requests(10)
    identity = batch_identity(rows)
    assert identity != batch_identity(rows[:9]) and identity == batch_identity(requests(10))
    elsewhere = Claims(store, identity, 10, now=NOW, unit_rows=4, lease=0.3, owner="other-machine/1/1")
    here = Claims(store, identity, 10, now=NOW, unit_rows=99, lease=60, owner=owner_name())
    try:
        assert here.unit_rows == 4  # the first process cut the batch; the second follows it
        held = next(elsewhere.units())  # claimed, and the other machine then goes silent
        elsewhere.close(release=False)  # no more renewals, as if it died
        assert (held.number, held.first, held.rows) == (0, 0, 4)
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            time.sleep(seconds)

        here._sleep = sleep
        taken = []
        for unit in here.units():
            taken.append((unit.number, unit.first, unit.rows))
            here.finish(unit, [(unit.first, "MALFORMED_VALUE_ERROR", "bad")] if unit.number == 2 else [])
        # units 1 and 2 at once; unit 0 only once the other machine's lease ran out
        assert taken == [(1, 4, 4), (2, 8, 2), (0, 0, 4)] and waits
        assert here.state() == (10, 10, ())
        assert here.failures() == {8: ("MALFORMED_VALUE_ERROR", "bad")}
        assert here.owners() == (here.owner,)
    finally:
        here.close()


def test_units_of_an_owner_known_dead_are_released_at_once(store: Store) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = owner_name(child.pid)
    child.kill()
    child.wait()
    assert known_dead(dead) and not known_dead(owner_name()) and not known_dead("other-machine/1/1")
    identity = batch_identity(requests(3))
    gone = Claims(store, identity, 3, now=NOW, unit_rows=3, lease=3600, owner=dead)
    here = Claims(store, identity, 3, now=NOW, lease=3600)
    try:
        assert next(gone.units()).number == 0
        gone.close(release=False)  # killed: nothing released
        assert here.state() == (0, 3, (dead,))
        units = here.units()
        unit = next(units)  # freed without waiting for the hour-long lease
        assert unit.number == 0 and here.state()[2] == (here.owner,)
        here.finish(unit, [])
        assert list(units) == []
    finally:
        here.close()


def test_a_batch_that_stops_frees_its_unfinished_units_for_a_rerun_in_the_same_process(store: Store) -> None:
    identity = batch_identity(requests(4))
    failed = Claims(store, identity, 4, now=NOW, unit_rows=2, lease=3600)
    assert next(failed.units()).number == 0
    failed.close()  # the batch failed with unit 0 unfinished
    rerun = Claims(store, identity, 4, now=NOW, lease=3600)
    try:
        taken = []
        for unit in rerun.units():  # no wait for the hour-long lease
            taken.append(unit.number)
            rerun.finish(unit, [])
        assert taken == [0, 1] and rerun.state() == (4, 4, ())
    finally:
        rerun.close()


# --- two CLI processes, one killed -------------------------------------------------------------------------------


@pytest.fixture
def pg_schema() -> Iterator[str]:
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as err:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {err}")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _batch(home: Path, source: Path, out: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"SKILLCRED_HOME": str(home), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-m", "skillcred", "issuer", "batch", str(source), "--kind", "skill-level"]
    command += ["--out", str(out), "--workers", "1", "--unit-rows", "16", "--identity-hash-params", "test"]
    return subprocess.Popen(
        command, env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_two_batch_processes_share_a_postgresql_registry_and_one_killed_midway_loses_nothing(
    pg_schema: str, tmp_path: Path
) -> None:
    total = 240
    url = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
    home = IssuerHome(tmp_path / "home")
    init_issuer(
        home,
        did_web="eval.example-heavy-machine.cn/issuers/cnc",
        name_zh="示例重型机床有限公司",
        name_en="Example Heavy Machine Co.",
        passphrase=PASSPHRASE,
        kdf="minimal",
        clock=CLOCK,
        store=url,
    )
    source = write_csv(tmp_path / "province.csv", [row(i) for i in range(total)])
    target = Target(PG_URL, pg_schema)
    identity = batch_identity([r.request for r in read_rows(source, "skill-level")[0]])
    with target.open() as store:
        first = _batch(tmp_path / "home", source, tmp_path / "out-a")
        second = _batch(tmp_path / "home", source, tmp_path / "out-b")
        try:
            deadline = time.monotonic() + 60
            issued = 0
            while time.monotonic() < deadline and first.poll() is None:
                with store.read() as tx:
                    issued = tx.count("credentials")
                    units = tx.batch_units(identity)
                # both processes at work: at least a fifth issued, and a unit finished by the first (on a loaded
                # machine the second can start sooner and do the first fifth alone)
                first_finished = any(
                    done and (owner or "").split("/")[1:2] == [str(first.pid)] for *_, owner, done, _ in units
                )
                if issued >= total // 5 and first_finished:
                    break
                time.sleep(0.05)
            if first.poll() is not None:
                pytest.fail(f"the first process ended: {first.stderr.read().decode() if first.stderr else ''}")
            assert total // 5 <= issued < total
            os.kill(first.pid, signal.SIGKILL)  # mid-run: it holds a unit, half issued
            first.wait()
            assert second.wait(timeout=120) == 0
        finally:
            for proc in (first, second):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        assert second.stderr is not None
        told = second.stderr.read().decode()
        second.stderr.close()
        # the survivor took over the dead process's unit and reports both processes' work
        assert f"；整批 {total}/{total} 行已由 2 个进程完成 / " in told, told
        assert f"; the batch: {total}/{total} rows done by 2 process(es) in " in told, told

        rerun = _batch(tmp_path / "home", source, tmp_path / "out-a")
        assert rerun.wait(timeout=120) == 0
        assert rerun.stderr is not None
        assert f"0 issued, {total} already issued" in rerun.stderr.read().decode()
        rerun.stderr.close()
        if first.stderr:
            first.stderr.close()

        with store.read() as tx:
            assert tx.count("credentials") == tx.count("idempotency") == total
            assert len(tx.events(kind="credential.issued")) == total
            credentials = tx.credentials()
    revocation = {(c.revocation.list_id, c.revocation.index) for c in credentials}
    suspension = {(c.suspension.list_id, c.suspension.index) for c in credentials}
    assert len(revocation) == len(suspension) == total
    for out in (tmp_path / "out-a", tmp_path / "out-b"):
        files = {p.name: json.loads(p.read_bytes()) for p in out.glob("*.json")}
        assert len(files) == total and len({f["id"] for f in files.values()}) == total
        indexes = {int(f["credentialStatus"][0]["statusListIndex"]) for f in files.values()}
        assert len(indexes) == total
    rows, _ = read_rows(source, "skill-level")
    assert len({r.request.key for r in rows}) == total
    with open_issuer(home, passphrase=PASSPHRASE, clock=CLOCK) as opened:
        assert opened.store.dialect == "postgresql"

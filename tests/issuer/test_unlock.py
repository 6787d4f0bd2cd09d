"""The signing key is unlocked once per process (issue 20).

Before: ``issuer serve`` checked the passphrase and threw the key away, and the first concurrent requests
each ran their own Argon2id unlock (256 MiB with the default key-store cost): 32 requests took a fresh
issuer from 327 MB to 1.64 GB and to a p99 of 8.4 s. Now the key is unlocked before serving, and an unlock
needed later (after a rotation by another process) runs behind a lock.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from starlette.testclient import TestClient

from issuer.cli import issuer_group
from issuer.keystore import MODERATE, KeyStore
from tests.issuer.conftest import PASSPHRASE, PROFILE, Target, build_service, small_credential
from tests.support import CLOCK, invoke
from vccore.jsonld.loader import DocumentLoader

SPAWN = multiprocessing.get_context("spawn")
#: docs/operations.md: an issuer process peaks at about 350 MB while it unlocks its key (256 MiB of
#: Argon2id) and stays near 100 MB afterwards; this bound leaves room for the interpreter and the test
PEAK_BOUND_MB = 600


@pytest.fixture
def unlocks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    counted: list[str] = []
    original = KeyStore.unlock

    def counting(self: KeyStore, passphrase: str | bytes, key_id: str | None = None) -> Any:
        counted.append(str(key_id))
        time.sleep(0.2)  # as long as a real unlock at the default cost: every concurrent request would start one
        return original(self, passphrase, key_id)

    monkeypatch.setattr(KeyStore, "unlock", counting)
    return counted


def test_32_concurrent_first_requests_run_one_unlock(tmp_path: Path, unlocks: list[str]) -> None:
    from issuer.app import create_app
    from issuer.store.registry import Store
    from issuer.tokens import TokenRegistry

    with Store(str(tmp_path / "registry.db"), busy_timeout=30) as store:
        service = build_service(store)
        token = TokenRegistry(store).create(["credentials:issue"], now=CLOCK()).token
        app = create_app(service, TokenRegistry(store))
        start = threading.Barrier(32)
        statuses: list[int] = []

        def first_request(n: int) -> None:
            client = TestClient(app)
            start.wait(30)
            answer = client.post(
                "/credentials/issue",
                json={"credential": small_credential(n)},
                headers={"Authorization": f"Bearer {token}"},
            )
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=first_request, args=(n,)) for n in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert statuses == [201] * 32
    assert len(unlocks) == 1


def test_serve_unlocks_before_it_serves_and_never_again(
    tmp_path: Path, unlocks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, unlocked=len(unlocks)))
    env = {"SKILLCRED_HOME": str(tmp_path / "home"), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    init: Result = invoke(
        issuer_group, ["init", "--did-key", "--name-zh", "甲", "--name-en", "A", "--key-kdf", "minimal"], env=env
    )
    assert init.exit_code == 0, init.output
    tokens = invoke(issuer_group, ["tokens", "create", "--scope", "credentials:issue"], env=env)
    served = invoke(issuer_group, ["serve", "--pool-size", "4"], env=env)
    assert served.exit_code == 0, served.output
    assert seen["unlocked"] == 1  # before uvicorn was started
    client = TestClient(seen["app"])
    for n in range(5):
        assert (
            client.post(
                "/credentials/issue",
                json={"credential": small_credential(n)},
                headers={"Authorization": f"Bearer {tokens.stdout.strip()}"},
            ).status_code
            == 201
        )
    assert len(unlocks) == 1


def _cold_start(target: Target, out: Any) -> None:
    """In a fresh process: an issuer with the default key-store cost, 32 concurrent first issuances."""
    from issuer.service import IssuerService

    unlocks = []
    original = KeyStore.unlock

    def counting(self: KeyStore, passphrase: str | bytes, key_id: str | None = None) -> Any:
        unlocks.append(key_id)
        return original(self, passphrase, key_id)

    KeyStore.unlock = counting  # type: ignore[method-assign]
    with target.open(busy_timeout=60) as store:
        keystore = KeyStore(store, limits=MODERATE)
        if not keystore.records():
            keystore.generate(PASSPHRASE, controller=PROFILE.did, now=CLOCK())
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        service = IssuerService(
            store=store, profile=PROFILE, keystore=keystore, passphrase=PASSPHRASE, loader=DocumentLoader(), clock=CLOCK
        )
        threads = [threading.Thread(target=service.issue, args=(small_credential(n),)) for n in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put(json.dumps({"unlocks": len(unlocks), "peak_mb": peak / 1024, "before_mb": before / 1024}))


def test_a_cold_start_with_the_default_key_cost_stays_under_the_documented_memory(tmp_path: Path) -> None:
    out = SPAWN.Queue()
    child = SPAWN.Process(target=_cold_start, args=(Target(str(tmp_path / "registry.db")), out))
    child.start()
    report = json.loads(out.get(timeout=300))
    child.join(60)
    assert child.exitcode == 0
    assert report["unlocks"] == 1
    assert report["peak_mb"] < PEAK_BOUND_MB, report
    print(f"\ncold start, 32 concurrent first issuances: {report}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


def test_a_fresh_issuer_serve_process_answers_32_concurrent_first_requests_after_one_unlock(tmp_path: Path) -> None:
    """The operator's view: ``skillcred issuer serve`` with the default key cost (Argon2id, 256 MiB) in a
    process of its own, 32 first requests at once; its log names one unlock, its peak memory stays under
    the bound docs/operations.md documents."""
    env = dict(os.environ, SKILLCRED_HOME=str(tmp_path / "home"), SKILLCRED_PASSPHRASE=PASSPHRASE, PYTHONUNBUFFERED="1")
    init = invoke(issuer_group, ["init", "--did-key", "--name-zh", "甲", "--name-en", "A"], env=env)
    assert init.exit_code == 0, init.output
    token = invoke(issuer_group, ["tokens", "create", "--scope", "credentials:issue"], env=env).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "skillcred", "issuer", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    drain: threading.Thread | None = None
    try:
        assert server.stderr is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            if not line:
                break
            log.append(line.rstrip())
            if "Uvicorn running" in line:
                break
        assert any("Uvicorn running" in line for line in log), log
        drain = threading.Thread(target=lambda: log.extend(x.rstrip() for x in server.stderr or ()), daemon=True)
        drain.start()  # until the server ends (its stderr closes)
        start = threading.Barrier(32)
        statuses: list[int] = []

        def first_request(n: int) -> None:
            body = json.dumps({"credential": small_credential(n)}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/credentials/issue",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            start.wait(30)
            with urllib.request.urlopen(request, timeout=120) as answer:
                statuses.append(answer.status)

        threads = [threading.Thread(target=first_request, args=(n,)) for n in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        peak = _peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
        if drain is not None:
            drain.join(10)  # the server's last lines are in the log
        if server.stderr is not None:
            server.stderr.close()
    assert statuses == [201] * 32
    unlocked = [line for line in log if "signing key unlocked" in line]
    assert len(unlocked) == 1, log
    assert peak < PEAK_BOUND_MB, peak
    print(f"\nissuer serve, 32 concurrent first requests: peak {peak:.0f} MB; {unlocked[0]}")

"""Issue 20 load test: several issuer processes on one PostgreSQL registry stay within their connection budget.

Three ``skillcred issuer serve`` processes (``--pool-size 8`` each) share one registry in a fresh PostgreSQL
database on 127.0.0.1. Three client processes send 2,000 requests each (issuances, with an idempotency key
repeated now and then, status changes and reads) with 16 requests in flight per client. Meanwhile the
server's ``pg_stat_activity`` is sampled every 50 ms. Reported: requests per second, the answers by status,
idempotent repeats that got other bytes (must be 0), and the most connections the issuers held at once
against the budget (3 x 8 = 24; ``docs/operations.md``). Bounded: at most ``SECONDS`` for the whole run.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import table

ADMIN_URL = os.environ.get("SKILLCRED_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PROCESSES = 3
POOL_SIZE = 8
REQUESTS = 2000
IN_FLIGHT = 16
SECONDS = 600.0
PASSPHRASE = "bench passphrase, not for production"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database() -> tuple[str, str]:
    import psycopg

    name = f"skillcred_bench_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _held(name: str) -> int:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'skillcred-issuer'",
            (name,),
        ).fetchone()
    return int(row[0]) if row else 0


def _cli(home: Path, *args: str) -> str:
    env = os.environ | {"SKILLCRED_HOME": str(home), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    done = subprocess.run(
        [sys.executable, "-m", "skillcred", "issuer", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _client(ports: list[int], token: str, n: int, out: Any) -> None:
    """One client process: ``REQUESTS`` requests over ``IN_FLIGHT`` threads, spread over the servers."""
    rng = random.Random(n)
    statuses: Counter[int] = Counter()
    mismatched = 0
    seen: dict[str, bytes] = {}
    lock = threading.Lock()
    plan = list(range(REQUESTS))
    issued: list[str] = []

    def worker(k: int) -> None:
        nonlocal mismatched
        conn = http.client.HTTPConnection("127.0.0.1", ports[k % len(ports)], timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not plan:
                    break
                i = plan.pop()
                choice = rng.random()
                target = rng.choice(issued) if issued else None
            key = f"client-{n}-order-{i % 400}"  # every key is sent five times
            if choice < 0.75 or target is None:
                body = {
                    "credential": {
                        "@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiableCredential"],
                        "credentialSubject": {"id": f"did:example:worker-{i % 400}"},
                    },
                    "options": {"idempotencyKey": key},
                }
                conn.request("POST", "/credentials/issue", json.dumps(body), headers)
            elif choice < 0.9:
                conn.request(
                    "POST",
                    "/credentials/status",
                    json.dumps(
                        {
                            "credentialId": target,
                            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "suspended"}],
                        }
                    ),
                    headers,
                )
            else:
                conn.request("GET", f"/credentials/{target}", headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            with lock:
                statuses[answer.status] += 1
                if choice < 0.75 or target is None:
                    if answer.status == 201:
                        doc = json.loads(data)["verifiableCredential"]
                        if seen.setdefault(key, data) != data:
                            mismatched += 1
                        issued.append(doc["id"])
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(IN_FLIGHT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(json.dumps({"statuses": dict(statuses), "mismatched": mismatched}))


def run() -> str:
    name, url = _database()
    work = Path(tempfile.mkdtemp(prefix="skillcred-bench-registry-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        home = work / "home"
        _cli(
            home,
            "init",
            "--did-key",
            "--name-zh",
            "压测",
            "--name-en",
            "Load test",
            "--store",
            url,
            "--key-kdf",
            "minimal",
        )
        token = _cli(
            home,
            "tokens",
            "create",
            "--scope",
            "credentials:issue",
            "--scope",
            "credentials:status",
            "--scope",
            "credentials:read",
        )
        ports = [_free_port() for _ in range(PROCESSES)]
        env = os.environ | {"SKILLCRED_HOME": str(home), "SKILLCRED_PASSPHRASE": PASSPHRASE}
        for port in ports:
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "skillcred",
                        "issuer",
                        "serve",
                        "--port",
                        str(port),
                        "--pool-size",
                        str(POOL_SIZE),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/health")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"issuer on port {port} did not start")
                time.sleep(0.2)
        peak, stop = [0], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _held(name))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        clients = [ctx.Process(target=_client, args=(ports, token, n, out)) for n in range(PROCESSES)]
        started = time.perf_counter()
        for c in clients:
            c.start()
        reports = [json.loads(out.get(timeout=SECONDS)) for _ in clients]
        elapsed = time.perf_counter() - started
        for c in clients:
            c.join(60)
        stop.set()
        sampler.join()
        idle = _held(name)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        _drop(name)
        shutil.rmtree(work, ignore_errors=True)
    statuses: Counter[str] = Counter()
    for r in reports:
        statuses.update({str(k): v for k, v in r["statuses"].items()})
    total = sum(statuses.values())
    budget = PROCESSES * POOL_SIZE
    rows = [
        (
            f"{PROCESSES} issuer processes x pool {POOL_SIZE}",
            f"{PROCESSES} x {REQUESTS}",
            f"{total / elapsed:.0f}",
            dict(sorted(statuses.items())),
            sum(r["mismatched"] for r in reports),
            f"{peak[0]} / {budget}",
            idle,
        )
    ]
    text = table(
        (
            "setup",
            "requests",
            "requests/s",
            "answers",
            "repeats with other bytes",
            "most connections held / budget",
            "held after the run",
        ),
        rows,
    )
    verdict = "yes" if peak[0] <= budget else "NO"
    return f"{text}\n\n- within the connection budget: {verdict}"


def main() -> None:
    print("## Issuers on one PostgreSQL registry (bench/bench_registry.py)\n")
    print(run())


if __name__ == "__main__":
    main()

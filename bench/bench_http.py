"""Verification over HTTP: throughput with 1 and N uvicorn workers against the in-process rate, and the p99
latency of honest requests with and without 10 % hostile requests mixed in.

Loopback only (127.0.0.1), bounded: at most ``REQUESTS`` requests and ``SCENARIO_SECONDS`` per scenario. The
server is a ``uvicorn --workers N`` process started here (and stopped by its pid); each worker builds the same
deterministic world (a did:key issuer on a trust list, status lists served in-process by a StaticFetcher), so
the credential the clients send verifies in every worker. The verifier is built by
:func:`verifier.pipeline.standard_verifier`, as ``skillcred verifier serve`` builds it (JSON Schemas of the
credential kinds and the recognition chain check included). Clients are a thread pool of ``http.client``
connections (keep-alive, reopened after the server closes one).

Two honest requests: a skill-level credential (``POST /credentials/verify``), and a recognition with its source
as the scan page posts them after both codes were scanned into its basket (``POST /scan/verify``, the two QR
payloads: the recognition and, in ``sources``, the credential it cites). The verifier holds the rule
credential, as a trust pack gives it to ``skillcred verifier serve``; the recognition's source is verified in
full (signature, schema, status, trust) beside the recognition itself.

Hostile requests: a 3 MB body (refused unread, 413), 100,000-deep nesting, a credential with a context the
verifier does not allow, a credential with a broken signature, and random bytes. The question answered: does
the hostile mix raise honest p99 above twice its baseline?

Run: ``python -m bench.bench_http`` (``--requests``, ``--workers``, ``--clients``).
"""

from __future__ import annotations

import argparse
import copy
import functools
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from bench.common import table
from bench.samples import skill_level_credential
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.fetch import FetchResponse, StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.qr import payload as qr
from vccore.recognition.credential import parse_rule_credential, recognition_credential, rule_credential
from vccore.recognition.evaluate import evaluate
from vccore.recognition.rulesets import load_shipped
from vccore.status.bitstring import MIN_LENGTH, StatusList
from vccore.status.entry import status_entry, status_list_credential
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList
from verifier.app import create_app
from verifier.pipeline import Verifier, standard_verifier
from verifier.status import StatusSource

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REQUESTS = 300
SCENARIO_SECONDS = 60.0
CLIENTS = 8
HOSTILE_SHARE = 0.10
REV_URL = "https://issuer.example-machine.test/status/1"
SUS_URL = "https://issuer.example-machine.test/status/2"
PATH = "/credentials/verify"
SCAN_PATH = "/scan/verify"
RULE = "CN-ENG-2018-L2-TO-INTERMEDIATE"
AS_OF = date(2026, 7, 1)


@dataclass(frozen=True)
class World:
    verifier: Verifier
    credential: dict[str, Any]
    #: 张试一's recognition as 工程师 (CN-ENG-2018-L2-TO-INTERMEDIATE over ``credential``, its source),
    #: signed by the recognition authority; the verifier holds the rule credential, as `skillcred verifier
    #: serve` holds a trust pack's
    recognition: dict[str, Any]


@functools.cache
def world() -> World:
    """The same world in every process: deterministic keys, fixed clock, Ed25519 signatures are deterministic."""
    issuer = did_key_pair(KeyPair.from_seed(b"\x61" * 32))
    authority = did_key_pair(KeyPair.from_seed(b"\x62" * 32))
    loader = DocumentLoader()

    def sign(doc: dict[str, Any], key: KeyPair = issuer) -> dict[str, Any]:
        return add_proof(doc, signer=key, loader=loader, options=ProofOptions(created=NOW - timedelta(days=1)))

    lists = {}
    for url, purpose in ((REV_URL, "revocation"), (SUS_URL, "suspension")):
        bits = StatusList(bytes(MIN_LENGTH // 8))
        lists[url] = sign(
            status_list_credential(
                url,
                bits,
                issuer=issuer.controller,
                purpose=purpose,  # type: ignore[arg-type]
                now=NOW - timedelta(hours=1),
                ttl=timedelta(days=1),
            )
        )
    fetcher = StaticFetcher({u: FetchResponse(u, json.dumps(d).encode()) for u, d in lists.items()})
    trust = TrustList(
        (
            TrustedIssuer(
                issuer.controller,
                "示例重型机床有限公司",
                "Example Heavy Machine Tool Co., Ltd.",
                ("skill-evaluation-organization",),
                ("CN-SX",),
                ("SkillLevelCredential", "BitstringStatusListCredential"),
                (KeyPeriod(issuer.id, datetime(2015, 1, 1, tzinfo=UTC)),),
            ),
            TrustedIssuer(
                authority.controller,
                "人力资源社会保障部（测试）",
                "MOHRSS (test)",
                ("recognition-authority",),
                ("CN",),
                ("RecognitionRuleCredential", "RecognitionCredential"),
                (KeyPeriod(authority.id, datetime(2015, 1, 1, tzinfo=UTC)),),
            ),
        ),
        NOW - timedelta(days=1),
        "urn:skillcred:trustlist:bench",
    )
    cred = skill_level_credential(issuer.controller)  # with its credentialSchema: the schema check runs
    cred["credentialStatus"] = [
        status_entry(REV_URL, 94567, purpose="revocation"),
        status_entry(SUS_URL, 23452, purpose="suspension"),
    ]
    source = sign(cred)
    rules = sign(
        rule_credential(load_shipped()["CN"], authority_did=authority.controller, now=NOW - timedelta(days=2)),
        authority,
    )
    rule = parse_rule_credential(rules).rule(RULE)
    assert rule is not None
    evaluation = evaluate(rule, [source], as_of=AS_OF, declarations={"workField": "engineering"})
    recognition = recognition_credential(
        evaluation,
        rule_credential=rules,
        sources=[source],
        issuer=authority.controller,
        as_of=AS_OF,
        credential_id="urn:uuid:6b0f3c52-1d7e-4c0a-9f4e-2a7d5e8c9b31",
        now=NOW - timedelta(days=1),
    )
    # the builder `skillcred verifier serve` uses (through verifier.cli.build_verifier): the pinned schemas
    # and the recognition chain check included, with the rule credentials a trust pack would bring
    verifier = standard_verifier(
        trust=trust,
        loader=loader,
        status=StatusSource(loader=loader, fetcher=fetcher),
        clock=lambda: NOW,
        rule_credentials=[rules],
    )
    return World(verifier, source, sign(recognition, authority))


def app_factory() -> Starlette:
    """``uvicorn --factory bench.bench_http:app_factory``: one world per worker process."""
    return create_app(world().verifier)


# --- requests -----------------------------------------------------------------------------------------


def honest_body() -> bytes:
    return json.dumps({"verifiableCredential": world().credential}).encode()


def recognition_body() -> bytes:
    """What the scan page posts for a recognition with its source scanned into the basket beside it: both
    QR payloads (``POST /scan/verify``, ``sources``)."""
    w = world()
    return json.dumps({"payload": qr.encode(w.recognition), "sources": [qr.encode(w.credential)]}).encode()


def hostile_bodies() -> list[bytes]:
    cred = world().credential
    bad_context = copy.deepcopy(cred)
    bad_context["@context"] = [*cred["@context"], "https://evil.example/context.jsonld"]
    bad_signature = copy.deepcopy(cred)
    bad_signature["credentialSubject"]["skillLevel"] = "L1"
    depth = 100_000
    return [
        b'{"verifiableCredential": "' + b"A" * (3 * 1024 * 1024) + b'"}',
        b'{"verifiableCredential": ' + b"[" * depth + b"]" * depth + b"}",
        json.dumps({"verifiableCredential": bad_context}).encode(),
        json.dumps({"verifiableCredential": bad_signature}).encode(),
        random.Random(7).randbytes(4096),
    ]


class Client:
    """One keep-alive connection per thread; reopened when the server closed it (413 answers do)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def post(self, body: bytes, path: str = PATH) -> tuple[int, float]:
        t0 = time.perf_counter()
        for attempt in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    self.local.conn = None
                return response.status, time.perf_counter() - t0
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt:
                    return 0, time.perf_counter() - t0
        return 0, time.perf_counter() - t0


@dataclass
class Run:
    seconds: float
    honest: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return len(self.honest) / self.seconds if self.seconds else 0.0

    def p(self, q: int) -> float:
        if len(self.honest) < 2:
            return float("nan")
        return statistics.quantiles(self.honest, n=100, method="inclusive")[q - 1]


def drive(port: int, *, requests: int, clients: int, hostile: float, seed: int = 1, recognition: bool = False) -> Run:
    """``requests`` requests from ``clients`` threads; a share ``hostile`` of them hostile (spread evenly).
    ``recognition``: the honest request is the recognition with its source, to the scan page's endpoint."""
    client = Client(port)
    honest, bad = (recognition_body() if recognition else honest_body()), hostile_bodies()
    path = SCAN_PATH if recognition else PATH
    rng = random.Random(seed)
    plan = [(rng.random() < hostile, i) for i in range(requests)]
    deadline = time.monotonic() + SCENARIO_SECONDS
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def one(item: tuple[bool, int]) -> None:
        if time.monotonic() > deadline:
            return
        is_hostile, i = item
        status, took = client.post(bad[i % len(bad)], PATH) if is_hostile else client.post(honest, path)
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if not is_hostile:
                if status != 200:
                    raise RuntimeError(f"an honest request was answered {status}")
                latencies.append(took)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, plan))
    return Run(time.perf_counter() - t0, latencies, statuses)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``uvicorn --workers N`` on 127.0.0.1, started and stopped by pid."""

    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bench_http:app_factory",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "error",
                "--no-access-log",
                "--ws",
                "none",
            ],
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("the uvicorn server did not start")
            time.sleep(0.2)
        # let every worker build its world before measuring
        drive(self.port, requests=8 * workers, clients=2 * workers, hostile=0.0)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def in_process_rate(requests: int, *, recognition: bool = False) -> tuple[float, float]:
    """(verifications per second, median seconds) of ``Verifier.verify_credential`` in this process: the
    credential, or (``recognition``) the recognition with its source beside it."""
    w = world()
    body = honest_body()
    recognition_text = json.dumps(w.recognition).encode()

    def verify() -> bool:
        # every call parses its documents afresh, as a request would
        credential = json.loads(body)["verifiableCredential"]
        if recognition:
            return w.verifier.verify_credential(json.loads(recognition_text), presented=[credential]).verified
        return w.verifier.verify_credential(credential).verified

    for _ in range(5):
        assert verify()
    samples = []
    t0 = time.perf_counter()
    deadline = time.monotonic() + SCENARIO_SECONDS
    for _ in range(requests):
        t = time.perf_counter()
        assert verify()
        samples.append(time.perf_counter() - t)
        if time.monotonic() > deadline:
            break
    return len(samples) / (time.perf_counter() - t0), statistics.median(samples)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def run(*, requests: int = REQUESTS, workers: int = 0, clients: int = CLIENTS) -> str:
    workers = workers or max(2, os.cpu_count() or 2)
    rate, median = in_process_rate(requests)
    rec_rate, rec_median = in_process_rate(requests, recognition=True)
    rows: list[tuple[object, ...]] = [
        ("in-process `Verifier.verify_credential`", "-", "-", f"{rate:.0f}", _ms(median), "-", "1.00"),
        (
            "in-process, recognition + its source (`presented`)",
            "-",
            "-",
            f"{rec_rate:.0f}",
            _ms(rec_median),
            "-",
            f"{rec_rate / rate:.2f}",
        ),
    ]
    runs: dict[str, Run] = {}
    scenarios = (
        ("honest", 0.0, False),
        ("honest + 10% hostile", HOSTILE_SHARE, False),
        ("recognition + its source (`/scan/verify`)", 0.0, True),
    )
    for n in sorted({1, workers}):
        server = Server(n)
        try:
            for label, share, recognition in scenarios:
                got = drive(server.port, requests=requests, clients=clients, hostile=share, recognition=recognition)
                runs[f"{n}/{label}"] = got
                reference = rec_rate if recognition else rate
                rows.append(
                    (
                        f"HTTP, {label}",
                        n,
                        clients,
                        f"{got.rate:.0f}",
                        _ms(got.p(50)),
                        _ms(got.p(99)),
                        f"{got.rate / reference:.2f}",
                    )
                )
        finally:
            server.stop()
    lines = [
        table(
            (
                "scenario",
                "workers",
                "clients",
                "honest verifications/s",
                "honest p50 ms",
                "honest p99 ms",
                "vs in-process (recognitions: vs a recognition in-process)",
            ),
            rows,
        ),
        "",
    ]
    for n in sorted({1, workers}):
        base, mixed = runs[f"{n}/honest"], runs[f"{n}/honest + 10% hostile"]
        ratio = mixed.p(99) / base.p(99)
        verdict = "NO: hostile requests raise honest p99 above 2x" if ratio > 2 else "yes: within 2x"
        lines.append(
            f"- {n} worker(s): honest p99 {_ms(base.p(99))} ms -> {_ms(mixed.p(99))} ms with 10% hostile "
            f"({ratio:.2f}x); within 2x of baseline? {verdict}. Statuses in the mixed run: "
            f"{dict(sorted(mixed.statuses.items()))}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--workers", type=int, default=0, help="server workers (default: CPU count, at least 2)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 5000 or not 1 <= args.workers + 1 <= 33 or not 1 <= args.clients <= 64:
        parser.error("--requests 1..5000, --workers 0..32, --clients 1..64")
    print("## Verification over HTTP (bench/bench_http.py)\n")
    print(run(requests=args.requests, workers=args.workers, clients=args.clients))


if __name__ == "__main__":
    main()

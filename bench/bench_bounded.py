"""Issue 12 benchmark: what strangers' expensive requests do to an honest verification.

One ``uvicorn`` worker (the verifier of ``bench/bench_http.py``) on 127.0.0.1, on a core of its own. First the
honest baseline: one client verifying a credential over and over. Then the same honest client while
``HOSTILE`` clients, each from a loopback address of its own (so that per-client limits do not hide the
gates), send back to back, as fast as the server answers them, one kind of hostile request: a 160 KB PNG
claiming 7000 x 7000 pixels (``/verify/qr``), a real 12-megapixel photo of a QR code that must be decoded
(``/scan/verify``), a 2 MB multipart form of tiny parts, and ID checks (Argon2id). Reported: the honest
p50/p99 against
the baseline (target: p99 within 2x), the server's resident memory growth (target: under 200 MB, from
``/proc/<pid>/status``, sampled every 50 ms), and what the hostile requests were answered. Bounded:
``SECONDS`` per scenario.
"""

from __future__ import annotations

import http.client
import io
import json
import multiprocessing
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from PIL import Image

from bench.bench_http import Server, honest_body
from bench.common import table
from vccore.kinds import identity
from vccore.qr import payload as qr
from vccore.qr.render import render_png

SECONDS = 10.0
HOSTILE = 8
_CPUS = sorted(os.sched_getaffinity(0))
SERVER_CPUS = set(_CPUS[:1])
CLIENT_CPUS = set(_CPUS[1:] or _CPUS)


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def hostile_requests() -> dict[str, tuple[str, bytes, str]]:
    """kind -> (path, body, content type)."""
    huge = io.BytesIO()
    Image.new("1", (7000, 7000), 1).save(huge, "PNG")
    payload = qr.encode({"a": "x" * 400})
    symbol = Image.open(io.BytesIO(render_png(payload, box_size=16, max_version=40))).convert("L")
    photo = Image.new("L", (4000, 3000), 255)
    photo.paste(symbol, (1500, 900))
    big = io.BytesIO()
    photo.save(big, "JPEG", quality=92)
    boundary = "b0undary"
    form = (f'--{boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n' * 30_000).encode()
    form += f"--{boundary}--\r\n".encode()
    id_body = json.dumps(
        {"identityHash": identity.hash_identity("140105198001010003"), "idNumber": "140105198001010003"}
    ).encode()
    return {
        "7000x7000 PNG header": ("/verify/qr", huge.getvalue(), "image/png"),
        "12 MP photo to decode": ("/scan/verify", big.getvalue(), "image/jpeg"),
        "2 MB multipart of tiny parts": ("/verify/qr", form, f"multipart/form-data; boundary={boundary}"),
        "ID check (Argon2id 64 MiB)": ("/id-check", id_body, "application/json"),
    }


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, ctype: str) -> int:
    conn.request("POST", path, body=body, headers={"Content-Type": ctype})
    response = conn.getresponse()
    response.read()
    return response.status


def _honest(port: int, stop: Callable[[], bool]) -> list[float]:
    body = honest_body()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = []
    while not stop():
        t0 = time.perf_counter()
        status = _post(conn, "/credentials/verify", body, "application/json")
        if status != 200:
            raise RuntimeError(f"an honest verification was answered {status}")
        out.append(time.perf_counter() - t0)
    conn.close()
    return out


def _p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def _attack(port: int, kind: tuple[str, bytes, str], seconds: float, clients: int, out: Any) -> None:
    """In a process of its own (so its work does not slow the measuring client): ``clients`` threads, each
    sending ``kind`` and waiting for the answer, for ``seconds``; puts a Counter of statuses on ``out``."""
    os.sched_setaffinity(0, CLIENT_CPUS)
    path, body, ctype = kind
    deadline = time.monotonic() + seconds
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def attacker(n: int) -> None:
        # each from an address of its own (127.0.0.0/8 is all loopback): per-client limits apply to each
        source = (f"127.0.0.{10 + n}", 0)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
        while time.monotonic() < deadline:
            try:
                status = _post(conn, path, body, ctype)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
                status = 0
            with lock:
                statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(dict(statuses))


def scenario(server: Server, kind: tuple[str, bytes, str] | None) -> tuple[list[float], dict[int, int], int]:
    """(honest latencies, hostile answers by status, peak RSS growth in KiB) while ``HOSTILE`` clients (in
    another process) send ``kind`` (None: the baseline)."""
    deadline = time.monotonic() + SECONDS

    def stop() -> bool:
        return time.monotonic() > deadline

    start_rss = _rss_kib(server.proc.pid)
    peak = [start_rss]

    def sampler() -> None:
        while not stop():
            peak[0] = max(peak[0], _rss_kib(server.proc.pid))
            time.sleep(0.05)

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    attackers = ctx.Process(target=_attack, args=(server.port, kind, SECONDS, HOSTILE, out)) if kind else None
    if attackers is not None:
        attackers.start()
    watch = threading.Thread(target=sampler)
    watch.start()
    latencies = _honest(server.port, stop)
    watch.join()
    answers: dict[int, int] = {}
    if attackers is not None:
        answers = out.get(timeout=120)
        attackers.join(60)
    return latencies, answers, peak[0] - start_rss


def run() -> str:
    scenarios: list[tuple[str, tuple[str, bytes, str] | None]] = [("honest only", None)]
    scenarios += [(f"+ {HOSTILE} clients: {name}", spec) for name, spec in hostile_requests().items()]
    server = Server(1)
    # the server gets a core of its own; the measuring client and the attackers share the other (on a 2-core
    # machine both would otherwise take CPU time from the server that remote clients would not)
    os.sched_setaffinity(server.proc.pid, SERVER_CPUS)
    os.sched_setaffinity(0, CLIENT_CPUS)
    results = []
    try:
        for label, kind in scenarios:
            results.append((label, *scenario(server, kind)))
    finally:
        server.stop()
    base = results[0][1]
    rows, notes = [], []
    for label, latencies, answers, growth in results:
        ratio = _p(latencies, 99) / _p(base, 99)
        rows.append(
            (
                label,
                len(latencies),
                f"{_p(latencies, 50) * 1000:.1f}",
                f"{_p(latencies, 99) * 1000:.1f}",
                f"{ratio:.2f}",
                f"{growth / 1024:.0f}",
                answers,
            )
        )
        if answers:
            notes.append(
                f"- {label}: p99 within 2x: {'yes' if ratio <= 2 else 'NO'} ({ratio:.2f}x); "
                f"RSS growth under 200 MB: {'yes' if growth < 200 * 1024 else 'NO'} ({growth / 1024:.0f} MB)"
            )
    return "\n".join(
        [
            table(
                (
                    "scenario",
                    "honest verifications",
                    "p50 ms",
                    "p99 ms",
                    "p99 / baseline",
                    "server RSS growth MB",
                    "hostile answers",
                ),
                rows,
            ),
            "",
            *notes,
        ]
    )


def main() -> None:
    print("## Bounded work for strangers (bench/bench_bounded.py)\n")
    print(run())


if __name__ == "__main__":
    main()

"""Issue 19 benchmark: one batch on one process against the same batch shared by two ``skillcred issuer
batch`` processes, both on one PostgreSQL registry (a fresh schema, dropped afterwards; ``SKILLCRED_BENCH_PG``
or the test server at 127.0.0.1). Each process runs ``--workers 1``; with the production identity hash
(the real work) and with libsodium's minimum (the registry and the claims are then the work). Rounds
alternate 1 and 2 processes on fresh rows; the time is from start to the last process's exit.

On one 2-core machine two processes can at best double one; across machines each adds its cores.
``python -m bench.bench_shared [--rounds R] [--rows N]``; prints a Markdown table with medians and spreads.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.bench_issue import CLOCK, PASSPHRASE, _write_csv
from bench.common import table
from issuer.home import IssuerHome, init_issuer

PG = os.environ.get("SKILLCRED_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]
_OFFSETS = itertools.count()


def _run(home: Path, root: Path, rows: int, processes: int, hash_params: str) -> float:
    source = _write_csv(root / f"{uuid.uuid4().hex}.csv", rows, next(_OFFSETS) * 1000)
    env = os.environ | {"SKILLCRED_HOME": str(home), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-m", "skillcred", "issuer", "batch", str(source), "--kind", "skill-level"]
    command += ["--workers", "1", "--unit-rows", str(max(4, rows // 16)), "--identity-hash-params", hash_params]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*command, "--out", str(root / f"{source.stem}-{n}")],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(processes)
    ]
    codes = [p.wait(timeout=900) for p in procs]
    elapsed = time.perf_counter() - t0
    assert codes == [0] * processes, codes
    return rows / elapsed


def _q(values: list[float], digits: int = 1) -> str:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"{q[1]:.{digits}f} ({q[0]:.{digits}f}–{q[2]:.{digits}f})"


def run(rounds: int = 3, rows_hashed: int = 240) -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                init_issuer(
                    IssuerHome(root / "home"),
                    did_web="eval.example-heavy-machine.cn/issuers/cnc",
                    name_zh="示例重型机床有限公司",
                    name_en="Example Heavy Machine Co.",
                    passphrase=PASSPHRASE,
                    kdf="minimal",
                    clock=CLOCK,
                    store=f"{PG}?options=-csearch_path%3D{schema}",
                )
                out = []
                for label, params, rows in (
                    ("production (ops 3, 64 MiB)", "default", rows_hashed),
                    ("minimum", "test", 400),
                ):
                    one: list[float] = []
                    two: list[float] = []
                    for _ in range(rounds):
                        one.append(_run(root / "home", root, rows, 1, params))
                        two.append(_run(root / "home", root, rows, 2, params))
                    ratios = [b / a for a, b in zip(one, two, strict=True)]
                    out.append((label, rows, _q(one), _q(two), _q(ratios, 2) + " x"))
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return table(
        ("identity hash", "rows", "1 process (rows/s)", "2 processes sharing the batch (rows/s)", "2 / 1"), out
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rows", type=int, default=240, help="rows per run with the production hash (starting a process is then small)"
    )
    args = parser.parse_args([] if __name__ != "__main__" else None)
    print("## One batch on two processes, one PostgreSQL registry (bench/bench_shared.py)\n")
    print(run(args.rounds, args.rows))


if __name__ == "__main__":
    main()

"""Issue 19 benchmark: what worker processes buy, per identity-hash parameter set.

For each Argon2id parameter set (libsodium's minimum, which only tests use, up to the verifier's cap of
ops 4 / 64 MiB): the cost of one hash (= the cost of one guess to an attacker with this CPU), and the
batch issuance rate of ``run_batch`` with 1 worker, with 2 workers forced (``hash_share=0``: the pool
always starts) and with 2 workers as shipped (the pool starts only when the identity hash is at least
:data:`issuer.batch.schedule.HASH_SHARE` of a row). Rounds interleave the configurations, so noise hits all alike;
each run issues fresh rows on a SQLite registry on ``$TMPDIR``. Targets: as shipped, 2 workers >= 0.9 x 2
x one worker where the hash dominates, and >= one worker where it does not.

What two cores give is measured in the same run: the same identity hashes, nothing else, in one process and
split over two (``machine``). No batch can beat that; the table says how close the shipped batch comes. Each
run hashes about ``--seconds`` of rows (default 25), so that starting the workers (a process, its imports,
the key) is a small part of it, as in a real batch of thousands of rows.

``python -m bench.bench_workers [--rounds R] [--seconds S]``; prints a Markdown table with medians and spreads.
"""

from __future__ import annotations

import argparse
import io
import itertools
import statistics
import tempfile
import time
import uuid
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.bench_issue import CLOCK, PASSPHRASE, PEOPLE, _issuer, _write_csv, issuer_service
from bench.common import table
from issuer.batch.run import run_batch
from issuer.batch.schedule import HASH_SHARE, BatchIssuer
from issuer.home import OpenIssuer, open_issuer
from issuer.signing import DEFAULT_HASH, HashParams
from vccore.kinds import identity

MIB = 1024 * 1024
_OFFSETS = itertools.count()
#: (label, parameters, whether the batch rate is measured): the verifier refuses more than ops 4 / 64 MiB
SETS: list[tuple[str, HashParams, bool]] = [
    ("minimum (tests only)", HashParams(identity.MIN_OPSLIMIT, identity.MIN_MEMLIMIT), True),
    ("ops 1, 16 MiB", HashParams(1, 16 * MIB), True),
    ("ops 2, 64 MiB (libsodium interactive)", HashParams(2, 64 * MIB), False),
    ("ops 3, 64 MiB (shipped)", DEFAULT_HASH, True),
    ("ops 4, 64 MiB (the verifier's cap)", HashParams(4, 64 * MIB), False),
]


def _rate(
    opened: OpenIssuer, root: Path, rows: int, *, hasher: HashParams, workers: int, hash_share: float
) -> tuple[float, BatchIssuer]:
    start = next(_OFFSETS) * 1000  # fresh certificate numbers for every run (at most 1,000 rows each)
    source = _write_csv(root / f"{uuid.uuid4().hex}.csv", rows, start)
    service = issuer_service(opened, hasher)
    bulk = BatchIssuer(service, hash_share=hash_share)
    t0 = time.perf_counter()
    report = run_batch(
        source,
        kind="skill-level",
        out_dir=root / source.stem,
        issuer=bulk,
        workers=workers,
        batch_id=source.stem,
        tty=False,
        progress=io.StringIO(),
    )
    elapsed = time.perf_counter() - t0
    assert report.issued == rows, report
    return rows / elapsed, bulk


def _hash_rows(job: tuple[HashParams, int]) -> int:
    """Hash ``count`` identity numbers (a worker of the machine measurement)."""
    hasher, count = job
    for i in range(count):
        hasher(PEOPLE[i % len(PEOPLE)][1])
    return count


def _machine(hasher: HashParams, rows: int, pool: Any) -> float:
    """Two processes hashing ``rows`` identity numbers between them, over one process hashing them all."""
    t0 = time.perf_counter()
    _hash_rows((hasher, rows))
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    pool.map(_hash_rows, [(hasher, rows // 2), (hasher, rows - rows // 2)])
    return one / (time.perf_counter() - t0)


def _q(values: list[float], digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"{q[1]:.{digits}f} ({q[0]:.{digits}f}–{q[2]:.{digits}f})"


def run(rounds: int = 3, seconds: float = 25.0) -> str:
    rows_out = []
    with tempfile.TemporaryDirectory() as tmp, get_context("spawn").Pool(2) as pool:
        root = Path(tmp)
        with open_issuer(_issuer(root), passphrase=PASSPHRASE, clock=CLOCK) as opened:
            for label, hasher, batch in SETS:
                hasher(PEOPLE[0][1])
                hash_times = []
                for _ in range(5 if hasher.memlimit >= 16 * MIB else 50):
                    t0 = time.perf_counter()
                    hasher(PEOPLE[0][1])
                    hash_times.append(time.perf_counter() - t0)
                per_hash = statistics.median(hash_times)
                row: list[object] = [label, _q([t * 1000 for t in hash_times], 2) + " ms"]
                if batch:
                    rows = max(32, min(400, int(seconds / max(per_hash, 1e-4))))
                    rates: dict[str, list[float]] = {"one": [], "forced": [], "shipped": []}
                    pool.map(_hash_rows, [(hasher, 1), (hasher, 1)])  # the pool's processes are up
                    machine: list[float] = []
                    chose: list[int] = []
                    shares: list[float] = []
                    for _ in range(rounds):
                        rates["one"].append(
                            _rate(opened, root, rows, hasher=hasher, workers=1, hash_share=HASH_SHARE)[0]
                        )
                        rates["forced"].append(_rate(opened, root, rows, hasher=hasher, workers=2, hash_share=0.0)[0])
                        rate, bulk = _rate(opened, root, rows, hasher=hasher, workers=2, hash_share=HASH_SHARE)
                        rates["shipped"].append(rate)
                        chose.append(bulk.processes)
                        shares.append(bulk.share or 0.0)
                        machine.append(_machine(hasher, min(rows, 64), pool))
                    forced = [a / b for a, b in zip(rates["forced"], rates["one"], strict=True)]
                    shipped = [a / b for a, b in zip(rates["shipped"], rates["one"], strict=True)]
                    row += [
                        rows,
                        _q(rates["one"]),
                        _q(rates["forced"]) + f" = {_q(forced, 2)} x",
                        _q(rates["shipped"]) + f" = {_q(shipped, 2)} x ({'/'.join(map(str, chose))} proc.)",
                        _q(machine, 2) + " x",
                        _q([a / b for a, b in zip(shipped, machine, strict=True)], 2),
                        f"{statistics.median(shares):.0%}",
                    ]
                else:
                    row += ["", "", "", "", "", "", ""]
                rows_out.append(row)
    return table(
        (
            "Argon2id parameters",
            "one hash = one guess, median (p25–p75)",
            "rows per run",
            "rate, 1 worker (rows/s)",
            "2 workers forced (rows/s = x one)",
            "2 workers as shipped (x one; processes used)",
            "machine: the hashes alone, 2 processes (x one)",
            "as shipped / machine",
            "hash share of a row",
        ),
        rows_out,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=25.0, help="identity hashing per run, in seconds")
    args = parser.parse_args()
    print("## Workers and identity-hash cost (bench/bench_workers.py)\n")
    print(run(args.rounds, args.seconds))
    print(f"\nBreak-even: rows whose identity hash is less than {HASH_SHARE:.0%} of their cost stay in one process.")


if __name__ == "__main__":
    main()

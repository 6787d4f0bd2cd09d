"""Batch issuance benchmark (issuer issue, item 8): where the time of a batch goes, and what all cores buy.

Measured in one run, on a fresh did:web issuer with a SQLite registry in a temporary directory:

* **(a) pure signing**: ``add_proof`` (eddsa-rdfc-2022) alone on already built credentials, per credential.
* the other parts of a row, each alone: building the credential without the identity hash, the identity
  hash (libsodium's minimum parameters, and the production Argon2id ops 3 / 64 MiB), the self-check.
* **(b) the full batch** (``run_batch``, 1 worker) per credential, with a *precomputed* identity hash, so
  that the deliberately slow Argon2id (which is not bookkeeping) does not hide the rest. Its parts are
  timed inside the same run: CSV reading and validation, storage (status allocation and recording, one
  committed transaction per chunk) and output files (written as each chunk becomes durable).
* **storage and bookkeeping** = (b) minus building and minus pure signing, i.e. CSV reading and
  validation, idempotency lookup, self-check, status allocation, recording, output files and summary;
  reported as a percentage of (a). Target: at most 35 %.
* **rates** with 1 worker and with all workers (``os.cpu_count()``), both with the production Argon2id
  hash (the real workload) and with the precomputed hash (bookkeeping-bound). Target: all/1 >= 1.5 on two
  cores. Worker start-up (spawn) is included.

(a), building, the self-check and (b) are measured in ``--rounds`` interleaved rounds (each round: (a),
building, self-check, then a full batch of ``--rows`` fresh rows into a fresh directory); the table shows
the median of each, and the overhead is the median of the per-round ratios, so that a slow moment of the
machine moves one round rather than one of the quantities being compared.

``python -m bench.bench_issue [--rows N] [--argon-rows M] [--rounds R]``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import collections
import csv
import functools
import io
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import ms, table
from issuer import batch as batch_module
from issuer.batch import read_rows, run_batch
from issuer.bulk import DEFAULT_HASH, TEST_HASH, BulkIssuer, HashParams
from issuer.home import IssuerHome, OpenIssuer, init_issuer, open_issuer
from issuer.kinds import Issuer, build
from vccore.credentials import check_contexts, check_data_model
from vccore.loader import DocumentLoader
from vccore.proofs import ProofOptions, add_proof
from vccore.statuslist import status_entry

PASSPHRASE = "bench passphrase"
PEOPLE = [("张试一", "140105198001010003"), ("王试二", "370202198512129996"), ("李试三", "230103197803039996"),
          ("陈试五", "440115199909090005")]
HEADER = ["name", "idNumber", "occupationCode", "occupationClassification", "occupationName", "jobType",
          "skillLevel", "certificateNumber", "assessmentDate", "evaluationOrganization.name",
          "evaluationOrganization.organizationCategory", "evaluationOrganization.filingAuthority",
          "evaluationOrganization.organizationCode"]


@functools.cache
def _precomputed() -> dict[str, Any]:
    return TEST_HASH(PEOPLE[0][1])


class PrecomputedHash(HashParams):
    """Returns one identity hash computed ahead of time (picklable: workers import this module)."""

    def __call__(self, id_number: str) -> dict[str, Any]:
        return dict(_precomputed())


def _write_csv(path: Path, rows: int, offset: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(offset, offset + rows):
            name, id_number = PEOPLE[i % len(PEOPLE)]
            writer.writerow([name, id_number, "6-18-01-01", "中华人民共和国职业分类大典（2022年版）", "车工",
                             "数控车工", "L2", f"Y000014000031232{i:06d}", "2023-06-30", "示例重型机床有限公司", "Y",
                             "CN-SX", "0000"])
    return path


@contextmanager
def _timed(acc: collections.defaultdict[str, float]) -> Iterator[None]:
    """Time BulkIssuer's transactions and batch's file writes while the block runs."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                acc[label] += time.perf_counter() - t0

        setattr(owner, name, timed)

    wrap(BulkIssuer, "_allocate", "storage")
    wrap(BulkIssuer, "_record", "storage")
    wrap(BulkIssuer, "lookup", "lookup")
    wrap(batch_module, "write_atomic", "files")
    wrap(batch_module, "read_rows", "read")
    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def _batch(opened: OpenIssuer, source: Path, out: Path, *, workers: int, hasher: HashParams) -> float:
    bulk = BulkIssuer(store=opened.store, profile=opened.profile, keystore=opened.keystore,
                      passphrase=PASSPHRASE, hasher=hasher)
    t0 = time.perf_counter()
    report = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk, workers=workers,
                       batch_id=str(uuid.uuid4()), tty=False, progress=io.StringIO())
    elapsed = time.perf_counter() - t0
    assert report.issued == report.total, report
    return elapsed


def _per_item(fn: Callable[[Any], object], items: list[Any]) -> float:
    for item in items[:5]:
        fn(item)
    t0 = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - t0) / len(items)


def run(rows: int = 1000, argon_rows: int = 64, rate_rows: int = 4000,
        rounds: int = 5) -> tuple[str, dict[str, float]]:
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = IssuerHome(root / "home")
        init_issuer(home, did_web="eval.example-heavy-machine.cn/issuers/cnc", name_zh="示例重型机床有限公司",
                    name_en="Example Heavy Machine Co.", passphrase=PASSPHRASE, kdf="minimal")
        with open_issuer(home, passphrase=PASSPHRASE) as opened:
            source = _write_csv(root / "rows.csv", rows)
            parsed, _ = read_rows(source, "skill-level")
            issuer = Issuer(opened.profile.did, opened.profile.name_zh, opened.profile.name_en)
            now = datetime.now(UTC)
            entries = [status_entry(f"{opened.profile.base_url}/status/{p}-1", 4711, purpose=p)
                       for p in ("revocation", "suspension")]
            pair = opened.keystore.unlock(PASSPHRASE)
            loader = DocumentLoader()

            precomputed = PrecomputedHash()

            def make(data: Any) -> dict[str, Any]:
                built = build("skill-level", data, issuer=issuer, valid_from=now, hasher=precomputed,
                              credential_id=f"urn:uuid:{uuid.uuid4()}")
                return dict(built, credentialStatus=entries)

            items = [r.item for r in parsed]
            built = [make(i.data) for i in items]
            mappings = [batch_module.row_mapping(r.cells, "skill-level") for r in parsed]
            options = ProofOptions(created=now)
            samples: collections.defaultdict[str, list[float]] = collections.defaultdict(list)
            start = 0
            for number in range(rounds):
                sign_r = _per_item(lambda c: add_proof(c, signer=pair, loader=loader, options=options), built)
                # building from the raw CSV cells: input validation + the credential (what build() costs)
                make_r = _per_item(make, mappings)
                samples["check"].append(_per_item(lambda c: (check_contexts(c, loader=loader),
                                                             check_data_model(c)), built))
                acc: collections.defaultdict[str, float] = collections.defaultdict(float)
                with _timed(acc):
                    full_r = _batch(opened, _write_csv(root / f"rows{number}.csv", rows, start), root / f"out{number}",
                                    workers=1, hasher=PrecomputedHash()) / rows
                start += rows
                samples["sign"].append(sign_r)
                samples["build"].append(make_r)
                samples["full"].append(full_r)
                samples["bookkeeping"].append(full_r - make_r - sign_r)
                samples["overhead"].append((full_r - make_r - sign_r) / sign_r)
                for label in ("read", "storage", "files"):
                    samples[label].append(acc[label] / rows)
            med = {k: statistics.median(v) for k, v in samples.items()}
            sign, make_time, check, full = med["sign"], med["build"], med["check"], med["full"]
            parts = med
            hash_test = _per_item(TEST_HASH, [i.data.id_number for i in items[:200]])
            hash_default: float = statistics.median(
                _per_item(DEFAULT_HASH, [items[0].data.id_number]) for _ in range(5))

            one = _batch(opened, _write_csv(root / "r1.csv", rate_rows, start), root / "r1", workers=1,
                         hasher=PrecomputedHash()) / rate_rows
            start += rate_rows
            many = _batch(opened, _write_csv(root / "r2.csv", rate_rows, start), root / "r2", workers=workers,
                          hasher=PrecomputedHash()) / rate_rows
            start += rate_rows
            argon_one = _batch(opened, _write_csv(root / "a1.csv", argon_rows, start), root / "a1", workers=1,
                               hasher=DEFAULT_HASH) / argon_rows
            start += argon_rows
            argon_many = _batch(opened, _write_csv(root / "a2.csv", argon_rows, start), root / "a2",
                                workers=workers, hasher=DEFAULT_HASH) / argon_rows

    bookkeeping, overhead = med["bookkeeping"], med["overhead"]
    spread = f"rounds {min(samples['overhead']):.0%}..{max(samples['overhead']):.0%}"
    numbers = {"sign": sign, "build": make_time, "full": full, "bookkeeping": bookkeeping,
               "overhead": overhead, "ratio_argon": argon_one / argon_many, "ratio_cheap": one / many}
    out = [
        ("(a) pure signing: add_proof eddsa-rdfc-2022 on a built credential", ms(sign), ""),
        ("building without the identity hash (CSV cells -> validated input -> credential)", ms(make_time), ""),
        ("identity hash, test parameters (ops 1, 8 KiB)", ms(hash_test), "not in (b)"),
        ("identity hash, production Argon2id (ops 3, 64 MiB)", ms(hash_default), "not bookkeeping; not in (b)"),
        ("self-check: contexts + data model (safe RDFC is part of signing)", ms(check), ""),
        ("(b) full batch, 1 worker, precomputed identity hash", ms(full), f"{rows} rows, median of {rounds} rounds"),
        ("  of which CSV reading + input validation (counted as building above)", ms(parts.get("read", 0.0)), ""),
        ("  of which storage: status allocation + recording", ms(parts.get("storage", 0.0)), "1 commit per chunk"),
        ("  of which output files (one atomic write per credential)", ms(parts.get("files", 0.0)),
         "disk-bound"),
        ("storage and bookkeeping = (b) - building - (a)", ms(bookkeeping),
         f"adds {overhead:.0%} to pure signing (target <= 35%; {spread})"),
        (f"rate, production Argon2id: 1 worker / {workers} workers",
         f"{1 / argon_one:.1f}/s / {1 / argon_many:.1f}/s",
         f"ratio {argon_one / argon_many:.2f} (target >= 1.5), {argon_rows} rows"),
        (f"rate, precomputed hash: 1 worker / {workers} workers", f"{1 / one:.0f}/s / {1 / many:.0f}/s",
         f"ratio {one / many:.2f}, {rate_rows} rows, spawn start-up included"),
    ]
    return table(["measure", "per credential", "note"], out), numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--argon-rows", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args, _ = parser.parse_known_args()
    text, _numbers = run(args.rows, args.argon_rows, rounds=args.rounds)
    print("## Batch issuance (issuer batch)\n")
    print(text)


if __name__ == "__main__":
    main()

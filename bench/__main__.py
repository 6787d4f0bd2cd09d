"""``make bench``: run every benchmark and print its table."""

from __future__ import annotations

import importlib

MODULES = [
    "bench.bench_verify",
    "bench.bench_schema",
    "bench.bench_cli",
    "bench.bench_reading",
    "bench.bench_canon",
    "bench.bench_qr",
    "bench.bench_issue",
    "bench.bench_workers",
    "bench.bench_shared",
    "bench.bench_http",
    "bench.bench_bounded",
    "bench.bench_registry",
]

for name in MODULES:
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        continue
    mod.main()
    print()

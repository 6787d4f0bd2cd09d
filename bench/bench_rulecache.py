"""A recognition with its source, verified in process, on two trees in turn (issue 19).

``python -m bench.bench_rulecache BEFORE AFTER [--rounds 5] [--requests 300]``: each round runs
:func:`bench.bench_http.in_process_rate` (``recognition=True``: the recognition and, beside it, the credential
it cites; the verifier holds the CN rule credential as a trust pack gives it) in a fresh process on each tree,
alternating, and prints medians with p25-p75 over the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

_ONCE = """
import json
single, _ = bench_http.in_process_rate({requests})
rate, median = bench_http.in_process_rate({requests}, recognition=True)
print(json.dumps({{"rate": rate, "median_ms": median * 1000, "credential_rate": single}}))
"""


def _spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return f"{statistics.median(values):.1f} ({q[0]:.1f}-{q[2]:.1f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    got: dict[Path, list[dict[str, float]]] = {t: [] for t in args.trees}
    for _ in range(args.rounds):
        for tree in args.trees:
            # the tree's own bench_http (every tree since issue 13 has it), in a fresh process
            code = f"import sys; sys.path.insert(0, {str(tree)!r}); from bench import bench_http\n" + _ONCE.format(
                requests=args.requests
            )
            out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
            got[tree].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| tree | recognitions/s | recognition p50 ms | credentials/s | credentials per recognition |")
    print("|---|---|---|---|---|")
    for tree, runs in got.items():
        ratio = [r["credential_rate"] / r["rate"] for r in runs]
        print(
            f"| {tree} | {_spread([r['rate'] for r in runs])} | {_spread([r['median_ms'] for r in runs])}"
            f" | {_spread([r['credential_rate'] for r in runs])} | {_spread(ratio)} |"
        )


if __name__ == "__main__":
    main()

"""Canonicalization benchmark: skillcred's ``rdfc`` against pyld's plain path, one run, one ratio.

The plain path is what a straightforward verifier does for ``eddsa-rdfc-2022`` (VC DI EdDSA 1.0
section 3.3): ``jsonld.normalize`` with ``URDNA2015`` and a static-tag loader, once for the
document and once for the proof configuration. skillcred does the same two canonicalizations with
:func:`vccore.jsonld.canonical.rdfc` (safe mode, context policy, RDFC-1.0 by :mod:`vccore.canon.rdfc`).
Both outputs are checked equal before timing. The credential is ``tests/data/skill_level_credential.json``
(its proof was made with the test seed ``bytes(range(32))``).

Run: ``.venv/bin/python -m bench.bench_canon [rounds]``
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyld import jsonld

from vccore.jsonld.canonical import cache_info, clear_cache, rdfc
from vccore.jsonld.loader import DocumentLoader

CREDENTIAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "skill_level_credential.json"


def _inputs() -> tuple[dict[str, Any], dict[str, Any]]:
    signed = json.loads(CREDENTIAL.read_text(encoding="utf-8"))
    document = {k: v for k, v in signed.items() if k != "proof"}
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = document["@context"]  # VC DI EdDSA 1.0 section 3.3.5 step 4
    return document, config


def _time_ms(run: Callable[[], object], samples: list[float]) -> None:
    start = time.perf_counter()
    run()
    samples.append((time.perf_counter() - start) * 1000)


def main(rounds: int = 300) -> float:
    loader = DocumentLoader()
    document, config = _inputs()
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}

    def plain() -> object:
        return (jsonld.normalize(document, options), jsonld.normalize(config, options))

    def ours() -> tuple[str, str]:
        return (rdfc(document, loader=loader), rdfc(config, loader=loader))

    clear_cache()
    start = time.perf_counter()
    first = ours()
    cold = (time.perf_counter() - start) * 1000
    if first != plain():
        raise SystemExit("the two paths disagree on the canonical form")
    for _ in range(20):  # warm both
        plain()
        ours()
    plain_ms: list[float] = []
    ours_ms: list[float] = []
    for _ in range(rounds):  # interleaved, so drift hits both alike
        _time_ms(plain, plain_ms)
        _time_ms(ours, ours_ms)
    p, o = statistics.median(plain_ms), statistics.median(ours_ms)
    ratio = o / p
    quads = f"{first[0].count(chr(10))} + {first[1].count(chr(10))} quads"
    print(f"credential: {CREDENTIAL.name} ({quads})")
    print(f"pyld plain normalize, document + proof config: median {p:.3f} ms over {rounds} rounds")
    print(
        f"vccore.jsonld.canonical.rdfc, document + proof config: median {o:.3f} ms "
        f"(first call, contexts not yet processed: {cold:.3f} ms)"
    )
    print(f"ratio rdfc / plain: {ratio:.3f}")
    print(f"context memo: {cache_info()}")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)

"""Issue 19 benchmark: ``skillcred verify`` from start to verdict, as a person runs it (a new process each
time), against ``python -c pass`` and against the same verify after loading every command first (what
``skillcred`` did before its root loaded commands on demand: the issuer with its registry drivers and
batch code, the wallet, the demo's web apps).

Target (one run, medians of interleaved rounds): verify <= 0.5 x every-command-first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.common import interleaved_samples, ratio_spread, spread, table
from bench.samples import skill_level_credential
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 30, tzinfo=UTC)
#: every command loaded first, with what their modules imported at the top before issue 19 (the PostgreSQL
#: driver, the batch code, jsonschema), then ``skillcred verify``: the root as it was before issue 19
_EAGER = """
import runpy, sys
import psycopg, psycopg_pool, jsonschema, issuer.batch.run, issuer.batch.schedule, verifier.challenges
from skillcred import cli
for name in cli.COMMANDS:
    cli._load(name)
sys.argv = ["skillcred", *sys.argv[1:]]
runpy.run_module("skillcred", run_name="__main__")
"""


def run(rounds: int = 7) -> tuple[str, dict[str, list[float]]]:
    pair = did_key_pair(KeyPair.from_seed(b"\x42" * 32))
    signed = add_proof(
        skill_level_credential(pair.controller),
        signer=pair,
        loader=DocumentLoader(),
        options=ProofOptions(cryptosuite="eddsa-jcs-2022", created=NOW),
    )
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "credential.json"
        source.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        verify = ["verify", str(source), "--trust", "any"]

        def call(*args: str) -> None:
            subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, check=False, timeout=120)

        samples = interleaved_samples(
            {
                "pass": lambda: call("-c", "pass"),
                "verify": lambda: call("-m", "skillcred", *verify),
                "eager": lambda: call("-c", _EAGER, *verify),
            },
            rounds=rounds,
            warmup=1,
        )
    rows = [
        ("python -c pass", spread(samples["pass"]), "1.00 x"),
        (
            "skillcred verify (commands loaded on demand)",
            spread(samples["verify"]),
            ratio_spread(samples["verify"], samples["pass"]),
        ),
        (
            "every command loaded first, then verify (before)",
            spread(samples["eager"]),
            ratio_spread(samples["eager"], samples["pass"]),
        ),
    ]
    out = table(
        ("start to verdict (a new process each, eddsa-jcs-2022 credential)", "median (p25–p75)", "x python -c pass"),
        rows,
    )
    return out, samples


def main() -> None:
    out, samples = run()
    print("## CLI start to verdict (bench/bench_cli.py)\n")
    print(out)
    print(f"\nTarget: verify <= 0.50 x before -> {ratio_spread(samples['verify'], samples['eager'])}")


if __name__ == "__main__":
    main()

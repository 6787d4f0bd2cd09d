"""Issue 19 benchmark: the verifier's JSON Schema check, three validators on the same valid skill-level
credential (jsonschema as before, fastjsonschema, jsonschema-rs), and a full verify (eddsa-jcs-2022 proof,
data model, schemas) with the schema check as before (jsonschema for every document) and as it ships
(jsonschema-rs compiled once per schema; jsonschema only for a document it refuses).

fastjsonschema compiles drafts 4, 6 and 7 only: on these draft 2020-12 schemas it ignores ``prefixItems``,
so it would accept documents jsonschema refuses, whatever its speed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import fastjsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

from bench.common import interleaved_samples, ratio_spread, spread, table
from bench.samples import skill_level_credential
from vccore.credentials import verify_issued
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.kinds import schemas

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def run(rounds: int = 200) -> tuple[str, dict[str, list[float]]]:
    pair = did_key_pair(KeyPair.from_seed(b"\x42" * 32))
    loader = DocumentLoader()
    credential = skill_level_credential(pair.controller)
    signed = add_proof(
        credential, signer=pair, loader=loader, options=ProofOptions(cryptosuite="eddsa-jcs-2022", created=NOW)
    )
    schema = schemas.schema_for("SkillLevelCredential")
    python = Draft202012Validator(schema, format_checker=FormatChecker())
    fast = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"})
    rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    assert python.is_valid(credential) and rust.is_valid(credential)
    fast(credential)

    def verify() -> Any:
        result = verify_issued(signed, loader=loader, now=NOW, schemas=schemas.check_schemas)
        assert result.verified, result
        return result

    def verify_before() -> Any:
        with mock.patch.object(schemas, "_quickly_valid", lambda file, document: False):
            return verify()

    samples = interleaved_samples(
        {
            "jsonschema": lambda: list(python.iter_errors(credential)),
            "fastjsonschema": lambda: fast(credential),
            "jsonschema-rs": lambda: rust.is_valid(credential),
            "verify-before": verify_before,
            "verify": verify,
        },
        rounds=rounds,
        warmup=5,
    )

    def us(values: list[float]) -> str:
        return spread(values, scale=1e6, unit="µs")

    rows = [
        ("jsonschema (before)", us(samples["jsonschema"]), "1.00 x"),
        (
            "fastjsonschema (draft 7: ignores prefixItems)",
            us(samples["fastjsonschema"]),
            ratio_spread(samples["fastjsonschema"], samples["jsonschema"]),
        ),
        (
            "jsonschema-rs (shipped)",
            us(samples["jsonschema-rs"]),
            ratio_spread(samples["jsonschema-rs"], samples["jsonschema"]),
        ),
        ("full verify, schema check by jsonschema (before)", us(samples["verify-before"]), "1.00 x"),
        (
            "full verify, schema check compiled (shipped)",
            us(samples["verify"]),
            ratio_spread(samples["verify"], samples["verify-before"]),
        ),
    ]
    out = table(("schema check of a valid skill-level credential", "median (p25–p75)", "ratio (p25–p75)"), rows)
    return out, samples


def main() -> None:
    out, _ = run()
    print("## Schema validation (bench/bench_schema.py)\n")
    print(out)


if __name__ == "__main__":
    main()

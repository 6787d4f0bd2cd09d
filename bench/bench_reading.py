"""Issue 12 benchmark: the cost of the one-reading gate, and why it is a walk and not a round trip.

Both mechanisms refuse the same respellings (``tests/vccore/jsonld/test_reading.py`` compares their verdicts on
every rewriting it generates); this measures what each costs per credential, beside a full verification
of the same credential (proof, schema, status, trust) for scale. One run, interleaved medians.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from pyld import jsonld

from bench.common import interleaved_medians, ms, table
from bench.samples import skill_level_credential
from vccore.credentials import verify_issued
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_one_way
from vccore.keys import KeyPair
from vccore.kinds.schemas import check_schemas

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _round_trip(document: dict[str, Any], loader: DocumentLoader) -> bool:
    options = {"documentLoader": loader, "base": None, "processingMode": "json-ld-1.1"}
    compacted = jsonld.compact(
        jsonld.expand(document, dict(options)), {"@context": document["@context"]}, dict(options)
    )
    compacted.pop("@context", None)
    return bool(compacted)


def run(rounds: int = 40) -> tuple[str, dict[str, float]]:
    pair = did_key_pair(KeyPair.from_seed(b"\x42" * 32))
    loader = DocumentLoader()
    signed = add_proof(
        skill_level_credential(pair.controller), signer=pair, loader=loader, options=ProofOptions(created=NOW)
    )
    doc = copy.deepcopy(signed)
    medians = interleaved_medians(
        {
            "walk": lambda: read_one_way(doc, loader=loader),
            "round trip": lambda: _round_trip(doc, loader),
            "verify (proof, schema, validity)": lambda: verify_issued(
                doc, loader=loader, now=NOW, schemas=check_schemas
            ),
        },
        rounds=rounds,
    )
    full = medians["verify (proof, schema, validity)"]
    rows = [(name, ms(value), f"{value / full:.2f} x verify") for name, value in medians.items()]
    rows.append(("round trip / walk", "", f"{medians['round trip'] / medians['walk']:.1f} x"))
    return table(["one skill-level credential", "median", "ratio"], rows), medians


def main() -> None:
    text, _ = run()
    print("## The one reading (issue 12)\n")
    print(text)


if __name__ == "__main__":
    main()

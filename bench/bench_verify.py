"""Issue 2 benchmark: Ed25519 alone, eddsa-jcs-2022 verify, the plain pyld rdfc path, skillcred's rdfc.

Targets (one interleaved run, medians): skillcred rdfc verify <= 0.4 x plain path; JCS verify <= 3 x bare
Ed25519 (issue 19; 3.5 x before). The ratios are the medians of the round-by-round ratios, with their p25-p75.
"""

from __future__ import annotations

import copy
import hashlib
import statistics
from datetime import UTC, datetime
from typing import Any

from pyld import jsonld

import contexts
from bench.common import interleaved_samples, ms, ratio_spread, table
from bench.samples import skill_level_credential
from vccore import multibase
from vccore.di.proofs import ProofOptions, add_proof, verify_proofs
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _static_loader(url: str, options: Any = None) -> dict[str, Any]:
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(contexts.load(url)), "tag": "static"}


def run(rounds: int = 100) -> tuple[str, dict[str, float]]:
    pair = did_key_pair(KeyPair.from_seed(b"\x42" * 32))
    loader = DocumentLoader()
    cred = skill_level_credential(pair.controller)
    rdfc_doc = add_proof(cred, signer=pair, loader=loader, options=ProofOptions(created=NOW))
    jcs_doc = add_proof(
        cred, signer=pair, loader=loader, options=ProofOptions(cryptosuite="eddsa-jcs-2022", created=NOW)
    )
    msg = b"x" * 64
    sig = pair.sign(msg)
    public = pair.public

    def ed25519() -> None:
        assert public.verify(msg, sig)

    def plain_rdfc() -> None:
        proof = dict(rdfc_doc["proof"])
        value = proof.pop("proofValue")
        proof["@context"] = rdfc_doc["@context"]
        unsecured = {k: v for k, v in rdfc_doc.items() if k != "proof"}
        opts = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _static_loader}
        c_doc = jsonld.normalize(unsecured, opts)
        c_proof = jsonld.normalize(proof, opts)
        data = hashlib.sha256(c_proof.encode()).digest() + hashlib.sha256(c_doc.encode()).digest()
        assert public.verify(data, multibase.decode_z(value))

    def ours_rdfc() -> None:
        assert verify_proofs(rdfc_doc, loader=loader, now=NOW).passed

    def ours_jcs() -> None:
        assert verify_proofs(jcs_doc, loader=loader, now=NOW).passed

    samples = interleaved_samples(
        {"ed25519": ed25519, "jcs": ours_jcs, "plain": plain_rdfc, "rdfc": ours_rdfc}, rounds=rounds
    )
    med = {name: statistics.median(values) for name, values in samples.items()}
    jcs_ratio = ratio_spread(samples["jcs"], samples["ed25519"])
    rdfc_ratio = ratio_spread(samples["rdfc"], samples["plain"])
    med["jcs_ratio"] = statistics.median(a / b for a, b in zip(samples["jcs"], samples["ed25519"], strict=True))
    med["rdfc_ratio"] = statistics.median(a / b for a, b in zip(samples["rdfc"], samples["plain"], strict=True))
    rows = [
        ("Ed25519 verify alone (PyNaCl)", ms(med["ed25519"]), "1.00 x Ed25519"),
        ("skillcred eddsa-jcs-2022 verify", ms(med["jcs"]), f"{jcs_ratio.replace(' x', ' x Ed25519', 1)}"),
        ("plain path: pyld normalize x2 + Ed25519", ms(med["plain"]), "1.00 x plain"),
        ("skillcred eddsa-rdfc-2022 verify", ms(med["rdfc"]), f"{rdfc_ratio.replace(' x', ' x plain', 1)}"),
    ]
    out = table(("operation (skill-level credential with status entries)", "median", "ratio"), rows)
    return out, med


def main() -> None:
    out, med = run()
    print("## Proof verification (bench/bench_verify.py)\n")
    print(out)
    print(f"\nTargets: rdfc <= 0.40 x plain -> {med['rdfc_ratio']:.2f}; jcs <= 3 x Ed25519 -> {med['jcs_ratio']:.2f}")


if __name__ == "__main__":
    main()

"""The W3C vc-di-eddsa test vectors (w3c/vc-di-eddsa TestVectors/, W3C Software and Document License),
reproduced step by step: canonical document and proof configuration, both hashes, combined hash,
signature and proofValue; and the signed documents, proof sets and chains verify at the proof layer
(their issuer is not their key's controller)."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import NOW, VECTORS
from vccore import multibase
from vccore.di.cryptosuites import ED25519_SIGNATURE_2020, EDDSA_JCS_2022, EDDSA_RDFC_2022, Cryptosuite
from vccore.di.proofs import ProofOptions, add_proof, verify_proofs
from vccore.did.key import did_key_pair
from vccore.errors import Code
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair

DI = VECTORS / "vc-di-eddsa"

LOADER = DocumentLoader(include_test_contexts=True)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


# (folder, file suffix, suite, unsigned input)
CASES = [
    ("eddsa-rdfc-2022", "DataInt", EDDSA_RDFC_2022, "unsigned.json"),
    ("eddsa-rdfc-2022/employ", "DataInt", EDDSA_RDFC_2022, "employmentAuth.json"),
    ("eddsa-jcs-2022", "JCS", EDDSA_JCS_2022, "unsigned.json"),
    ("Ed25519Signature2020", "EdSig", ED25519_SIGNATURE_2020, "unsigned.json"),
]


def _steps(folder: str, suffix: str, suite: Cryptosuite, unsigned: str) -> dict[str, str]:
    doc = _json(DI / unsigned)
    if suite is ED25519_SIGNATURE_2020:
        doc = dict(doc)
        doc["@context"] = [*doc["@context"], "https://w3id.org/security/suites/ed25519-2020/v1"]
    config = _json(DI / folder / f"proofConfig{suffix}.json")
    canon_doc = suite.canonicalize(doc, loader=LOADER)
    canon_config = suite.canonicalize(config, loader=LOADER)
    combined = suite.hash_data(canon_config, canon_doc)
    pair = KeyPair.from_json(_json(DI / "keyPair.json"))
    sig = pair.sign(combined)
    return {
        "canonDoc": canon_doc.decode(),
        "proofCanon": canon_config.decode(),
        "docHash": hashlib.sha256(canon_doc).hexdigest(),
        "proofHash": hashlib.sha256(canon_config).hexdigest(),
        "combinedHash": combined.hex(),
        "sigHex": sig.hex(),
        "sigBTC58": multibase.encode_z(sig),
    }


@pytest.mark.parametrize(("folder", "suffix", "suite", "unsigned"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize(
    "step", ["canonDoc", "proofCanon", "docHash", "proofHash", "combinedHash", "sigHex", "sigBTC58"]
)
def test_vector_step_reproduces_exactly(folder: str, suffix: str, suite: Cryptosuite, unsigned: str, step: str) -> None:
    expected_file = DI / folder / f"{step}{suffix}.txt"
    expected = expected_file.read_text(encoding="utf-8")
    got = _steps(folder, suffix, suite, unsigned)[step]
    if step in ("canonDoc", "proofCanon"):
        assert got == expected if expected.endswith("\n") else got.rstrip("\n") == expected
    else:
        assert got == expected.strip()


@pytest.mark.parametrize(
    "folder,suffix", [("eddsa-rdfc-2022", "DataInt"), ("eddsa-jcs-2022", "JCS"), ("eddsa-rdfc-2022/employ", "DataInt")]
)
def test_add_proof_produces_the_vector_document(folder: str, suffix: str) -> None:
    signed = _json(DI / folder / f"signed{suffix}.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    pair = did_key_pair(KeyPair.from_json(_json(DI / "keyPair.json")))
    out = add_proof(
        unsigned,
        signer=pair,
        loader=LOADER,
        options=ProofOptions(
            cryptosuite=signed["proof"]["cryptosuite"], created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
        ),
    )
    assert out == signed


SIGNED = [
    "eddsa-rdfc-2022/signedDataInt.json",
    "eddsa-rdfc-2022/employ/signedDataInt.json",
    "eddsa-jcs-2022/signedJCS.json",
    "Ed25519Signature2020/signedEdSig.json",
    "proof-set-chain/signedProofSet1.json",
    "proof-set-chain/signedProofSet2.json",
    "proof-set-chain/signedProofChain1.json",
    "proof-set-chain/signedProofChain2.json",
]
STATUS = [
    "rec-exA1-revocable-vc-signed-eddsa-rdfc-2022.json",
    "rec-exA2-status-list-credential-signed-eddsa-rdfc-2022.json",
]


@pytest.mark.parametrize("name", SIGNED)
def test_signed_vector_verifies_at_the_proof_layer(name: str) -> None:
    check = verify_proofs(_json(DI / name), loader=LOADER, now=NOW)
    assert check.passed, check.problems


@pytest.mark.parametrize("name", STATUS)
def test_status_list_examples_verify_at_the_proof_layer(name: str) -> None:
    doc = _json(VECTORS / "vc-bitstring-status-list" / name)
    check = verify_proofs(doc, loader=LOADER, now=NOW)
    assert check.passed, check.problems


@pytest.mark.parametrize("name", SIGNED[4:] + SIGNED[:1])
def test_a_changed_field_fails_every_signed_vector(name: str) -> None:
    doc = copy.deepcopy(_json(DI / name))
    doc["credentialSubject"]["alumniOf"] = "Another School" if "alumniOf" in doc["credentialSubject"] else "x"
    check = verify_proofs(doc, loader=LOADER, now=NOW)
    assert not check.passed
    assert Code.PROOF_VERIFICATION_ERROR in {p.code for p in check.problems}


def test_a_proof_set_with_one_bad_proof_fails() -> None:
    doc = copy.deepcopy(_json(DI / "proof-set-chain/signedProofSet2.json"))
    sig = multibase.decode_z(doc["proof"][1]["proofValue"])
    doc["proof"][1]["proofValue"] = multibase.encode_z(bytes([sig[0] ^ 1]) + sig[1:])
    check = verify_proofs(doc, loader=LOADER, now=NOW)
    assert not check.passed
    assert [p["verified"] for p in check.info["proofs"]] == [True, False] + [True] * (len(doc["proof"]) - 2)


def test_a_chain_link_whose_previous_proof_is_missing_fails() -> None:
    doc = copy.deepcopy(_json(DI / "proof-set-chain/signedProofChain2.json"))
    doc["proof"] = [p for p in doc["proof"] if p.get("id") != "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23"]
    check = verify_proofs(doc, loader=LOADER, now=NOW)
    assert not check.passed
    assert any("previousProof" in p.detail for p in check.problems)


def test_proof_chain_built_here_matches_the_vector_chain() -> None:
    keys = _json(DI / "proof-set-chain/multiKeyPairs.json")
    pairs = [did_key_pair(KeyPair.from_json(keys[f"keyPair{i}"])) for i in (1, 2, 3, 4)]
    expected = _json(DI / "proof-set-chain/signedProofChain2.json")
    doc: dict[str, Any] = {k: v for k, v in expected.items() if k != "proof"}
    for pair, proof in zip(pairs, expected["proof"], strict=True):
        created = datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))
        doc = add_proof(
            doc,
            signer=pair,
            loader=LOADER,
            options=ProofOptions(created=created, id=proof.get("id"), previous_proof=proof.get("previousProof")),
        )
    assert doc == expected

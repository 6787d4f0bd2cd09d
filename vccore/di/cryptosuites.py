"""Cryptosuites: small and declarative (STYLE.md rule 2). The proof engine owns everything else.

- ``eddsa-rdfc-2022`` (VC DI EdDSA 1.0 section 3.3): RDFC-1.0 of document and proof configuration.
- ``eddsa-jcs-2022`` (section 3.4): RFC 8785 JCS of both.
- ``Ed25519Signature2020`` (legacy, verification only): URDNA2015 (= RDFC-1.0 on these inputs),
  proof type ``Ed25519Signature2020`` with no ``cryptosuite`` member.

Each hashes the canonical proof configuration and the canonical document with SHA-256 and signs the
concatenation, proof-configuration hash first (VC DI EdDSA 1.0 sections 3.3.4 / 3.4.4 "Hashing").
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vccore.canon.jcs import jcs_bytes
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import DocumentLoader


@dataclass(frozen=True)
class Cryptosuite:
    name: str
    proof_type: str
    canonicalization: Literal["rdfc", "jcs"]
    #: proof configurations carry the document's ``@context`` (both DI suites do; see 3.3.5 / 3.4.5)
    legacy: bool = False

    def canonicalize(self, document: Mapping[str, Any], *, loader: DocumentLoader) -> bytes:
        if self.canonicalization == "rdfc":
            return rdfc(document, loader=loader).encode("utf-8")
        return jcs_bytes(document)

    def hash_data(self, canonical_config: bytes, canonical_document: bytes) -> bytes:
        return hashlib.sha256(canonical_config).digest() + hashlib.sha256(canonical_document).digest()


EDDSA_RDFC_2022 = Cryptosuite("eddsa-rdfc-2022", "DataIntegrityProof", "rdfc")
EDDSA_JCS_2022 = Cryptosuite("eddsa-jcs-2022", "DataIntegrityProof", "jcs")
ED25519_SIGNATURE_2020 = Cryptosuite("Ed25519Signature2020", "Ed25519Signature2020", "rdfc", legacy=True)

SIGNING_SUITES: dict[str, Cryptosuite] = {s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022)}
#: the names of the suites skillcred signs with, the default first (every edge offers these)
SUITE_NAMES: tuple[str, ...] = tuple(SIGNING_SUITES)
DEFAULT_SUITE: str = EDDSA_RDFC_2022.name


def suite_for_proof(proof: Mapping[str, Any], *, allow_legacy: bool = True) -> Cryptosuite | None:
    """The suite a proof names, or None when its type/cryptosuite pair is not one we verify."""
    ptype = proof.get("type")
    if ptype == "DataIntegrityProof":
        return SIGNING_SUITES.get(str(proof.get("cryptosuite")))
    if ptype == "Ed25519Signature2020" and allow_legacy and "cryptosuite" not in proof:
        return ED25519_SIGNATURE_2020
    return None

"""did:key for Ed25519 (W3C CCG did:key Method v0.7, sections 3.1.1 and 3.1.2).

``did:key:z6Mk...`` is the ``publicKeyMultibase`` itself; the document has one Multikey
verification method ``did:key:X#X`` listed under authentication, assertionMethod,
capabilityInvocation and capabilityDelegation. The derived X25519 key agreement key is computed
with libsodium's Ed25519-to-Curve25519 conversion.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import nacl.bindings

from vccore import multibase
from vccore.errors import Code, KeyProblem, ResolutionError
from vccore.keys import KeyPair, PublicKey, decode_public_multibase

PREFIX = "did:key:"


def did_for(public_multibase: str) -> str:
    decode_public_multibase(public_multibase)
    return PREFIX + public_multibase


def did_key_pair(pair: KeyPair) -> KeyPair:
    """The same key, named as its did:key verification method."""
    did = did_for(pair.public_multibase)
    return pair.with_id(f"{did}#{pair.public_multibase}", did)


@lru_cache(maxsize=4096)
def x25519_multibase(public_multibase: str) -> str:
    raw = decode_public_multibase(public_multibase)
    x = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(raw)
    return multibase.encode_z(multibase.X25519_PUB_HEADER + x)


def resolve(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key (current Multikey form)."""
    if not isinstance(did, str) or not did.startswith(PREFIX):
        raise ResolutionError(f"not a did:key: {did!r}")
    ident = did[len(PREFIX) :]
    if "#" in ident or "/" in ident or "?" in ident:
        raise ResolutionError("a DID has no fragment, path or query")
    try:
        decode_public_multibase(ident)
    except KeyProblem as err:
        raise ResolutionError(f"did:key: {err.detail}", code=Code.INVALID_VERIFICATION_METHOD) from err
    vm_id = f"{did}#{ident}"
    x = x25519_multibase(ident)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": ident},
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
        "keyAgreement": [
            {"id": f"{did}#{x}", "type": "Multikey", "controller": did, "publicKeyMultibase": x},
        ],
    }


def public_key(vm_id: str) -> PublicKey:
    did, _, frag = vm_id.partition("#")
    doc = resolve(did)
    if frag != did[len(PREFIX) :]:
        raise ResolutionError("did:key verification method fragment must be the key itself")
    vm = doc["verificationMethod"][0]
    return PublicKey.from_multibase(vm["publicKeyMultibase"], id=vm["id"], controller=did)

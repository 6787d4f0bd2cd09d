"""Ed25519 Multikey key pairs, and the Signer port (an in-process key, or one held in an HSM or KMS).

The only module that imports PyNaCl's signing primitives. libsodium refuses non-canonical and
small-order encodings that some other stacks accept (STYLE.md, "Library facts"), which is what a
verifier wants (SECURITY.md, verifier item 8).

Encodings follow Controlled Identifiers 1.0 section 2.2.2 (Multikey): ``publicKeyMultibase`` is
base58btc of ``0xed01`` + the 32-byte key; ``secretKeyMultibase`` is base58btc of ``0x8026`` + the
32-byte seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import nacl.exceptions
import nacl.signing

from vccore import multibase
from vccore.errors import Code, KeyProblem, ParseError


@runtime_checkable
class Signer(Protocol):
    """Anything that signs: an in-process key, or a key held in an HSM or KMS."""

    @property
    def id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def decode_public_multibase(value: str) -> bytes:
    """The raw 32-byte Ed25519 key of a ``publicKeyMultibase``; header and length checked exactly."""
    if not isinstance(value, str):
        raise KeyProblem("publicKeyMultibase must be a string", code=Code.INVALID_VERIFICATION_METHOD)
    return _decode_public_multibase(value)


@lru_cache(maxsize=4096)
def _decode_public_multibase(value: str) -> bytes:
    try:
        raw = multibase.decode_z(value, max_len=128)
    except ParseError as err:
        raise KeyProblem(f"publicKeyMultibase: {err.detail}", code=Code.INVALID_VERIFICATION_METHOD) from err
    if len(raw) != 34 or raw[:2] != multibase.ED25519_PUB_HEADER:
        raise KeyProblem(
            "publicKeyMultibase is not an Ed25519 key (0xed01 + 32 bytes)", code=Code.INVALID_VERIFICATION_METHOD
        )
    return raw[2:]


def encode_public_multibase(raw: bytes) -> str:
    if len(raw) != 32:
        raise ValueError(f"raw Ed25519 public key must be 32 bytes, got {len(raw)}")
    return multibase.encode_z(multibase.ED25519_PUB_HEADER + raw)


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 verification key with an optional verification-method id and controller."""

    raw: bytes
    id: str = ""
    controller: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise ValueError("raw: an Ed25519 public key is exactly 32 bytes")

    @classmethod
    def from_multibase(cls, value: str, *, id: str = "", controller: str = "") -> PublicKey:
        return cls(decode_public_multibase(value), id=id, controller=controller)

    @property
    def multibase(self) -> str:
        return encode_public_multibase(self.raw)

    def verify(self, data: bytes, signature: bytes) -> bool:
        """True only for a valid signature; every malformed input is simply False."""
        if len(signature) != 64:
            return False
        try:
            nacl.signing.VerifyKey(self.raw).verify(data, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
            return False
        return True

    def to_verification_method(self) -> dict[str, Any]:
        return {"id": self.id, "type": "Multikey", "controller": self.controller, "publicKeyMultibase": self.multibase}


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 key pair. ``id`` is the verification method id used in proofs."""

    seed: bytes = field(repr=False)
    id: str = ""
    controller: str = ""
    _signing: nacl.signing.SigningKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != 32:
            raise ValueError("seed: an Ed25519 seed is exactly 32 bytes")
        object.__setattr__(self, "_signing", nacl.signing.SigningKey(self.seed))

    @classmethod
    def generate(cls, *, id: str = "", controller: str = "") -> KeyPair:
        """A fresh key from the OS CSPRNG (libsodium's randombytes)."""
        return cls(bytes(nacl.signing.SigningKey.generate()), id=id, controller=controller)

    @classmethod
    def from_seed(cls, seed: bytes, *, id: str = "", controller: str = "") -> KeyPair:
        return cls(seed, id=id, controller=controller)

    @classmethod
    def from_secret_multibase(cls, value: str, *, id: str = "", controller: str = "") -> KeyPair:
        try:
            raw = multibase.decode_z(value, max_len=128)
        except ParseError as err:
            raise KeyProblem(f"secretKeyMultibase: {err.detail}") from err
        if len(raw) != 34 or raw[:2] != multibase.ED25519_PRIV_HEADER:
            raise KeyProblem("secretKeyMultibase is not an Ed25519 secret key (0x8026 + 32-byte seed)")
        return cls(raw[2:], id=id, controller=controller)

    def with_id(self, id: str, controller: str) -> KeyPair:
        return KeyPair(self.seed, id=id, controller=controller)

    @property
    def public_raw(self) -> bytes:
        return bytes(self._signing.verify_key)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.public_raw, id=self.id, controller=self.controller)

    @property
    def public_multibase(self) -> str:
        return encode_public_multibase(self.public_raw)

    @property
    def secret_multibase(self) -> str:
        return multibase.encode_z(multibase.ED25519_PRIV_HEADER + self.seed)

    @property
    def algorithm(self) -> str:
        return "Ed25519"

    def sign(self, data: bytes) -> bytes:
        return bytes(self._signing.sign(data).signature)

    def signer(self) -> Signer:
        return self

    def to_json(self, *, include_secret: bool = True) -> dict[str, Any]:
        """The key file format of ``skillcred keys generate`` (a Multikey with its secret)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_multibase,
        }
        if include_secret:
            out["secretKeyMultibase"] = self.secret_multibase
        return out

    @classmethod
    def from_json(cls, doc: Any) -> KeyPair:
        if not isinstance(doc, dict):
            raise KeyProblem("a key file is a JSON object")
        secret = doc.get("secretKeyMultibase") or doc.get("privateKeyMultibase")
        if not isinstance(secret, str):
            raise KeyProblem("the key file has no secretKeyMultibase")
        pair = cls.from_secret_multibase(secret, id=str(doc.get("id", "")), controller=str(doc.get("controller", "")))
        pub = doc.get("publicKeyMultibase")
        if pub is not None and pub != pair.public_multibase:
            raise KeyProblem("publicKeyMultibase does not belong to secretKeyMultibase")
        return pair

"""Value objects read from and written to the issuer registry (see :mod:`issuer.store.registry`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

KeyState = Literal["active", "retired", "compromised"]
KEY_STATES: tuple[str, ...] = ("active", "retired", "compromised")


@dataclass(frozen=True)
class StatusRef:
    """One allocated status entry: an index in a list."""

    list_id: str
    index: int


@dataclass(frozen=True)
class CredentialRecord:
    """An issued credential exactly as released: ``document`` holds the bytes returned to the caller."""

    id: str
    kind: str
    document: bytes = field(repr=False)
    key_id: str
    revocation: StatusRef
    suspension: StatusRef
    idempotency_key: str | None
    created_at: str

    def json(self) -> dict[str, Any]:
        value = json.loads(self.document)
        assert isinstance(value, dict)
        return value


@dataclass(frozen=True)
class StatusListRecord:
    """A status list: its bits, a version bumped on every change, and the signed-credential cache."""

    id: str
    purpose: str
    length: int
    bits: bytes = field(repr=False)
    version: int
    allocated: int
    cached: bytes | None = field(default=None, repr=False)
    cached_version: int | None = None
    cached_valid_until: str | None = None


@dataclass(frozen=True)
class KeyRecord:
    """An issuer key: the public half in clear, the seed encrypted (see :mod:`issuer.keystore`)."""

    id: str
    controller: str
    public_multibase: str
    secret: bytes = field(repr=False)
    kdf_salt: bytes = field(repr=False)
    kdf_ops: int
    kdf_mem: int
    state: KeyState
    valid_from: str
    valid_until: str | None


@dataclass(frozen=True)
class TokenRecord:
    """An API token as stored: its id, the SHA-256 of its secret, its scopes."""

    id: str
    secret_hash: bytes = field(repr=False)
    scopes: frozenset[str]
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class Event:
    """One entry of the append-only event log."""

    seq: int
    time: str
    kind: str
    subject: str
    details: Mapping[str, Any]


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON text (for event details and request hashes). One encoder for all calls:
    ``json.dumps`` with options builds a new one each time, which shows in a batch's event log."""
    return _ENCODER.encode(value)

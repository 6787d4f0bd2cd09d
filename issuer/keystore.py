"""The issuer's Ed25519 keys, encrypted at rest in the registry (SECURITY.md issuer items 6 and 8).

Each seed is sealed with XSalsa20-Poly1305 (libsodium ``SecretBox``, random 24-byte nonce) under a
key derived from the operator's passphrase with Argon2id (``nacl.pwhash.argon2id``, a fresh 16-byte
salt per key, libsodium's *moderate* limits by default: 3 passes over 256 MiB). The limits are stored
beside each key, so stronger defaults later never strand an old key. The passphrase comes from the
caller (the CLI reads ``SKILLCRED_PASSPHRASE``); this module never reads the environment. On unlock,
the decrypted seed must reproduce the stored public key, so a row swapped between keys is refused.

Life cycle: exactly one key is ``active`` (it signs); :meth:`KeyStore.rotate` retires it (it stays in
the DID document under ``verificationMethod`` and ``assertionMethod`` so what it signed still
verifies) and activates a new one; :meth:`KeyStore.compromise` marks a key ``compromised`` (it leaves
the DID document) and returns the ids of the credentials it signed, which the service revokes in the
same transaction. Every change is an event. A did:key issuer cannot rotate: its DID *is* its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from issuer.passphrase import require_strong
from issuer.store.records import KeyRecord
from issuer.store.registry import Store
from issuer.store.tx import Tx
from vccore.did import key as didkey
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.keys import KeyPair
from vccore.timeutil import format_datetime

_argon2id = nacl.pwhash.argon2id


@dataclass(frozen=True)
class KdfLimits:
    """Argon2id cost: ``ops`` passes over ``mem`` bytes."""

    ops: int
    mem: int

    def __post_init__(self) -> None:
        if not _argon2id.OPSLIMIT_MIN <= self.ops <= _argon2id.OPSLIMIT_MAX:
            raise ValueError(f"ops: {self.ops} is outside libsodium's Argon2id range")
        if not _argon2id.MEMLIMIT_MIN <= self.mem <= _argon2id.MEMLIMIT_MAX:
            raise ValueError(f"mem: {self.mem} is outside libsodium's Argon2id range")


#: libsodium's moderate limits (about half a second and 256 MiB): the default for real keys.
MODERATE = KdfLimits(_argon2id.OPSLIMIT_MODERATE, _argon2id.MEMLIMIT_MODERATE)
#: The cheapest limits libsodium allows. For tests only.
MINIMAL = KdfLimits(_argon2id.OPSLIMIT_MIN, _argon2id.MEMLIMIT_MIN)


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    raw = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if not isinstance(raw, bytes) or not raw:
        raise ValueError("passphrase: must be a non-empty string")
    return raw


def _box(passphrase: str | bytes, salt: bytes, ops: int, mem: int) -> nacl.secret.SecretBox:
    key = _argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, _passphrase_bytes(passphrase), salt, opslimit=ops, memlimit=mem)
    return nacl.secret.SecretBox(key)


class KeyStore:
    """The issuer's keys in ``store``. New keys are sealed with ``limits`` (see module docstring)."""

    def __init__(self, store: Store, *, limits: KdfLimits = MODERATE) -> None:
        self._store = store
        self._limits = limits

    # --- reading -------------------------------------------------------------------------------

    def records(self) -> tuple[KeyRecord, ...]:
        """Every key ever created, oldest first (compromised ones included)."""
        with self._store.read() as tx:
            return tx.keys()

    def published(self) -> tuple[KeyRecord, ...]:
        """The keys a DID document lists: the active one and the retired ones, oldest first."""
        return tuple(k for k in self.records() if k.state != "compromised")

    def active(self) -> KeyRecord:
        """The signing key. ``KEY_ERROR`` when there is none (none generated, or it was compromised)."""
        for record in self.records():
            if record.state == "active":
                return record
        raise KeyProblem("the issuer has no active key: generate or rotate one")

    def unlock(self, passphrase: str | bytes, key_id: str | None = None) -> KeyPair:
        """Decrypt a key (the active one by default). A wrong passphrase is ``KEY_ERROR``."""
        record = self.active() if key_id is None else self._record(key_id)
        if record.state == "compromised":
            raise KeyProblem(f"{record.id} is compromised and must not sign")
        try:
            seed = _box(passphrase, record.kdf_salt, record.kdf_ops, record.kdf_mem).decrypt(record.secret)
        except nacl.exceptions.CryptoError as err:
            raise KeyProblem("the passphrase does not unlock the issuer key") from err
        pair = KeyPair.from_seed(seed, id=record.id, controller=record.controller)
        if pair.public_multibase != record.public_multibase:
            raise KeyProblem(f"the stored secret of {record.id} does not match its public key")
        return pair

    def _record(self, key_id: str) -> KeyRecord:
        with self._store.read() as tx:
            record = tx.key(key_id)
        if record is None:
            raise SkillcredError(f"no issuer key {key_id!r}", code=Code.NOT_FOUND)
        return record

    # --- changing --------------------------------------------------------------------------------

    def _seal(self, passphrase: str | bytes, *, controller: str | None, now: datetime) -> KeyRecord:
        """A new key sealed with ``passphrase``, which must be strong enough (:mod:`issuer.passphrase`)."""
        require_strong(passphrase.decode("utf-8", "replace") if isinstance(passphrase, bytes) else passphrase)
        pair = KeyPair.generate()
        salt = nacl.utils.random(_argon2id.SALTBYTES)
        secret = _box(passphrase, salt, self._limits.ops, self._limits.mem).encrypt(pair.seed)
        mb = pair.public_multibase
        did = controller if controller is not None else didkey.did_for(mb)
        return KeyRecord(
            f"{did}#{mb}",
            did,
            mb,
            bytes(secret),
            salt,
            self._limits.ops,
            self._limits.mem,
            "active",
            format_datetime(now),
            None,
        )

    def generate(self, passphrase: str | bytes, *, controller: str | None, now: datetime) -> KeyRecord:
        """The issuer's first key, active from ``now``. ``controller`` is the issuer's did:web DID, or
        None for a did:key issuer (the DID is then derived from the key). ``CONFLICT`` if a key is
        already active."""
        record = self._seal(passphrase, controller=controller, now=now)
        with self._store.write() as tx:
            if any(k.state == "active" for k in tx.keys()):
                raise SkillcredError("the issuer already has an active key; rotate it instead", code=Code.CONFLICT)
            tx.insert_key(record)
            tx.append_event("key.generated", record.id, {"controller": record.controller}, now=record.valid_from)
        return record

    def rotate(self, passphrase: str | bytes, *, now: datetime) -> KeyRecord:
        """Retire the active key at ``now`` and activate a new one with the same controller."""
        current = self.active()
        if current.controller.startswith(didkey.PREFIX):
            raise KeyProblem("a did:key issuer cannot rotate its key: the DID is the key")
        record = self._seal(passphrase, controller=current.controller, now=now)
        stamp = format_datetime(now)
        with self._store.write() as tx:
            if not tx.set_key_state(current.id, "retired", valid_until=stamp, only_from="active"):
                raise SkillcredError("the active key changed meanwhile; try again", code=Code.CONFLICT)
            tx.insert_key(record)
            tx.append_event("key.retired", current.id, {"successor": record.id}, now=stamp)
            tx.append_event(
                "key.generated", record.id, {"controller": record.controller, "predecessor": current.id}, now=stamp
            )
        return record

    def compromise_in(self, tx: Tx, key_id: str, *, now: datetime) -> tuple[str, ...]:
        """Inside ``tx``: mark ``key_id`` compromised (idempotent) and return the ids of every
        credential it signed. The caller revokes them in the same transaction."""
        record = tx.key(key_id, lock=True)
        if record is None:
            raise SkillcredError(f"no issuer key {key_id!r}", code=Code.NOT_FOUND)
        stamp = format_datetime(now)
        signed = tx.credential_ids_by_key(key_id)
        if record.state != "compromised":
            tx.set_key_state(key_id, "compromised", valid_until=stamp)
            tx.append_event("key.compromised", key_id, {"credentials": len(signed)}, now=stamp)
        return signed

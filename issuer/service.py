"""The issuer service: issue any VC 2.0 credential, manage its status, publish status lists and the
DID document, rotate and retire keys. Configured entirely through its constructor; no globals.

Issuance (:meth:`IssuerService.issue`) runs in this order, so that a crash at any point leaves no
released credential without a record and no status index used twice (SECURITY.md issuer items 1-3, 5):

1. **Replay.** An idempotency key already recorded returns the stored bytes unchanged (same id,
   indexes and proof) when the request is the same, and is ``CONFLICT`` when it differs.
2. **Complete and self-check, before anything is consumed.** ``issuer`` becomes the profile's DID
   (names given in an ``issuer`` object are kept), ``id`` (``urn:uuid``) and ``validFrom`` are added
   when missing, and the draft, with placeholder status entries of the final shape, must pass the
   verifier's own checks: ``check_contexts``, ``check_data_model``, safe RDFC-1.0 canonicalization
   (an undefined term is ``DATA_LOSS_DETECTION_ERROR``) and no clear ID number
   (``vccore.kinds.identity.contains_clear_id``; ``PERSONAL_DATA_ERROR``). A refusal here writes nothing.
3. **Allocate** (transaction 1, committed): a random unused index (OS CSPRNG) in the current
   revocation list and in the current suspension list. Allocations are never deleted: if anything
   later fails, the indexes are burned, never reused.
4. **Sign** the credential with its two ``BitstringStatusListEntry`` values, in memory only.
5. **Record** (transaction 2): the exact released bytes, the idempotency key and an event. The
   signing key must not have been marked compromised meanwhile (its row is share-locked). If a
   concurrent request with the same idempotency key committed first, this credential is discarded
   and the winner's bytes are returned.
6. **Release**: only now are the bytes returned.

``crash_hook`` (tests only) is called with ``"allocated"``, ``"signed"`` and ``"committed"`` after
steps 3, 4 and 5.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from issuer import status_ops
from issuer.keystore import KeyStore
from issuer.profile import IssuerProfile
from issuer.publish import StatusPublisher
from issuer.status_ops import CredentialStatus, StatusChange
from issuer.store import CredentialRecord, KeyRecord, StatusRef, Store
from issuer.store_records import dumps
from vccore.clock import Clock
from vccore.credentials import examine, types_of
from vccore.di.proofs import ProofOptions, add_proof
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.kinds import schemas
from vccore.kinds.identity import contains_clear_id
from vccore.status.bitstring import MIN_LENGTH
from vccore.status.entry import status_entry
from vccore.timeutil import format_datetime, require_aware

log = logging.getLogger("skillcred.issuer")

CrashHook = Callable[[str], None]
DEFAULT_STATUS_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedCredential:
    """A released credential: ``document`` holds the exact bytes stored in the registry.
    ``replayed`` is True when an idempotency key returned an earlier issuance."""

    id: str
    document: bytes = field(repr=False)
    key_id: str
    revocation: StatusRef
    suspension: StatusRef
    replayed: bool = False

    def json(self) -> dict[str, Any]:
        value = json.loads(self.document)
        assert isinstance(value, dict)
        return value

    @classmethod
    def from_record(cls, record: CredentialRecord, *, replayed: bool) -> IssuedCredential:
        return cls(record.id, record.document, record.key_id, record.revocation, record.suspension, replayed)


def _encode(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def check_shape(credential: Mapping[str, Any], *, loader: DocumentLoader) -> dict[str, Any]:
    """The verifier's own checks before signing (SECURITY.md issuer item 5): contexts, the one reading
    (:mod:`vccore.jsonld.reading`), the data model and the JSON Schema of each skillcred type, all decided on
    the reading; raise the first problem. Returns the reading. What gets signed is the credential as it
    was given (it passed the gate, so it differs from its reading at most by a single value written in
    an array, as the caller chose: ``"type": ["VerifiableCredential"]`` stays an array). Used by single
    issuance and by the batch engine alike."""
    result, reading = examine(credential, loader=loader, schemas=schemas.check_schemas)
    if reading is None or not result.verified:
        problem = result.problems()[0]
        raise SkillcredError(problem.detail or problem.title, code=problem.code, pointer=problem.pointer)
    return reading


class _LostKey(Exception):
    """Another request recorded this idempotency key first (rolls the recording transaction back)."""


class IssuerService:
    """See the module docstring. ``status_list_length`` below 131,072 gives no herd privacy and is
    refused by verifiers: it exists for tests of list roll-over."""

    def __init__(
        self,
        *,
        store: Store,
        profile: IssuerProfile,
        keystore: KeyStore,
        passphrase: str | bytes,
        loader: DocumentLoader,
        clock: Clock,
        base_url: str | None = None,
        status_ttl: timedelta = DEFAULT_STATUS_TTL,
        status_list_length: int = MIN_LENGTH,
        crash_hook: CrashHook | None = None,
    ) -> None:
        if status_list_length <= 0 or status_list_length % 8:
            raise ValueError(f"status_list_length: a positive multiple of 8, got {status_list_length!r}")
        self._store = store
        self._profile = profile
        self._keys = keystore
        self._passphrase = passphrase
        self._loader = loader
        self._base = (base_url or profile.base_url).rstrip("/")
        self._clock = clock
        self._length = status_list_length
        self._hook = crash_hook
        self._pair: KeyPair | None = None
        self._unlock_lock = threading.Lock()
        self.publisher = StatusPublisher(
            store,
            issuer=profile.did,
            signer=self._signer,
            loader=loader,
            clock=self.now,
            ttl=status_ttl,
            url_for=self.status_list_url,
        )

    def now(self) -> datetime:
        """The service's time (its injected clock), for every decision it and its edges make."""
        return require_aware(self._clock(), name="clock()")

    def unlock(self) -> KeyPair:
        """Unlock the active signing key now (``issuer serve`` does, before it serves): a wrong passphrase
        fails at once, and no request waits for the key."""
        return self._signer()

    def _signer(self) -> KeyPair:
        """The active key, unlocked once per key and process (another process may have rotated it). The
        unlock (Argon2id, 256 MiB with the default key-store cost) runs behind a lock: concurrent first
        requests wait for the one unlock instead of each running its own."""
        active = self._keys.active()
        pair = self._pair
        if pair is not None and pair.id == active.id:
            return pair
        with self._unlock_lock:
            if self._pair is None or self._pair.id != active.id:
                began = time.monotonic()  # a duration for the log, not a decision: no clock needed
                self._pair = self._keys.unlock(self._passphrase, active.id)
                log.info("签名密钥已解锁 / signing key unlocked: %s (%.1f s)", active.id, time.monotonic() - began)
            return self._pair

    def _crash_point(self, name: str) -> None:
        if self._hook is not None:
            self._hook(name)

    def status_list_url(self, list_id: str) -> str:
        return f"{self._base}/status/{list_id}"

    # --- issuance -------------------------------------------------------------------------------

    def issue(
        self, credential: Mapping[str, Any], *, idempotency_key: str | None = None, cryptosuite: str = "eddsa-rdfc-2022"
    ) -> IssuedCredential:
        """Sign, record and release ``credential`` (see the module docstring for the order)."""
        if not isinstance(credential, Mapping):
            raise TypeError(f"credential must be a mapping, not {type(credential).__name__}")
        options = ProofOptions(cryptosuite=cryptosuite)
        try:
            request_hash = hashlib.sha256(
                dumps({"credential": credential, "cryptosuite": cryptosuite}).encode("utf-8")
            ).hexdigest()
        except (TypeError, ValueError) as err:
            raise SkillcredError(f"the credential is not JSON: {err}", code=Code.PARSING_ERROR) from err
        if idempotency_key is not None:
            replay = self._replay(idempotency_key, request_hash)
            if replay is not None:
                return replay
        now = self.now()
        draft = self._self_check(self._complete(credential, now))
        signer = self._signer()
        stamp = format_datetime(now)
        with self._store.write() as tx:
            revocation = tx.allocate("revocation", length=self._length, now=stamp)
            suspension = tx.allocate("suspension", length=self._length, now=stamp)
        self._crash_point("allocated")
        final = dict(
            draft, credentialStatus=[self._entry(revocation, "revocation"), self._entry(suspension, "suspension")]
        )
        signed = add_proof(
            final,
            signer=signer,
            loader=self._loader,
            options=ProofOptions(cryptosuite=options.cryptosuite, created=now),
        )
        record = CredentialRecord(
            str(final["id"]), _kind(final), _encode(signed), signer.id, revocation, suspension, idempotency_key, stamp
        )
        self._crash_point("signed")
        winner = self._record(record, request_hash, stamp)
        self._crash_point("committed")
        return winner

    def _replay(self, key: str, request_hash: str) -> IssuedCredential | None:
        with self._store.read() as tx:
            found = tx.idempotency(key)
            record = tx.credential(found[0]) if found else None
        if found is None or record is None:
            return None
        if found[1] != request_hash:
            raise SkillcredError("this idempotency key was used for a different request", code=Code.CONFLICT)
        return IssuedCredential.from_record(record, replayed=True)

    def _record(self, record: CredentialRecord, request_hash: str, stamp: str) -> IssuedCredential:
        """Record the signed credential and its idempotency key in one transaction. The key is claimed by
        its unique insert, not by the lookup before it: under PostgreSQL's read committed, two requests
        with one key may both find it absent; the second insert then waits for the first transaction and
        inserts nothing, and this transaction is rolled back (its credential row with it) and the winner's
        bytes are returned. One credential per key, the same bytes to every caller, no orphan record."""
        key = record.idempotency_key
        try:
            with self._store.write() as tx:
                signing_key = tx.key(record.key_id, lock=True)
                if signing_key is None or signing_key.state == "compromised":
                    raise KeyProblem(f"{record.key_id} was marked compromised during issuance; nothing released")
                if key is not None and tx.idempotency(key) is not None:
                    raise _LostKey
                if not tx.insert_credential(record):
                    raise SkillcredError(f"a credential with id {record.id} already exists", code=Code.CONFLICT)
                if key is not None and not tx.put_idempotency(
                    key, credential_id=record.id, request_hash=request_hash, now=stamp
                ):
                    raise _LostKey  # a concurrent transaction committed this key first: roll ours back
                tx.append_event(
                    "credential.issued",
                    record.id,
                    {
                        "kind": record.kind,
                        "key": record.key_id,
                        "revocation": f"{record.revocation.list_id}#{record.revocation.index}",
                        "suspension": f"{record.suspension.list_id}#{record.suspension.index}",
                    },
                    now=stamp,
                )
        except _LostKey:
            assert key is not None
            replay = self._replay(key, request_hash)
            if replay is None:  # pragma: no cover - the winner's row was just seen, and nothing deletes it
                raise SkillcredError("idempotency record vanished", code=Code.CONFLICT) from None
            return replay
        return IssuedCredential.from_record(record, replayed=False)

    def _complete(self, credential: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        draft = copy.deepcopy(dict(credential))
        for reserved in ("proof", "credentialStatus"):
            if reserved in draft:
                raise SkillcredError(
                    f"{reserved} is added by the issuer and must not be given",
                    code=Code.MALFORMED_VALUE_ERROR,
                    pointer=f"/{reserved}",
                )
        given = draft.get("issuer")
        given_id = given.get("id") if isinstance(given, Mapping) else given
        if given_id is not None and given_id != self._profile.did:
            raise SkillcredError(
                f"issuer {given_id!r} is not this issuer ({self._profile.did})",
                code=Code.MALFORMED_VALUE_ERROR,
                pointer="/issuer",
            )
        draft["issuer"] = self._profile.issuer_value(given)
        draft.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        draft.setdefault("validFrom", format_datetime(now))
        return draft

    def _self_check(self, draft: dict[str, Any]) -> dict[str, Any]:
        """The verifier's own checks on the final shape, with placeholder status entries, decided on its
        reading; the draft itself when they pass."""
        placeholder = dict(
            draft,
            credentialStatus=[
                self._entry(StatusRef("revocation-0", 0), "revocation"),
                self._entry(StatusRef("suspension-0", 0), "suspension"),
            ],
        )
        reading = check_shape(placeholder, loader=self._loader)
        if contains_clear_id(reading):
            raise SkillcredError(
                "the credential contains a clear resident ID number; use identityHash", code=Code.PERSONAL_DATA_ERROR
            )
        rdfc(reading, loader=self._loader)
        return draft

    def _entry(self, ref: StatusRef, purpose: status_ops.Purpose) -> dict[str, Any]:
        return status_entry(self.status_list_url(ref.list_id), ref.index, purpose=purpose, length=self._length)

    # --- reading and status -----------------------------------------------------------------------

    def get(self, credential_id: str) -> bytes:
        """The exact bytes released for ``credential_id``; ``NOT_FOUND`` otherwise."""
        with self._store.read() as tx:
            return status_ops.record_or_404(tx, credential_id).document

    def status(self, credential_id: str) -> CredentialStatus:
        with self._store.read() as tx:
            return status_ops.read_status(tx, status_ops.record_or_404(tx, credential_id))

    def _change(self, credential_id: str, purpose: status_ops.Purpose, value: int) -> StatusChange:
        stamp = format_datetime(self.now())
        with self._store.write() as tx:
            record = status_ops.record_or_404(tx, credential_id)
            return status_ops.set_status(tx, record, purpose, value, now=stamp)

    def revoke(self, credential_id: str) -> StatusChange:
        """Revoke for good (a second call changes nothing and logs nothing)."""
        return self._change(credential_id, "revocation", 1)

    def unrevoke(self, credential_id: str) -> StatusChange:
        """Always ``CONFLICT`` (or ``NOT_FOUND``): revocation is final."""
        return self._change(credential_id, "revocation", 0)

    def suspend(self, credential_id: str) -> StatusChange:
        return self._change(credential_id, "suspension", 1)

    def unsuspend(self, credential_id: str) -> StatusChange:
        return self._change(credential_id, "suspension", 0)

    def status_list_credential(self, list_id: str) -> bytes:
        """The signed ``BitstringStatusListCredential`` of ``list_id`` (see :mod:`issuer.publish`)."""
        return self.publisher.credential(list_id)

    # --- keys and the DID document ------------------------------------------------------------------

    def did_document(self) -> dict[str, Any]:
        return self._profile.did_document(self._keys.records())

    def rotate_key(self) -> KeyRecord:
        """Retire the active key now and sign with a new one from now on."""
        record = self._keys.rotate(self._passphrase, now=self.now())
        self._pair = None
        return record

    def compromise_key(self, key_id: str) -> tuple[str, ...]:
        """Mark ``key_id`` compromised and revoke every credential it signed, in one transaction;
        the ids of those credentials. Cached status list credentials are dropped (they may carry
        its signature). Safe to repeat. If it was the active key, issuing and publishing status lists
        are ``KEY_ERROR`` until a new key is generated (:meth:`KeyStore.generate`)."""
        now = self.now()
        stamp = format_datetime(now)
        with self._store.write() as tx:
            signed = self._keys.compromise_in(tx, key_id, now=now)
            tx.drop_list_caches()
            for credential_id in signed:
                status_ops.set_status(
                    tx,
                    status_ops.record_or_404(tx, credential_id),
                    "revocation",
                    1,
                    now=stamp,
                    reason="key-compromised",
                )
        self._pair = None
        return signed


def _kind(document: Mapping[str, Any]) -> str:
    specific = [t for t in types_of(document) if t != "VerifiableCredential"]
    return specific[-1] if specific else "VerifiableCredential"

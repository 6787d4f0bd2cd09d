"""The issuer service: issue any VC 2.0 credential, manage its status, publish status lists and the
DID document, rotate and retire keys. Configured entirely through its constructor; no globals.

Issuance is the engine's (:mod:`issuer.engine`: build, check, allocate, sign, record); the service holds
the signing key, unlocked once per process (:meth:`IssuerService.unlock`), and hands the engine a signer
for each request, or a batch the signer's setup for its worker processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from issuer import status_ops
from issuer.engine import CrashHook, Engine, IssuedCredential
from issuer.keystore import KeyStore
from issuer.profile import IssuerProfile
from issuer.publish import StatusPublisher
from issuer.signing import DEFAULT_HASH, CredentialSigner, Request, SignerSetup
from issuer.status_ops import CredentialStatus, StatusChange
from issuer.store.records import KeyRecord
from issuer.store.registry import Store
from vccore.clock import Clock
from vccore.di.cryptosuites import DEFAULT_SUITE
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.status.bitstring import MIN_LENGTH
from vccore.timeutil import format_datetime

log = logging.getLogger("skillcred.issuer")

DEFAULT_STATUS_TTL = timedelta(hours=1)


class IssuerService:
    """See the module docstring. ``hasher`` is the Argon2id cost of the identity hash in credentials
    built from a kind's input; ``status_list_length`` below 131,072 gives no herd privacy and is refused
    by verifiers: it exists for tests of list roll-over."""

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
        hasher: Callable[[str], dict[str, Any]] = DEFAULT_HASH,
        crash_hook: CrashHook | None = None,
    ) -> None:
        self.engine = Engine(
            store=store,
            profile=profile,
            clock=clock,
            base_url=base_url,
            status_list_length=status_list_length,
            crash_hook=crash_hook,
        )
        self._store = store
        self._profile = profile
        self._keys = keystore
        self._passphrase = passphrase
        self._loader = loader
        self._hasher = hasher
        self._signer: CredentialSigner | None = None
        self._unlock_lock = threading.Lock()
        self.publisher = StatusPublisher(
            store,
            issuer=profile.did,
            signer=self.unlock,
            loader=loader,
            clock=self.now,
            ttl=status_ttl,
            url_for=self.status_list_url,
        )

    @property
    def did(self) -> str:
        """The issuer's DID."""
        return self._profile.did

    def now(self) -> datetime:
        """The service's time (its injected clock), for every decision it and its edges make."""
        return self.engine.now()

    def status_list_url(self, list_id: str) -> str:
        return self.engine.status_list_url(list_id)

    def unlock(self) -> KeyPair:
        """The active signing key, unlocked once per key and process (``issuer serve`` calls this before
        it serves: a wrong passphrase fails at once, and no request waits for the key; another process
        may have rotated it since). The unlock (Argon2id, 256 MiB with the default key-store cost) runs
        behind a lock: concurrent first requests wait for the one unlock instead of each running its own."""
        return self._credential_signer().pair

    def _credential_signer(self) -> CredentialSigner:
        active = self._keys.active()
        signer = self._signer
        if signer is not None and signer.pair.id == active.id:
            return signer
        with self._unlock_lock:
            if self._signer is None or self._signer.pair.id != active.id:
                began = time.monotonic()  # a duration for the log, not a decision: no clock needed
                pair = self._keys.unlock(self._passphrase, active.id)
                log.info("签名密钥已解锁 / signing key unlocked: %s (%.1f s)", active.id, time.monotonic() - began)
                self._signer = CredentialSigner(pair, profile=self._profile, loader=self._loader, hasher=self._hasher)
            return self._signer

    def signer_setup(self) -> SignerSetup:
        """What a batch's worker processes need to sign as this service does (the unlocked key included)."""
        signer = self._credential_signer()
        pair = signer.pair
        return SignerSetup(pair.seed, pair.id, pair.controller, self._profile, self._loader, self._hasher, self.now())

    # --- issuance -------------------------------------------------------------------------------

    def issue(
        self, credential: Mapping[str, Any], *, idempotency_key: str | None = None, cryptosuite: str = DEFAULT_SUITE
    ) -> IssuedCredential:
        """Sign, record and release the complete ``credential`` (:mod:`issuer.engine`)."""
        return self.issue_request(Request.for_credential(credential, key=idempotency_key, cryptosuite=cryptosuite))

    def issue_request(self, request: Request) -> IssuedCredential:
        """Sign, record and release what ``request`` asks for (a kind's input or a complete credential)."""
        return self.engine.issue(request, signer=self._credential_signer())

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

    def status_list_urls(self) -> list[str]:
        """The URL of every status list this issuer publishes (what a trust pack snapshots)."""
        with self._store.read() as tx:
            return [self.status_list_url(list_id) for list_id in tx.status_list_ids()]

    def status_list_credential(self, list_id: str) -> bytes:
        """The signed ``BitstringStatusListCredential`` of ``list_id`` (see :mod:`issuer.publish`)."""
        return self.publisher.credential(list_id)

    # --- keys and the DID document ------------------------------------------------------------------

    def did_document(self) -> dict[str, Any]:
        return self._profile.did_document(self._keys.records())

    def rotate_key(self) -> KeyRecord:
        """Retire the active key now and sign with a new one from now on."""
        record = self._keys.rotate(self._passphrase, now=self.now())
        self._signer = None
        return record

    def revocable_by_key(self, key_id: str) -> tuple[str, ...]:
        """The credentials :meth:`compromise_key` would revoke now: those ``key_id`` signed that are not
        revoked yet. ``NOT_FOUND`` for an unknown key. Reads only (what an operator confirms first)."""
        with self._store.read() as tx:
            if tx.key(key_id) is None:
                raise SkillcredError(f"no issuer key {key_id!r}", code=Code.NOT_FOUND)
            records = tx.credentials_many(tx.credential_ids_by_key(key_id))
            return tuple(i for i, r in sorted(records.items()) if not status_ops.read_status(tx, r).revoked)

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
        self._signer = None
        return signed

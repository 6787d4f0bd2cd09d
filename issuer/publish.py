"""Publishing status lists: the signed ``BitstringStatusListCredential`` of each list.

Bitstring Status List 1.0 section 2.2: a list credential carries the whole bitstring; verifiers cache
it until its ``validUntil`` (SECURITY.md verifier item 13), so the TTL bounds how long a revocation
may go unseen. The default TTL is one hour: short enough that a revocation reaches every verifier
within the hour, long enough that verifiers fetch each list at most about twice an hour.

Each list credential is signed (``eddsa-rdfc-2022``) with the issuer's active key and cached in the
registry with the list version it shows. It is re-signed only when the list changed since (its
version moved) or when less than half the TTL remains, so a verifier always receives at least half a
TTL of validity and an unchanged list costs one signature per half TTL, not one per request. Signing
happens outside any transaction; the cache is written only if the list is still at the version
signed, so a stale signature never overwrites a newer one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from issuer.store.registry import Store
from vccore.di.proofs import ProofOptions, add_proof
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.status.bitstring import StatusList
from vccore.status.entry import StatusPurpose, status_list_credential
from vccore.timeutil import parse_datetime


class StatusPublisher:
    """Signs and caches the status list credentials of one issuer."""

    def __init__(
        self,
        store: Store,
        *,
        issuer: str,
        signer: Callable[[], KeyPair],
        loader: DocumentLoader,
        clock: Callable[[], datetime],
        ttl: timedelta,
        url_for: Callable[[str], str],
    ) -> None:
        if not isinstance(ttl, timedelta) or ttl <= timedelta(0):
            raise ValueError(f"ttl: expected a positive timedelta, got {ttl!r}")
        self._store = store
        self._issuer = issuer
        self._signer = signer
        self._loader = loader
        self._clock = clock
        self.ttl = ttl
        self._url_for = url_for

    def credential(self, list_id: str) -> bytes:
        """The signed list credential as JSON bytes; ``NOT_FOUND`` for an unknown list."""
        with self._store.read() as tx:
            row = tx.status_list(list_id)
        if row is None:
            raise SkillcredError(f"no status list {list_id!r}", code=Code.NOT_FOUND)
        now = self._clock()
        if (
            row.cached is not None
            and row.cached_version == row.version
            and row.cached_valid_until
            and parse_datetime(row.cached_valid_until) - now >= self.ttl / 2
        ):
            return row.cached
        purpose: StatusPurpose = "revocation" if row.purpose == "revocation" else "suspension"
        unsigned = status_list_credential(
            self._url_for(list_id), StatusList(row.bits), issuer=self._issuer, purpose=purpose, now=now, ttl=self.ttl
        )
        signed = add_proof(
            unsigned,
            signer=self._signer(),
            loader=self._loader,
            options=ProofOptions(created=now),
        )
        data = _encode(signed)
        with self._store.write() as tx:
            tx.cache_list_credential(list_id, version=row.version, data=data, valid_until=str(unsigned["validUntil"]))
        return data

    def valid_until(self, document: bytes) -> datetime:
        """The ``validUntil`` of a list credential this publisher produced (for HTTP caching headers)."""
        return parse_datetime(json.loads(document)["validUntil"], field="validUntil")


def _encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

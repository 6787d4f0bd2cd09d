"""Where the verifier gets status lists: trust-pack snapshots and/or an injected online fetcher.

Fail closed (SECURITY.md item 13; Bitstring Status List 1.0 section 3.2): a list that cannot be
fetched, does not parse, does not verify, is from another issuer or is stale is a problem, never a
pass. A fetched list is verified (contexts, proof by its own issuer's ``assertionMethod`` key) and
cached until its own ``validUntil`` (or ``default_ttl`` when it has none), and never longer than ``max_age``
when one is given (the demo's: a revocation shows within seconds). Concurrent lookups of the
same URL share one fetch. A snapshot past its ``validUntil`` is a ``STATUS_RETRIEVAL_ERROR`` unless the
fetcher can refresh it. The caller decides *whether* to look anything up (only for trusted issuers).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from vccore import jsonstrict
from vccore.credentials import issuer_id, verify_issued_and_read
from vccore.errors import Code, SkillcredError
from vccore.fetch import Fetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.result import CheckName, Problem
from vccore.timeutil import DEFAULT_SKEW, format_datetime, parse_datetime, require_aware
from vccore.trust.pack import StatusSnapshot

DEFAULT_MAX_BYTES: Final = 512 * 1024
DEFAULT_TTL: Final = timedelta(minutes=5)
DEFAULT_WAIT: Final = 30.0


@dataclass(frozen=True)
class ListLookup:
    """A verified list credential (``credential``) or why there is none (``problem``)."""

    url: str
    credential: Mapping[str, Any] | None = None
    problem: Problem | None = None
    source: str = ""
    fetched_at: datetime | None = None
    valid_until: datetime | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def freshness(self, now: datetime) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "source": self.source}
        if self.fetched_at is not None:
            out["fetchedAt"] = format_datetime(self.fetched_at)
            out["ageSeconds"] = int((now - self.fetched_at).total_seconds())
        if self.valid_until is not None:
            out["validUntil"] = format_datetime(self.valid_until)
        return out


def _problem(url: str, code: Code, detail: str, source: str = "") -> ListLookup:
    return ListLookup(url, None, Problem(code, detail, "/credentialStatus"), source)


class StatusSource:
    """Status list lookups for the pipeline: ``lookup(url, issuer=..., now=...) -> ListLookup``."""

    def __init__(
        self,
        *,
        loader: DocumentLoader,
        snapshots: Iterable[StatusSnapshot] = (),
        fetcher: Fetcher | None = None,
        skew: timedelta = DEFAULT_SKEW,
        max_bytes: int = DEFAULT_MAX_BYTES,
        default_ttl: timedelta = DEFAULT_TTL,
        wait_seconds: float = DEFAULT_WAIT,
        max_age: timedelta | None = None,
    ) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ValueError(f"max_bytes: expected a positive int, got {max_bytes!r}")
        self.loader = loader
        self.snapshots = {s.url: s for s in snapshots}
        self.fetcher = fetcher
        self.skew = skew
        self.max_bytes = max_bytes
        self.default_ttl = default_ttl
        self.wait_seconds = wait_seconds
        self.max_age = max_age
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[ListLookup, datetime]] = {}
        self._inflight: dict[str, Future[ListLookup]] = {}

    def forget(self) -> None:
        """Drop every cached list, so that the next lookups fetch afresh (the scan page's 重新查询, and every
        answer to a request). Snapshots stay: they are all there is without a fetcher."""
        with self._lock:
            self._cache.clear()

    def lookup(self, url: str, *, issuer: str, now: datetime) -> ListLookup:
        """The verified list credential at ``url``, which must be issued by ``issuer``."""
        now = require_aware(now)
        found = self._get(url, now)
        if found.credential is not None and issuer_id(found.credential) != issuer:
            return _problem(
                url,
                Code.STATUS_VERIFICATION_ERROR,
                f"the status list is issued by {issuer_id(found.credential)}, not {issuer}",
                found.source,
            )
        return found

    def _get(self, url: str, now: datetime) -> ListLookup:
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and now < cached[1]:
                return cached[0]
        snap = self.snapshots.get(url)
        stale: ListLookup | None = None
        if snap is not None:
            found = self._verify(url, snap.credential, now, "snapshot", snap.fetched_at)
            if found.credential is not None:
                return found
            stale = found
        if self.fetcher is None:
            return stale or _problem(
                url,
                Code.STATUS_RETRIEVAL_ERROR,
                f"no snapshot of {url[:200]} and no online fetching configured",
            )
        return self._shared_fetch(url, now)

    def _shared_fetch(self, url: str, now: datetime) -> ListLookup:
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and now < cached[1]:
                return cached[0]
            future = self._inflight.get(url)
            owner = future is None
            if future is None:
                future = Future()
                self._inflight[url] = future
        if not owner:
            try:
                return future.result(timeout=self.wait_seconds)
            except TimeoutError:
                return _problem(url, Code.STATUS_RETRIEVAL_ERROR, "timed out waiting for the status list")
        try:
            found = self._fetch(url, now)
        except Exception as err:  # never strand waiters; a bug still propagates to the owner
            future.set_exception(err)
            with self._lock:
                self._inflight.pop(url, None)
            raise
        with self._lock:
            self._inflight.pop(url, None)
        future.set_result(found)
        return found

    def _fetch(self, url: str, now: datetime) -> ListLookup:
        assert self.fetcher is not None
        try:
            response = self.fetcher.fetch(url)
            if len(response.body) > self.max_bytes:
                raise SkillcredError(f"more than {self.max_bytes} bytes", code=Code.RESOURCE_LIMIT_EXCEEDED)
            document = jsonstrict.loads(response.body, max_bytes=self.max_bytes)
        except SkillcredError as err:
            return _problem(url, Code.STATUS_RETRIEVAL_ERROR, f"fetching {url[:200]} failed: {err}", "online")
        found = self._verify(url, document, now, "online", now)
        if found.credential is not None:
            expiry = found.valid_until or now + self.default_ttl
            if self.max_age is not None:
                expiry = min(expiry, now + self.max_age)
            with self._lock:
                self._cache[url] = (found, expiry)
        return found

    def _verify(self, url: str, document: Any, now: datetime, source: str, fetched_at: datetime) -> ListLookup:
        """Contexts, proof (controller == the list's issuer) and freshness of a list credential."""
        if not isinstance(document, Mapping):
            return _problem(url, Code.STATUS_VERIFICATION_ERROR, "the status list is not a JSON object", source)
        checked, reading = verify_issued_and_read(document, loader=self.loader, now=now, skew=self.skew)
        failed = [c for c in checked.checks if not c.passed and c.name != CheckName.VALIDITY]
        if reading is None or failed:
            why = "; ".join(f"{p.code.value}: {p.detail}" for c in failed for p in c.problems) or "no issuer"
            return _problem(url, Code.STATUS_VERIFICATION_ERROR, f"the status list does not verify: {why}", source)
        try:
            until_raw = reading.get("validUntil")
            valid_until = None if until_raw is None else parse_datetime(until_raw, field="validUntil")
        except SkillcredError as err:
            return _problem(url, Code.STATUS_VERIFICATION_ERROR, err.detail, source)
        if valid_until is not None and valid_until < now - self.skew:
            code = Code.STATUS_RETRIEVAL_ERROR
            return ListLookup(
                url,
                None,
                Problem(
                    code,
                    f"the {source} status list is stale since {format_datetime(valid_until)}",
                    "/credentialStatus",
                ),
                source,
                fetched_at,
                valid_until,
            )
        if not checked.verified:  # validity: not yet valid
            why = "; ".join(f"{p.code.value}: {p.detail}" for p in checked.problems())
            return _problem(url, Code.STATUS_VERIFICATION_ERROR, f"the status list is not valid now: {why}", source)
        return ListLookup(url, reading, None, source, fetched_at, valid_until)

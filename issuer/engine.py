"""The issuance engine: the one path every credential takes, whoever asks for it (``issuer issue``, the
VC-API, recognitions and rule sets, a batch's rows).

**build -> check -> allocate -> sign -> record**, so that a crash at any point leaves no released
credential without a record and no status index used twice (SECURITY.md issuer items 1-3, 5):

1. **Replay** (:meth:`Engine.lookup`). An idempotency key already recorded returns the stored bytes
   unchanged (same id, indexes and proof) when the request is the same, and is ``CONFLICT`` when it
   differs.
2. **Build and check** (:class:`issuer.signing.CredentialSigner`): the kind's builder or the given
   credential completed, then the verifier's own checks on the final shape. For one request they run
   before anything is consumed, with placeholder status entries: a refusal writes nothing.
3. **Allocate** (:meth:`Engine.allocate`, committed): a random unused index (OS CSPRNG) in the current
   revocation list and in the current suspension list. Allocations are never deleted: if anything later
   fails, the indexes are burned, never reused.
4. **Sign** with the two ``BitstringStatusListEntry`` values, in memory only.
5. **Record** (:meth:`Engine.record`, one transaction): the exact released bytes, the idempotency key and
   a ``credential.issued`` event, under the signing key's row (a key marked compromised meanwhile
   releases nothing). The key is claimed by its unique insert, not by the lookup before it: under
   PostgreSQL's read committed two requests with one key may both find it absent; the second insert then
   waits for the first transaction and inserts nothing, the second transaction is rolled back (its
   credential row with it) and the winner's bytes are returned. One credential per key, the same bytes
   to every caller, no orphan record.
6. **Release**: only now are the bytes returned.

:meth:`Engine.issue` runs these steps for one request. A batch (:mod:`issuer.batch`) runs the same
stages on chunks of requests, spread over worker processes, and adds only the chunking, the workers and
the output files: it allocates a chunk's indexes before its rows are built (in the transaction that
records the chunk before, one commit per chunk), so a row refused by the check burns its two indexes.

``crash_hook`` (tests only) is called with ``"allocated"``, ``"signed"`` and ``"committed"`` after steps
3, 4 and 5 of :meth:`Engine.issue`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from issuer.profile import IssuerProfile
from issuer.signing import CredentialSigner, Request, Signed, Task, record_kind, with_status
from issuer.store.records import CredentialRecord, StatusRef
from issuer.store.registry import Store
from issuer.store.tx import Tx
from vccore.clock import Clock
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.status.bitstring import MIN_LENGTH
from vccore.status.entry import status_entry
from vccore.timeutil import format_datetime, require_aware

CrashHook = Callable[[str], None]
Status = Literal["issued", "existing", "failed"]
#: How often a record transaction is retried when a concurrent request recorded one of its idempotency
#: keys between our check and our insert (PostgreSQL; SQLite serializes writers).
RACE_RETRIES: Final = 5
_PLACEHOLDERS: Final = (StatusRef("revocation-0", 0), StatusRef("suspension-0", 0))


@dataclass(frozen=True)
class RequestOutcome:
    """What became of a request: ``issued`` now, ``existing`` (recorded before: a replay) or ``failed``
    (its code and detail). ``record`` is the registry's row, for what was issued or existed."""

    key: str | None
    status: Status
    credential_id: str = ""
    document: bytes = field(default=b"", repr=False)
    code: Code | None = None
    detail: str = ""
    record: CredentialRecord | None = field(default=None, repr=False)


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


class _Raced(Exception):
    """An idempotency key was recorded by a concurrent request inside our record transaction: roll back."""


def _refusal(outcome: RequestOutcome) -> SkillcredError:
    return SkillcredError(outcome.detail, code=outcome.code or Code.MALFORMED_VALUE_ERROR)


class Engine:
    """The stages of issuance for one issuer and its registry (see the module docstring). ``base_url``
    (default: the profile's) is where the status lists are served; ``status_list_length`` below 131,072
    gives no herd privacy and is refused by verifiers: it exists for tests of list roll-over."""

    def __init__(
        self,
        *,
        store: Store,
        profile: IssuerProfile,
        clock: Clock,
        base_url: str | None = None,
        status_list_length: int = MIN_LENGTH,
        crash_hook: CrashHook | None = None,
    ) -> None:
        if status_list_length <= 0 or status_list_length % 8:
            raise ValueError(f"status_list_length: a positive multiple of 8, got {status_list_length!r}")
        self.store = store
        self.profile = profile
        self._clock = clock
        self.base_url = (base_url or profile.base_url).rstrip("/")
        self.status_list_length = status_list_length
        self._hook = crash_hook

    def now(self) -> datetime:
        """The engine's time (its injected clock)."""
        return require_aware(self._clock(), name="clock()")

    def status_list_url(self, list_id: str) -> str:
        return f"{self.base_url}/status/{list_id}"

    def _crash_point(self, name: str) -> None:
        if self._hook is not None:
            self._hook(name)

    # --- one request ------------------------------------------------------------------------------

    def issue(self, request: Request, *, signer: CredentialSigner) -> IssuedCredential:
        """Run every stage for ``request`` and release it; a refusal raises its problem."""
        replay = self.lookup([request]).get(0)
        if replay is not None:
            if replay.record is None or replay.status == "failed":
                raise _refusal(replay)
            return IssuedCredential.from_record(replay.record, replayed=True)
        now = self.now()
        placeholder = self.tasks([request], [_PLACEHOLDERS])[0]
        draft = signer.draft(placeholder, now)
        signer.check(with_status(draft, placeholder.entries), canonicalize=True)
        task = self.tasks([request], self.allocate(1, now), ids=[placeholder.credential_id])[0]
        self._crash_point("allocated")
        final = with_status(draft, task.entries)
        signed = Signed(
            signer.sign_final(final, cryptosuite=request.cryptosuite, now=now), record_kind(final), str(final["id"])
        )
        self._crash_point("signed")
        outcome = self.record([task], [signed], key_id=signer.pair.id, now=now)[0][0]
        self._crash_point("committed")
        if outcome.record is None or outcome.status == "failed":
            raise _refusal(outcome)
        return IssuedCredential.from_record(outcome.record, replayed=outcome.status == "existing")

    # --- the stages -------------------------------------------------------------------------------

    def lookup(self, requests: Sequence[Request]) -> dict[int, RequestOutcome]:
        """The outcome of every request (by position) whose key is already recorded: ``existing``, or
        ``failed`` with ``CONFLICT`` when the key was used for another request."""
        keyed = {r.key: i for i, r in enumerate(requests) if r.key is not None}
        if not keyed:
            return {}
        with self.store.read() as tx:
            keys = tx.idempotency_many(list(keyed))
            records = tx.credentials_many([cid for cid, _ in keys.values()]) if keys else {}
        found: dict[int, RequestOutcome] = {}
        for key, (credential_id, request_hash) in keys.items():
            record = records.get(credential_id)
            if record is None:  # pragma: no cover - foreign keys forbid it
                continue
            i = keyed[key]
            if request_hash != requests[i].request_hash:
                found[i] = RequestOutcome(
                    key,
                    "failed",
                    record.id,
                    code=Code.CONFLICT,
                    detail="this idempotency key was used for a different request",
                )
            else:
                found[i] = RequestOutcome(key, "existing", record.id, record.document, record=record)
        return found

    def allocate(self, count: int, now: datetime) -> list[tuple[StatusRef, StatusRef]]:
        """``count`` pairs of fresh (revocation, suspension) indexes, in one committed transaction."""
        with self.store.write() as tx:
            return self.claim(tx, count, format_datetime(now))

    def claim(self, tx: Tx, count: int, stamp: str) -> list[tuple[StatusRef, StatusRef]]:
        """``count`` pairs of fresh indexes claimed in ``tx`` (a few multi-row statements)."""
        if count == 0:
            return []
        revocation = tx.allocate_many("revocation", count, length=self.status_list_length, now=stamp)
        suspension = tx.allocate_many("suspension", count, length=self.status_list_length, now=stamp)
        return list(zip(revocation, suspension, strict=True))

    def tasks(
        self,
        requests: Sequence[Request],
        refs: Sequence[tuple[StatusRef, StatusRef]],
        *,
        ids: Sequence[str] | None = None,
    ) -> list[Task]:
        """Each request with a proposed credential id (``ids``, else fresh UUIDs), its indexes and the
        two status entries that point at them."""
        length = self.status_list_length
        out: list[Task] = []
        for i, (request, (rev, sus)) in enumerate(zip(requests, refs, strict=True)):
            entries = (
                status_entry(self.status_list_url(rev.list_id), rev.index, purpose="revocation", length=length),
                status_entry(self.status_list_url(sus.list_id), sus.index, purpose="suspension", length=length),
            )
            out.append(Task(request, ids[i] if ids else f"urn:uuid:{uuid.uuid4()}", rev, sus, entries))
        return out

    def record(
        self,
        tasks: Sequence[Task],
        signed: Sequence[Signed],
        *,
        key_id: str,
        now: datetime,
        allocate: int = 0,
        batch: bool = False,
    ) -> tuple[list[RequestOutcome], list[tuple[StatusRef, StatusRef]]]:
        """Record the signed ``tasks`` in one transaction, which also claims ``allocate`` pairs of indexes
        for what comes next (a batch's next chunk); (each task's outcome, those indexes). A key recorded
        meanwhile by a concurrent request gives that request's outcome (its bytes), not ours."""
        for _ in range(RACE_RETRIES):
            try:
                outcomes, lost, refs = self._record_once(tasks, signed, key_id, format_datetime(now), allocate, batch)
            except _Raced:
                continue
            if lost:
                winners = self.lookup([tasks[i].request for i in lost])
                for n, i in enumerate(lost):
                    outcomes[i] = winners.get(n)
            if any(o is None for o in outcomes):  # pragma: no cover - the winner's row was just seen
                raise SkillcredError("an idempotency record vanished", code=Code.CONFLICT)
            return [o for o in outcomes if o is not None], refs
        raise SkillcredError(
            "concurrent requests kept recording the same idempotency keys; try again", code=Code.STORE_BUSY
        )

    def _record_once(
        self, tasks: Sequence[Task], signed: Sequence[Signed], key_id: str, stamp: str, allocate: int, batch: bool
    ) -> tuple[list[RequestOutcome | None], list[int], list[tuple[StatusRef, StatusRef]]]:
        outcomes: list[RequestOutcome | None] = [None] * len(tasks)
        lost: list[int] = []
        fresh: list[tuple[CredentialRecord, str]] = []
        with self.store.write() as tx:
            key = tx.key(key_id, lock=True)
            if key is None or key.state == "compromised":
                raise KeyProblem(f"{key_id} was marked compromised during issuance; nothing released")
            keys = [t.request.key for t, s in zip(tasks, signed, strict=True) if s.document and t.request.key]
            recorded = tx.idempotency_many(keys) if keys else {}
            for i, (task, result) in enumerate(zip(tasks, signed, strict=True)):
                request = task.request
                if result.document is None:
                    outcomes[i] = RequestOutcome(
                        request.key, "failed", task.credential_id, code=Code(result.code), detail=result.detail
                    )
                elif request.key is not None and request.key in recorded:
                    lost.append(i)
                else:
                    record = CredentialRecord(
                        result.credential_id,
                        result.kind,
                        result.document,
                        key_id,
                        task.revocation,
                        task.suspension,
                        request.key,
                        stamp,
                    )
                    fresh.append((record, request.request_hash))
                    outcomes[i] = RequestOutcome(request.key, "issued", record.id, record.document, record=record)
            if fresh:
                self._insert(tx, fresh, stamp, batch=batch)
            refs = self.claim(tx, allocate, stamp)
        return outcomes, lost, refs

    @staticmethod
    def _insert(tx: Tx, fresh: Sequence[tuple[CredentialRecord, str]], stamp: str, *, batch: bool) -> None:
        records = [record for record, _ in fresh]
        keyed = [(r.idempotency_key, r.id, request_hash) for r, request_hash in fresh if r.idempotency_key is not None]
        if tx.insert_credentials(records) != len(records):
            # an id taken: by a concurrent request with one of our keys (then it is a replay), or for good
            if keyed and tx.idempotency_many([k for k, _, _ in keyed]):
                raise _Raced
            taken = records[0].id if len(records) == 1 else "of this chunk"
            raise SkillcredError(f"a credential with id {taken} already exists", code=Code.CONFLICT)
        if keyed and tx.put_idempotency_many(keyed, now=stamp) != len(keyed):
            raise _Raced  # a concurrent transaction committed one of these keys first: roll ours back
        extra = {"batch": True} if batch else {}
        tx.append_events(
            "credential.issued",
            [
                (
                    r.id,
                    {
                        "kind": r.kind,
                        "key": r.key_id,
                        **extra,
                        "revocation": f"{r.revocation.list_id}#{r.revocation.index}",
                        "suspension": f"{r.suspension.list_id}#{r.suspension.index}",
                    },
                )
                for r in records
            ],
            now=stamp,
        )

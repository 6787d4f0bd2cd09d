"""Bulk issuance of built credentials: the engine behind ``issuer batch`` and ``issuer issue``.

The per-request path (:meth:`IssuerService.issue`) spends two transactions per credential; a batch
amortises them over a chunk and spreads the CPU-heavy part over processes. It keeps the same promises
(SECURITY.md issuer items 1-5):

1. **Replay first.** Each item carries an idempotency key and a request hash (of its input, kind and
   cryptosuite). A key already recorded returns the stored bytes; with another request hash it is
   ``CONFLICT``. So a rerun after a crash issues nothing twice.
2. **Allocate** (committed before the chunk is signed): two fresh random status indexes per item,
   claimed with a few multi-row statements (:meth:`issuer.store.Tx.allocate_many`). They are never
   reused; a crash after this point burns them. The first chunk (or the first few, with workers) gets
   its own transaction; every later one is allocated in the transaction that records an earlier chunk,
   so a chunk costs one commit, not two.
3. **Build, hash, self-check, sign** in worker processes (or in-process with one worker; with several,
   the parent signs rows of the first chunk until one of them is ready): the kind's
   builder (the Argon2id identity hash is the slow part), ``check_contexts``, ``check_data_model``,
   the clear-ID scan, and safe RDFC-1.0 canonicalization (the ``eddsa-rdfc-2022`` signature itself
   canonicalizes in safe mode; for ``eddsa-jcs-2022`` it is run separately).
4. **Record** (one transaction per chunk): the exact bytes, the idempotency key and one
   ``credential.issued`` event each, under the signing key's row (a key compromised meanwhile
   releases nothing), each kind of row with one prepared statement. Only then are the outcomes
   handed to the caller (which writes files).

The signing side (tasks, the signer, the worker processes) is :mod:`issuer.workers`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, TypeVar

from issuer.keystore import KeyStore
from issuer.kinds import KINDS
from issuer.profile import IssuerProfile
from issuer.store import CredentialRecord, StatusRef, Store, Tx
from issuer.workers import Signed, Signer, SignerSetup, Task, Workers
from vccore.clock import Clock
from vccore.di.proofs import ProofOptions
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.kinds import identity
from vccore.status.bitstring import MIN_LENGTH
from vccore.status.entry import status_entry
from vccore.timeutil import format_datetime

CHUNK: Final = 256
Status = Literal["issued", "existing", "failed"]
#: How often a chunk's record transaction is retried when a concurrent run recorded one of its
#: idempotency keys between our check and our insert (PostgreSQL; SQLite serializes writers).
_RACE_RETRIES: Final = 5
_T = TypeVar("_T")


@dataclass(frozen=True)
class HashParams:
    """Argon2id cost of the identity hash. :data:`TEST_HASH` is libsodium's minimum: tests only."""

    opslimit: int = identity.DEFAULT_OPSLIMIT
    memlimit: int = identity.DEFAULT_MEMLIMIT

    def __call__(self, id_number: str) -> dict[str, Any]:
        return identity.hash_identity(id_number, opslimit=self.opslimit, memlimit=self.memlimit)


DEFAULT_HASH: Final = HashParams()
TEST_HASH: Final = HashParams(identity.MIN_OPSLIMIT, identity.MIN_MEMLIMIT)
HASH_PARAMS: Final = {"default": DEFAULT_HASH, "test": TEST_HASH}


@dataclass(frozen=True)
class Item:
    """One credential to issue: ``data`` is the kind's validated input (its dataclass, built once, so
    workers do not validate again) or a camelCase mapping."""

    key: str
    request_hash: str
    kind: str
    data: Any = field(repr=False)
    subject_did: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of an item: ``issued`` now, ``existing`` (recorded by an earlier run) or ``failed``."""

    key: str
    status: Status
    credential_id: str = ""
    document: bytes = field(default=b"", repr=False)
    code: Code | None = None
    detail: str = ""


class _Raced(Exception):
    """An idempotency key was recorded by a concurrent run inside our record transaction: roll back, retry."""


def split_chunks(items: Sequence[_T], size: int, *, ways: int = 1, floor: int = 1) -> Iterator[Sequence[_T]]:
    """Chunks of at most ``size`` items that shrink towards the end (guided scheduling): each takes
    half of what is left per way (``ways`` workers), and none is smaller than ``floor`` unless it is the
    last. So with several workers none of them is left alone with a big chunk at the end, and in one
    process the files of the final chunk, written after it is recorded, are few."""
    start, floor = 0, max(1, min(floor, size))
    while start < len(items):
        step = min(size, max(floor, -(-(len(items) - start) // (2 * ways))))
        yield items[start : start + step]
        start += step


class BulkIssuer:
    """Issues many :class:`Item` values for one issuer (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Store,
        profile: IssuerProfile,
        keystore: KeyStore,
        passphrase: str | bytes,
        cryptosuite: str = "eddsa-rdfc-2022",
        hasher: HashParams = DEFAULT_HASH,
        include_test_contexts: bool = False,
        status_list_length: int = MIN_LENGTH,
        clock: Clock,
        chunk: int = CHUNK,
    ) -> None:
        ProofOptions(cryptosuite=cryptosuite)  # validates the name
        if chunk < 1:
            raise ValueError(f"chunk: expected a positive size, got {chunk!r}")
        self._store = store
        self._profile = profile
        self._keys = keystore
        self._passphrase = passphrase
        self._suite = cryptosuite
        self._hasher = hasher
        self._test_contexts = include_test_contexts
        self._length = status_list_length
        self._clock = clock
        self._chunk = chunk

    # --- replay ----------------------------------------------------------------------------------

    def lookup(self, items: Sequence[Item]) -> dict[str, Outcome]:
        """The outcome of every item already recorded (``existing``, or ``failed`` with ``CONFLICT``)."""
        found: dict[str, Outcome] = {}
        with self._store.read() as tx:
            keys = tx.idempotency_many([item.key for item in items])
            records = tx.credentials_many([cid for cid, _ in keys.values()]) if keys else {}
        for item in items:
            recorded = keys.get(item.key)
            if recorded is None:
                continue
            record = records.get(recorded[0])
            if record is None:  # pragma: no cover - foreign keys forbid it
                continue
            if recorded[1] != item.request_hash:
                found[item.key] = Outcome(
                    item.key,
                    "failed",
                    record.id,
                    code=Code.CONFLICT,
                    detail="this idempotency key was used for a different request",
                )
            else:
                found[item.key] = Outcome(item.key, "existing", record.id, record.document)
        return found

    # --- issuance ----------------------------------------------------------------------------------

    def issue(
        self, items: Sequence[Item], *, workers: int = 1, on_chunk: Callable[[list[Outcome]], None] = lambda _: None
    ) -> list[Outcome]:
        """Issue every item not recorded yet; ``on_chunk`` sees each chunk's outcomes once it is durable."""
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers!r}")
        existing = self.lookup(items)
        todo = [i for i in items if i.key not in existing]
        outcomes = list(existing.values())
        pool = Workers(workers) if workers > 1 and todo else None  # they start while the key is unlocked
        try:
            if existing:
                on_chunk(list(existing.values()))
            if not todo:
                return outcomes
            pair = self._keys.unlock(self._passphrase)
            setup = SignerSetup(
                pair.seed,
                pair.id,
                pair.controller,
                (self._profile.did, self._profile.name_zh, self._profile.name_en),
                self._suite,
                self._hasher,
                self._test_contexts,
                self._clock(),
            )
            if pool is not None:
                pool.begin(setup)
            for done in self._serial(todo, setup) if pool is None else self._parallel(todo, setup, pool):
                outcomes.extend(done)
                on_chunk(done)
            return outcomes
        finally:
            if pool is not None:
                pool.close()

    def _serial(self, items: Sequence[Item], setup: SignerSetup) -> Iterator[list[Outcome]]:
        signer = Signer(setup)
        # a floor of 16 rows: each chunk costs one commit (an fsync on disk)
        chunks = list(split_chunks(items, self._chunk, floor=16))
        tasks = self._allocate(chunks[:1], setup.now)[0]
        for number in range(len(chunks)):
            # record this chunk and allocate the next one in one transaction
            done, following = self._record(tasks, signer.run(tasks), setup, chunks[number + 1 : number + 2])
            yield done
            if following:
                tasks = following[0]

    def _parallel(self, items: Sequence[Item], setup: SignerSetup, workers: Workers) -> Iterator[list[Outcome]]:
        pending: dict[int, list[Task]] = {}  # chunks being signed, by number
        chunks = list(split_chunks(items, self._chunk, ways=workers.count))
        numbers = itertools.count()

        def send(tasks: list[Task]) -> None:
            number = next(numbers)
            pending[number] = tasks
            workers.put(number, tasks)

        # up to three chunks per worker in flight: the first ones allocated in one transaction, each later
        # one in the transaction that records a finished chunk. While the workers start (importing the
        # signing code takes them a few tenths of a second), the first chunk is signed here, row by row
        # until one of them is ready; the rest of it goes to the workers ahead of the later chunks
        first, *queued = self._allocate(chunks[: 3 * workers.count + 1], setup.now)
        for tasks in queued[: workers.count]:
            send(tasks)
        signed_here = self._sign_until_ready(first, setup, workers)
        for piece in split_chunks(first[len(signed_here) :], len(first), ways=workers.count):
            send(list(piece))
        for tasks in queued[workers.count :]:
            send(tasks)
        following = len(queued) + 1  # the index in ``chunks`` of the next chunk to allocate
        own = next(numbers)
        pending[own] = first[: len(signed_here)]
        result: tuple[int, Signed] | None = (own, signed_here)
        while pending:
            number, signed = result or workers.next_result()
            result = None
            done, later = self._record(pending.pop(number), signed, setup, chunks[following : following + 1])
            following += len(later)
            for tasks in later:
                send(tasks)
            yield done

    @staticmethod
    def _sign_until_ready(tasks: list[Task], setup: SignerSetup, workers: Workers) -> Signed:
        """Sign ``tasks`` here, one by one, until a worker reports that it can sign (it has the rest)."""
        signer = Signer(setup)
        signed: Signed = []
        for task in tasks:
            if signed and workers.ready():
                break
            signed.append(signer.sign(task))
        return signed

    def _allocate(self, chunks: Sequence[Sequence[Item]], now: datetime) -> list[list[Task]]:
        """The tasks of ``chunks``, their status indexes allocated in one committed transaction."""
        stamp = format_datetime(now)
        with self._store.write() as tx:
            refs = self._claim(tx, sum(len(c) for c in chunks), stamp)
        return self._tasks(chunks, refs)

    def _claim(self, tx: Tx, count: int, stamp: str) -> tuple[list[StatusRef], list[StatusRef]]:
        return (
            tx.allocate_many("revocation", count, length=self._length, now=stamp),
            tx.allocate_many("suspension", count, length=self._length, now=stamp),
        )

    def _tasks(
        self, chunks: Sequence[Sequence[Item]], refs: tuple[list[StatusRef], list[StatusRef]]
    ) -> list[list[Task]]:
        base, length = self._profile.base_url, self._length
        statuses = iter(zip(*refs, strict=True))
        out: list[list[Task]] = []
        for chunk in chunks:
            tasks: list[Task] = []
            for item, (rev, sus) in zip(chunk, statuses, strict=False):
                tasks.append(
                    Task(
                        item.key,
                        item.request_hash,
                        item.kind,
                        item.data,
                        item.subject_did,
                        f"urn:uuid:{uuid.uuid4()}",
                        rev,
                        sus,
                        (
                            status_entry(
                                f"{base}/status/{rev.list_id}", rev.index, purpose="revocation", length=length
                            ),
                            status_entry(
                                f"{base}/status/{sus.list_id}", sus.index, purpose="suspension", length=length
                            ),
                        ),
                    )
                )
            out.append(tasks)
        return out

    def _record(
        self, tasks: list[Task], signed: Signed, setup: SignerSetup, then: Sequence[Sequence[Item]] = ()
    ) -> tuple[list[Outcome], list[list[Task]]]:
        """Record a signed chunk in one transaction, which also allocates the status indexes of the
        chunks ``then``; (the chunk's outcomes, the tasks of ``then``)."""
        for _ in range(_RACE_RETRIES):
            try:
                out, lost, refs = self._record_once(tasks, signed, setup, sum(len(c) for c in then))
            except _Raced:
                continue
            if lost:  # a concurrent run recorded these keys first: its bytes are the ones released
                by_key = {t.key: t for t in tasks}
                winners = self.lookup([Item(k, by_key[k].request_hash, by_key[k].kind, {}) for k in lost])
                out.extend(winners[k] for k in lost if k in winners)
            return out, self._tasks(then, refs) if then else []
        raise SkillcredError(
            "concurrent runs kept recording the same idempotency keys; try again", code=Code.STORE_BUSY
        )

    def _record_once(
        self, tasks: list[Task], signed: Signed, setup: SignerSetup, allocate: int
    ) -> tuple[list[Outcome], list[str], tuple[list[StatusRef], list[StatusRef]]]:
        by_key = {t.key: t for t in tasks}
        stamp = format_datetime(setup.now)
        out: list[Outcome] = []
        lost: list[str] = []
        fresh: list[tuple[CredentialRecord, str]] = []
        with self._store.write() as tx:
            key = tx.key(setup.key_id, lock=True)
            if key is None or key.state == "compromised":
                raise KeyProblem(f"{setup.key_id} was marked compromised during the batch; nothing released")
            recorded = tx.idempotency_many([k for k, document, _, _ in signed if document is not None])
            for item_key, document, code, detail in signed:
                task = by_key[item_key]
                if document is None:
                    out.append(Outcome(item_key, "failed", task.credential_id, code=Code(code), detail=detail))
                elif item_key in recorded:
                    lost.append(item_key)
                else:
                    fresh.append(
                        (
                            CredentialRecord(
                                task.credential_id,
                                KINDS[task.kind].type_name,
                                document,
                                setup.key_id,
                                task.revocation,
                                task.suspension,
                                item_key,
                                stamp,
                            ),
                            task.request_hash,
                        )
                    )
                    out.append(Outcome(item_key, "issued", task.credential_id, document))
            if fresh:
                records = [record for record, _ in fresh]
                if tx.insert_credentials(records) != len(records):  # pragma: no cover - fresh random UUIDs
                    raise SkillcredError("a credential id of this chunk already exists", code=Code.CONFLICT)
                entries = [(record.idempotency_key or "", record.id, request_hash) for record, request_hash in fresh]
                if tx.put_idempotency_many(entries, now=stamp) != len(entries):  # pragma: no cover - PostgreSQL race
                    raise _Raced
                tx.append_events(
                    "credential.issued",
                    [
                        (
                            r.id,
                            {
                                "kind": r.kind,
                                "key": setup.key_id,
                                "batch": True,
                                "revocation": f"{r.revocation.list_id}#{r.revocation.index}",
                                "suspension": f"{r.suspension.list_id}#{r.suspension.index}",
                            },
                        )
                        for r in records
                    ],
                    now=stamp,
                )
            refs = self._claim(tx, allocate, stamp) if allocate else ([], [])
        return out, lost, refs

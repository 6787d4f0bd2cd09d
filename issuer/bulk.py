"""Bulk issuance of built credentials: the engine behind ``issuer batch`` and ``issuer issue``.

The per-request path (:meth:`IssuerService.issue`) spends two transactions per credential; a batch
amortises them over a chunk and spreads the CPU-heavy part over processes. It keeps the same promises
(SECURITY.md issuer items 1-5):

1. **Replay first.** Each item carries an idempotency key and a request hash (of its input, kind and
   cryptosuite). A key already recorded returns the stored bytes; with another request hash it is
   ``CONFLICT``. So a rerun after a crash issues nothing twice.
2. **Allocate** (one transaction per chunk): two fresh random status indexes per item. They are
   never reused; a crash after this point burns them.
3. **Build, hash, self-check, sign** in worker processes (or in-process with one worker): the kind's
   builder (the Argon2id identity hash is the slow part), ``check_contexts``, ``check_data_model``,
   the clear-ID scan, and safe RDFC-1.0 canonicalization (the ``eddsa-rdfc-2022`` signature itself
   canonicalizes in safe mode; for ``eddsa-jcs-2022`` it is run separately).
4. **Record** (one transaction per chunk): the exact bytes, the idempotency key and one
   ``credential.issued`` event each, under the signing key's row (a key compromised meanwhile
   releases nothing). Only then are the outcomes handed to the caller (which writes files).

Workers receive the unlocked key seed from the parent over their spawn pipe (the seed is already in
the parent's memory; unlocking it again in every worker would cost one Argon2id run and 256 MiB each).
Workers exit when the parent disappears, so a SIGKILLed batch leaves no orphans.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from issuer.keystore import KeyStore
from issuer.kinds import KINDS, Issuer, build
from issuer.profile import IssuerProfile
from issuer.store import CredentialRecord, StatusRef, Store
from vccore import identity
from vccore.canonical import rdfc
from vccore.credentials import check_contexts, check_data_model
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.keys import KeyPair
from vccore.loader import DocumentLoader
from vccore.proofs import ProofOptions, add_proof
from vccore.statuslist import MIN_LENGTH, status_entry
from vccore.timeutil import format_datetime, utcnow

CHUNK: Final = 64
Status = Literal["issued", "existing", "failed"]


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


@dataclass(frozen=True)
class _Task:
    key: str
    request_hash: str
    kind: str
    data: Any
    subject_did: str | None
    credential_id: str
    revocation: StatusRef
    suspension: StatusRef
    entries: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class _SignerSetup:
    """Everything a worker needs; picklable."""

    seed: bytes = field(repr=False)
    key_id: str
    controller: str
    issuer: tuple[str, str, str]
    cryptosuite: str
    hasher: HashParams
    include_test_contexts: bool
    now: datetime


class _Signer:
    def __init__(self, setup: _SignerSetup) -> None:
        self.pair = KeyPair.from_seed(setup.seed, id=setup.key_id, controller=setup.controller)
        self.issuer = Issuer(*setup.issuer)
        self.setup = setup
        self.loader = DocumentLoader(include_test_contexts=setup.include_test_contexts)
        self.options = ProofOptions(cryptosuite=setup.cryptosuite, created=setup.now)
        self.valid_from = format_datetime(setup.now)

    def sign(self, task: _Task) -> tuple[str, bytes | None, str, str]:
        """(key, document or None, code, detail) for one task."""
        try:
            built = build(task.kind, task.data, issuer=self.issuer, valid_from=self.valid_from,
                          credential_id=task.credential_id, subject_did=task.subject_did, hasher=self.setup.hasher)
            final = dict(built, credentialStatus=list(task.entries))
            for check in (check_contexts(final, loader=self.loader), check_data_model(final)):
                if not check.passed:
                    problem = check.problems[0]
                    raise SkillcredError(problem.detail or problem.title, code=problem.code)
            if self.options.cryptosuite != "eddsa-rdfc-2022":
                rdfc(final, loader=self.loader)
            signed = add_proof(final, signer=self.pair, loader=self.loader, options=self.options)
        except SkillcredError as err:
            return task.key, None, err.code.value, err.detail
        return task.key, _encode(signed), "", ""

    def run(self, tasks: Sequence[_Task]) -> list[tuple[str, bytes | None, str, str]]:
        return [self.sign(t) for t in tasks]


def _worker(setup: _SignerSetup, tasks: Any, results: Any, parent: int) -> None:  # pragma: no cover - child
    """Sign chunks until told to stop, or until the parent is gone (then drop what is unsent and exit)."""
    signer = _Signer(setup)
    while os.getppid() == parent:
        try:
            chunk = tasks.get(timeout=0.5)
        except queue.Empty:
            continue
        if chunk is None:
            return
        results.put((chunk[0], signer.run(chunk[1])))
    results.cancel_join_thread()


def _encode(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BulkIssuer:
    """Issues many :class:`Item` values for one issuer (see the module docstring)."""

    def __init__(self, *, store: Store, profile: IssuerProfile, keystore: KeyStore, passphrase: str | bytes,
                 cryptosuite: str = "eddsa-rdfc-2022", hasher: HashParams = DEFAULT_HASH,
                 include_test_contexts: bool = False, status_list_length: int = MIN_LENGTH,
                 clock: Callable[[], datetime] = utcnow, chunk: int = CHUNK) -> None:
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
            for item in items:
                recorded = tx.idempotency(item.key)
                if recorded is None:
                    continue
                record = tx.credential(recorded[0])
                if record is None:  # pragma: no cover - foreign keys forbid it
                    continue
                if recorded[1] != item.request_hash:
                    found[item.key] = Outcome(item.key, "failed", record.id, code=Code.CONFLICT,
                                              detail="this idempotency key was used for a different request")
                else:
                    found[item.key] = Outcome(item.key, "existing", record.id, record.document)
        return found

    # --- issuance ----------------------------------------------------------------------------------

    def issue(self, items: Sequence[Item], *, workers: int = 1,
              on_chunk: Callable[[list[Outcome]], None] = lambda _: None) -> list[Outcome]:
        """Issue every item not recorded yet; ``on_chunk`` sees each chunk's outcomes once it is durable."""
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers!r}")
        existing = self.lookup(items)
        if existing:
            on_chunk(list(existing.values()))
        todo = [i for i in items if i.key not in existing]
        outcomes = list(existing.values())
        if not todo:
            return outcomes
        pair = self._keys.unlock(self._passphrase)
        setup = _SignerSetup(pair.seed, pair.id, pair.controller,
                             (self._profile.did, self._profile.name_zh, self._profile.name_en),
                             self._suite, self._hasher, self._test_contexts, self._clock())
        for done in (self._serial(todo, setup) if workers == 1 else self._parallel(todo, setup, workers)):
            outcomes.extend(done)
            on_chunk(done)
        return outcomes

    def _serial(self, items: Sequence[Item], setup: _SignerSetup) -> Iterator[list[Outcome]]:
        signer = _Signer(setup)
        for chunk in _chunks(items, self._chunk):
            tasks = self._allocate(chunk, setup.now)
            yield self._record(tasks, signer.run(tasks), setup)

    def _parallel(self, items: Sequence[Item], setup: _SignerSetup, workers: int) -> Iterator[list[Outcome]]:
        # at least four chunks per worker, so that slow rows (production Argon2id) spread over all of them
        size = max(1, min(self._chunk, -(-len(items) // (4 * workers))))
        ctx = multiprocessing.get_context("spawn")
        tasks_q: Any = ctx.Queue()
        results_q: Any = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(setup, tasks_q, results_q, os.getpid()), daemon=True)
                 for _ in range(workers)]
        for proc in procs:
            proc.start()
        pending: dict[int, list[_Task]] = {}
        chunks = enumerate(_chunks(items, size))
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < 3 * workers:
                    nxt = next(chunks, None)
                    if nxt is None:
                        exhausted = True
                        break
                    pending[nxt[0]] = self._allocate(nxt[1], setup.now)
                    tasks_q.put((nxt[0], pending[nxt[0]]))
                if not pending:
                    break
                number, signed = self._next_result(results_q, procs)
                yield self._record(pending.pop(number), signed, setup)
        finally:
            tasks_q.cancel_join_thread()  # never block exit on undelivered chunks (error paths)
            for _ in procs:
                tasks_q.put(None)
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():  # pragma: no cover - a stuck worker
                    proc.terminate()
            tasks_q.close()
            results_q.close()

    @staticmethod
    def _next_result(results_q: Any, procs: list[Any]) -> tuple[int, list[tuple[str, bytes | None, str, str]]]:
        while True:
            try:
                value: tuple[int, list[tuple[str, bytes | None, str, str]]] = results_q.get(timeout=1.0)
                return value
            except queue.Empty:
                if not all(p.is_alive() for p in procs):
                    raise RuntimeError("a batch worker process died") from None

    def _allocate(self, chunk: Sequence[Item], now: datetime) -> list[_Task]:
        stamp = format_datetime(now)
        with self._store.write() as tx:
            refs = [(tx.allocate("revocation", length=self._length, now=stamp),
                     tx.allocate("suspension", length=self._length, now=stamp)) for _ in chunk]
        base = self._profile.base_url
        return [_Task(item.key, item.request_hash, item.kind, item.data, item.subject_did,
                      f"urn:uuid:{uuid.uuid4()}", rev, sus,
                      (status_entry(f"{base}/status/{rev.list_id}", rev.index, purpose="revocation",
                                    length=self._length),
                       status_entry(f"{base}/status/{sus.list_id}", sus.index, purpose="suspension",
                                    length=self._length)))
                for item, (rev, sus) in zip(chunk, refs, strict=True)]

    def _record(self, tasks: list[_Task], signed: list[tuple[str, bytes | None, str, str]],
                setup: _SignerSetup) -> list[Outcome]:
        by_key = {t.key: t for t in tasks}
        stamp = format_datetime(setup.now)
        out: list[Outcome] = []
        lost: list[str] = []
        with self._store.write() as tx:
            key = tx.key(setup.key_id, lock=True)
            if key is None or key.state == "compromised":
                raise KeyProblem(f"{setup.key_id} was marked compromised during the batch; nothing released")
            for item_key, document, code, detail in signed:
                task = by_key[item_key]
                if document is None:
                    out.append(Outcome(item_key, "failed", task.credential_id, code=Code(code), detail=detail))
                    continue
                if tx.idempotency(item_key) is not None:
                    lost.append(item_key)
                    continue
                kind = KINDS[task.kind].type_name
                tx.insert_credential(CredentialRecord(task.credential_id, kind, document, setup.key_id,
                                                      task.revocation, task.suspension, item_key, stamp))
                tx.put_idempotency(item_key, credential_id=task.credential_id,
                                   request_hash=task.request_hash, now=stamp)
                tx.append_event("credential.issued", task.credential_id, {
                    "kind": kind, "key": setup.key_id, "batch": True,
                    "revocation": f"{task.revocation.list_id}#{task.revocation.index}",
                    "suspension": f"{task.suspension.list_id}#{task.suspension.index}"}, now=stamp)
                out.append(Outcome(item_key, "issued", task.credential_id, document))
        if lost:  # a concurrent run recorded these keys first: its bytes are the ones released
            winners = self.lookup([Item(k, by_key[k].request_hash, by_key[k].kind, {}) for k in lost])
            out.extend(winners[k] for k in lost if k in winners)
        return out

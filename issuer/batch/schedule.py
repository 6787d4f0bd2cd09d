"""A batch's schedule: the issuance engine's stages (:mod:`issuer.engine`) run on chunks of requests,
in this process or spread over worker processes (:mod:`issuer.batch.workers`).

The engine spends two transactions on one request; a batch amortises them over a chunk and spreads the
CPU-heavy part (the kind's builder, whose Argon2id identity hash is the slow part, the checks, the
signature) over processes, with the engine's promises:

1. **Replay first** (:meth:`Engine.lookup`): rows already recorded return the stored bytes; a key used for
   another request is ``CONFLICT``. So a rerun after a crash issues nothing twice.
2. **Allocate** a chunk's indexes before it is built: the first chunk (or the first few, with workers) in
   its own transaction, every later one in the transaction that records an earlier chunk, so a chunk costs
   one commit, not two. A row refused by the check burns its two indexes.
3. **Build, check and sign** each row (:meth:`issuer.signing.CredentialSigner.sign`), in worker processes,
   or here with one worker; with several, this process signs rows of the first chunk until a worker is
   ready.
4. **Record** each chunk in one transaction (:meth:`Engine.record`). Only then are the outcomes handed to
   the caller (which writes files).
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from issuer.batch.claims import Claims, Unit
from issuer.batch.workers import Workers
from issuer.engine import RequestOutcome
from issuer.service import IssuerService
from issuer.signing import CredentialSigner, Request, Signed, SignerSetup, Task
from issuer.store.records import StatusRef
from vccore.errors import Code

CHUNK: Final = 256
#: The share of a row's building and signing spent in the identity hash (Argon2id) from which worker processes
#: pay for themselves. Handing a row to a worker and its credential back, the workers' start-up, and the
#: parent's own work competing with them for the cores cost about what a cheap row costs: with libsodium's
#: minimum hash (a share near 2 %) two workers ran at about 0.5 x one; with the production hash (a share
#: near 90 %) the work is the hash, which parallelises (``bench/bench_workers.py``). A share, not a time:
#: both sides slow down alike on a loaded machine, so the choice does not move with the load.
HASH_SHARE: Final = 0.5
#: Rows issued in this process first, to measure that share.
PROBE_ROWS: Final = 8
_T = TypeVar("_T")


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


class BatchIssuer:
    """Issues many requests with ``service``'s engine and key (see the module docstring)."""

    def __init__(
        self,
        service: IssuerService,
        *,
        chunk: int = CHUNK,
        hash_share: float = HASH_SHARE,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        """``hash_share``: the share of a row's cost spent in the identity hash below which several workers
        fall back to one process (0: always start the workers, at once); ``timer`` measures the shares
        (durations, never a date)."""
        if chunk < 1:
            raise ValueError(f"chunk: expected a positive size, got {chunk!r}")
        self.service = service
        self.engine = service.engine
        self._chunk = chunk
        self._hash_share = hash_share
        self._timer = timer
        #: what the last :meth:`issue` measured and chose: the identity hash's share of a row (None: not
        #: measured) and the processes that signed
        self.share: float | None = None
        self.processes = 0

    def issue(
        self,
        requests: Sequence[Request],
        *,
        workers: int = 1,
        on_chunk: Callable[[list[RequestOutcome]], None] = lambda _: None,
        claims: Claims | None = None,
    ) -> list[RequestOutcome]:
        """Issue every request not recorded yet; ``on_chunk`` sees each chunk's outcomes once it is durable.
        With ``claims`` (a batch shared with other processes), only the units this process claims are
        issued here; the other rows are replayed from the registry (or reported as failed, as the process
        that took them recorded) once every unit is done."""
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers!r}")
        if claims is None:
            return self._issue_units([(None, requests)], workers, on_chunk)
        units = ((unit, requests[unit.first : unit.first + unit.rows]) for unit in claims.units())
        handled: set[int] = set()

        def finished(unit: Unit, outcomes: list[RequestOutcome]) -> None:
            assert claims is not None
            rows = range(unit.first, unit.first + unit.rows)
            handled.update(rows)
            row_of = {requests[i].key: i for i in rows}
            failed = [
                (row_of[o.key], (o.code or Code.MALFORMED_VALUE_ERROR).value, o.detail)
                for o in outcomes
                if o.status == "failed"
            ]
            claims.finish(unit, failed)

        outcomes = self._issue_units(units, workers, on_chunk, finished)
        rest = [i for i in range(len(requests)) if i not in handled]
        if rest:
            found = self.engine.lookup([requests[i] for i in rest])
            failures = claims.failures()
            others: list[RequestOutcome] = []
            for n, i in enumerate(rest):
                outcome = found.get(n)
                if outcome is None:
                    code, detail = failures.get(i, (Code.CONFLICT.value, "not recorded by any process"))
                    outcome = RequestOutcome(requests[i].key, "failed", code=Code(code), detail=detail)
                others.append(outcome)
            on_chunk(others)
            outcomes.extend(others)
        return outcomes

    def _issue_units(
        self,
        units: Iterable[tuple[Unit | None, Sequence[Request]]],
        workers: int,
        on_chunk: Callable[[list[RequestOutcome]], None],
        finished: Callable[[Unit, list[RequestOutcome]], None] = lambda *_: None,
    ) -> list[RequestOutcome]:
        """Issue the requests of each unit in turn on one pool of workers (started, and the key unlocked,
        when the first request not yet recorded comes); ``finished`` learns each unit's outcomes."""
        outcomes: list[RequestOutcome] = []
        pool: Workers | None = None
        setup: SignerSetup | None = None
        eager = workers > 1 and self._hash_share <= 0  # workers wanted whatever a row costs
        probe = workers > 1 and not eager  # workers only where the hash dominates
        self.share, self.processes = None, 1
        try:
            for unit, requests in units:
                existing = self.engine.lookup(requests)
                todo = [r for i, r in enumerate(requests) if i not in existing]
                mine = list(existing.values())
                if pool is None and eager and todo:
                    pool = Workers(workers)  # they start while the key is unlocked
                if existing:
                    on_chunk(list(existing.values()))
                if todo:
                    if setup is None:
                        setup = self.service.signer_setup()
                        if pool is not None:
                            pool.begin(setup)
                    if probe:
                        probe = False
                        first, todo = todo[:PROBE_ROWS], todo[PROBE_ROWS:]
                        rows, hashes = [0.0], [0.0]
                        for done in self._serial(first, setup, measure=(rows, hashes)):
                            mine.extend(done)
                            on_chunk(done)
                        self.share = hashes[0] / rows[0] if rows[0] > 0 else None
                        if todo and self.share is not None and self.share >= self._hash_share:
                            pool = Workers(workers)
                            pool.begin(setup)
                    if todo:
                        for done in self._serial(todo, setup) if pool is None else self._parallel(todo, setup, pool):
                            mine.extend(done)
                            on_chunk(done)
                if pool is not None:
                    self.processes = pool.count
                if unit is not None:
                    finished(unit, mine)
                outcomes.extend(mine)
            return outcomes
        finally:
            if pool is not None:
                pool.close()

    def _record(
        self, tasks: list[Task], signed: list[Signed], setup: SignerSetup, then: Sequence[Sequence[Request]] = ()
    ) -> tuple[list[RequestOutcome], list[list[Task]]]:
        """Record a signed chunk, allocating the chunks ``then`` in the same transaction; (the chunk's
        outcomes, the tasks of ``then``)."""
        done, refs = self.engine.record(
            tasks, signed, key_id=setup.key_id, now=setup.now, allocate=sum(len(c) for c in then), batch=True
        )
        return done, self._tasks(then, refs)

    def _allocate(self, chunks: Sequence[Sequence[Request]], setup: SignerSetup) -> list[list[Task]]:
        """The tasks of ``chunks``, their status indexes allocated in one committed transaction."""
        return self._tasks(chunks, self.engine.allocate(sum(len(c) for c in chunks), setup.now))

    def _tasks(
        self, chunks: Sequence[Sequence[Request]], refs: Sequence[tuple[StatusRef, StatusRef]]
    ) -> list[list[Task]]:
        out: list[list[Task]] = []
        start = 0
        for chunk in chunks:
            out.append(self.engine.tasks(chunk, refs[start : start + len(chunk)]))
            start += len(chunk)
        return out

    def _serial(
        self,
        requests: Sequence[Request],
        setup: SignerSetup,
        *,
        measure: tuple[list[float], list[float]] | None = None,
    ) -> Iterator[list[RequestOutcome]]:
        """Issue ``requests`` in this process, chunk by chunk; ``measure`` (two one-item lists) adds up the
        rows' building and signing time and, within it, the identity hash's."""
        timer, times = self._timer, measure
        if times is not None:
            hasher, hashes = setup.hasher, times[1]

            def timed_hash(id_number: str) -> dict[str, Any]:
                started = timer()
                try:
                    return hasher(id_number)
                finally:
                    hashes[0] += timer() - started

            setup = dataclasses.replace(setup, hasher=timed_hash)
        signer = CredentialSigner.from_setup(setup)
        # a floor of 16 rows: each chunk costs one commit (an fsync on disk)
        chunks = list(split_chunks(requests, self._chunk, floor=16))
        tasks = self._allocate(chunks[:1], setup)[0]
        for number in range(len(chunks)):
            # record this chunk and allocate the next one in one transaction
            signed = [self._timed(signer, task, setup, times[0] if times else None) for task in tasks]
            done, following = self._record(tasks, signed, setup, chunks[number + 1 : number + 2])
            yield done
            if following:
                tasks = following[0]

    def _timed(self, signer: CredentialSigner, task: Task, setup: SignerSetup, total: list[float] | None) -> Signed:
        if total is None:
            return signer.sign(task, setup.now)
        started = self._timer()
        try:
            return signer.sign(task, setup.now)
        finally:
            total[0] += self._timer() - started

    def _parallel(
        self, requests: Sequence[Request], setup: SignerSetup, workers: Workers
    ) -> Iterator[list[RequestOutcome]]:
        pending: dict[int, list[Task]] = {}  # chunks being signed, by number
        chunks = list(split_chunks(requests, self._chunk, ways=workers.count))
        numbers = itertools.count()

        def send(tasks: list[Task]) -> None:
            number = next(numbers)
            pending[number] = tasks
            workers.put(number, tasks)

        # up to three chunks per worker in flight: the first ones allocated in one transaction, each later
        # one in the transaction that records a finished chunk. While the workers start (importing the
        # signing code takes them a few tenths of a second), the first chunk is signed here, row by row
        # until one of them is ready; the rest of it goes to the workers ahead of the later chunks
        first, *queued = self._allocate(chunks[: 3 * workers.count + 1], setup)
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
        result: tuple[int, list[Signed]] | None = (own, signed_here)
        while pending:
            number, signed = result or workers.next_result()
            result = None
            done, later = self._record(pending.pop(number), signed, setup, chunks[following : following + 1])
            following += len(later)
            for tasks in later:
                send(tasks)
            yield done

    @staticmethod
    def _sign_until_ready(tasks: list[Task], setup: SignerSetup, workers: Workers) -> list[Signed]:
        """Sign ``tasks`` here, one by one, until a worker reports that it can sign (it has the rest)."""
        signer = CredentialSigner.from_setup(setup)
        signed: list[Signed] = []
        for task in tasks:
            if signed and workers.ready():
                break
            signed.append(signer.sign(task, setup.now))
        return signed

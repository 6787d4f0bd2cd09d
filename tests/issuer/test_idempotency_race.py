"""One credential per idempotency key under concurrency, on SQLite and PostgreSQL (issue 20).

Before: the lookup ran under read committed, the second insert of the key hit ``ON CONFLICT DO NOTHING``
and its result was ignored, so both requests were signed, recorded and answered 201 with different
credentials, the loser an orphan no key pointed to. Now the unique insert claims the key; the loser's
transaction is rolled back and it returns the winner's bytes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

from issuer.service import IssuerService
from issuer.store.registry import Store
from tests.issuer.conftest import Target, build_service, same_keys_worker, small_credential

PAIRS = 300
SPAWN = multiprocessing.get_context("spawn")


def _registry(store: Store) -> tuple[int, int]:
    with store.read() as tx:
        return tx.count("credentials"), tx.count("idempotency")


def test_300_pairs_of_threads_with_one_key_each_get_one_credential(service: IssuerService, store: Store) -> None:
    barrier = threading.Barrier(2)
    out: dict[str, list[bytes]] = {}
    lock = threading.Lock()

    def issue(key: str) -> None:
        barrier.wait(30)
        issued = service.issue(small_credential(), idempotency_key=key)
        with lock:
            out.setdefault(key, []).append(issued.document)

    with ThreadPoolExecutor(2) as pool:  # the two requests of a pair start together, pair after pair
        list(pool.map(issue, [f"pair-{n // 2}" for n in range(2 * PAIRS)]))
    assert len(out) == PAIRS
    assert all(len(docs) == 2 and docs[0] == docs[1] for docs in out.values())
    assert _registry(store) == (PAIRS, PAIRS)


def test_two_processes_issuing_the_same_300_keys_get_the_same_300_credentials(store: Store, target: Target) -> None:
    build_service(store)  # the issuer's key, before the two processes start
    keys = [f"order-{n}" for n in range(PAIRS)]
    start, out = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=same_keys_worker, args=(target, keys, start, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    first, second = out.get(timeout=600), out.get(timeout=600)
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [k for k, _, _ in first] == [k for k, _, _ in second] == keys
    for (key, id_a, doc_a), (_, id_b, doc_b) in zip(first, second, strict=True):
        assert id_a == id_b and doc_a == doc_b, key
    assert len({hashlib.sha256(doc).hexdigest() for _, _, doc in first}) == PAIRS
    assert _registry(store) == (PAIRS, PAIRS)
    with store.read() as tx:
        assert {r.idempotency_key for r in tx.credentials()} == set(keys)  # no orphan: every record has its key

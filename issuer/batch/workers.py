"""A batch's worker processes: each runs :meth:`issuer.signing.CredentialSigner.sign` on the chunks of
tasks :mod:`issuer.batch.schedule` sends it (build, check, sign). :class:`Workers` runs them in
spawned processes: they start as soon as the batch knows it has work, import the signing code while the
parent unlocks the key, and then receive the unlocked key seed over a queue (it is already in the
parent's memory; unlocking it in every worker would cost one Argon2id run and 256 MiB each). Workers
exit when told to, or when the parent disappears, so a SIGKILLed batch leaves no orphans.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from typing import Any, Final

from issuer.signing import CredentialSigner, Signed, SignerSetup, Task
from vccore.errors import Code, SkillcredError

#: what a worker sends once it can sign (a result never has a negative chunk number)
_READY: Final[tuple[int, list[Any]]] = (-1, [])
#: how long closing waits for a worker to read its stop sentinel before it is terminated: a worker still
#: starting (a new interpreter importing the signing code, on a loaded machine several seconds) reads it
#: once it is up; only a stuck worker costs the whole wait
_STOP_WAIT: Final = 30.0


def _exit_with(parent: int) -> None:  # pragma: no cover - child
    """Exit this process as soon as ``parent`` is gone. The worker's own checks cannot do it alone: a
    parent killed halfway through writing a chunk leaves the worker blocked on the rest of the message,
    and the queue's pipe never reaches end of file (every worker holds it too)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def _worker(setups: Any, tasks: Any, results: Any, parent: int) -> None:  # pragma: no cover - child
    """Wait for the signer setup, then sign chunks until told to stop, or until the parent is gone (then
    drop what is unsent and exit)."""
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    setup: SignerSetup | None = None
    while setup is None:
        if os.getppid() != parent:
            return
        try:
            setup = setups.get(timeout=0.5)
        except queue.Empty:
            continue
        if setup is None:  # closed before the key was unlocked
            return
    signer = CredentialSigner.from_setup(setup)
    results.put(_READY)
    while os.getppid() == parent:
        try:
            chunk = tasks.get(timeout=0.5)
        except queue.Empty:
            continue
        if chunk is None:
            return
        results.put((chunk[0], [signer.sign(task, setup.now) for task in chunk[1]]))
    results.cancel_join_thread()


class Workers:
    """The signing processes of a batch. Spawned (nothing of the parent's state leaks into them) as soon
    as the batch knows it has work, they import the signing code while the parent unlocks the key;
    :meth:`begin` then hands each of them the signer setup, key seed included (it is already in the
    parent's memory: unlocking it in every worker would cost an Argon2id run each)."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._setups: Any = ctx.Queue()
        self._tasks: Any = ctx.Queue()
        self._results: Any = ctx.Queue()
        self._procs = [
            ctx.Process(target=_worker, args=(self._setups, self._tasks, self._results, os.getpid()), daemon=True)
            for _ in range(count)
        ]
        for proc in self._procs:
            proc.start()

    @property
    def count(self) -> int:
        return len(self._procs)

    def begin(self, setup: SignerSetup) -> None:
        for _ in self._procs:
            self._setups.put(setup)

    def put(self, number: int, tasks: list[Task]) -> None:
        self._tasks.put((number, tasks))

    def ready(self) -> bool:
        """True once a worker has reported that it can sign (or has sent a result)."""
        return not self._results.empty()

    def next_result(self) -> tuple[int, list[Signed]]:
        while True:
            try:
                value: tuple[int, list[Signed]] = self._results.get(timeout=1.0)
            except queue.Empty:
                dead = [p.exitcode for p in self._procs if not p.is_alive()]
                if dead:
                    raise SkillcredError(
                        f"a signing worker process stopped (exit code {dead[0]}); what was "
                        "recorded is kept: run the batch again to continue",
                        code=Code.PROOF_GENERATION_ERROR,
                    ) from None
                continue
            if value[0] >= 0:  # not a worker's _READY
                return value

    def close(self) -> None:
        for q in (self._setups, self._tasks):
            q.cancel_join_thread()  # never block exit on undelivered chunks (error paths)
        for _ in self._procs:
            self._setups.put(None)
            self._tasks.put(None)
        for proc in self._procs:
            proc.join(timeout=_STOP_WAIT)
            if proc.is_alive():  # pragma: no cover - a stuck worker
                proc.terminate()
                proc.join(timeout=5)
        for q in (self._setups, self._tasks, self._results):
            q.close()

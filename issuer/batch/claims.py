"""A batch shared by several processes, on one machine or many: they work through the same rows against
one registry by claiming units of consecutive rows from the database.

* **The batch's identity** is SHA-256 of its rows' idempotency keys and request hashes, in order: the
  CSV's content (each row's line and cells), the batch id (``--batch-id``, by default the file name),
  the kind and the cryptosuite. Every process that reads the same file under the same options computes the
  same identity and the same rows; the first one registers the batch and cuts it into units
  (``--unit-rows``), the others find it registered (:meth:`issuer.store.tx.Tx.open_batch`).
* **Claims.** A process claims the first free unit (``SELECT ... FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so processes never wait on each other's claims), holds it under a lease measured on the
  database's clock (no machine's clock matters) and renews the leases it holds from a heartbeat thread
  every third of the lease. It marks the unit done, with its failed rows, once every row of it is
  recorded.
* **A dead process** loses its units: at once when it ran on this machine and is known to be gone (its
  process id is not alive, or now belongs to a process that started later), otherwise when its lease runs
  out. A process ends only when every unit is done; while others hold live units it waits for them and
  takes over any that are released.
* **Exactly once** does not rest on the claims: each row is issued under its idempotency key, which the
  registry records once (:mod:`issuer.engine`). A unit taken over from a process that died after
  recording some of its rows replays those rows; a unit whose lease ran out under a process that was
  only slow is issued by both, and the registry keeps one credential per row. Claims only keep the
  processes from doing the same work.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from issuer.signing import Request
from issuer.store.registry import Store
from vccore.timeutil import format_datetime

#: Rows per unit unless ``--unit-rows`` says otherwise: long enough that claiming costs nothing beside the
#: rows (four guided chunks per worker on two workers), short enough that a dead process's unit is soon done.
UNIT_ROWS: Final = 1024
#: Seconds a claim holds without renewal (renewed every third of it while the process lives).
LEASE: Final = 60.0


def batch_identity(requests: Sequence[Request]) -> str:
    """The batch's identity: SHA-256 of every row's idempotency key and request hash, in order."""
    digest = hashlib.sha256(b"skillcred-batch-units-v1\n")
    for request in requests:
        digest.update(f"{request.key}:{request.request_hash}\n".encode())
    return digest.hexdigest()


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat.rsplit(b")", 1)[-1].split()[19].decode()


def owner_name(pid: int | None = None) -> str:
    """``host/pid/start``: this process (or ``pid``) as the owner of its claims."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}/{pid}/{_start_time(pid) or '-'}"


def known_dead(owner: str) -> bool:
    """True when ``owner`` ran on this machine and its process is gone (or its id now names a younger
    process). An owner on another machine is never known dead here: its lease decides."""
    host, _, rest = owner.partition("/")
    pid_text, _, rest = rest.partition("/")
    started = rest.split("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    return started != "-" and _start_time(pid) not in (None, started)


@dataclass(frozen=True)
class Unit:
    """Rows ``first`` to ``first + rows`` (positions in the batch's rows) under unit number ``number``."""

    number: int
    first: int
    rows: int


class Claims:
    """This process's part in the shared batch ``identity`` of ``total`` rows on ``store`` (see the module
    docstring). Iterate :meth:`units`, call :meth:`finish` for each; :meth:`close` stops the heartbeat."""

    def __init__(
        self,
        store: Store,
        identity: str,
        total: int,
        *,
        now: datetime,
        unit_rows: int = UNIT_ROWS,
        lease: float = LEASE,
        owner: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if unit_rows < 1:
            raise ValueError(f"unit_rows: expected a positive number of rows, got {unit_rows!r}")
        if lease <= 0:
            raise ValueError(f"lease: expected a positive number of seconds, got {lease!r}")
        self.store = store
        self.identity = identity
        # this process, and a token of its own: two batches in one process never take each other's units
        self.owner = owner or f"{owner_name()}/{secrets.token_hex(4)}"
        self.lease = lease
        self._sleep = sleep
        with store.write() as tx:
            rows, self.unit_rows = tx.open_batch(identity, total, unit_rows, now=format_datetime(now))
        if rows != total:  # pragma: no cover - the identity is a digest of the rows
            raise ValueError(f"batch {identity}: registered with {rows} rows, this process read {total}")
        self.total = total
        self._stop = threading.Event()
        self._heart = threading.Thread(target=self._beat, name="batch-lease", daemon=True)
        self._heart.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                with self.store.write() as tx:
                    tx.renew_units(self.identity, self.owner, lease=self.lease)
            except Exception:  # a missed renewal costs at most a unit issued twice over (one record kept)
                continue

    def units(self) -> Iterator[Unit]:
        """The units this process claims, one at a time, until every unit of the batch is done; between
        claims it frees the units of owners known dead, and it waits while others hold the rest."""
        while True:
            self.release_dead()
            with self.store.write() as tx:
                claimed = tx.claim_units(self.identity, self.owner, lease=self.lease)
            if claimed:
                number, first, rows = claimed[0]
                yield Unit(number, first, rows)
                continue
            done, total, _ = self.state()
            if done >= total:
                return
            self._sleep(min(1.0, self.lease / 3))

    def release_dead(self) -> int:
        """Free the unfinished units of every owner known dead; how many."""
        _, _, holders = self.state()
        freed = 0
        for owner in holders:
            if owner != self.owner and known_dead(owner):
                with self.store.write() as tx:
                    freed += tx.release_units(self.identity, owner)
        return freed

    def finish(self, unit: Unit, failures: Sequence[tuple[int, str, str]]) -> None:
        """Mark ``unit`` done (every row of it is recorded, or failed: (row, code, detail))."""
        with self.store.write() as tx:
            tx.finish_unit(self.identity, unit.number, self.owner, failures)

    def state(self) -> tuple[int, int, tuple[str, ...]]:
        """(rows done by every process, rows in all, owners holding unfinished units)."""
        with self.store.read() as tx:
            return tx.batch_state(self.identity)

    def failures(self) -> dict[int, tuple[str, str]]:
        """The failed rows of every unit done, by row: (code, detail)."""
        with self.store.read() as tx:
            units = tx.batch_units(self.identity)
        return {row: (code, detail) for *_, failed in units for row, code, detail in failed}

    def owners(self) -> tuple[str, ...]:
        """The processes that finished units of the batch."""
        with self.store.read() as tx:
            units = tx.batch_units(self.identity)
        return tuple(sorted({owner for _, _, _, owner, done, _ in units if done and owner is not None}))

    def close(self, *, release: bool = True) -> None:
        """Stop renewing, and (``release``) free the units this process holds unfinished (a batch that
        failed): a rerun, here or anywhere, takes them at once."""
        self._stop.set()
        self._heart.join(timeout=5)
        if not release:
            return
        try:
            with self.store.write() as tx:
                tx.release_units(self.identity, self.owner)
        except Exception:  # the registry is gone: the lease frees them
            pass

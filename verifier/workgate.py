"""Bounded expensive work for strangers (SECURITY.md verifier item 18).

The verifier's public endpoints do two expensive things for anyone who asks: decoding an uploaded image
(Pillow and zxing-cpp: tens of MB and up to a second for a large photo) and an ID check (Argon2id: 64 MiB
and 0.1 s). Each runs through a :class:`WorkGate`: at most ``active`` at once, at most ``waiting`` more
queued for at most ``wait`` seconds; anything beyond is refused at once with :class:`Busy`, which the
edges answer as 503 with ``Retry-After``. The endpoints are plain ``def`` functions, so the work itself
runs in the server's thread pool, never on the event loop; the gate keeps a flood of it from taking every
thread and every megabyte.

:class:`RateLimit` is a per-client token bucket (the client's address) for work that should not be
repeatable at will by one caller even when the gate has room (the ID check: every guess costs the
guesser little and the server an Argon2id hash).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Final, TypeVar

from vccore.errors import Code, SkillcredError

RETRY_AFTER: Final = "2"
T = TypeVar("T")


class Busy(SkillcredError):
    """Try again later: a full gate (HTTP ``status`` 503) or a client out of tokens (429), with the
    seconds to wait for ``Retry-After``."""

    code = Code.STORE_BUSY

    def __init__(self, detail: str, *, retry_after: str = RETRY_AFTER, status: int = 503) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.status = status


def _lower_priority(nice: int) -> None:
    """Make the calling thread ``nice`` steps nicer (Linux schedules threads one by one; elsewhere a no-op)."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except (AttributeError, OSError):
        pass


class WorkGate:
    """At most ``active`` holders and ``waiting`` waiters; a waiter gives up after ``wait`` seconds."""

    def __init__(self, name: str, *, active: int, waiting: int, wait: float, nice: int = 10) -> None:
        if active < 1 or waiting < 0 or wait < 0:
            raise ValueError(f"{name}: active >= 1, waiting >= 0 and wait >= 0, got {active}, {waiting}, {wait}")
        self.name = name
        self.active = active
        self.waiting = waiting
        self.wait = wait
        self._slots = threading.BoundedSemaphore(active)
        self._lock = threading.Lock()
        self._queued = 0
        # the work itself runs on ``active`` threads of the gate's own: the allocator keeps one arena per
        # thread that ever ran it, so a large decode on any of the server's 40 threads would leave memory
        # behind on each of them. Those threads run at a lower priority (``nice``), so that strangers'
        # decoding and hashing take CPU time honest verifications do not want, not the time they need.
        self._pool = ThreadPoolExecutor(
            max_workers=active, thread_name_prefix=f"gate-{name}", initializer=_lower_priority, initargs=(nice,)
        )

    def full(self) -> bool:
        """Whether a request arriving now would be refused (a peek for answering before reading a body)."""
        with self._lock:
            return self._slots._value == 0 and self._queued >= self.waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the body of the ``with``; :class:`Busy` when there is none to be had."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._queued >= self.waiting:
                    raise Busy(f"too many {self.name} requests at once; try again shortly")
                self._queued += 1
            try:
                got = self._slots.acquire(timeout=self.wait)
            finally:
                with self._lock:
                    self._queued -= 1
            if not got:
                raise Busy(f"too many {self.name} requests at once; try again shortly")
        try:
            yield
        finally:
            self._slots.release()

    def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a slot, on one of the gate's own threads; :class:`Busy` when there is no slot."""
        with self.slot():
            return self._pool.submit(work).result()


class RateLimit:
    """A token bucket per client: ``burst`` at once, then ``per_minute``; at most ``clients`` remembered
    (the least recently seen are forgotten). Durations come from ``monotonic``."""

    def __init__(
        self,
        name: str,
        *,
        per_minute: float,
        burst: int,
        clients: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1 or clients < 1:
            raise ValueError(f"{name}: per_minute > 0, burst >= 1 and clients >= 1")
        self.name = name
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clients = clients
        self._now = monotonic
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allows(self, client: str) -> bool:
        """Whether ``client`` has a token now (a peek: nothing is spent)."""
        now = self._now()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - then) * self.rate) >= 1.0

    def take(self, client: str) -> None:
        """Spend one token of ``client``'s bucket, or raise :class:`Busy` saying when to come back."""
        now = self._now()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                wait = max(1, int((1.0 - tokens) / self.rate + 0.999))
                raise Busy(
                    f"too many {self.name} requests from this client; wait {wait} s", retry_after=str(wait), status=429
                )
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)

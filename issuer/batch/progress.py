"""A small progress bar on stderr: count, percentage, rate and ETA, redrawn at most ten times a second.

On a terminal it redraws one line in place; otherwise (a pipe, a log file, a test) it stays quiet
and writes only the final line, so logs get one summary instead of thousands of carriage returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 28


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """``advance(n)`` as work completes, ``finish(message)`` once at the end."""

    def __init__(
        self,
        total: int,
        *,
        label: str = "",
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
        shared: Callable[[], int] | None = None,
        shared_interval: float = 1.0,
    ) -> None:
        if total < 0:
            raise ValueError(f"total: expected a non-negative count, got {total!r}")
        self.total = total
        self.done = 0
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self._tty = tty if tty is not None else bool(getattr(self._stream, "isatty", lambda: False)())
        self._clock = clock
        self._interval = interval
        self._start = clock()
        self._drawn = -interval
        # a batch shared with other processes: how many rows all of them have done (a registry query, asked
        # at most every ``shared_interval`` seconds)
        self._shared = shared
        self._shared_interval = shared_interval
        self._shared_seen: tuple[float, int] | None = None

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """The bar as text, e.g. ``[#####-----] 500/1000  50%  123.4/s  ETA 0:04``."""
        fraction = self.done / self.total if self.total else 1.0
        filled = int(WIDTH * fraction)
        rate = self.rate
        eta = _clock((self.total - self.done) / rate) if rate > 0 else "?"
        head = f"{self.label} " if self.label else ""
        line = (
            f"{head}[{'#' * filled}{'-' * (WIDTH - filled)}] {self.done}/{self.total} {fraction:4.0%} "
            f"{rate:7.1f}/s  ETA {eta}"
        )
        if self._shared is not None:
            line += f"  all processes 所有进程: {self.shared_done()}/{self.total}"
        return line

    def shared_done(self) -> int:
        """Rows done by every process of a shared batch (this one's count when not shared)."""
        if self._shared is None:
            return self.done
        now = self._clock()
        if self._shared_seen is None or now - self._shared_seen[0] >= self._shared_interval:
            self._shared_seen = (now, self._shared())
        return self._shared_seen[1]

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        if not self._tty:
            return
        now = self._clock()
        if now - self._drawn >= self._interval or self.done == self.total:
            self._drawn = now
            self._stream.write("\r" + self.line())
            self._stream.flush()

    def finish(self, message: str) -> None:
        """End the bar (on a terminal) and write ``message`` with the elapsed time and mean rate."""
        if self._tty:
            self._stream.write("\r" + self.line() + "\n")
        self._stream.write(f"{message} in {self.elapsed:.1f} s ({self.rate:.1f}/s)\n")
        self._stream.flush()

"""The clock's home: the only module that reads the wall clock.

Every component that decides something by the time (issuing, verifying, expiring a challenge, caching a
status list, stamping an event) takes a :data:`Clock` at construction and calls it; the composition
roots (the ``skillcred`` command's ``main``, ``skillcred demo``) hand them :func:`system_clock`, tests a
fixed one. ``tests/test_clock.py`` fails when any other module reads the wall clock (``datetime.now``,
``time.time`` and their kin) or calls :func:`system_clock` itself, so the time a decision uses is always
the one its caller chose (issue 11: an API that stamped the real time while its tests verified as of a
fixed date). Durations (``time.monotonic``, ``time.perf_counter``) are measurements, not decisions, and
may be read anywhere.

The command-line apps find their clock in the click context: :func:`runtime_clock` looks up the
:class:`Runtime` the root command was given (``cli(obj=Runtime(clock=...))``) without importing click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

#: A source of the current time, timezone-aware.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, in UTC. Pass it (never call it) where a component needs a clock."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment: a clock's time must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers ``moment`` (a verifier's ``--now``, a demo seeded at one instant, tests)."""
    frozen = _aware(moment)

    def clock() -> datetime:
        return frozen

    return clock


class SettableClock:
    """A clock whose time is set by its owner (tests that move time forward step by step)."""

    def __init__(self, moment: datetime) -> None:
        self.now = _aware(moment)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Runtime:
    """What the composition root hands the command-line apps: today only the clock."""

    clock: Clock


_META_KEY = "skillcred.runtime"


class _Context(Protocol):
    """What is used of a ``click.Context`` (duck-typed: vccore imports no CLI framework)."""

    obj: Any

    @property
    def meta(self) -> dict[str, Any]: ...

    def find_object(self, object_type: type[Any]) -> Any: ...


def keep_runtime(ctx: _Context) -> None:
    """Remember the :class:`Runtime` before a command group replaces ``ctx.obj`` with its own state
    (click shares ``meta`` along the whole context chain)."""
    if isinstance(ctx.obj, Runtime):
        ctx.meta[_META_KEY] = ctx.obj


def runtime_clock(ctx: _Context) -> Clock:
    """The clock of the :class:`Runtime` the root command was invoked with.

    Raises ``RuntimeError`` when there is none: a command that reads the time must be composed with a
    clock on purpose (``skillcred``'s ``main`` passes :func:`system_clock`, tests a fixed clock)."""
    runtime = ctx.find_object(Runtime) or ctx.meta.get(_META_KEY)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("no clock: invoke the command with obj=Runtime(clock=...)")
    return runtime.clock

"""Shared helpers for the benchmarks: medians and ratios measured in one run (machines are shared and
noisy, so an absolute time means little; the ratios are what the targets are about)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def median_seconds(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def interleaved_medians(fns: dict[str, Callable[[], object]], *, rounds: int = 30, warmup: int = 3) -> dict[str, float]:
    """Run the candidates in turn, round after round, so that machine noise hits all alike (the medians of
    :func:`interleaved_samples`)."""
    samples = interleaved_samples(fns, rounds=rounds, warmup=warmup)
    return {k: statistics.median(v) for k, v in samples.items()}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def interleaved_samples(
    fns: dict[str, Callable[[], object]], *, rounds: int = 30, warmup: int = 3
) -> dict[str, list[float]]:
    """Like :func:`interleaved_medians`, but every sample (seconds), for medians with their spread."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return samples


def spread(samples: Sequence[float], *, scale: float = 1000.0, unit: str = "ms", digits: int = 1) -> str:
    """``median (p25–p75)`` of ``samples`` (seconds, shown in ``unit``)."""
    q = statistics.quantiles(samples, n=4, method="inclusive") if len(samples) > 1 else [samples[0]] * 3
    return f"{q[1] * scale:.{digits}f} {unit} ({q[0] * scale:.{digits}f}–{q[2] * scale:.{digits}f})"


def ratio_spread(top: Sequence[float], bottom: Sequence[float]) -> str:
    """The median of the round-by-round ratios ``top[i] / bottom[i]`` with their p25–p75."""
    ratios = [a / b for a, b in zip(top, bottom, strict=True)]
    return spread(ratios, scale=1.0, unit="x", digits=2)

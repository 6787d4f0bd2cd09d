"""The wall clock is read in one place (:mod:`vccore.clock`); every other module gets a clock injected.

Issue 11: the issuer API stamped ``proof.created`` with the real time while its tests verified as of a
fixed date, so the suite broke as soon as the calendar moved on. This test walks the source of every
package, the tests and the benchmarks, and fails on any read of the wall clock outside the clock's home:
``datetime.now``/``utcnow``/``today``, ``date.today``, ``time.time`` and its kin, and a *call* of
``system_clock`` (composition roots pass the function, they never call it). Durations
(``time.monotonic``, ``time.perf_counter``) are measurements, not decisions, and stay allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import CLOCK, NOW, invoke
from vccore.clock import Runtime, SettableClock, fixed_clock, keep_runtime, runtime_clock, system_clock

REPO = Path(__file__).resolve().parents[1]
HOME = REPO / "vccore" / "clock.py"
PACKAGES = ("contexts", "vccore", "issuer", "verifier", "wallet_demo", "skillcred", "tests", "bench")
WALL_TIME = frozenset({"time", "time_ns", "localtime", "gmtime", "ctime", "asctime"})
DATE_READS = frozenset({"now", "utcnow", "today"})


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((REPO / package).rglob("*.py"))


def wall_clock_reads(source: str) -> list[str]:
    """``line: what`` for each read of the wall clock in ``source`` (a module's text)."""
    tree = ast.parse(source)
    date_names = {"datetime", "date"}  # the datetime module, or its classes imported under these names
    time_names = {"time"}
    bare_time: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            date_names |= {a.asname or a.name for a in node.names if a.name in ("datetime", "date")}
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            bare_time |= {a.asname or a.name for a in node.names if a.name in WALL_TIME}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "time":
                    time_names.add(alias.asname or "time")
                elif alias.name == "datetime":
                    date_names.add(alias.asname or "datetime")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
            if node.attr in DATE_READS and base_name in date_names:
                found.append(f"{node.lineno}: {base_name}.{node.attr}")
            elif node.attr in WALL_TIME and isinstance(base, ast.Name) and base.id in time_names:
                found.append(f"{node.lineno}: {base.id}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in bare_time:
            found.append(f"{node.lineno}: {node.id} (from time)")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "system_clock":
                found.append(f"{node.lineno}: system_clock() called")
    return sorted(set(found), key=lambda s: int(s.split(":")[0]))


def test_no_module_but_the_clocks_home_reads_the_wall_clock() -> None:
    offenders = {}
    for path in _sources():
        if path == HOME:
            continue
        reads = wall_clock_reads(path.read_text(encoding="utf-8"))
        if reads:
            offenders[str(path.relative_to(REPO))] = reads
    assert offenders == {}, "read the time from an injected clock (vccore.clock), not the wall clock"
    home = wall_clock_reads(HOME.read_text(encoding="utf-8"))
    assert [read.split(": ", 1)[1] for read in home] == ["datetime.now"]  # once, in system_clock


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()",
        "from datetime import datetime, UTC\nx = datetime.now(UTC)",
        "import datetime\nx = datetime.datetime.now()",
        "import datetime as dt\nx = dt.datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "from datetime import datetime as D\nclock = D.now",
        "import time\nx = time.time()",
        "import time as t\nx = t.time_ns()",
        "from time import time\nx = time()",
        "from time import time as wall\nx = wall()",
        "from vccore.clock import system_clock\nx = system_clock()",
        "import vccore.clock\nx = vccore.clock.system_clock()",
    ],
)
def test_the_guard_sees_each_spelling_of_a_wall_clock_read(source: str) -> None:
    assert wall_clock_reads(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import time\nstart = time.monotonic()\nelapsed = time.perf_counter() - start",
        "from vccore.clock import system_clock\nmain(clock=system_clock)",
        "def f(clock):\n    return clock()",
        "from datetime import datetime\nx = datetime.fromisoformat('2026-11-30T12:00:00+00:00')",
    ],
)
def test_measurements_and_injected_clocks_are_allowed(source: str) -> None:
    assert wall_clock_reads(source) == []


def test_clocks() -> None:
    assert fixed_clock(NOW)() == NOW == CLOCK()
    settable = SettableClock(NOW)
    assert settable.advance(minutes=5) == settable() and (settable() - NOW).total_seconds() == 300
    with pytest.raises(ValueError, match="timezone-aware"):
        fixed_clock(NOW.replace(tzinfo=None))


def test_a_command_finds_the_clock_it_was_invoked_with_also_below_a_group_with_its_own_state() -> None:
    import click

    seen = []

    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        keep_runtime(ctx)
        ctx.obj = {"own": "state"}

    @group.command()
    @click.pass_context
    def leaf(ctx: click.Context) -> None:
        seen.append(runtime_clock(ctx)())

    assert invoke(group, ["leaf"]).exit_code == 0 and seen == [NOW]
    later = fixed_clock(NOW.replace(year=2030))
    assert invoke(group, ["leaf"], clock=later).exit_code == 0 and seen[-1].year == 2030
    assert invoke(group, ["leaf"], clock=system_clock).exit_code == 0 and seen[-1].tzinfo is not None
    bare = click.testing.CliRunner().invoke(group, ["leaf"])
    assert isinstance(bare.exception, RuntimeError) and "no clock" in str(bare.exception)
    assert Runtime(clock=CLOCK).clock is CLOCK

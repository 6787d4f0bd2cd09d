"""Helpers every test may share: the fixed time tests decide by, and invoking a command with a clock.

No test reads the wall clock and a fixed date together: a component under test gets :data:`CLOCK` (or a
clock of the test's own) and the test checks its answer against that same clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click
from click.testing import CliRunner, Result

from vccore.clock import Clock, Runtime, fixed_clock

#: The instant the tests live at (a Monday; the shared samples' credentials are all older).
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CLOCK: Clock = fixed_clock(NOW)


def invoke(command: click.Command, args: Sequence[str], *, clock: Clock = CLOCK, **kwargs: Any) -> Result:
    """Run ``command`` through click's runner as the ``skillcred`` root would, with ``clock``."""
    return CliRunner().invoke(command, list(args), obj=Runtime(clock=clock), **kwargs)

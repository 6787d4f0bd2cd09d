"""The batch's worker pool: a worker that dies is reported as a problem, not as a crash of the CLI."""

from __future__ import annotations

import signal

import pytest

from issuer.workers import Workers
from vccore.errors import Code, SkillcredError


def test_a_worker_that_dies_is_a_proof_generation_error_naming_its_exit_code() -> None:
    pool = Workers(1)
    try:
        worker = pool._procs[0]
        worker.kill()
        worker.join(timeout=10)
        with pytest.raises(SkillcredError, match=rf"exit code -{int(signal.SIGKILL)}.*run the batch again") as info:
            pool.next_result()
        assert info.value.code is Code.PROOF_GENERATION_ERROR
    finally:
        pool.close()


def test_closing_a_pool_that_never_began_stops_its_workers_cleanly() -> None:
    pool = Workers(2)
    pool.close()
    assert [proc.exitcode for proc in pool._procs] == [0, 0]

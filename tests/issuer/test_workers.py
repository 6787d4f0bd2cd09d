"""The batch's worker pool: a worker that dies is reported as a problem, not as a crash of the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from issuer.batch.workers import Workers
from vccore.errors import Code, SkillcredError

REPO = Path(__file__).resolve().parents[2]


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


_PARENT = """
import os, struct, sys, time
from issuer.batch.workers import Workers
from issuer.profile import IssuerProfile
from issuer.signing import TEST_HASH, SignerSetup
from tests.support import NOW
from vccore.jsonld.loader import DocumentLoader

pool = Workers(1)
profile = IssuerProfile("did:web:issuer.example.test", "https://issuer.example.test", "甲", "A")
pool.begin(SignerSetup(os.urandom(32), "did:web:issuer.example.test#k", "did:web:issuer.example.test", profile,
                       DocumentLoader(), TEST_HASH, NOW))
while not pool.ready():
    time.sleep(0.05)
# the first bytes of a chunk, as if this process were killed halfway through writing it
os.write(pool._tasks._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 64)
print(pool._procs[0].pid, flush=True)
time.sleep(60)
"""


def test_a_worker_blocked_on_a_half_written_chunk_exits_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT], cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        time.sleep(0.5)  # the worker is now waiting for the rest of the message
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived its parent"
    finally:
        if parent.stdout is not None:
            parent.stdout.close()
        try:
            os.killpg(parent.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False

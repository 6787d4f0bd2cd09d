"""``make browser`` waits for another install that holds the package manager's lock, bounded, and says so."""

from __future__ import annotations

import fcntl
import importlib.util
import multiprocessing
import os
import time
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system_packages.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("system_packages", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hold(path: str, seconds: float, ready: multiprocessing.synchronize.Event) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.lockf(fd, fcntl.LOCK_EX)  # the kind of lock dpkg and apt take
    ready.set()
    time.sleep(seconds)
    os.close(fd)


def _holder(path: Path, seconds: float) -> multiprocessing.process.BaseProcess:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(path), seconds, ready))
    proc.start()
    assert ready.wait(30)
    return proc


def test_it_waits_while_another_process_holds_the_lock_and_goes_on_when_it_is_released(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "lock-frontend"
    proc = _holder(lock, 1.5)
    start = time.monotonic()
    assert _script().wait_for_locks(30, poll=0.1, locks=(str(lock),)) is True
    waited = time.monotonic() - start
    proc.join()
    assert 0.5 < waited < 10
    assert "another install is running" in capsys.readouterr().err


def test_it_gives_up_after_the_bound_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "lock"
    proc = _holder(lock, 5)
    start = time.monotonic()
    assert _script().wait_for_locks(0.5, poll=0.1, locks=(str(lock),)) is False
    assert time.monotonic() - start < 4
    proc.terminate()
    proc.join()
    err = capsys.readouterr().err
    assert "gave up after 0 s waiting for the package manager lock" in err and "APT_LOCK_WAIT" in err


def test_a_free_or_absent_lock_does_not_wait(tmp_path: Path) -> None:
    (tmp_path / "free").write_bytes(b"")
    start = time.monotonic()
    assert _script().wait_for_locks(5, locks=(str(tmp_path / "free"), str(tmp_path / "absent"))) is True
    assert time.monotonic() - start < 1

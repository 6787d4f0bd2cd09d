"""``skillcred`` imports only what the command needs (issue 19): the root's help and ``skillcred verify``
load neither the PostgreSQL driver nor the issuer's batch code (the root loads its commands when asked,
:data:`skillcred.cli.COMMANDS`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO
from tests.world import EVAL, issued_credential

#: run the command as ``python -m skillcred`` does, then print the modules it loaded (one a line) on stderr
_PROBE = """
import runpy, sys
sys.argv = ["skillcred", *sys.argv[1:]]
try:
    runpy.run_module("skillcred", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("\\n".join(sorted(sys.modules)) + "\\n")
"""
HEAVY = ("psycopg", "psycopg_pool", "issuer.batch", "issuer.store.pg", "starlette", "uvicorn")


def loaded(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    return done.stdout, {line for line in done.stderr.splitlines() if line and " " not in line}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY)))


def test_the_root_help_lists_every_command_without_loading_the_issuer_batch_or_a_database_driver() -> None:
    out, modules = loaded("--help")
    for name in ("issuer", "verifier", "verify", "wallet", "keys", "sign", "qr", "explain", "demo"):
        assert f"  {name} " in out, out
    assert not [m for m in modules if m.startswith(("psycopg", "issuer.batch"))]


def test_verify_loads_only_the_verifier(tmp_path: Path) -> None:
    source = tmp_path / "credential.json"
    source.write_text(
        json.dumps(issued_credential("P1", 0, EVAL, "urn:uuid:8a1c1f36-6a0c-4f52-9d2e-3f0b1b5a2c19")), encoding="utf-8"
    )
    out, modules = loaded("verify", str(source), "--trust", "any")
    assert "urn:" in out  # a verdict was printed
    assert heavy(modules) == []
    assert not [m for m in modules if m.startswith(("issuer", "wallet_demo", "skillcred.demo", "skillcred.qr_cli"))]


@pytest.mark.parametrize("command", [["issuer", "--help"], ["issuer", "batch", "--help"]])
def test_the_issuer_help_loads_no_database_driver(command: list[str]) -> None:
    out, modules = loaded(*command)
    assert "Usage:" in out
    assert not [m for m in modules if m.startswith(("psycopg", "issuer.store.pg"))]

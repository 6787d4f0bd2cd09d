"""``skillcred demo`` fit for a phone on the same network (issue 14): a busy port is refused before anything
is seeded; ``--base-url`` gives the printed and embedded URLs; the demo leaves a trust pack, its root DID and
``commands.txt`` (offline checks that run and succeed); served on all interfaces it says how a phone reaches
it, a revocation made on the issuer shows at the verifier within a minute, and its temporary world is
removed when it stops."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from skillcred.cli import cli
from skillcred.world import DEMO_PASSPHRASE
from tests.support import REPO, invoke


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_busy_port_is_refused_before_anything_is_seeded(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke(cli, ["demo", "--port", str(port), "--home", str(tmp_path / "world")])
    assert result.exit_code == 1, result.output
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr and "Nothing was seeded" in result.stderr
    assert "Traceback" not in result.output and "Errno 98" not in result.output
    assert not (tmp_path / "world").exists() and "seeding" not in result.output


def test_base_url_gives_the_urls_and_the_demo_writes_offline_checks_that_run(tmp_path: Path) -> None:
    home = tmp_path / "world"
    base = "http://192.168.1.20:8400"
    result = invoke(cli, ["demo", "--seed-only", "--home", str(home), "--base-url", base])
    assert result.exit_code == 0, result.output
    urls = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("http")]
    assert urls and all(u.startswith(base + "/") for u in urls), urls
    assert "localhost" not in result.stdout
    credential = json.loads((home / "credentials" / "p1-1.json").read_text(encoding="utf-8"))
    assert all(
        e["statusListCredential"].startswith(f"{base}/issuers/machine/status/") for e in credential["credentialStatus"]
    )
    root = (home / "root-did.txt").read_text(encoding="utf-8").strip()
    assert json.loads((home / "trust-pack.json").read_text(encoding="utf-8"))["root"] == root
    lines = [
        line
        for line in (home / "commands.txt").read_text(encoding="utf-8").splitlines()
        if line and line[0] != "#" and not line.startswith("PATH=")
    ]
    assert sum(line.startswith("skillcred verify ") for line in lines) == 4
    assert sum(line.startswith("skillcred explain ") for line in lines) == 3
    for line in lines:
        args = shlex.split(line)
        assert args[0] == "skillcred"
        ran = invoke(cli, args[1:])
        assert ran.exit_code == 0, f"{line}\n{ran.output}"


def test_seed_only_needs_a_home(tmp_path: Path) -> None:
    result = invoke(cli, ["demo", "--seed-only"])
    assert result.exit_code == 2 and "--seed-only needs --home" in result.output


def _post(url: str, body: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as err:
        return dict(json.loads(err.read()))


def test_a_served_demo_says_how_to_reach_it_shows_a_revocation_soon_and_removes_its_world() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillcred", "demo", "--host", "0.0.0.0", "--port", str(port)],
        cwd=REPO,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    home: Path | None = None
    out: list[str] = []
    err: list[str] = []
    drains = [
        threading.Thread(target=lambda p=pipe, lines=lines: lines.extend(p or ()), daemon=True)
        for pipe, lines in ((proc.stdout, out), (proc.stderr, err))
    ]
    for drain in drains:
        drain.start()
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("Demo data only") for line in out):
            assert time.monotonic() < deadline and proc.poll() is None, "".join(out + err)
            time.sleep(0.1)
        found = re.search(r"seeding the demo world in (\S+) ", "".join(err))
        assert found, err
        home = Path(found.group(1))
        assert home.name.startswith("skillcred-demo-")
        assert f"--base-url http://<this computer's address on the network>:{port}" in "".join(err), err
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the demo did not come up"
                time.sleep(0.2)
        credential = json.loads((home / "credentials" / "p1-1.json").read_text(encoding="utf-8"))
        first = _post(f"{base}/credentials/verify", {"verifiableCredential": credential})
        assert first["verified"] is True, first
        revoke = subprocess.run(
            [
                sys.executable,
                "-m",
                "skillcred",
                "issuer",
                "--home",
                str(home / "issuers" / "machine"),
                "revoke",
                "--yes",
                credential["id"],
            ],
            cwd=REPO,
            env=dict(os.environ, SKILLCRED_PASSPHRASE=DEMO_PASSPHRASE),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert revoke.returncode == 0, revoke.stderr
        revoked_at = time.monotonic()
        while True:
            answer = _post(f"{base}/credentials/verify", {"verifiableCredential": credential})
            if not answer["verified"]:
                break
            assert time.monotonic() - revoked_at < 60, "the revocation did not show within a minute"
            time.sleep(1)
        assert "REVOKED" in json.dumps(answer)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for drain in drains:
            drain.join(timeout=10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    assert home is not None and not home.exists(), f"{home} was left behind"

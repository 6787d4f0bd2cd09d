"""The README is executable (issue 14): every ```` ```sh ```` block of README.md, and of the docs it sends
users to (each ``docs/*.md`` it names), runs as written, in order, through the real ``skillcred`` console
script of this virtual environment, in a scratch directory: the working directory is empty but for links to
the clone's top-level files (so ``issuer/data/sample-skill-level.csv`` is there, as in a clone), ``HOME``,
``SKILLCRED_HOME`` and ``TMPDIR`` point into ``tmp_path``, and no ``SKILLCRED_*`` variable is inherited.

The convention (also written near the top of the README's tour):

* A value an earlier command printed is kept in a shell variable and used later:
  ``ROOT=$(skillcred keys generate --out root.json --print-did)``, then ``--root "$ROOT"``. All blocks of a
  document run in one ``bash`` with ``set -eo pipefail``, so variables carry over and every command must
  succeed. A run block has no ``…`` placeholder outside its comments.
* ``<!-- readme-test: skip REASON -->`` on the line before a block: the block is not run (the reason is
  required). Used sparingly: ``make test`` (it runs this test), PostgreSQL on another host, a command that
  would revoke the tour's own credentials.
* ``<!-- readme-test: server PORT -->`` before a block of one command: the command starts in the background;
  the next block runs once ``127.0.0.1:PORT`` answers an HTTP request; it is stopped (SIGTERM) after the last
  block. PORT is replaced by a free port in every run block of the document, so a busy port on this
  machine cannot break or fool the test. A run block may not start a server (``make``, ``skillcred demo``,
  ``issuer serve``, ``verifier serve``) without this marker.

The demo also writes ``commands.txt`` into its home; the README runs it (``sh demo-world/commands.txt``),
so its ready-to-run verify and explain lines are run and must succeed here too.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO

README = REPO / "README.md"
FENCE = re.compile(r"^```(\S*)")
MARK = re.compile(r"^<!--\s*readme-test:\s*(\S+)\s*(.*?)\s*-->\s*$")
SERVER_COMMAND = re.compile(r"(^|[;&|(]\s*)(make\b|skillcred\s+(demo|issuer\s+serve|verifier\s+serve)\b)")
SHELL = ("sh", "bash", "shell", "console")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    text: str
    mark: str  # "" (run), "skip" or "server"
    arg: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of ``path``, each with the readme-test marker on the line before it (if any)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        mark = MARK.match(before)
        out.append(
            Block(
                path,
                start + 1,
                fence.group(1),
                "\n".join(body),
                mark.group(1) if mark else "",
                mark.group(2) if mark else "",
            )
        )
        i += 1
    return out


def documents() -> list[Path]:
    """README.md and each ``docs/*.md`` it names, in the order it names them."""
    named = re.findall(r"`(docs/[\w.-]+\.md)`", README.read_text(encoding="utf-8"))
    return [README, *(REPO / n for n in dict.fromkeys(named))]


def _code(line: str) -> str:
    """A line without its shell comment (a ``#`` after a space, outside quotes)."""
    quote = ""
    for n, c in enumerate(line):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (n == 0 or line[n - 1].isspace()):
            return line[:n]
    return line


def problems(path: Path) -> list[str]:
    """What breaks the convention in ``path``'s shell blocks."""
    found = []
    for b in blocks(path):
        if b.lang not in SHELL:
            if b.mark:
                found.append(f"{b.where}: a readme-test marker before a {b.lang or 'plain'} block")
            continue
        if b.lang != "sh":
            found.append(f"{b.where}: a shell block is fenced ```{b.lang}; use ```sh")
        if b.mark == "skip":
            if not b.arg:
                found.append(f"{b.where}: skip without a reason")
            continue
        if b.mark == "server":
            commands = [line for line in b.text.splitlines() if _code(line).strip()]
            if not b.arg.isdigit() or len(commands) != 1:
                found.append(f"{b.where}: a server block is one command after <!-- readme-test: server PORT -->")
        elif b.mark:
            found.append(f"{b.where}: unknown marker {b.mark!r}")
        for n, line in enumerate(b.text.splitlines(), start=b.line + 1):
            code = _code(line)
            if "…" in code:
                found.append(f"{path.name}:{n}: a placeholder (…) in a run block: {line.strip()}")
            if b.mark != "server" and SERVER_COMMAND.search(code):
                found.append(f"{path.name}:{n}: starts a server without <!-- readme-test: server PORT -->")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_PRELUDE = r"""set -eo pipefail
_servers=()
_stop() { for p in "${_servers[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait || true; }
trap _stop EXIT
_wait_port() {  # PORT PID: until 127.0.0.1:PORT answers HTTP, while the server lives (at most 180 s)
  for _ in $(seq 1 900); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
      printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      if read -r -t 2 _status <&3 && [[ $_status == HTTP/* ]]; then exec 3<&-; return 0; fi
      exec 3<&-
    fi
    if ! kill -0 "$2" 2>/dev/null; then echo "readme-test: the server exited before it listened" >&2; return 1; fi
    sleep 0.2
  done
  echo "readme-test: nothing listens on 127.0.0.1:$1" >&2; return 1
}
"""


def script(path: Path, logs: Path) -> str:
    """One bash script running ``path``'s run blocks in order (servers in the background)."""
    run = [b for b in blocks(path) if b.lang in SHELL and b.mark != "skip"]
    ports = {b.arg: str(_free_port()) for b in run if b.mark == "server"}
    parts = [_PRELUDE]
    for n, b in enumerate(run):
        text = b.text
        for old, new in ports.items():
            text = re.sub(rf"\b{old}\b", new, text)
        parts.append(f"echo '### {b.where}' >&2")
        if b.mark == "server":
            log = logs / f"server-{n}.log"
            parts.append(f"{_code(text).strip()} >{log} 2>&1 &\n_servers+=($!)\n_wait_port {ports[b.arg]} $!")
        else:
            parts.append(text)
    return "\n".join(parts) + "\n"


def _scratch(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, tmp):
        d.mkdir()
    for entry in REPO.iterdir():
        if (
            not entry.name.startswith(".")
            and entry.name not in ("test-artifacts",)
            and not entry.name.endswith("egg-info")
        ):
            (work / entry.name).symlink_to(entry)
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "skillcred").is_file(), f"no skillcred console script in {venv_bin}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKILLCRED_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "SKILLCRED_HOME": str(home / ".skillcred"),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
    }
    return work, env


def test_every_shell_block_runs_or_is_marked_with_a_reason() -> None:
    assert [p for p in documents() if not p.is_file()] == []
    found = [problem for path in documents() for problem in problems(path)]
    assert found == [], "\n".join(found)


def test_the_readme_and_its_docs_run_as_written(tmp_path: Path) -> None:
    for path in documents():
        assert problems(path) == [], "see test_every_shell_block_runs_or_is_marked_with_a_reason"
    work, env = _scratch(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    for n, path in enumerate(documents()):
        if not any(b.lang in SHELL and b.mark != "skip" for b in blocks(path)):
            continue
        (tmp_path / f"doc-{n}.sh").write_text(script(path, logs), encoding="utf-8")
        proc = subprocess.Popen(
            ["bash", str(tmp_path / f"doc-{n}.sh")],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            output, _ = proc.communicate(timeout=30)
        server_logs = "".join(
            f"\n--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in sorted(logs.iterdir())
        )
        assert proc.returncode == 0, f"{path.name} did not run as written:\n{output[-6000:]}{server_logs}"
    demo = work / "demo-world"
    assert (demo / "commands.txt").is_file() and (demo / "trust-pack.json").is_file()
    checks = [
        line
        for line in (demo / "commands.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("skillcred ")
    ]
    assert len(checks) >= 6  # run above by the README's `sh demo-world/commands.txt`
    assert (work / "recognition.json").is_file() and (work / "pack.json").is_file()

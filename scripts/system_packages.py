#!/usr/bin/env python3
"""Install the Debian packages the tests need (``make browser``), waiting for another install to finish.

Chromium for the page tests and a CJK font for pages and printouts come from the system packages, never
from a browser download. When another ``apt-get``/``dpkg`` holds the package manager's locks (a machine
that is still installing its own updates, a second ``make test``), this waits for them, at most
``APT_LOCK_WAIT`` seconds (default 600), saying once what it waits for and then how long it has waited;
past that it stops with a message naming the process that holds the lock, instead of letting every browser
test fail on a missing Chromium. Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGES = {"chromium": "chromium", "fonts-wqy-microhei": "wqy"}
LOCKS = ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock", "/var/lib/apt/lists/lock", "/var/cache/apt/archives/lock")
MANAGERS = ("apt", "apt-get", "aptitude", "dpkg", "unattended-upgr", "packagekitd")


def missing() -> list[str]:
    out = []
    if shutil.which("chromium") is None:
        out.append("chromium")
    try:
        fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout.lower()
    except OSError:
        fonts = ""
    if PACKAGES["fonts-wqy-microhei"] not in fonts:
        out.append("fonts-wqy-microhei")
    return out


def _held(path: str) -> bool:
    """Whether another process holds ``path``'s fcntl lock (the kind dpkg and apt take)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except PermissionError:
        return False  # not root: apt-get will say so itself
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _holders() -> str:
    names = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            comm = (proc / "comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith(MANAGERS):
            names.append(f"{comm} (pid {proc.name})")
    return ", ".join(names) or "an unknown process"


def wait_for_locks(limit: float, *, poll: float = 2.0, locks: tuple[str, ...] = LOCKS) -> bool:
    """True once none of ``locks`` is held; False (with a message) after ``limit`` seconds."""
    start = time.monotonic()
    announced = last = 0.0
    while True:
        busy = [path for path in locks if _held(path)]
        if not busy:
            return True
        waited = time.monotonic() - start
        if waited >= limit:
            print(
                f"make browser: gave up after {limit:.0f} s waiting for the package manager lock "
                f"({', '.join(busy)}) held by {_holders()}. Let it finish, then run `make test` again "
                f"(APT_LOCK_WAIT=SECONDS waits longer). / 系统软件包管理器一直被占用，请稍后重试。",
                file=sys.stderr,
            )
            return False
        if not announced:
            print(
                f"make browser: another install is running ({_holders()}); waiting for it, "
                f"at most {limit:.0f} s … / 正在等待其他安装结束 …",
                file=sys.stderr,
            )
            announced = last = waited or 0.001
        elif waited - last >= 30:
            print(f"make browser: still waiting ({waited:.0f} s of {limit:.0f} s)", file=sys.stderr)
            last = waited
        time.sleep(poll)


def main() -> int:
    needed = missing()
    if not needed:
        return 0
    limit = float(os.environ.get("APT_LOCK_WAIT", "600"))
    print(f"make browser: installing {' '.join(needed)} from the system packages", file=sys.stderr)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    timeout = [f"-oDPkg::Lock::Timeout={int(limit)}"]
    for _attempt in range(3):  # a lock taken between our look and apt's own is waited for again
        if not wait_for_locks(limit):
            return 1
        update = subprocess.run(["apt-get", *timeout, "update", "-qq"], env=env, check=False)
        if update.returncode == 0:
            install = subprocess.run(
                ["apt-get", *timeout, "install", "-y", "-qq", *needed], env=env, stdout=subprocess.DEVNULL, check=False
            )
            if install.returncode == 0 and not missing():
                return 0
        if not any(_held(path) for path in LOCKS):
            break
    print(
        f"make browser: could not install {' '.join(needed)} (apt-get failed; see above). The browser "
        "tests need them. / 无法安装浏览器测试所需的软件包。",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""docs/qr-sizes.md's table: what carrying a credential in a scan-page URL costs (vccore.qr.link).

Usage: ``python scripts/qr_sizes.py DEMO_HOME`` where DEMO_HOME holds a ``skillcred demo --home`` world; prints
one Markdown row per credential of the demo wallets: payload characters, URL characters, data bits, and the
QR version at levels M and L, bare and wrapped (``—`` above version 40)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vccore.errors import SkillcredError
from vccore.qr import payload as qr
from vccore.qr.capacity import required_version
from vccore.qr.link import wrap
from vccore.qr.matrix import link_version, segment_bits

SCAN_URLS = ("http://localhost:8400/", "https://verify.example.gov.cn/")


def _version(text: str, ec: str) -> str:
    try:
        return str(link_version(text, ec=ec, max_version=40))
    except SkillcredError:
        return "—"


def main() -> None:
    home = Path(sys.argv[1])
    print("| credential | payload chars | bare M / L | scan URL | URL chars | extra bits | wrapped M / L |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted((home / "wallets").glob("*/credentials/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        payload = qr.encode(document)
        kind = document["type"][-1]
        bare = f"{required_version(payload, 'M') or '—'} / {required_version(payload, 'L') or '—'}"
        for scan in SCAN_URLS:
            url = wrap(payload, scan)
            version = link_version(url, ec="L", max_version=40)
            extra = segment_bits(url, version) - segment_bits(payload, version)
            print(
                f"| {path.parts[-3]} {kind} | {len(payload)} | {bare} | `{scan}` | {len(url)} | {extra} "
                f"| {_version(url, 'M')} / {_version(url, 'L')} |"
            )


if __name__ == "__main__":
    main()

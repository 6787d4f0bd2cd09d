"""QR benchmark: payload codec, our rendering and reading, and qrcode's default path, in one run.

Run ``python -m bench.bench_qr [--repeat N]``. Prints a Markdown table of medians (milliseconds)
for the realistic full skill-level credential of :mod:`bench.samples` (P1 张试一: VC 2.0 and
skillcred contexts, bilingual names, an Argon2id identity hash, two status entries, a credential
schema), signed with an eddsa-rdfc-2022 DataIntegrityProof by a did:key. Its ``SC2:`` payload must
fit the phone-scannable limit (version <= 25-M); the payload size without the preset dictionary
is printed for comparison. The render target is that ours takes at most 0.5 x the time of
``qrcode.make(payload)`` (the library's default path: best-fit version search,
byte/alphanumeric chunking, all eight masks scored by its Python penalty code).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import qrcode

from bench.samples import skill_level_credential
from vccore import jsonstrict
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.qr import base45
from vccore.qr import capacity as qrcapacity
from vccore.qr import matrix as qrmatrix
from vccore.qr import payload as qr
from vccore.qr import read as qrread
from vccore.qr import render as qrrender


def full_skill_level_credential() -> dict[str, Any]:
    """The realistic skill-level credential, signed (deterministic: fixed key and time)."""
    signer = did_key_pair(KeyPair.from_seed(b"\x01" * 32))
    return add_proof(
        skill_level_credential(signer.controller),
        signer=signer,
        loader=DocumentLoader(),
        options=ProofOptions(created=datetime(2023, 6, 30, 8, tzinfo=UTC)),
    )


def payload_without_dictionary(doc: dict[str, Any]) -> str:
    """The same document as the unreleased version 1 wrote it (DEFLATE without the dictionary)."""
    compressor = zlib.compressobj(level=9, wbits=-15, memLevel=9)
    raw = jsonstrict.dumps_compact(doc).encode("utf-8")
    return "SC1:" + base45.b45encode(compressor.compress(raw) + compressor.flush())


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (per-version layouts, qrcode's blank symbols, imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _qrcode_png(payload: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(payload).save(out)
    return out.getvalue()


def bench(doc: dict[str, Any], max_version: int, repeat: int) -> list[tuple[str, float]]:
    payload = qr.encode(doc)
    png = qrrender.render_png(payload, box_size=4, max_version=max_version)
    mv = max_version
    steps: list[tuple[str, Callable[[], object]]] = [
        ("payload encode", lambda: qr.encode(doc)),
        ("payload decode", lambda: qr.decode(payload)),
        ("ours: symbol only (build_matrix)", lambda: qrmatrix.build_matrix(payload, max_version=mv)),
        ("ours: SVG render", lambda: qrrender.render_svg(payload, max_version=mv)),
        ("ours: PNG render (40 mm, 300 dpi)", lambda: qrrender.render_png(payload, max_version=mv)),
        ("ours: PNG render (4 px/module)", lambda: qrrender.render_png(payload, box_size=4, max_version=mv)),
        ("ours: zxing decode of the PNG", lambda: qrread.read_qr(png)),
        ("qrcode.make(payload)", lambda: qrcode.make(payload)),
        ("qrcode.make(payload) + PNG save", lambda: _qrcode_png(payload)),
    ]
    rows = [(name, median_ms(fn, repeat)) for name, fn in steps]
    assert qr.decode(qrread.read_qr(png)) == doc
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=21, help="repetitions per measurement (median)")
    args = parser.parse_args(argv)
    for title, doc, max_version in (
        ("full skill-level credential", full_skill_level_credential(), qrcapacity.DEFAULT_MAX_VERSION),
    ):
        payload = qr.encode(doc)
        version = qrcapacity.fit(payload, max_version=max_version)
        json_bytes = len(jsonstrict.dumps_compact(doc).encode("utf-8"))
        old = payload_without_dictionary(doc)
        print(
            f"\n### {title}: {json_bytes} B JSON -> {len(payload)} chars, version {version}-M "
            f"(without the dictionary: {len(old)} chars, version {qrcapacity.required_version(old)}-M)\n"
        )
        rows = bench(doc, max_version, args.repeat)
        timings = dict(rows)
        default = timings["qrcode.make(payload)"]
        default_png = timings["qrcode.make(payload) + PNG save"]
        print(f"| step (median of {args.repeat}) | ms | vs default path |")
        print("|---|---:|---:|")
        for name, ms in rows:
            if name.startswith("ours: PNG"):
                ratio = f"{ms / default_png:.2f} x make+PNG"
            elif name.startswith("ours: S"):
                ratio = f"{ms / default:.2f} x make"
            else:
                ratio = ""
            print(f"| {name} | {ms:.2f} | {ratio} |")
        worst = max(
            timings["ours: SVG render"] / default,
            timings["ours: PNG render (40 mm, 300 dpi)"] / default_png,
        )
        print(f"\nWorst render ratio: {worst:.2f} (target <= 0.5): {'OK' if worst <= 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""QR benchmark: payload codec, our rendering and reading, and qrcode's default path, in one run.

Run ``python -m bench.bench_qr [--repeat N]``. Prints a Markdown table of medians (milliseconds)
for two realistic credentials: one trimmed to fit the phone-scannable limit (version <= 25-M) and
a full ~3 KB one (allowed up to version 40 here only to measure). The target is that our render
takes at most 0.5 x the time of ``qrcode.make(payload)`` (the library's default path: best-fit
version search, byte/alphanumeric chunking, all eight masks scored by its Python penalty code).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import qrcode

from vccore import jsonstrict, qr, qrread, qrrender

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _proof_value() -> str:
    rnd = random.Random(1)
    return "".join(rnd.choice(B58) for _ in range(88))


def in_qr_credential() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://skillcred.example.cn/ctx/v1"],
        "id": "urn:uuid:6f1c2a9e-3b7d-4e2a-9c1f-8d5b0a7e4c21",
        "type": ["VerifiableCredential", "SkillLevelCredential"],
        "issuer": ISSUER,
        "validFrom": "2024-06-18T00:00:00Z",
        "validUntil": "2029-06-17T23:59:59Z",
        "credentialSubject": {
            "name": "张伟",
            "occupation": {"code": "6-28-01-14", "name": "电工"},
            "level": 3,
            "levelName": "高级工",
            "certificateNumber": "S000044030002243000123",
        },
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://skillcred.example.cn/status/3",
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-06-18T09:30:12Z",
            "verificationMethod": f"{ISSUER}#{ISSUER.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
            "proofValue": _proof_value(),
        },
    }


def full_credential() -> dict[str, Any]:
    doc = in_qr_credential()
    doc["issuer"] = {"id": ISSUER, "name": "广东省职业技能鉴定指导中心", "nameEn": "Guangdong OSTA Centre"}
    doc["credentialSubject"].update(
        {
            "id": "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
            "identityDigest": "sha256:9f2c4e1a7b3d5f60812a4c6e8b0d2f4153769a8c0e2b4d6f8a1c3e5b7d9f0a2c",
            "assessmentBody": "深圳市职业技能鉴定所（第三十二考点）",
            "assessmentDate": "2024-05-26",
            "scores": {"theory": 86, "practice": 91},
            "description": "能够独立完成低压配电系统的安装、调试与维护，熟悉电气安全规程，"
            "可指导初、中级电工开展工作。",
        }
    )
    doc["evidence"] = [
        {"type": ["Evidence", "TrainingRecord"], "name": name, "provider": provider, "hours": hours}
        for name, provider, hours in (
            ("低压电工作业安全技术培训", "深圳市第二高级技工学校", 96),
            ("高低压配电柜安装与调试实训", "广东省机电技师学院实训中心", 120),
            ("可编程控制器（PLC）应用技术", "华南理工大学继续教育学院", 64),
        )
    ]
    doc["credentialSchema"] = {
        "id": "https://skillcred.example.cn/schemas/skill-level-v1.json",
        "type": "JsonSchema",
    }
    return doc


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
        ("ours: symbol only (build_matrix)", lambda: qrrender.build_matrix(payload, max_version=mv)),
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
        ("in-QR credential", in_qr_credential(), qr.DEFAULT_MAX_VERSION),
        ("full credential (over the v25 limit; measured at up to v40)", full_credential(), 40),
    ):
        payload = qr.encode(doc)
        version = qr.fit(payload, max_version=max_version)
        json_bytes = len(jsonstrict.dumps_compact(doc).encode("utf-8"))
        print(f"\n### {title}: {json_bytes} B JSON -> {len(payload)} chars, version {version}-M\n")
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

"""QR payload codec, capacity table, mask choice, rendering and image decoding."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import re
import struct
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qrcode
import qrcode.base
import qrcode.util
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from tests.support import CONTEXTS, DATA, LOADER, NOW, sign
from tests.world import AUTH_CN, EVAL, HOLDER
from vccore import jsonstrict
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.errors import Code, ParseError, SkillcredError
from vccore.qr import base45
from vccore.qr import capacity as qrcapacity
from vccore.qr import dictionary as qrdict
from vccore.qr import matrix as qrmatrix
from vccore.qr import payload as qr
from vccore.qr import read as qrread
from vccore.qr import render as qrrender

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _proof_value(seed: int) -> str:
    """88 base58 characters, the length of a multibase (``z``) Ed25519 signature in practice."""
    rnd = random.Random(seed)
    return "".join(rnd.choice(B58) for _ in range(88))


def small_credential() -> dict[str, Any]:
    """A vocational skill credential trimmed for an in-QR copy (about 1.1 KB of JSON)."""
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
            "proofValue": _proof_value(1),
        },
    }


def full_credential(evidence: int = 3) -> dict[str, Any]:
    """A complete credential: status, schema, evidence, bilingual names (about 2-4 KB of JSON)."""
    courses = [
        ("低压电工作业安全技术培训", "深圳市第二高级技工学校", 96, "2023-09-04"),
        ("高低压配电柜安装与调试实训", "广东省机电技师学院实训中心", 120, "2023-11-20"),
        ("可编程控制器（PLC）应用技术", "华南理工大学继续教育学院", 64, "2024-01-15"),
        ("电气火灾预防与应急处置", "深圳市消防救援支队培训基地", 24, "2024-03-02"),
        ("建筑电气施工图识读与预算", "广州市建设职业培训学校", 48, "2024-04-11"),
        ("新能源汽车充电设施安装维护", "比亚迪汽车工业学院", 40, "2024-05-06"),
    ]
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://skillcred.example.cn/contexts/skill/v1",
        ],
        "id": "urn:uuid:6f1c2a9e-3b7d-4e2a-9c1f-8d5b0a7e4c21",
        "type": ["VerifiableCredential", "VocationalSkillLevelCredential"],
        "name": "职业技能等级证书",
        "issuer": {"id": ISSUER, "name": "广东省职业技能鉴定指导中心", "nameEn": "Guangdong OSTA Centre"},
        "validFrom": "2024-06-18T00:00:00Z",
        "validUntil": "2029-06-17T23:59:59Z",
        "credentialSubject": {
            "id": "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
            "name": "张伟",
            "identityDigest": "sha256:9f2c4e1a7b3d5f60812a4c6e8b0d2f4153769a8c0e2b4d6f8a1c3e5b7d9f0a2c",
            "achievement": {
                "type": "VocationalSkillLevel",
                "occupation": {"code": "6-28-01-14", "name": "电工", "nameEn": "Electrician"},
                "level": 3,
                "levelName": "高级工",
                "levelNameEn": "Senior worker",
                "certificateNumber": "S000044030002243000123",
                "assessmentBody": "深圳市职业技能鉴定所（第三十二考点）",
                "assessmentDate": "2024-05-26",
                "scores": {"theory": 86, "practice": 91, "comprehensive": 88.5},
                "description": "能够独立完成低压配电系统的安装、调试与维护，熟悉电气安全规程，"
                "可指导初、中级电工开展工作。",
            },
        },
        "evidence": [
            {
                "id": f"urn:uuid:0b7e{i:04d}-5d1c-4f7a-8e2b-{hashlib.sha256(name.encode()).hexdigest()[:12]}",
                "type": ["Evidence", "TrainingRecord"],
                "name": name,
                "provider": provider,
                "hours": hours,
                "completed": date,
            }
            for i, (name, provider, hours, date) in enumerate(courses[:evidence])
        ],
        "credentialStatus": {
            "id": "https://skillcred.example.cn/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://skillcred.example.cn/status/3",
        },
        "credentialSchema": {
            "id": "https://skillcred.example.cn/schemas/skill-level-v1.json",
            "type": "JsonSchema",
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-06-18T09:30:12Z",
            "verificationMethod": f"{ISSUER}#{ISSUER.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
            "proofValue": _proof_value(2),
        },
    }


def _json_size(doc: dict[str, Any]) -> int:
    return len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _deflate(data: bytes, zdict: bytes = qrdict.DICTIONARY) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=zdict)
    return c.compress(data) + c.flush()


def _doc_payload(raw_json: bytes) -> str:
    return qr.DOCUMENT_PREFIX + base45.b45encode(_deflate(raw_json))


def _png(img: Image.Image, fmt: str = "PNG", **kw: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kw)
    return out.getvalue()


def _blur_and_noise(png: bytes, *, radius: float, sigma: float, seed: int) -> bytes:
    img = Image.open(io.BytesIO(png)).convert("L").filter(ImageFilter.GaussianBlur(radius))
    rnd = random.Random(seed)
    noisy = bytes(max(0, min(255, round(p + rnd.gauss(0.0, sigma)))) for p in img.tobytes())
    return _png(Image.frombytes("L", img.size, noisy))


# --- fixtures' own sanity ---------------------------------------------------------------------


def test_fixtures_are_realistic() -> None:
    assert 1000 < _json_size(small_credential()) < 1600
    sizes = [_json_size(full_credential(n)) for n in (0, 3, 6)]
    assert 1900 < sizes[0] and sizes[-1] < 4096, sizes
    assert re.fullmatch(f"[{B58}]{{88}}", small_credential()["proof"]["proofValue"])


# --- codec round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [small_credential(), full_credential(0), full_credential(6)])
def test_codec_round_trip_keeps_content_and_key_order(doc: dict[str, Any]) -> None:
    payload = qr.encode(doc)
    assert payload.startswith("SC2:")
    assert re.fullmatch(r"[0-9A-Z $%*+\-./:]+", payload)
    back = qr.decode(payload)
    assert back == doc
    assert json.dumps(back, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False)  # order too
    assert qr.decode_any(payload) == qr.Decoded(document=doc)


def test_encode_is_deflate_of_compact_json() -> None:
    doc = small_credential()
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode("utf-8")
    body = base45.b45decode(qr.encode(doc).removeprefix("SC2:"))
    inflater = zlib.decompressobj(wbits=-15, zdict=qrdict.DICTIONARY)
    assert inflater.decompress(body) == raw and inflater.eof and not inflater.unused_data
    assert len(body) < len(_deflate(raw, b"")) * 0.6  # the dictionary is used


@pytest.mark.parametrize("bad", [{"x": float("nan")}, {"x": float("inf")}, {"x": {1, 2}}, {"x": "\ud800"}, [1, 2]])
def test_encode_refuses_non_json(bad: Any) -> None:
    with pytest.raises(SkillcredError) as info:
        qr.encode(bad)
    assert info.value.code is Code.MALFORMED_VALUE_ERROR


def test_encode_refuses_what_no_qr_code_holds() -> None:
    rnd = random.Random(5)
    doc = {"blob": "".join(rnd.choice(B58) for _ in range(4000))}
    with pytest.raises(SkillcredError) as info:
        qr.encode(doc)
    assert info.value.code is Code.QR_TOO_LARGE


# RFC 9285 section 4.3 examples.
@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
    ],
)
def test_base45_rfc9285_examples(raw: bytes, text: str) -> None:
    assert base45.b45encode(raw) == text
    assert base45.b45decode(text) == raw


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_base45_round_trip(data: bytes) -> None:
    assert base45.b45decode(base45.b45encode(data)) == data


# --- reference payloads -----------------------------------------------------------------------


def test_reference_round_trip() -> None:
    content = json.dumps(full_credential(6), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    url = "https://skillcred.example.cn/c/6f1c2a9e-3b7d-4e2a-9c1f-8d5b0a7e4c21?lang=zh-CN"
    payload = qr.encode_reference(url, digest.upper())
    assert payload.startswith("SCR1:")
    assert qrcapacity.fit(payload) <= 8  # a small, easily scanned code
    decoded = qr.decode_any(payload)
    assert decoded.document is None
    assert decoded.reference == qr.Reference(url=url, sha256=digest)
    assert decoded.reference.matches(content)
    assert not decoded.reference.matches(content + b" ")
    assert qr.decode_reference(payload) == decoded.reference
    with pytest.raises(ParseError, match=r"^PARSING_ERROR: payload is a reference, not a document \(use decode_any\)"):
        qr.decode(payload)  # a reference is not a document
    with pytest.raises(ParseError, match=r"^PARSING_ERROR: payload is not a reference payload \(expected 'SCR1:'\)"):
        qr.decode_reference(qr.encode(small_credential()))


@pytest.mark.parametrize(
    ("url", "digest"),
    [
        ("ftp://example.cn/x", "0" * 64),
        ("https:///no-host", "0" * 64),
        ("https://user:pw@example.cn/x", "0" * 64),
        ("https://example.cn/a b", "0" * 64),
        ("https://example.cn:99999/x", "0" * 64),
        ("/relative", "0" * 64),
        ("https://example.cn/x", "0" * 63),
        ("https://example.cn/x", "g" * 64),
    ],
)
def test_reference_refuses_bad_input(url: str, digest: str) -> None:
    with pytest.raises(SkillcredError) as info:
        qr.encode_reference(url, digest)
    assert info.value.code is Code.PARSING_ERROR


def test_reference_decode_checks_the_url() -> None:
    forged = qr.REFERENCE_PREFIX + base45.b45encode(bytes(32) + b"javascript:alert(1)")
    with pytest.raises(SkillcredError) as info:
        qr.decode_any(forged)
    assert info.value.code is Code.PARSING_ERROR
    with pytest.raises(SkillcredError, match=r"^PARSING_ERROR: reference payload too short for a digest and a URL"):
        qr.decode_any(qr.REFERENCE_PREFIX + base45.b45encode(bytes(32)))  # digest only


def test_decoded_holds_exactly_one_thing() -> None:
    with pytest.raises(ValueError, match=r"^Decoded needs exactly one of document and reference"):
        qr.Decoded()
    with pytest.raises(ValueError, match=r"^Decoded needs exactly one of document and reference"):
        qr.Decoded(document={}, reference=qr.Reference("https://a.cn/", "0" * 64))


# --- hostile payloads -------------------------------------------------------------------------


def _bomb() -> str:
    payload = _doc_payload(b'{"a":"' + b"0" * (2 * 1024 * 1024) + b'"}')
    assert len(payload) < 4 * 1024  # a few KB expanding to 2 MB
    return payload


def _hostile_cases() -> list[tuple[str, str, Code]]:
    good = qr.encode(small_credential())
    body = base45.b45decode(good.removeprefix("SC2:"))
    raw = json.dumps(small_credential(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    elsewhere = random.Random(3).randbytes(32 * 1024)  # a dictionary that is not ours
    cases = [
        ("wrong prefix", "XC1:" + good[4:], Code.PARSING_ERROR),
        ("no prefix", good[4:], Code.PARSING_ERROR),
        ("empty", "", Code.PARSING_ERROR),
        ("lowercase prefix", "sc2:" + good[4:], Code.PARSING_ERROR),
        ("pre-release version 1", "SC1:" + base45.b45encode(_deflate(raw, b"")), Code.PARSING_ERROR),
        ("next version", "SC3:" + good[4:], Code.PARSING_ERROR),
        ("reference version 2", "SCR2:" + good[4:], Code.PARSING_ERROR),
        ("version 999", "SC999:" + good[4:], Code.PARSING_ERROR),
        ("lowercase body", good[:10] + "abc" + good[13:], Code.PARSING_ERROR),
        ("hash in body", good[:10] + "#" + good[11:], Code.PARSING_ERROR),
        ("non-ascii in body", good[:10] + "Ａ" + good[11:], Code.PARSING_ERROR),
        ("truncated stream", "SC2:" + base45.b45encode(body[: len(body) // 2]), Code.PARSING_ERROR),
        ("truncated by one byte", "SC2:" + base45.b45encode(body[:-1]), Code.PARSING_ERROR),
        ("trailing data", "SC2:" + base45.b45encode(body + b"\x00"), Code.PARSING_ERROR),
        ("trailing second stream", "SC2:" + base45.b45encode(body + body), Code.PARSING_ERROR),
        ("empty stream", "SC2:", Code.PARSING_ERROR),
        ("not deflate", "SC2:" + base45.b45encode(b"\xff" * 40), Code.PARSING_ERROR),
        ("inflate bomb", _bomb(), Code.RESOURCE_LIMIT_EXCEEDED),
        ("dictionary bomb", _doc_payload(qrdict.DICTIONARY * 60), Code.RESOURCE_LIMIT_EXCEEDED),
        ("distance too far back", "SC2:" + base45.b45encode(_deflate(elsewhere[:200], elsewhere)), Code.PARSING_ERROR),
        ("base45 triple > 65535", "SC2:" + good[4:10] + "GGW" + good[13:], Code.PARSING_ERROR),
        ("base45 ':::'", "SC2::::", Code.PARSING_ERROR),
        ("base45 pair > 255", "SC2:" + base45.b45encode(body) + "::", Code.PARSING_ERROR),
        ("base45 odd leftover", "SC2:" + base45.b45encode(body) + "0", Code.PARSING_ERROR),
        ("overlong", "SC2:" + "0" * 4300, Code.RESOURCE_LIMIT_EXCEEDED),
        ("very overlong", "SC2:" + "#" * 10_000_000, Code.RESOURCE_LIMIT_EXCEEDED),
        ("NaN", _doc_payload(b'{"a":NaN}'), Code.PARSING_ERROR),
        ("Infinity", _doc_payload(b'{"a":-Infinity}'), Code.PARSING_ERROR),
        ("duplicate keys", _doc_payload(b'{"a":1,"b":{"c":1,"c":2}}'), Code.PARSING_ERROR),
        ("not an object", _doc_payload(b"[1,2,3]"), Code.PARSING_ERROR),
        ("not JSON", _doc_payload(b"{'a': 1}"), Code.PARSING_ERROR),
        ("not UTF-8", _doc_payload(b'{"a":"\xff\xfe"}'), Code.PARSING_ERROR),
        ("lone surrogate", _doc_payload(b'{"a":"\\ud800"}'), Code.PARSING_ERROR),
        ("deep nesting", _doc_payload(b"[" * 3000 + b"]" * 3000), Code.RESOURCE_LIMIT_EXCEEDED),
    ]
    return cases


HOSTILE = _hostile_cases()


@pytest.mark.parametrize(("name", "payload", "code"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_payloads_fail_fast_with_their_code(name: str, payload: str, code: Code) -> None:
    start = time.perf_counter()
    with pytest.raises(SkillcredError) as info:
        qr.decode(payload)
    elapsed = time.perf_counter() - start
    assert info.value.code is code, (name, info.value)
    assert elapsed < 0.1, f"{name} took {elapsed * 1000:.1f} ms"


def test_base45_group_check_is_exact() -> None:
    assert base45.b45decode("FGW") == b"\xff\xff"  # 15 + 45*21 + 2025*32 = 65535
    with pytest.raises(ParseError, match=r"^PARSING_ERROR: base45: group 'GGW' at 0 is larger than 65535"):
        base45.b45decode("GGW")  # 65536
    assert base45.b45decode("U5") == b"\xff"  # 30 + 45*5 = 255
    with pytest.raises(ParseError, match=r"^PARSING_ERROR: base45: final pair 'V5' is larger than 255"):
        base45.b45decode("V5")  # 256


def test_inflate_bomb_never_allocates_much_more_than_the_cap() -> None:
    bomb = _bomb()
    tracemalloc.start()
    try:
        with pytest.raises(SkillcredError) as info:
            qr.decode(bomb, max_inflated=64 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED
    assert peak < 512 * 1024, peak


def test_inflate_cap_is_exact() -> None:
    raw = b'{"a":"' + b"x" * 994 + b'"}'
    assert len(raw) == 1002
    payload = _doc_payload(raw)
    assert qr.decode(payload, max_inflated=1002) == {"a": "x" * 994}
    with pytest.raises(SkillcredError) as info:
        qr.decode(payload, max_inflated=1001)
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED


def test_decode_refuses_non_text() -> None:
    with pytest.raises(SkillcredError) as info:
        qr.decode(b"SC2:" + b"00")  # type: ignore[arg-type]
    assert info.value.code is Code.PARSING_ERROR


# --- capacity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "ec", "chars"),
    # ISO/IEC 18004:2015 Table 7, "Alphanumeric" column.
    [
        (1, "L", 25),
        (1, "M", 20),
        (1, "Q", 16),
        (1, "H", 10),
        (2, "M", 38),
        (10, "M", 311),
        (25, "L", 1853),
        (25, "M", 1451),
        (25, "Q", 1041),
        (25, "H", 779),
        (40, "L", 4296),
        (40, "M", 3391),
        (40, "Q", 2420),
        (40, "H", 1852),
    ],
)
def test_known_capacities(version: int, ec: str, chars: int) -> None:
    assert qrcapacity.capacity(version, ec) == chars


_QRCODE_EC = {"L": 1, "M": 0, "Q": 3, "H": 2}


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
def test_capacity_table_follows_from_data_codewords(ec: str) -> None:
    """Every entry recomputed from the data codeword counts (Table 9, via qrcode's RS block table)
    and the segment overhead: mode 4 bits + character count 9/11/13 bits + 11 bits per pair."""
    for version in range(1, 41):
        bits = 8 * sum(b.data_count for b in qrcode.base.rs_blocks(version, _QRCODE_EC[ec]))
        cci = 9 if version < 10 else 11 if version < 27 else 13
        n = qrcapacity.capacity(version, ec)
        assert 4 + cci + 11 * (n // 2) + 6 * (n % 2) <= bits
        assert 4 + cci + 11 * ((n + 1) // 2) + 6 * ((n + 1) % 2) > bits


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("version", [1, 9, 10, 26, 27, 39])
def test_required_version_agrees_with_qrcode_at_the_boundaries(version: int, ec: str) -> None:
    for n in (qrcapacity.capacity(version, ec), qrcapacity.capacity(version, ec) + 1):
        payload = "A" * n
        ours = qrcapacity.required_version(payload, ec)
        code = qrcode.QRCode(error_correction=_QRCODE_EC[ec])
        code.add_data(qrcode.util.QRData(payload.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
        assert ours == code.best_fit()
        assert ours == (version if n == qrcapacity.capacity(version, ec) else version + 1)


def test_required_version_edges() -> None:
    assert qrcapacity.required_version("") == 1
    assert qrcapacity.required_version("A" * 4296, "L") == 40
    assert qrcapacity.required_version("A" * 4297, "L") is None
    with pytest.raises(ValueError, match=r"^payload has characters outside the QR alphanumeric set"):
        qrcapacity.required_version("abc")
    with pytest.raises(ValueError, match=r"^error-correction level must be one of L, M, Q, H, not 'X'"):
        qrcapacity.required_version("ABC", "X")


def test_fit_refuses_too_large_payloads() -> None:
    assert qrcapacity.fit("A" * 1451) == 25
    with pytest.raises(SkillcredError) as info:
        qrcapacity.fit("A" * 1452)
    assert info.value.code is Code.QR_TOO_LARGE
    assert "1451" in info.value.detail and "二维码" in info.value.detail and "reference" in info.value.detail
    assert qrcapacity.fit("A" * 1452, max_version=26) == 26
    with pytest.raises(SkillcredError) as info:
        qrcapacity.fit("A" * 5000, max_version=40)
    assert info.value.code is Code.QR_TOO_LARGE
    with pytest.raises(SkillcredError) as info:
        qrcapacity.fit(qr.encode(full_credential(6)))  # a full 4 KB credential needs a reference QR
    assert info.value.code is Code.QR_TOO_LARGE
    with pytest.raises(ValueError, match=r"^max_version must be 1\.\.40, not 41"):
        qrcapacity.fit("A", max_version=41)


# --- mask choice ------------------------------------------------------------------------------


def _payloads() -> list[str]:
    rnd = random.Random(11)
    out = [qr.encode(small_credential()), qr.encode(full_credential(3)), "SC2:", "A" * 300]
    out += ["".join(rnd.choice(base45.ALPHABET) for _ in range(n)) for n in (7, 25, 61, 150, 400, 900, 1400)]
    out += [qr.encode_reference("https://skillcred.example.cn/c/1", "ab" * 32)]
    return out


@pytest.mark.parametrize("payload", _payloads(), ids=lambda p: f"{len(p)}chars")
def test_mask_choice_equals_qrcodes_best_mask_pattern(payload: str) -> None:
    version = qrcapacity.fit(payload, max_version=40)
    reference = qrcode.QRCode(version=version, error_correction=_QRCODE_EC["M"])
    reference.add_data(qrcode.util.QRData(payload.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
    expected = reference.best_mask_pattern()
    # the penalties themselves equal qrcode's util.lost_point on its own "test" symbols
    theirs = []
    for k in range(8):
        reference.makeImpl(True, k)
        theirs.append(qrcode.util.lost_point(reference.modules))
    assert qrmatrix.mask_penalties(payload, max_version=40) == tuple(theirs)
    matrix = qrmatrix.build_matrix(payload, max_version=40)
    assert matrix.mask == expected == theirs.index(min(theirs))
    # and the finished symbol is qrcode's, module for module
    reference.makeImpl(False, expected)
    assert [matrix.row_bits(r) for r in range(matrix.size)] == [
        "".join("1" if m else "0" for m in row) for row in reference.modules
    ]


def test_default_qrcode_path_makes_the_same_symbol() -> None:
    payload = qr.encode(small_credential())
    default = qrcode.QRCode()
    default.add_data(payload)
    default.make()
    modules = [[bool(m) for m in row] for row in default.modules]
    matrix = qrmatrix.build_matrix(payload)
    assert modules == [[matrix.is_dark(r, c) for c in range(matrix.size)] for r in range(matrix.size)]
    assert default.version == matrix.version
    assert default.best_mask_pattern() == matrix.mask


@pytest.mark.parametrize("version", [1, 2, 6, 7, 13, 25, 32, 40])
def test_layout_matches_qrcode_for_every_mask(version: int) -> None:
    """The data-region/mask bitboards predict qrcode's placement for all eight masks, so every
    data module (each is flipped by some mask) and no function module is in the data region."""
    payload = "Q" * (qrcapacity.capacity(version, "M") // 2)
    code = qrcode.QRCode(version=version, error_correction=_QRCODE_EC["M"])
    code.add_data(qrcode.util.QRData(payload.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
    lay = qrmatrix.layout_for(version)
    code.makeImpl(True, 0)
    unmasked = qrmatrix.pack_rows(qrmatrix.qrcode_rows(code.modules), lay.stride) ^ lay.mask_rows[0]
    for k in range(8):
        code.makeImpl(True, k)
        assert qrmatrix.pack_rows(qrmatrix.qrcode_rows(code.modules), lay.stride) == unmasked ^ lay.mask_rows[k]


def _min_time(fn: Callable[[], object], n: int = 5) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
def test_render_is_at_most_half_the_default_qrcode_path() -> None:
    payload = qr.encode(small_credential())
    ours = _min_time(lambda: qrrender.render_png(payload, box_size=4))
    theirs = _min_time(lambda: qrcode.make(payload, box_size=4))
    assert ours <= 0.5 * theirs, (ours, theirs)


# --- rendering --------------------------------------------------------------------------------


def _grid(matrix: qrmatrix.QRMatrix) -> list[str]:
    return [matrix.row_bits(r) for r in range(matrix.size)]


def test_svg_is_one_path_with_exactly_the_dark_modules() -> None:
    payload = qr.encode(small_credential())
    matrix = qrmatrix.build_matrix(payload)
    svg = qrrender.render_svg(payload, size="40mm", title='凭证 "QR"')
    root = ET.fromstring(svg)
    side = matrix.size + 8
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.get("width") == "40mm" and root.get("aria-label") == '凭证 "QR"'
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    cells = [["0"] * matrix.size for _ in range(matrix.size)]
    for x, y, w, w2 in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", paths[0].get("d", "")):
        assert w == w2
        for c in range(int(x) - 4, int(x) - 4 + int(w)):
            cells[int(y) - 4][c] = "1"
    assert ["".join(row) for row in cells] == _grid(matrix)
    assert len(svg) < 60 * 1024
    with pytest.raises(ValueError, match=r"^unsupported colour 'red\" onload=\"x'"):
        qrrender.render_svg(payload, dark='red" onload="x')


def test_text_rendering_has_quiet_zone_and_all_modules() -> None:
    matrix = qrmatrix.build_matrix("SC2:HELLO")
    side = matrix.size + 8
    for background, ink_is_dark in (("light", True), ("dark", False)):
        text = qrrender.render_text(matrix, background=background)  # type: ignore[arg-type]
        lines = text.splitlines()
        assert len(lines) == (side + 1) // 2 and all(len(line) == side for line in lines)
        top = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}
        rows: list[str] = []
        for line in lines:
            pair = [top[ch] for ch in line]
            rows.append("".join(str(p[0]) for p in pair))
            rows.append("".join(str(p[1]) for p in pair))
        ink = rows[:side]
        dark = ink if ink_is_dark else ["".join("1" if ch == "0" else "0" for ch in row) for row in ink]
        assert dark[:4] == ["0" * side] * 4 and dark[-4:] == ["0" * side] * 4
        assert [row[4:-4] for row in dark[4:-4]] == _grid(matrix)
        assert all(row[:4] == "0000" and row[-4:] == "0000" for row in dark)


def test_png_size_in_millimetres() -> None:
    payload = qr.encode(small_credential())
    matrix = qrmatrix.build_matrix(payload)
    img = Image.open(io.BytesIO(qrrender.render_png(payload, mm=40, dpi=300)))
    assert img.size == (472, 472)  # 40 mm at 300 dpi
    assert round(img.info["dpi"][0]) == 300
    box = 472 // (matrix.size + 8)
    grey = img.convert("L")
    offset = (472 - matrix.size * box) // 2
    assert offset >= 4 * box
    for r in range(0, matrix.size, 7):
        for c in range(0, matrix.size, 5):
            px = grey.getpixel((offset + c * box + box // 2, offset + r * box + box // 2))
            assert (px == 0) == matrix.is_dark(r, c)
    with pytest.raises(SkillcredError) as info:
        qrrender.render_png(payload, mm=10, dpi=72)
    assert info.value.code is Code.QR_TOO_LARGE


def test_rendering_refuses_oversize_payloads() -> None:
    with pytest.raises(SkillcredError) as info:
        qrrender.render_svg(qr.encode(full_credential(6)))
    assert info.value.code is Code.QR_TOO_LARGE


# --- image round trips ------------------------------------------------------------------------

Rendered = dict[str, tuple[dict[str, Any], str, bytes]]

CASES = {
    "small": (small_credential(), 25),
    "full-2k": (full_credential(0), 40),
    "full-3k": (full_credential(3), 40),
    "full-4k": (full_credential(6), 40),
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[dict[str, Any], str, bytes]]:
    out = {}
    for name, (doc, max_version) in CASES.items():
        payload = qr.encode(doc)
        out[name] = (doc, payload, qrrender.render_png(payload, box_size=4, max_version=max_version))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_png_round_trip(name: str, rendered: Rendered) -> None:
    doc, payload, png = rendered[name]
    assert qrread.read_qr(png) == payload
    assert qr.decode(qrread.read_qr(png)) == doc


@pytest.mark.parametrize("name", list(CASES))
def test_round_trip_after_scaling_to_half(name: str, rendered: Rendered) -> None:
    doc, _, png = rendered[name]
    img = Image.open(io.BytesIO(png)).convert("L")
    half = img.resize((img.width // 2, img.height // 2), Image.Resampling.BILINEAR)
    assert qr.decode(qrread.read_qr(_png(half))) == doc


@pytest.mark.parametrize("name", list(CASES))
def test_round_trip_after_blur_and_noise(name: str, rendered: Rendered) -> None:
    doc, _, png = rendered[name]
    damaged = _blur_and_noise(png, radius=0.8, sigma=20.0, seed=1234)
    assert qr.decode(qrread.read_qr(damaged)) == doc


def test_round_trip_through_jpeg_and_a_larger_page(rendered: Rendered) -> None:
    doc, _, png = rendered["small"]
    code = Image.open(io.BytesIO(png)).convert("L")
    page = Image.new("RGB", (code.width * 3, code.height * 2), (238, 232, 220))
    page.paste(code.convert("RGB"), (code.width, code.height // 2))
    assert qr.decode(qrread.read_qr(_png(page, "JPEG", quality=80))) == doc


def test_reference_round_trip_through_an_image() -> None:
    payload = qr.encode_reference("https://skillcred.example.cn/c/6f1c2a9e", hashlib.sha256(b"x").hexdigest())
    png = qrrender.render_png(payload, mm=25, dpi=300)
    assert qr.decode_reference(qrread.read_qr(png)).sha256 == hashlib.sha256(b"x").hexdigest()


# --- image decoding limits --------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00"))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


@pytest.mark.parametrize("dims", [(9000, 9000), (20000, 20000), (100_000, 1000)])
def test_pixel_cap_is_checked_before_decoding(dims: tuple[int, int]) -> None:
    start = time.perf_counter()
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(_png_header_only(*dims))
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED
    assert time.perf_counter() - start < 0.1


def test_caps_are_configurable(rendered: Rendered) -> None:
    _, _, png = rendered["small"]
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(png, max_pixels=100 * 100)
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(png, max_bytes=100)
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image",
        b"GIF89a" + bytes(40),
        _png(Image.new("L", (200, 200), 255)),  # blank
        _png(Image.new("L", (10, 10), 0)),  # too small
    ],
    ids=["empty", "text", "gif", "blank", "tiny"],
)
def test_no_qr_code_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(data)
    assert info.value.code is Code.PARSING_ERROR


def test_corrupt_image_data_is_a_parse_error(rendered: Rendered) -> None:
    _, _, png = rendered["small"]
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(png[: len(png) // 2])
    assert info.value.code is Code.PARSING_ERROR


def test_several_codes_prefer_the_skillcred_one() -> None:
    ours = qr.encode(small_credential())
    a = Image.open(io.BytesIO(qrrender.render_png(ours, box_size=3)))
    b = Image.open(io.BytesIO(qrrender.render_png("HTTPS://EXAMPLE.CN/OTHER", box_size=3)))
    page = Image.new("L", (a.width + b.width + 40, max(a.height, b.height)), 255)
    page.paste(a, (0, 0))
    page.paste(b, (a.width + 40, 0))
    assert qrread.read_qr(_png(page)) == ours
    assert sorted(qrread.read_qr_all(_png(page))) == sorted([ours, "HTTPS://EXAMPLE.CN/OTHER"])
    c = Image.open(io.BytesIO(qrrender.render_png("HTTPS://EXAMPLE.CN/THIRD", box_size=3)))
    page3 = Image.new("L", (b.width + c.width + 40, b.height), 255)
    page3.paste(b, (0, 0))
    page3.paste(c, (b.width + 40, 0))
    with pytest.raises(SkillcredError) as info:
        qrread.read_qr(_png(page3))
    assert info.value.code is Code.PARSING_ERROR


# --- the preset dictionary and realistic documents of every kind ------------------------------

#: The SHA-256 of the ``SC2:`` dictionary. The dictionary is part of the wire format: if this test
#: fails, do not update the digest; restore the dictionary, or define a new payload version.
DICTIONARY_SHA256 = "3f89947a5e6f31145fb35930beeee408d611633290e8038cffef5e5ad47b340e"


def test_dictionary_is_frozen() -> None:
    assert hashlib.sha256(qrdict.DICTIONARY).hexdigest() == DICTIONARY_SHA256 == qrdict.SHA256
    assert len(qrdict.DICTIONARY) <= 32 * 1024  # all of it within DEFLATE's window
    assert qr.DOCUMENT_PREFIX == "SC2:" and qr.REFERENCE_PREFIX == "SCR1:"


def test_a_stream_that_ignores_the_dictionary_still_decodes() -> None:
    """The dictionary is a window to copy from, not a header: a plain raw DEFLATE stream is a
    valid (if larger) ``SC2:`` body, and the same bytes under the old ``SC1:`` head are refused."""
    doc = small_credential()
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    plain = base45.b45encode(_deflate(raw, b""))
    assert qr.decode("SC2:" + plain) == doc
    with pytest.raises(ParseError, match="SC1"):
        qr.decode("SC1:" + plain)


CHALLENGE = "3f9a1c7e5b2d4086a1e9c3b7d5f20418"
DOMAIN = "https://verifier.example-employer.test"
#: when the realistic credentials were signed, and when the recognition (the presentation a day later)
ISSUED_AT = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
SIGNED_AT = datetime(2026, 7, 1, 10, tzinfo=UTC)


def _lang(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _identity_hash(person: str) -> dict[str, Any]:
    """An Argon2id identity hash as the issuer writes it: 32-byte hash, 16-byte salt, base64url."""
    return {
        "type": "Argon2idIdentityHash",
        "identityType": "nationalIdentityNumber",
        "hashValue": _b64url(hashlib.sha256(f"hash:{person}".encode()).digest()),
        "salt": _b64url(hashlib.sha256(f"salt:{person}".encode()).digest()[:16]),
        "opsLimit": 3,
        "memLimit": 67108864,
    }


def _status(host: str, revocation: int, suspension: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"https://{host}/status/1#{revocation}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(revocation),
            "statusListCredential": f"https://{host}/status/1",
        },
        {
            "id": f"https://{host}/status/2#{suspension}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": str(suspension),
            "statusListCredential": f"https://{host}/status/2",
        },
    ]


def _credential(
    uuid: str,
    kind: str,
    name: list[dict[str, str]],
    issuer_name: list[dict[str, str]],
    valid_from: str,
    schema: str,
    host: str,
    indexes: tuple[int, int],
    subject: dict[str, Any],
) -> dict[str, Any]:
    """The common envelope of docs/credentials.md, signed with eddsa-rdfc-2022 by a did:key."""
    return sign(
        {
            "@context": list(CONTEXTS),
            "id": f"urn:uuid:{uuid}",
            "type": ["VerifiableCredential", kind],
            "name": name,
            "issuer": {"id": EVAL.controller, "name": issuer_name},
            "validFrom": valid_from,
            "credentialSchema": {"id": f"https://w3id.org/skillcred/schemas/{schema}-v1.json", "type": "JsonSchema"},
            "credentialStatus": _status(host, *indexes),
            "credentialSubject": subject,
        },
        EVAL,
        created=ISSUED_AT,
    )


def skill_level_fixture() -> dict[str, Any]:
    """tests/data/skill_level_credential.json as stored (did:web issuer, its own proof)."""
    value: dict[str, Any] = json.loads((DATA / "skill_level_credential.json").read_text(encoding="utf-8"))
    return value


def skill_level(subject_id: str = ISSUER) -> dict[str, Any]:
    """P1 张试一's full skill-level credential: the fixture's content with the docs/credentials.md
    envelope (bilingual names, schema, two status entries), credentialForm, re-signed by a did:key."""
    subject = dict(skill_level_fixture()["credentialSubject"], id=subject_id, identityHash=_identity_hash("P1"))
    ordered = {}
    for key, value in subject.items():
        ordered[key] = value
        if key == "certificateNumber":
            ordered["credentialForm"] = "职业技能等级证书"
    return _credential(
        "6f1f3c1e-8a2b-4c55-9d0e-2b7a41c90158",
        "SkillLevelCredential",
        _lang("职业技能等级凭证", "Skill level credential"),
        _lang("示例重型机床有限公司", "Example Heavy Machine Tool Co., Ltd."),
        "2023-06-30T00:00:00+08:00",
        "skill-level",
        "eval.example-heavy-machine.cn",
        (94567, 23452),
        ordered,
    )


def professional_title() -> dict[str, Any]:
    """P6 孙试六, 工程师 (intermediate), 工程系列, acquired by review in 2019."""
    return _credential(
        "0c4b7e2a-91d3-4f6e-8a25-6d3f1b9c0321",
        "ProfessionalTitleCredential",
        _lang("专业技术职务任职资格凭证", "Professional title credential"),
        _lang("沈阳市工程技术中级职称评审委员会（示例）", "Shenyang Engineering Title Review Board (example)"),
        "2019-12-20T00:00:00+08:00",
        "professional-title",
        "titles.example-ln.test",
        (40213, 7781),
        {
            "id": HOLDER.controller,
            "name": "孙试六",
            "identityHash": _identity_hash("P6"),
            "titleSeries": "工程系列",
            "titleSpecialty": "电气（机电）",
            "titleLevel": "intermediate",
            "titleName": "工程师",
            "acquisitionMethod": "review",
            "certificateNumber": "TEST-LN-GCS-2019-000321",
            "awardDate": "2019-12-20",
        },
    )


def degree() -> dict[str, Any]:
    """P6 孙试六's 本科 degree."""
    return _credential(
        "5a7d2c10-3e8f-4b61-9c47-2f8e6a1d0456",
        "DegreeCredential",
        _lang("学历凭证", "Education credential"),
        _lang("示例理工大学", "Example University of Technology"),
        "2010-07-01T00:00:00+08:00",
        "degree",
        "registrar.example-univ.test",
        (1187, 90215),
        {
            "id": HOLDER.controller,
            "name": "孙试六",
            "identityHash": _identity_hash("P6"),
            "educationLevel": "benke",
            "institutionName": "示例理工大学",
            "major": "电气工程及其自动化",
            "certificateNumber": "101451201005000123",
            "graduationDate": "2010-07-01",
        },
    )


def technical_school_diploma() -> dict[str, Any]:
    """P5 陈试五, 预备技师班 (数控加工), 示例市技师学院, 2021."""
    return _credential(
        "9e3a1f54-7c2b-4d80-b1e6-4a9c2d7f0789",
        "TechnicalSchoolDiplomaCredential",
        _lang("技工院校毕业证书凭证", "Technical school diploma credential"),
        _lang("示例市技师学院", "Example City Technician College"),
        "2021-07-01T00:00:00+08:00",
        "technical-school-diploma",
        "diplomas.example-college.test",
        (30517, 4410),
        {
            "id": HOLDER.controller,
            "name": "陈试五",
            "identityHash": _identity_hash("P5"),
            "technicalSchoolClass": "preparatory-technician-class",
            "schoolName": "示例市技师学院",
            "specialty": "数控加工",
            "certificateNumber": "TEST-GZJS-2021-004417",
            "graduationDate": "2021-07-01",
        },
    )


def professional_qualification() -> dict[str, Any]:
    """P4 赵试四, 注册测绘师 (access qualification, registered)."""
    return _credential(
        "2d8f6b93-0a4e-4c1d-8f72-5b1e9a3c0147",
        "ProfessionalQualificationCredential",
        _lang("职业资格凭证", "Professional qualification credential"),
        _lang("黑龙江省人力资源和社会保障厅（示例）", "Heilongjiang HRSS Department (example)"),
        "2019-11-15T00:00:00+08:00",
        "professional-qualification",
        "quals.example-hl.test",
        (65002, 118),
        {
            "id": HOLDER.controller,
            "name": "赵试四",
            "identityHash": _identity_hash("P4"),
            "qualificationName": "注册测绘师",
            "qualificationCategory": "access",
            "qualificationGrade": "注册",
            "registered": True,
            "registrationNumber": "TEST-ZCCHS-REG-2019-0042",
            "certificateNumber": "TEST-ZCCHS-2019-000001",
            "issueDate": "2019-11-15",
        },
    )


def _digest_multibase(doc: dict[str, Any]) -> str:
    """VC 2.0 digestMultibase: base64url multibase of the sha2-256 multihash."""
    return "u" + _b64url(b"\x12\x20" + hashlib.sha256(jsonstrict.dumps_compact(doc).encode("utf-8")).digest())


def recognition(source: dict[str, Any]) -> dict[str, Any]:
    """P1's eligibility to apply for 工程师 under CN-ENG-2018-L2-TO-INTERMEDIATE, derived from ``source``."""
    rule = "CN-ENG-2018-L2-TO-INTERMEDIATE"
    doc = {
        "@context": list(CONTEXTS),
        "id": "urn:uuid:b41e7c09-6d2a-4f35-9e18-3c7a5d2f0901",
        "type": ["VerifiableCredential", "RecognitionCredential"],
        "name": _lang("资格认定凭证", "Recognition credential"),
        "issuer": {"id": AUTH_CN.controller, "name": _lang("示例认定服务", "Example recognition service")},
        "validFrom": "2026-07-01T00:00:00+08:00",
        "credentialSchema": {"id": "https://w3id.org/skillcred/schemas/recognition-v1.json", "type": "JsonSchema"},
        "credentialStatus": _status("recognition.example.test", 512, 513),
        "credentialSubject": {
            "id": source["credentialSubject"]["id"],
            "name": source["credentialSubject"]["name"],
            "recognizedAs": {
                "type": "RecognitionOutcome",
                "kind": "title",
                "titleSeries": "工程系列",
                "titleLevel": "intermediate",
                "titleName": "工程师",
            },
            "grants": ["eligibility-to-apply"],
            "purposes": ["title-review"],
            "jurisdiction": "CN",
            "recognitionRule": rule,
            "ruleVersion": "2026.1",
            "ruleStanding": "sourced",
            "recognitionDate": "2026-07-01",
            "recognizedFrom": [source["id"]],
            "legalBasis": {
                "type": "LegalBasis",
                "issuingAuthority": "人力资源社会保障部",
                "documentName": "关于在工程技术领域实现高技能人才与工程技术人才职业发展贯通的意见（试行）",
                "documentNumber": "人社部发〔2018〕73号",
                "documentDate": "2018-11-30",
            },
        },
        "relatedResource": [
            {"id": source["id"], "digestMultibase": _digest_multibase(source)},
            {"id": "urn:skillcred:ruleset:cn-national:2026.1", "digestMultibase": _digest_multibase({"rules": rule})},
        ],
        "evidence": [
            {
                "type": "RecognitionEvidence",
                "recognitionRule": rule,
                "ruleVersion": "2026.1",
                "ruleStanding": "sourced",
                "evaluatedOn": "2026-07-01",
                "conditionsMet": {
                    "minYearsAfterSkillLevel": {"required": 3, "actual": 3},
                    "workField": "工程技术领域生产一线（本人声明，需单位证明）",
                },
            }
        ],
    }
    return sign(doc, AUTH_CN, created=SIGNED_AT)


def recognition_presentation(with_source: bool = True) -> dict[str, Any]:
    """The holder presents the recognition and (by default) its source credential, with an
    authentication proof bound to the verifier's challenge and domain."""
    source = skill_level(subject_id=HOLDER.controller)
    vp = {
        "@context": list(CONTEXTS),
        "id": "urn:uuid:e7a2c5d1-4b93-4f08-a6e1-0d9b3c7f1234",
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [recognition(source), source] if with_source else [recognition(source)],
    }
    return sign(
        vp, HOLDER, purpose="authentication", challenge=CHALLENGE, domain=DOMAIN, created=SIGNED_AT + timedelta(days=1)
    )


KINDS: dict[str, Callable[[], dict[str, Any]]] = {
    "SkillLevelCredential (full, did:key issuer)": skill_level,
    "SkillLevelCredential (tests/data fixture, did:web)": skill_level_fixture,
    "ProfessionalTitleCredential": professional_title,
    "DegreeCredential": degree,
    "TechnicalSchoolDiplomaCredential": technical_school_diploma,
    "ProfessionalQualificationCredential": professional_qualification,
    "RecognitionCredential": lambda: recognition(skill_level(subject_id=HOLDER.controller)),
    "VerifiablePresentation (recognition + source)": recognition_presentation,
    "VerifiablePresentation (recognition only)": lambda: recognition_presentation(with_source=False),
}
SINGLE_SKILL_LEVEL = (
    "SkillLevelCredential (full, did:key issuer)",
    "SkillLevelCredential (tests/data fixture, did:web)",
)
QR_SIZES_COMMAND = (
    "SKILLCRED_QR_SIZES_MD=docs/qr-sizes.md .venv/bin/pytest tests/vccore/qr/test_qr.py -k test_qr_versions_per_kind -s"
)


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {name: build() for name, build in KINDS.items()}


def _size_table(documents: dict[str, dict[str, Any]]) -> str:
    rows = [
        "| document | JSON bytes | no dictionary (old `SC1:`): chars, version | `SC2:` DEFLATE bytes "
        "| `SC2:` chars | `SC2:` version (M) | fits 25-M |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, doc in documents.items():
        raw = jsonstrict.dumps_compact(doc).encode("utf-8")
        old = "SC1:" + base45.b45encode(_deflate(raw, b""))
        payload = qr.encode(doc)
        body = base45.b45decode(payload.removeprefix(qr.DOCUMENT_PREFIX))
        version = qrcapacity.required_version(payload, "M")
        fits = "yes" if version is not None and version <= qrcapacity.DEFAULT_MAX_VERSION else "no (reference QR)"
        old_version = qrcapacity.required_version(old, "M")
        rows.append(
            f"| {name} | {len(raw)} | {len(old)}, {old_version or '> 40'}-M | {len(body)} "
            f"| {len(payload)} | {version}-M | {fits} |"
        )
    return "\n".join(rows) + "\n"


def test_realistic_documents_round_trip_and_still_verify(documents: dict[str, dict[str, Any]]) -> None:
    for name, doc in documents.items():
        back = qr.decode(qr.encode(doc))
        assert back == doc, name
        assert jsonstrict.dumps_compact(back) == jsonstrict.dumps_compact(doc), name  # key order too
        if name in SINGLE_SKILL_LEVEL[1:]:
            continue  # the fixture's proof is a sample value, not a signature by a resolvable key
        purpose = (
            AuthenticationPurpose(challenge=CHALLENGE, domain=DOMAIN)
            if "VerifiablePresentation" in back["type"]
            else None
        )
        check = verify_proofs(back, loader=LOADER, purpose=purpose, now=NOW)
        assert check.passed, (name, check)
    for inner in documents["VerifiablePresentation (recognition + source)"]["verifiableCredential"]:
        assert verify_proofs(inner, loader=LOADER, now=NOW).passed


def test_qr_versions_per_kind(
    documents: dict[str, dict[str, Any]], record_property: Callable[[str, object], None]
) -> None:
    versions = {name: qrcapacity.required_version(qr.encode(doc), "M") for name, doc in documents.items()}
    table = _size_table(documents)
    print("\n" + table)
    record_property("qr_versions_M", json.dumps(versions, ensure_ascii=False))
    for name in SINGLE_SKILL_LEVEL:
        version = versions[name]
        assert version is not None and version <= qrcapacity.DEFAULT_MAX_VERSION, (name, version)
        assert qrcapacity.fit(qr.encode(documents[name])) == version
    # every single credential fits the phone-scannable limit; a presentation of two may not
    for name, version in versions.items():
        if not name.startswith("VerifiablePresentation"):
            assert version is not None and version <= qrcapacity.DEFAULT_MAX_VERSION, (name, version)
    out = os.environ.get("SKILLCRED_QR_SIZES_MD")
    if out:
        Path(out).write_text(_qr_sizes_doc(table), encoding="utf-8")


def _qr_sizes_doc(table: str) -> str:
    return f"""# QR payload sizes per credential kind

Which QR version each kind of skillcred document needs as an `SC2:` document payload at
error-correction level M (alphanumeric mode; see `vccore/qr/payload.py`). The project's limit for a
phone-scannable code is version 25-M (1451 characters); larger documents are shown as a
hash-bound reference QR (`SCR1:`, URL + SHA-256) instead.

The documents are realistic and signed (eddsa-rdfc-2022 DataIntegrityProof by a did:key;
the presentation carries an authentication proof with challenge and domain by the holder's
did:key): bilingual names, an Argon2id identity hash with salt, two BitstringStatusListEntry
entries, a credential schema. They are built by `tests/vccore/qr/test_qr.py` (fictional people of
`../shared/domain/samples.md`); "no dictionary" is the same DEFLATE without the preset
dictionary (the unreleased version 1 format), for comparison.

Dictionary: `vccore/qr/dictionary.py`, {len(qrdict.DICTIONARY)} bytes, SHA-256 `{qrdict.SHA256}`.

Produced by:

```
{QR_SIZES_COMMAND}
```

{table}
Every single credential fits version 25-M with room to spare; without the dictionary none did.
A presentation of a recognition together with its source credential (two credentials, three
proofs) does not: the wallet shows it as a reference QR (`SCR1:`, fetched from the wallet's
URL and checked against the SHA-256 in the code). The dictionary holds only what the formats
fix (context URLs, keys, types, enumerated codes, standard Chinese labels), nothing specific
to the sample people, so the numbers are not flattered by the samples.
"""

"""The wallet page through starlette's test client: cards, QR codes, the answer flow, links that
expire, and hostile input (always 4xx, never 5xx)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support import LOADER, NOW
from tests.wallet_demo.conftest import recognition_credential, skill_credential, write_json
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from wallet_demo.app import create_app
from wallet_demo.present import PresentationRequest, encode_request
from wallet_demo.store import Wallet

BASE = "http://wallet.example.test"
DOMAIN = "hr.example-employer.test"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def ids(wallet: Wallet, tmp_path: Path) -> list[str]:
    source = skill_credential()
    return [
        wallet.import_file(write_json(tmp_path / f"{i}.json", d)).local_id
        for i, d in enumerate([source, recognition_credential(source)])
    ]


@pytest.fixture
def make_client(wallet: Wallet) -> Callable[..., TestClient]:
    def make(**kw: Any) -> TestClient:
        return TestClient(create_app(wallet, base_url=BASE, **kw), raise_server_exceptions=True)

    return make


def _request_payload(**kw: Any) -> str:
    values: dict[str, Any] = {
        "challenge": "c-1a2b3c4d5e6f",
        "domain": DOMAIN,
        "verifier": "https://verify.example-employer.test/answers",
        "expires": NOW + timedelta(hours=1),
    }
    values.update(kw)
    return encode_request(PresentationRequest(**values))


def _payload_of(page: str) -> str:
    match = re.search(r'<code class="payload">([^<]+)</code>', page)
    assert match, page
    return html.unescape(match.group(1))


def test_the_page_lists_the_cards_in_chinese_and_english(
    make_client: Callable[..., TestClient], ids: list[str]
) -> None:
    response = make_client().get("/")
    assert response.status_code == 200
    page = response.text
    assert "车工" in page and "二级/技师" in page and "Level 2 / technician" in page
    assert "推定（非官方）" in page and "inferred, not official" in page
    assert all(f'href="card/{i}"' in page for i in ids)
    assert 'id="lang"' in page
    assert '<link rel="icon" href="data:,">' in page  # no /favicon.ico request (404)
    assert not re.search(r'(src|href)="(https?:)?//', page), "nothing may load from the internet"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "nonce-" in csp


def test_a_card_shows_its_qr_code(make_client: Callable[..., TestClient], ids: list[str]) -> None:
    page = make_client().get(f"/card/{ids[0]}").text
    assert "<svg" in page and "<path" in page
    assert qr.decode(_payload_of(page))["credentialSubject"]["name"] == "张试一"


def test_a_card_too_large_for_a_qr_code_shows_no_link_qr_the_scan_page_would_refuse(
    make_client: Callable[..., TestClient], ids: list[str]
) -> None:
    response = make_client(max_version=8).get(f"/card/{ids[0]}")
    assert response.status_code == 422
    assert "<svg" not in response.text and "SCR1:" not in response.text and "请求出示" in response.text


def test_answering_a_request_builds_a_verifiable_presentation(
    make_client: Callable[..., TestClient], ids: list[str]
) -> None:
    response = make_client().post("/answer", data={"request": _request_payload(), "id": [ids[0]]})
    assert response.status_code == 200, response.text
    assert "<svg" in response.text and DOMAIN in response.text
    vp = qr.decode(_payload_of(response.text))
    purpose = AuthenticationPurpose(challenge="c-1a2b3c4d5e6f", domain=DOMAIN, controller=vp["holder"])
    assert verify_proofs(vp, loader=LOADER, purpose=purpose, now=NOW).passed


def test_an_oversized_answer_shows_no_link_qr_and_points_to_the_direct_answer(
    make_client: Callable[..., TestClient], ids: list[str]
) -> None:
    response = make_client(max_version=10).post("/answer", data={"request": _request_payload(), "id": [ids[1]]})
    assert response.status_code == 422
    assert "<svg" not in response.text and "SCR1:" not in response.text and "请求出示" in response.text


def test_a_photo_of_a_request_qr_gives_its_payload(make_client: Callable[..., TestClient]) -> None:
    payload = _request_payload()
    response = make_client().post(
        "/api/request-from-photo",
        content=render_png(payload, box_size=6),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200
    assert response.json() == {"payload": payload}


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"request": "hello", "id": ["abcdef0123"]}, None, 422),
        ({"request": "SC1:%%%%", "id": ["abcdef0123"]}, None, 422),
        ({"id": ["abcdef0123"]}, None, 400),
        ({"request": "x"}, None, 400),
        ({"request": "x", "id": ["../../etc/passwd"]}, None, 404),
        ({"request": "x", "id": ["<script>"]}, None, 404),
    ],
)
def test_hostile_answer_forms_are_4xx(
    make_client: Callable[..., TestClient],
    ids: list[str],
    body: dict[str, Any],
    headers: dict[str, str] | None,
    status: int,
) -> None:
    response = make_client().post("/answer", data=body)
    assert response.status_code == status
    assert "<script>alert" not in response.text


def test_answer_refusals(make_client: Callable[..., TestClient], ids: list[str]) -> None:
    client = make_client()
    expired = _request_payload(expires=NOW - timedelta(minutes=1))
    assert client.post("/answer", data={"request": expired, "id": [ids[0]]}).status_code == 422
    assert client.post("/answer", data={"request": _request_payload(), "id": ["abcdef0123"]}).status_code == 404
    assert client.post("/answer", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 415
    big = b"request=" + b"A" * (70 * 1024)
    assert client.post("/answer", content=big, headers=FORM).status_code == 413
    assert client.post("/answer", content=b"\xff\xfe=\xff", headers=FORM).status_code == 400
    lying = client.post("/answer", content=b"request=x", headers={**FORM, "Content-Length": "abc"})
    assert 400 <= lying.status_code < 500


@pytest.mark.parametrize(
    ("body", "status"), [(b"not an image", 400), (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, 400), (b"", 400)]
)
def test_hostile_photos_are_4xx(make_client: Callable[..., TestClient], body: bytes, status: int) -> None:
    response = make_client().post("/api/request-from-photo", content=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_photo_over_the_cap_is_413(make_client: Callable[..., TestClient]) -> None:
    response = make_client().post("/api/request-from-photo", content=b"\0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/p/short", 404),
        ("GET", "/p/" + "A" * 22, 404),
        ("GET", "/card/zz", 404),
        ("GET", "/card/0123456789", 404),
        ("GET", "/nope", 404),
        ("DELETE", "/", 405),
        ("GET", "/answer", 405),
        ("GET", "/card/" + "a" * 5000, 404),
    ],
)
def test_unknown_paths_and_methods_are_4xx(
    make_client: Callable[..., TestClient], method: str, path: str, status: int
) -> None:
    assert make_client().request(method, path).status_code == status


def test_health(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_base_url_is_checked(wallet: Wallet) -> None:
    with pytest.raises(ValueError, match="base_url"):
        create_app(wallet, base_url="javascript:alert(1)")


def test_an_inferred_recognitions_codes_carry_the_holders_name_and_the_mark_in_their_caption(
    make_client: Callable[..., TestClient], ids: list[str]
) -> None:
    """Issue 16: the caption under a recognition's codes names the holder and marks an inferred rule."""
    client = make_client()
    pages = [client.get(f"/card/{i}").text for i in ids]
    recognitions = [p for p in pages if 'id="codes"' in p]
    assert recognitions, "the wallet holds a recognition"
    for page in recognitions:
        caption = re.search(r'<div class="caption">(.*?)</div></div>', page, re.S)
        assert caption, page
        assert "张试一" in caption.group(1) and "推定（非官方）" in caption.group(1)

"""Issue 15: from the worker's phone to the employer's verdict, across two devices, on the real
``skillcred demo`` in phone-sized Chromium.

For P1, P2 and P5 the HR clerk presses 请求出示 on the scan page; the worker's wallet takes a photo of that
page's QR code (a screenshot, decoded by the wallet through zxing-cpp), fetches the OpenID4VP request object,
answers with the recognition (its source travels with it) by direct post, and the scan page, which polls,
draws the verified chain as soon as the answer is in. Screenshots of each side go to ``test-artifacts/``."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo_runner import REPO, Demo, phone_chromium, running_demo
from vccore.clock import system_clock
from vccore.exchange import oid4vp
from vccore.qr.read import read_qr
from wallet_demo.store import Wallet

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
ARTIFACTS = REPO / "test-artifacts"
#: who, and what the chain's source must be
PEOPLE = {"p1": "职业技能等级凭证", "p2": "职业技能等级凭证", "p5": "技工院校毕业凭证"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("crossdevice") / "world") as running:
        yield running


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with phone_chromium(tmp_path_factory.mktemp("chromium-crossdevice")) as context:
        yield context


def _request_object(uri: str) -> dict[str, Any]:
    ref = oid4vp.parse_authorization_uri(uri)
    with urllib.request.urlopen(ref.request_uri, timeout=10) as r:
        assert r.headers["content-type"] == oid4vp.REQUEST_MEDIA_TYPE
        jwt = r.read().decode("ascii")
    header, body, signature = jwt.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "none", "typ": "oauth-authz-req+jwt"}
    assert signature == ""
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["client_id"] == ref.client_id
    return claims


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_hr_requests_the_worker_answers_from_the_phone_and_the_chain_is_drawn(
    who: str, demo: Demo, chromium: Any, tmp_path: Path
) -> None:
    errors: list[str] = []
    scan = chromium.new_page()
    wallet = chromium.new_page()
    for tab in (scan, wallet):
        tab.on("pageerror", lambda err: errors.append(str(err)))
    try:
        scan.goto(demo.base + "/")
        scan.wait_for_selector("body[data-ready='true']")
        scan.click("#request-btn")
        scan.wait_for_selector("#request-qr[data-challenge]", state="visible", timeout=TIMEOUT)
        challenge = str(scan.get_attribute("#request-qr", "data-challenge"))
        photo = tmp_path / "request.png"
        scan.screenshot(path=str(photo), full_page=False)
        scan.screenshot(path=str(ARTIFACTS / f"40-{who}-scan-page-request.png"), full_page=True)

        # what the phone's camera sees, through zxing-cpp: an OpenID4VP request by reference
        uri = read_qr(photo.read_bytes())
        assert uri.startswith("openid4vp://?client_id=")
        claims = _request_object(uri)
        assert claims["response_type"] == "vp_token" and claims["response_mode"] == "direct_post"
        assert claims["nonce"] == challenge
        assert claims["response_uri"] == demo.base + "/oid4vp/response"
        assert claims["client_id"] == "redirect_uri:" + claims["response_uri"]

        recognition = next(
            c
            for c in Wallet(demo.home / "wallets" / who, clock=system_clock).credentials()
            if "RecognitionCredential" in c.document["type"]
        )
        wallet.goto(f"{demo.base}/wallet/{who}/")
        # nothing to send before a request is read: no 请求方 line, no 发送出示 button
        assert not wallet.is_visible("#oid4vp") and not wallet.is_visible("#oid4vp-send")
        wallet.set_input_files("#photo", str(photo))
        wallet.wait_for_selector("#photo-status[data-state='read']", timeout=TIMEOUT)
        assert wallet.is_visible("#oid4vp-send")
        assert wallet.inner_text("#oid4vp-who") == demo.base.split("://", 1)[1]
        wallet.check(f"input[name=id][value='{recognition.local_id}']")
        wallet.click("#oid4vp-send")
        wallet.wait_for_selector("#photo-status[data-state='sent']", timeout=TIMEOUT)
        assert "2 份凭证" in wallet.inner_text("#photo-status")  # the recognition and its source
        wallet.screenshot(path=str(ARTIFACTS / f"41-{who}-wallet-sent.png"), full_page=True)

        scan.wait_for_selector("#result[data-state]", timeout=TIMEOUT)
        assert scan.get_attribute("#result", "data-state") == "verified", scan.inner_text("#result")
        assert scan.inner_text(".presentation .verdict .state") == "✓ 核验通过"
        assert scan.is_hidden("#request-panel")
        card = scan.locator("article.card[data-type='RecognitionCredential']")
        assert card.locator(".verdict .state").inner_text() == "✓ 核验通过"
        nodes = card.locator(".chain ul.tree > li")
        assert [nodes.nth(i).get_attribute("data-role") for i in range(nodes.count())] == ["rule", "source"]
        assert all("verified" in (nodes.nth(i).get_attribute("class") or "") for i in range(nodes.count()))
        assert PEOPLE[who] in card.locator(".chain").inner_text()
        scan.screenshot(path=str(ARTIFACTS / f"42-{who}-scan-page-chain-verified.png"), full_page=True)
    finally:
        scan.close()
        wallet.close()
    assert not errors, errors

"""Issue 15: offline, from codes alone, on the real ``skillcred demo`` in phone-sized Chromium.

The worker's wallet shows a recognition's codes one after another (its own, then its source's); each is
read from its screenshot through zxing-cpp and scanned into the scan page one after the other. The scan page
keeps the recognition in its basket ("还需扫描依据证书 1/1", naming the source), and verifies the chain as
soon as the source is in. Nothing but the page's own verifier is reachable meanwhile: every other request
from the scan page is refused. And the printout of each demo recognition carries every code its chain needs.
Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo_runner import REPO, Demo, phone_chromium, running_demo
from vccore.clock import system_clock
from vccore.qr import payload as qr
from vccore.qr.read import read_qr, read_qr_all
from wallet_demo.certificate import render_certificate
from wallet_demo.present import with_sources
from wallet_demo.store import Wallet

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("basket") / "world") as running:
        yield running


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with phone_chromium(tmp_path_factory.mktemp("chromium-basket")) as context:
        yield context


def _chain(demo: Demo, who: str) -> list[dict[str, Any]]:
    """The recognition of ``who`` and its sources, as the wallet holds them."""
    wallet = Wallet(demo.home / "wallets" / who, clock=system_clock)
    recognition = next(c for c in wallet.credentials() if "RecognitionCredential" in c.document["type"])
    return [c.document for c in with_sources(wallet, [recognition.local_id])]


def test_the_chain_verifies_from_the_wallets_codes_scanned_one_after_another_offline(
    demo: Demo, chromium: Any, tmp_path: Path
) -> None:
    recognition, source = _chain(demo, "p2")
    wallet = chromium.new_page()
    scan = chromium.new_page()
    errors: list[str] = []
    try:
        held = Wallet(demo.home / "wallets" / "p2", clock=system_clock).find(recognition["id"])
        assert held is not None
        wallet.goto(f"{demo.base}/wallet/p2/card/{held.local_id}")
        slides = wallet.locator("#codes .slide")
        assert slides.count() == 2
        photos = []
        for n in range(2):
            if n:
                wallet.click("#next")
                wallet.wait_for_selector(f"#codes[data-shown='{n + 1}']", timeout=TIMEOUT)
            photo = tmp_path / f"code-{n + 1}.png"
            slides.nth(n).locator("svg").screenshot(path=str(photo))
            wallet.screenshot(path=str(ARTIFACTS / f"50-wallet-recognition-code-{n + 1}-of-2.png"))
            photos.append(photo)
        # each code, read through zxing-cpp, is the credential itself (no link, nothing to fetch)
        assert [qr.decode(read_qr(p.read_bytes())) for p in photos] == [recognition, source]

        scan.on("pageerror", lambda err: errors.append(str(err)))
        scan.goto(demo.base + "/")
        scan.wait_for_selector("body[data-ready='true']")
        refused: list[str] = []

        def only_the_verifier(route: Any) -> None:
            if route.request.url == demo.base + "/scan/verify":
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        scan.route("**/*", only_the_verifier)
        scan.set_input_files("#photo-input", str(photos[0]))
        scan.wait_for_selector("#result[data-state='incomplete']", timeout=TIMEOUT)
        basket = scan.locator("#basket")
        assert basket.is_visible() and basket.get_attribute("data-need") == "1"
        assert basket.locator("h2").inner_text() == "还需扫描依据证书 1/1"
        assert source["id"] in basket.inner_text()
        scan.screenshot(path=str(ARTIFACTS / "51-basket-still-needs-the-source.png"), full_page=True)

        scan.set_input_files("#photo-input", str(photos[1]))
        scan.wait_for_selector(
            "#result[data-state='verified'] article.card[data-type='RecognitionCredential']", timeout=TIMEOUT
        )
        assert scan.is_hidden("#basket")
        card = scan.locator("article.card[data-type='RecognitionCredential']")
        assert card.locator(".verdict .state").inner_text() == "✓ 核验通过"
        nodes = card.locator(".chain ul.tree > li")
        assert [nodes.nth(i).get_attribute("data-role") for i in range(nodes.count())] == ["rule", "source"]
        assert all("verified" in (nodes.nth(i).get_attribute("class") or "") for i in range(nodes.count()))
        assert source["id"] in card.locator(".chain").inner_text()
        scan.screenshot(path=str(ARTIFACTS / "52-basket-chain-verified-offline.png"), full_page=True)
        assert refused == []  # the page asked nothing of anyone but its verifier
    finally:
        wallet.close()
        scan.close()
    assert not errors, errors


@pytest.mark.parametrize("who", ["p1", "p2", "p5"])
def test_the_printout_of_a_recognition_carries_every_code_its_chain_needs(demo: Demo, who: str) -> None:
    recognition, *sources = _chain(demo, who)
    assert sources
    png, _ = render_certificate(recognition, sources=sources)
    (ARTIFACTS / f"53-{who}-recognition-printout.png").write_bytes(png)
    found = [qr.decode(text) for text in read_qr_all(png)]
    assert sorted(d["id"] for d in found) == sorted(d["id"] for d in [recognition, *sources])
    assert all(d in found for d in [recognition, *sources])

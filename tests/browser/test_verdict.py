"""Issue 15: the verdict comes first and says why, on the real ``skillcred demo`` in a phone-sized Chromium.

A recognition shown alone is amber with the instruction to request its source; a credential revoked after
it was first scanned turns red with the reason in the headline as soon as 重新查询 fetches the status
afresh; a tampered credential's content is withheld and loses the trust badge; each kind says what the
result does not prove; a photo uploaded in request mode is checked against the request's challenge.
Screenshots of each state go to ``test-artifacts/``."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skillcred.world import DEMO_PASSPHRASE
from tests.browser.demo_runner import REPO, Demo, phone_chromium, running_demo
from vccore.clock import system_clock
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from wallet_demo.present import present
from wallet_demo.store import StoredCredential, Wallet

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("verdict") / "world") as running:
        yield running


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with phone_chromium(tmp_path_factory.mktemp("chromium-verdict")) as context:
        yield context


@pytest.fixture
def page(chromium: Any, demo: Demo) -> Iterator[Any]:
    tab = chromium.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.goto(demo.base + "/")
    tab.wait_for_selector("body[data-ready='true']")
    yield tab
    tab.close()
    assert not errors, errors


def _wallet(demo: Demo, slug: str) -> Wallet:
    return Wallet(demo.home / "wallets" / slug, clock=system_clock)


def _held(demo: Demo, slug: str, kind: str) -> list[StoredCredential]:
    return [c for c in _wallet(demo, slug).credentials() if kind in c.document["type"]]


def _paste(page: Any, document: dict[str, Any]) -> str:
    page.click("#paste summary")
    page.fill("#payload-input", qr.encode(document))
    page.click("#paste-btn")
    page.wait_for_selector("#result[data-state]", timeout=TIMEOUT)
    return str(page.get_attribute("#result", "data-state"))


def _headline(page: Any, scope: str = ".card") -> str:
    return str(page.inner_text(f"{scope} .verdict .state"))


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_recognition_shown_alone_is_amber_and_asks_for_its_source(page: Any, demo: Demo) -> None:
    recognition = _held(demo, "p2", "RecognitionCredential")[0].document
    assert _paste(page, recognition) == "incomplete"
    assert _headline(page) == "? 需同时出示依据证书（请点请求出示）"
    assert page.locator(".verdict.failed").count() == 0 and page.locator(".verdict.incomplete").count() == 1
    color = page.eval_on_selector(".verdict.incomplete", "e => getComputedStyle(e).borderTopColor")
    assert color == "rgb(138, 90, 0)", color  # amber (--warn), not red
    box = page.inner_text(".cannot-prove")
    assert "本结果不能证明" in box and "出示人就是持证人本人" in box and "不是职称" in box
    _shot(page, "30-recognition-alone-amber")


def test_an_education_equivalent_recognition_says_it_is_not_a_degree(page: Any, demo: Demo) -> None:
    recognition = _held(demo, "p5", "RecognitionCredential")[0].document
    assert _paste(page, recognition) == "incomplete"
    box = page.inner_text(".cannot-prove")
    assert "不是学历" in box and "不是职称" not in box


def test_a_credential_revoked_after_its_first_scan_turns_red_on_requery(page: Any, demo: Demo) -> None:
    # P2's 2024 焊工 一级 certificate: not the source of P2's recognition, which later tests still need
    card = next(
        c for c in _held(demo, "p2", "SkillLevelCredential") if c.document["credentialSubject"]["skillLevel"] == "L1"
    )
    assert _paste(page, card.document) == "verified"
    assert _headline(page) == "✓ 核验通过"
    line = page.inner_text(".card .verdict .status-line")
    assert "状态查询于" in line and "北京时间" in line
    assert "不是职称" not in page.inner_text(".cannot-prove") and "出示人就是持证人本人" in page.inner_text(
        ".cannot-prove"
    )
    _shot(page, "31-verified-status-line")
    revoke = subprocess.run(
        [
            sys.executable,
            "-m",
            "skillcred",
            "issuer",
            "--home",
            str(demo.home / "issuers" / "weld"),
            "revoke",
            "--yes",
            card.document["id"],
        ],
        env=dict(os.environ, SKILLCRED_PASSPHRASE=DEMO_PASSPHRASE),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert revoke.returncode == 0, revoke.stderr
    page.click(".card .verdict .requery")
    page.wait_for_selector("#result[data-state='failed']", timeout=TIMEOUT)
    assert _headline(page) == "✗ 已被签发机构撤销"
    assert "REVOKED" in str(page.text_content(".card details.details"))
    assert not page.is_visible(".card details.details ul.problems")  # the codes are behind 详情
    _shot(page, "32-revoked-after-requery")


def test_a_tampered_credential_hides_its_content_and_drops_the_trust_badge(page: Any, demo: Demo) -> None:
    forged = copy.deepcopy(_held(demo, "p1", "SkillLevelCredential")[0].document)
    forged["credentialSubject"]["name"] = "李假冒"
    forged["credentialSubject"]["skillLevel"] = "L1"
    assert _paste(page, forged) == "failed"
    assert _headline(page) == "✗ 签名无效：内容可能被篡改"
    shown = page.inner_text("#result")
    assert "李假冒" not in shown and "张试一" not in shown and "示例重型机床有限公司" not in shown
    assert page.locator(".badge.listed").count() == 0
    assert "凭证内容不予显示" in page.inner_text(".withheld")
    _shot(page, "33-tampered-content-withheld")


def test_an_upload_in_request_mode_keeps_the_challenge(page: Any, demo: Demo, tmp_path: Path) -> None:
    page.click("#request-btn")
    page.wait_for_selector("#request-qr[data-challenge]", state="visible", timeout=TIMEOUT)
    challenge = str(page.get_attribute("#request-qr", "data-challenge"))
    wallet = _wallet(demo, "p1")
    card = _held(demo, "p1", "SkillLevelCredential")[0]
    domain = demo.base.split("://", 1)[1]
    answer = present(wallet, [card.local_id], domain=domain, challenge=challenge, now=wallet.clock())
    photo = tmp_path / "answer.png"
    photo.write_bytes(render_png(qr.encode(answer), box_size=3, max_version=40))
    page.set_input_files("#photo-input", str(photo))
    page.wait_for_selector("#result[data-state]", timeout=TIMEOUT)
    assert page.get_attribute("#result", "data-state") == "verified", page.inner_text("#result")
    assert _headline(page, ".presentation") == "✓ 核验通过"
    _shot(page, "34-request-upload-keeps-challenge")

"""The scan page in headless Chromium: fake camera, photo upload, paste, request mode, the ID check, both
languages. A screenshot of each state goes to ``test-artifacts/``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import ID_NUMBER, Scans
from tests.support import presentation
from tests.world import HOLDER
from vccore.qr import payload as qr
from vccore.qr.render import render_png

pytestmark = pytest.mark.browser

TIMEOUT = 20_000


def _verdict(page: Any) -> str:
    page.wait_for_selector("#result[data-state]", timeout=TIMEOUT)
    return str(page.get_attribute("#result", "data-state"))


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def _paste(page: Any, payload: str) -> None:
    page.click("#paste summary")
    page.fill("#payload-input", payload)
    page.click("#paste-btn")


def _upload(page: Any, tmp_path: Path, document: dict[str, Any], name: str) -> None:
    path = tmp_path / f"{name}.png"
    path.write_bytes(render_png(qr.encode(document), box_size=4, max_version=40))
    page.set_input_files("#photo-input", str(path))


def test_the_camera_qr_is_decoded_in_the_browser_and_only_the_payload_is_sent(
    page: Any, artifacts: Path, world: Scans
) -> None:
    posted: list[tuple[str, str, bytes]] = []
    page.on(
        "request",
        lambda r: (
            posted.append((r.url, r.headers.get("content-type", ""), r.post_data_buffer or b""))
            if r.method == "POST"
            else None
        ),
    )
    page.click("#scan-btn")
    assert _verdict(page) == "verified"
    assert [(url.rsplit("/", 2)[-2:], media) for url, media, _ in posted] == [(["scan", "verify"], "application/json")]
    body = json.loads(posted[0][2])
    assert set(body) == {"payload"} and qr.decode(body["payload"]) == world.valid
    assert page.is_hidden("#camera")
    page.wait_for_selector(".verdict.verified >> text=✓ 核验通过")
    assert page.inner_text(".card .holder") == "张试一"
    assert "示例重型机床有限公司" in page.inner_text(".issuer-listed")
    assert page.inner_text("dl.fields.issuer dt") == "名称"  # under the heading 签发机构, not 签发机构 again
    assert "二级/技师" in page.inner_text("dl.fields")
    _shot(page, artifacts, "01-camera-verified-zh")
    page.fill(".id-number", ID_NUMBER)
    page.click(".id-compare")
    page.wait_for_selector(".answer.match", timeout=TIMEOUT)
    assert "一致" in page.inner_text(".answer")
    page.fill(".id-number", "11010519491231002X")
    page.click(".id-compare")
    page.wait_for_selector(".answer.nomatch", timeout=TIMEOUT)
    _shot(page, artifacts, "02-id-check-no-match")
    # a mistyped number says what is wrong and what to do, not 数据格式错误
    page.fill(".id-number", ID_NUMBER[:-1])
    page.click(".id-compare")
    page.wait_for_selector(".answer.nomatch >> text=身份证号码无效", timeout=TIMEOUT)
    assert page.inner_text(".answer").startswith("身份证号码无效：应为 18 位"), page.inner_text(".answer")
    _shot(page, artifacts, "02-id-check-mistyped")


def test_an_uploaded_photo_of_a_valid_credential_verifies(
    page: Any, artifacts: Path, world: Scans, tmp_path: Path
) -> None:
    _upload(page, tmp_path, world.valid, "valid")
    assert _verdict(page) == "verified"
    assert page.inner_text(".verdict .state") == "✓ 核验通过"
    _shot(page, artifacts, "03-upload-verified-zh")


def test_a_photo_of_more_megapixels_than_the_server_takes_is_scaled_down_on_the_phone(
    page: Any, world: Scans, tmp_path: Path
) -> None:
    symbol = Image.open(io.BytesIO(render_png(qr.encode(world.valid), box_size=12, max_version=40))).convert("L")
    photo = Image.new("L", (5000, 4000), 255)  # 20 MP: over the server's 12 MP cap
    photo.paste(symbol, (800, 600))
    path = tmp_path / "big.jpg"
    photo.save(path, "JPEG", quality=90)
    sent: list[int] = []
    page.on("request", lambda r: sent.append(len(r.post_data_buffer or b"")) if r.method == "POST" else None)
    page.set_input_files("#photo-input", str(path))
    assert _verdict(page) == "verified"
    assert sent and sent[0] < path.stat().st_size * 2


def test_a_revoked_credential_is_shown_not_verified_with_the_reason(
    page: Any, artifacts: Path, world: Scans, tmp_path: Path
) -> None:
    _upload(page, tmp_path, world.revoked, "revoked")
    assert _verdict(page) == "failed"
    assert page.inner_text(".verdict .state") == "✗ 已被签发机构撤销"
    problems = str(page.text_content("ul.problems"))
    assert "凭证已被撤销" in problems and "The credential has been revoked" in problems
    _shot(page, artifacts, "04-revoked-zh")


def test_a_tampered_credential_is_shown_not_verified(page: Any, artifacts: Path, world: Scans, tmp_path: Path) -> None:
    _upload(page, tmp_path, world.tampered, "tampered")
    assert _verdict(page) == "failed"
    assert "签名验证失败" in str(page.text_content("ul.problems"))
    assert page.inner_text(".verdict .state") == "✗ 签名无效：内容可能被篡改"
    assert page.locator(".verdict.verified").count() == 0
    _shot(page, artifacts, "05-tampered-zh")


def test_an_unreachable_status_list_is_could_not_check_never_green(page: Any, artifacts: Path, world: Scans) -> None:
    _paste(page, qr.encode(world.unreachable))
    assert _verdict(page) == "unchecked"
    assert page.inner_text(".verdict .state") == "? 无法核验：无法查询状态"
    assert page.locator(".verdict.verified").count() == 0
    assert "无法查询状态" in str(page.text_content("ul.problems"))
    _shot(page, artifacts, "06-unchecked-zh")


def test_a_recognition_chain_verifies_and_is_drawn_as_a_tree(page: Any, artifacts: Path, world: Scans) -> None:
    _paste(page, qr.encode(world.recognition))
    assert _verdict(page) == "verified"
    assert page.inner_text(".card .kind") == "认定凭证"
    nodes = page.locator(".chain ul.tree > li")
    assert [nodes.nth(i).get_attribute("data-role") for i in range(nodes.count())] == ["rule", "source"]
    assert all("verified" in (nodes.nth(i).get_attribute("class") or "") for i in range(nodes.count()))
    tree = page.inner_text(".chain")
    assert "认定规则集凭证" in tree and "职业技能等级凭证" in tree and "人力资源社会保障部（测试）" in tree
    assert "工程师" in page.inner_text("dl.recognition")
    _shot(page, artifacts, "07-recognition-chain-zh")


def test_a_reported_recognition_shows_its_standing_empty_basis_and_note(
    page: Any, artifacts: Path, world: Scans
) -> None:
    """Issue 18: the scan page shows the rule's standing, a 依据 row reading 原文件未取得, and the rule's note."""
    _paste(page, qr.encode(world.selected))
    assert _verdict(page) == "verified"
    result = page.inner_text("#result")
    assert "依据状态" in result and "据报道（原文件未取得）" in result and "原文件未取得" in result
    assert "择优" in result and "推定" not in result
    _shot(page, artifacts, "09-reported-recognition-zh")
    page.click("#lang-toggle")
    result = page.inner_text("#result")
    assert "reported (instrument not retrieved)" in result and "selectively" in result
    _shot(page, artifacts, "09-reported-recognition-en")
    page.click("#lang-toggle")


def test_an_inferred_recognition_is_marked_inferred_not_official(page: Any, artifacts: Path, world: Scans) -> None:
    _paste(page, qr.encode(world.inferred))
    assert _verdict(page) == "verified"
    assert page.inner_text(".badge.inferred") == "推定（非官方）"
    page.click("#lang-toggle")
    assert page.inner_text(".badge.inferred") == "inferred, not official"
    _shot(page, artifacts, "08-inferred-recognition-en")


def test_a_recognition_whose_source_is_tampered_fails_in_the_tree(page: Any, world: Scans) -> None:
    broken = json.loads(json.dumps(world.recognition))
    broken["relatedResource"][0]["digestMultibase"] = "u" + "A" * 46
    _paste(page, qr.encode(broken))
    assert _verdict(page) == "failed"
    problems = str(page.text_content("ul.problems"))
    assert "依据凭证摘要不匹配" in problems or "签名验证失败" in problems


def test_both_languages_render_and_toggle(page: Any, artifacts: Path, world: Scans) -> None:
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("h1") == "凭证核验"
    assert page.inner_text("#scan-btn") == "扫描二维码"
    _paste(page, qr.encode(world.revoked))
    assert _verdict(page) == "failed"
    page.click("#lang-toggle")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Credential check"
    assert page.inner_text("#scan-btn") == "Scan QR code"
    assert page.inner_text(".verdict .state") == "✗ Revoked by the issuer"
    assert page.text_content("ul.problems strong") == "The credential has been revoked"
    assert "Example Heavy Machine Tool Co., Ltd." in page.inner_text(".issuer-listed")
    assert page.inner_text("#lang-toggle") == "中文"
    _shot(page, artifacts, "09-revoked-en")
    page.click("#lang-toggle")
    assert page.inner_text(".verdict .state") == "✗ 已被签发机构撤销"
    assert page.inner_text("h1") == "凭证核验"


def test_request_mode_shows_a_challenge_qr_and_verifies_the_answer(page: Any, artifacts: Path, world: Scans) -> None:
    page.click("#request-btn")
    page.wait_for_selector("#request-qr[data-challenge]", state="visible", timeout=TIMEOUT)
    src = str(page.get_attribute("#request-qr", "src"))
    assert src.startswith("data:image/svg+xml")
    assert page.evaluate("document.getElementById('request-qr').naturalWidth") > 0
    challenge = str(page.get_attribute("#request-qr", "data-challenge"))
    # the request's expiry in Chinese form and Beijing time, not the API's UTC stamp
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）", page.inner_text("#request-expires"))
    _shot(page, artifacts, "10-request-qr")
    answer = presentation([world.valid], HOLDER, challenge=challenge)
    _paste(page, qr.encode(answer))
    assert _verdict(page) == "verified"
    assert page.inner_text(".presentation .verdict .state") == "✓ 核验通过"
    assert page.is_hidden("#request-panel")
    _shot(page, artifacts, "11-presentation-verified")

"""Card view models and the printed certificate."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.wallet_demo.conftest import recognition_credential, skill_credential
from tests.world import EVAL
from vccore.qr import payload as qr
from vccore.qr.read import read_qr
from wallet_demo.cards import card_for, card_lines, lang_text
from wallet_demo.certificate import find_cjk_font, render_certificate


def test_a_skill_level_card() -> None:
    card = card_for(skill_credential(), local_id="abc123")
    assert card.kind == "SkillLevelCredential"
    assert (card.kind_label.zh, card.kind_label.en) == ("职业技能等级", "Skill level")
    assert card.headline.zh == "车工 · 二级/技师"
    assert "Level 2 / technician" in card.headline.en
    assert card.holder_name == "张试一"
    assert card.issuer_id == EVAL.controller
    assert card.issuer_name.en == "Example Heavy Machine Tool Co., Ltd."
    assert card.status.en.startswith("No status entry")
    values = {f.label.en: f.value.zh for f in card.fields}
    assert values["Certificate no."] == "Y000014000031232000158"
    assert values["Job type"] == "数控车工"
    assert values["Date of issue"] == "2023年6月30日"  # the certificate's date, one label, Chinese form
    zh, en = "\n".join(card_lines(card)), "\n".join(card_lines(card, lang="en"))
    assert "凭证自述，未核验" in zh and "as the credential claims" in en
    assert "状态" in zh and "Status" in en


def test_a_recognition_card_shows_what_and_where_and_that_it_is_inferred() -> None:
    card = card_for(recognition_credential(skill_credential()))
    assert card.kind_label.zh == "贯通认定"
    assert card.inferred
    assert card.headline.zh.startswith("视同具备 ") and card.headline.zh.endswith("（中级）职称")  # the grant
    values = {f.label.en: f.value for f in card.fields}
    assert values["Region"].zh == "山西省"
    # issue 18: the standing row, and a 依据 row reading 原文件未取得 when the basis names no document
    assert values["Standing"].zh == "推定（非官方）"
    assert values["Standing"].en == "inferred, not official"
    assert (values["Legal basis"].zh, values["Legal basis"].en) == ("原文件未取得", "instrument not retrieved")
    assert "推定（非官方）" in card_lines(card)[0]


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"type": "VerifiableCredential"},
        {"type": ["VerifiableCredential", "Odd"], "credentialSubject": []},
        {"credentialSubject": [{"name": 5}], "issuer": 7},
        {"type": ["RecognitionCredential"], "credentialSubject": {"recognizedAs": "x", "grants": 3}},
    ],
)
def test_odd_shapes_never_raise(document: dict[str, Any]) -> None:
    card = card_for(document)
    assert card_lines(card)


def test_language_values() -> None:
    assert lang_text([{"@value": "甲", "@language": "zh"}, {"@value": "A", "@language": "en"}]).en == "A"
    assert lang_text({"@value": "甲", "@language": "zh-CN"}).zh == "甲"
    assert lang_text(None).zh == ""


def test_the_certificate_png_carries_the_credential_in_its_qr_code() -> None:
    credential = skill_credential()
    png, _ = render_certificate(credential)
    image = Image.open(io.BytesIO(png))
    assert image.size == (2480, 3508)
    assert round(image.info["dpi"][0]) == 300
    assert qr.decode(read_qr(png)) == credential


def test_the_certificate_pdf(tmp_path: Path) -> None:
    pdf, _ = render_certificate(skill_credential(), fmt="pdf")
    assert pdf.startswith(b"%PDF")


def test_without_a_cjk_font_the_page_degrades_to_english(tmp_path: Path) -> None:
    png, cjk = render_certificate(skill_credential(), font_dirs=[tmp_path])
    assert cjk is False
    assert qr.decode(read_qr(png))["id"] == skill_credential()["id"]


def test_a_cjk_font_is_found_by_name(tmp_path: Path) -> None:
    assert find_cjk_font([tmp_path]) is None
    # any installed TrueType font stands in (the Makefile installs fonts-wqy-microhei)
    dejavu = next((f for f in sorted(Path("/usr/share/fonts").rglob("*.tt[fc]"))), None)
    assert dejavu is not None, "no TrueType font installed: run make browser (fonts-wqy-microhei)"
    (tmp_path / "opentype").mkdir()
    stand_in = tmp_path / "opentype" / "NotoSansCJK-Regular.ttf"
    stand_in.write_bytes(dejavu.read_bytes())
    assert find_cjk_font([tmp_path]) == stand_in
    png, cjk = render_certificate(skill_credential(), font_dirs=[tmp_path])
    assert cjk is True
    assert qr.decode(read_qr(png))["id"] == skill_credential()["id"]


def test_a_credential_with_a_status_entry_is_unknown_offline() -> None:
    document = dict(skill_credential(), credentialStatus=[{"type": "BitstringStatusListEntry"}])
    assert card_for(document).status.zh == "状态未知（离线，未查询）"

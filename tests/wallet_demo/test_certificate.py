"""The printed certificate's layout: lines beside the codes stop before the leftmost one (a recognition's
source codes are placed left of its own, and the 认定机构 line ran under them)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.world import recognitions
from wallet_demo.certificate import render_certificate

NAME_ZH = "示例省人力资源和社会保障厅（演示）"
NAME_EN = "Example Provincial HRSS Department (demo)"


def test_the_recognizing_body_is_wrapped_before_the_source_codes_not_under_them() -> None:
    world = recognitions()
    doc = dict(world.selected)
    doc["issuer"] = {
        "id": doc["issuer"],
        "name": [{"@value": NAME_ZH, "@language": "zh"}, {"@value": NAME_EN, "@language": "en"}],
    }
    pdf, cjk = render_certificate(doc, fmt="pdf", sources=[world.p1])
    assert cjk
    lines = [line.strip() for line in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()]
    # the name wraps where the codes begin: the Chinese name on one line, the English on the next, whole
    assert NAME_ZH in lines and NAME_EN in lines, lines

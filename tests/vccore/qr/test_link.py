"""A QR payload in a scan-page URL (vccore.qr.link): wrapped, unwrapped, sized and read back by zxing-cpp."""

from __future__ import annotations

import pytest

from vccore.errors import Code, SkillcredError
from vccore.qr import payload as qr
from vccore.qr.capacity import required_version
from vccore.qr.link import split, unwrap, wrap
from vccore.qr.matrix import build_matrix, data_bits, link_version, segment_bits
from vccore.qr.read import read_qr
from vccore.qr.render import render_png

SCAN = "https://verify.example.cn/"
#: a document with enough text for a mid-size symbol (the codec takes any JSON object)
DOCUMENT = {"type": ["VerifiableCredential"], "credentialSubject": {"name": "张试一", "note": "车工 二级/技师 " * 20}}


def test_space_and_percent_are_escaped_and_come_back() -> None:
    payload = "SC2:A B%C"
    url = wrap(payload, SCAN)
    assert url == "https://verify.example.cn/#SC2:A%20B%25C"
    assert split(url) == ("https://verify.example.cn/#", "SC2:A%20B%25C")
    assert unwrap(url) == payload
    assert unwrap(payload) == payload  # a bare payload is left as it is
    assert unwrap("https://elsewhere.example/#not-ours") == "https://elsewhere.example/#not-ours"


@pytest.mark.parametrize("bad", ["ftp://x.example/", "https://x.example/?q=1", "https://x.example/#f", "x.example"])
def test_a_scan_url_with_a_query_or_fragment_or_another_scheme_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="scan_url"):
        wrap("SC2:AB", bad)


def test_a_credential_in_a_url_reads_back_and_decodes_to_itself() -> None:
    credential = DOCUMENT
    url = wrap(qr.encode(credential), SCAN)
    matrix = build_matrix(url, ec="M")
    png = render_png(matrix, box_size=2)
    text = read_qr(png)
    assert text == url
    assert qr.decode(text) == credential


def test_the_url_costs_a_byte_segment_and_the_escapes_and_no_more() -> None:
    payload = qr.encode(DOCUMENT)
    url = wrap(payload, SCAN)
    version = link_version(url, ec="M")
    escapes = payload.count(" ") + payload.count("%")
    head = len(SCAN) + 1
    byte_count_bits = 8 if version <= 9 else 16
    extra = 11 * escapes + 4 + byte_count_bits + 8 * head
    assert segment_bits(url, version) == segment_bits(payload, version) + extra
    assert segment_bits(url, version) <= data_bits(version, "M") < segment_bits(url, version) + data_bits(version, "M")
    assert version >= (required_version(payload, "M") or 99)


def test_a_url_too_large_for_the_version_limit_is_refused_in_chinese_and_english() -> None:
    url = wrap("SC2:" + "A" * 1500, SCAN)
    with pytest.raises(SkillcredError, match="二维码网址") as caught:
        link_version(url, ec="M", max_version=10)
    assert caught.value.code == Code.QR_TOO_LARGE

"""vccore.oid4vp: the OpenID4VP shapes the scan page and the wallet share (issue 15), and the byte-mode QR
symbol that carries an ``openid4vp://`` request."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support import NOW
from vccore.errors import Code, SkillcredError
from vccore.exchange import oid4vp
from vccore.qr import matrix

RESPONSE = "https://hr.example.cn/oid4vp/response"
REQUEST_URI = "https://hr.example.cn/oid4vp/request/" + "s" * 32


def _jwt(claims: dict[str, Any], header: dict[str, Any] | None = None, signature: str = "") -> str:
    def b64(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{b64(header or {'alg': 'none'})}.{b64(claims)}.{signature}"


def _made() -> oid4vp.AuthorizationRequest:
    return oid4vp.new_request(response_uri=RESPONSE, nonce="n" * 32, state="s" * 32, expires=NOW + timedelta(minutes=5))


def test_a_request_round_trips_by_reference() -> None:
    made = _made()
    uri = oid4vp.authorization_uri(made.client_id, REQUEST_URI)
    assert uri.startswith("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fhr.example.cn")
    ref = oid4vp.parse_authorization_uri(uri)
    assert ref == oid4vp.RequestReference("redirect_uri:" + RESPONSE, REQUEST_URI)
    parsed = oid4vp.parse_request_object(made.jwt(), request_uri=REQUEST_URI, now=NOW)
    assert parsed == made
    claims = made.claims()
    assert claims["response_mode"] == "direct_post" and claims["dcql_query"]["credentials"][0]["format"] == "ldp_vc"
    vp = {"type": ["VerifiablePresentation"]}
    assert oid4vp.parse_vp_token(oid4vp.vp_token(vp)) == vp


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"response_mode": "fragment"}, Code.MALFORMED_VALUE_ERROR),
        ({"client_id": "redirect_uri:https://elsewhere.example/r"}, Code.MALFORMED_VALUE_ERROR),
        (
            {"response_uri": "https://evil.example/r", "client_id": "redirect_uri:https://evil.example/r"},
            Code.MALFORMED_VALUE_ERROR,
        ),
        ({"nonce": "short"}, Code.MALFORMED_VALUE_ERROR),
        ({"exp": int((NOW - timedelta(seconds=1)).timestamp())}, Code.EXPIRED),
    ],
)
def test_a_request_object_the_wallet_must_not_answer_is_refused(change: dict[str, Any], code: Code) -> None:
    claims = {**_made().claims(), **change}
    with pytest.raises(SkillcredError) as info:
        oid4vp.parse_request_object(_jwt(claims), request_uri=REQUEST_URI, now=NOW)
    assert info.value.code is code


def test_a_signed_or_malformed_request_is_refused() -> None:
    claims = _made().claims()
    for jwt in (_jwt(claims, {"alg": "ES256"}, "sig"), _jwt(claims, signature="x"), "a.b", "x" * 9000):
        with pytest.raises(SkillcredError, match="出示请求无效"):
            oid4vp.parse_request_object(jwt, request_uri=REQUEST_URI, now=NOW)
    for uri in (
        "https://x/?a=b",
        "openid4vp://",
        "openid4vp://?client_id=a",
        "openid4vp://?request_uri=ftp://x&client_id=a",
    ):
        with pytest.raises(SkillcredError, match="出示请求无效"):
            oid4vp.parse_authorization_uri(uri)
    for token in ("[]", '{"other": []}', '{"skillcred": [{}, {}]}', '{"skillcred": {}}'):
        with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: vp_token must"):
            oid4vp.parse_vp_token(token)


def test_a_url_outside_the_alphanumeric_set_gets_a_byte_mode_symbol() -> None:
    uri = oid4vp.authorization_uri(_made().client_id, REQUEST_URI)
    symbol = matrix.build_matrix(uri)
    assert symbol.version == matrix.byte_version(uri) and 4 * symbol.version + 17 == symbol.size
    with pytest.raises(SkillcredError) as info:
        matrix.byte_version("x" * 2000)
    assert info.value.code is Code.QR_TOO_LARGE

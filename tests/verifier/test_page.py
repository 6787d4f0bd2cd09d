"""The scan page's routes through starlette's test client: the page, its assets, /scan/verify, /request
and /id-check (hostile inputs included; the ID number never reaches a log or an answer)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from tests.support import DOMAIN, NOW, presentation, sign
from tests.world import EVAL, HOLDER, ROGUE, SIGNED, VerifierWorld, recognitions
from vccore.kinds import identity
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from vccore.result import Check, CheckName, VerificationResult
from verifier.app import create_app
from verifier.page import ASSETS
from verifier.pages.view import credential_view

ID_NUMBER = "140105198001010003"
OTHER_NUMBER = "11010519491231002X"
ClientFor = Callable[..., TestClient]


@pytest.fixture
def client_for(world: VerifierWorld) -> ClientFor:
    def make(**kw: Any) -> TestClient:
        return TestClient(create_app(world.verifier(**kw)))

    return make


@pytest.fixture
def client(client_for: ClientFor) -> TestClient:
    return client_for()


def _fast_hash(number: str = ID_NUMBER) -> dict[str, Any]:
    return identity.hash_identity(number, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)


# --- the page and its assets ----------------------------------------------------------------------


def test_the_page_is_served_in_chinese_first_under_a_strict_csp(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp and "*" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert '<html lang="zh-CN">' in r.text and "凭证核验" in r.text
    assert 'src="/static/jsQR.js"' in r.text and 'src="/static/page.js"' in r.text
    assert "trust-any-banner" not in r.text


def test_the_page_has_no_inline_script_style_or_handlers(client: TestClient) -> None:
    html = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, re.IGNORECASE)
    assert '<link rel="icon" href="data:,">' in html  # no /favicon.ico request, answered 404 on every visit


def test_trust_any_shows_a_loud_banner(client_for: ClientFor) -> None:
    html = client_for(trust=None, trust_any=True).get("/").text
    assert 'id="trust-any-banner"' in html and "--trust any" in html
    assert 'data-trust-any="true"' in html


@pytest.mark.parametrize(("name", "media"), sorted(ASSETS.items()))
def test_assets_are_served_with_their_content_types(client: TestClient, name: str, media: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.headers["x-content-type-options"] == "nosniff"
    assert len(r.content) > 100


@pytest.mark.parametrize(
    "path",
    [
        "/static/jsQR.LICENSE.txt",
        "/static/..%2Fpage.py",
        "/static/%2e%2e/app.py",
        "/static/",
        "/static/page.js.map",
        "/templates/index.html",
    ],
)
def test_only_allowlisted_assets_are_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


_COMMENTS = re.compile(r"/\*.*?\*/|<!--.*?-->|(?<![:\\])//[^\n]*", re.DOTALL)


@pytest.mark.parametrize("path", ["/", *(f"/static/{name}" for name in ASSETS)])
def test_no_served_asset_refers_to_the_internet(client: TestClient, path: str) -> None:
    text = client.get(path).text
    code = _COMMENTS.sub("", text)
    assert not re.findall(r"https?://[^\s\"'<>)]*", code)
    assert not re.search(r"(?<![\w.])//[a-z0-9.-]+\.[a-z]{2,}/", code)  # protocol-relative
    assert "@import" not in code


def test_the_vendored_jsqr_names_its_source_version_and_licence(client: TestClient) -> None:
    head = client.get("/static/jsQR.js").text[:400]
    assert "jsqr@1.4.0" in head and "Apache License 2.0" in head


# --- /scan/verify ---------------------------------------------------------------------------------


def _scan(client: TestClient, document: dict[str, Any], **extra: Any) -> Any:
    return client.post("/scan/verify", json={"payload": qr.encode(document), **extra})


def test_a_valid_credential_shows_verified_with_the_trust_list_name(client: TestClient, world: VerifierWorld) -> None:
    r = _scan(client, world.credential())
    assert r.status_code == 200
    view = r.json()["view"]
    assert view["state"] == "verified" and view["problems"] == []
    assert view["holder"]["name"] == "张试一"
    assert view["issuer"]["listed"] == {"zh": "山西省职业技能鉴定中心", "en": "Shanxi Skill Evaluation Centre"}
    assert {
        "key": "skillLevel",
        "label": {"zh": "技能等级", "en": "Skill level"},
        "value": {"zh": "二级/技师", "en": "level 2/technician"},
    } in view["fields"]
    assert view["freshness"]["trustListAgeSeconds"] == 2 * 86400
    assert len(view["freshness"]["statusLists"]) == 2


def test_a_revoked_credential_is_not_verified(client: TestClient, world: VerifierWorld) -> None:
    r = _scan(client, world.credential(index=7))
    assert r.status_code == 422
    view = r.json()["view"]
    assert view["state"] == "failed"
    assert [(p["check"], p["code"], p["title_zh"]) for p in view["problems"]] == [
        ("status.revocation", "REVOKED", "凭证已被撤销")
    ]


def test_a_tampered_credential_lists_the_failed_proof(client: TestClient, world: VerifierWorld) -> None:
    doc = world.credential()
    doc["credentialSubject"]["skillLevel"] = "L1"
    view = _scan(client, doc).json()["view"]
    assert view["state"] == "failed"
    assert "PROOF_VERIFICATION_ERROR" in {p["code"] for p in view["problems"]}
    assert all(p["title"] and p["title_zh"] for p in view["problems"])


def test_an_unreachable_status_list_is_could_not_check_never_verified(
    client_for: ClientFor, world: VerifierWorld
) -> None:
    doc = world.credential()
    world.lists.clear()
    world.serve("https://status.example/unrelated", {})
    r = client_for().post("/scan/verify", json={"payload": qr.encode(doc)})
    assert r.status_code == 422
    view = r.json()["view"]
    assert view["state"] == "unchecked"
    assert {p["code"] for p in view["problems"]} == {"STATUS_RETRIEVAL_ERROR"}


def test_the_claimed_issuer_name_is_shown_only_as_claimed(client: TestClient, world: VerifierWorld) -> None:
    unsigned = world.unsigned()
    names = [
        {"@value": "国家职业技能鉴定总局", "@language": "zh"},
        {"@value": "National Skills Bureau", "@language": "en"},
    ]
    unsigned["issuer"] = {"id": EVAL.controller, "name": names}
    view = _scan(client, sign(unsigned, EVAL, created=SIGNED)).json()["view"]
    assert view["state"] == "verified"
    assert view["issuer"]["listed"]["zh"] == "山西省职业技能鉴定中心"
    assert view["issuer"]["claimed"] == {"zh": "国家职业技能鉴定总局", "en": "National Skills Bureau"}
    assert view["issuer"]["claimedDiffers"] is True


def test_an_untrusted_issuer_has_no_listed_name(client: TestClient, world: VerifierWorld) -> None:
    view = _scan(client, world.credential(key=ROGUE, issuer=ROGUE.controller)).json()["view"]
    assert view["state"] == "failed" and view["issuer"]["listed"] is None
    assert "UNTRUSTED_ISSUER" in {p["code"] for p in view["problems"]}


def test_a_photo_is_read_on_the_server(client: TestClient, world: VerifierWorld) -> None:
    png = render_png(qr.encode(world.credential()), box_size=4)
    r = client.post("/scan/verify", content=png, headers={"content-type": "image/png"})
    assert r.status_code == 200 and r.json()["view"]["state"] == "verified"


def test_a_photo_without_a_qr_code_is_a_problem(client: TestClient) -> None:
    out = io.BytesIO()
    Image.new("L", (64, 64), 255).save(out, format="PNG")
    r = client.post("/scan/verify", content=out.getvalue(), headers={"content-type": "image/png"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        (b'{"payload": "SC2:NOT BASE45!"}', "application/json", 400),
        (b'{"payload": 5}', "application/json", 400),
        (b'{"payload": "x", "challenge": 5}', "application/json", 400),
        (b"[1]", "application/json", 400),
        (b"{", "application/json", 400),
        (b'{"payload": "' + b"A" * 20_000 + b'"}', "application/json", 400),
        (b"SC2:ABC", "text/plain", 415),
        (b"\x89PNG\r\n\x1a\nbroken", "image/png", 400),
    ],
)
def test_scan_verify_refuses_bad_input(client: TestClient, body: bytes, media: str, status: int) -> None:
    r = client.post("/scan/verify", content=body, headers={"content-type": media})
    assert r.status_code == status, r.text
    assert r.json()["code"]


def test_a_reference_payload_is_not_fetched(client: TestClient) -> None:
    payload = qr.encode_reference("https://issuer.example/c/1", "ab" * 32)
    r = client.post("/scan/verify", json={"payload": payload})
    assert r.status_code == 400 and r.json()["code"] == "FETCH_NOT_ALLOWED"


def test_a_request_qr_is_not_a_credential(client: TestClient) -> None:
    body = client.post("/request").json()
    r = client.post("/scan/verify", json={"payload": body["payload"]})
    assert r.status_code == 400


def test_an_oversized_photo_is_refused_unread(client: TestClient) -> None:
    r = client.post("/scan/verify", content=b"\0" * (11 * 1024 * 1024), headers={"content-type": "image/png"})
    assert r.status_code == 413


# --- request mode ---------------------------------------------------------------------------------


def test_request_mode_issues_a_single_use_challenge_as_a_wallet_request_qr(
    client: TestClient, world: VerifierWorld
) -> None:
    r = client.post("/request")
    assert r.status_code == 201
    body = r.json()
    assert body["svg"].startswith("<svg") and "<script" not in body["svg"]
    doc = qr.decode(body["payload"])
    assert doc == {
        "type": "SkillcredPresentationRequest",
        "challenge": body["challenge"],
        "domain": DOMAIN,
        "verifier": "http://testserver/",
        "expires": body["expires"],
    }
    vp = presentation([world.credential()], HOLDER, challenge=body["challenge"])
    first = client.post("/scan/verify", json={"payload": qr.encode(vp), "challenge": body["challenge"]})
    assert first.status_code == 200, first.text
    view = first.json()["view"]
    assert view["type"] == "VerifiablePresentation" and view["state"] == "verified"
    assert [c["state"] for c in view["credentials"]] == ["verified"]
    again = client.post("/scan/verify", json={"payload": qr.encode(vp), "challenge": body["challenge"]})
    assert again.status_code == 422
    assert "INVALID_CHALLENGE_ERROR" in {p["code"] for p in again.json()["view"]["problems"]}


def test_a_presentation_without_the_challenge_is_not_verified(client: TestClient, world: VerifierWorld) -> None:
    vp = presentation([world.credential()], HOLDER, challenge="not-issued-here-1234")
    view = _scan(client, vp).json()["view"]
    assert view["state"] == "failed"


def test_a_hostile_host_header_does_not_reach_the_request(client: TestClient) -> None:
    r = client.post("/request", headers={"host": "evil.example/<script>"})
    assert qr.decode(r.json()["payload"])["verifier"] == "http://localhost/"


# --- /id-check ------------------------------------------------------------------------------------


def test_id_check_matches_the_right_number_only(client: TestClient) -> None:
    hashed = _fast_hash()
    assert client.post("/id-check", json={"identityHash": hashed, "idNumber": ID_NUMBER}).json() == {"match": True}
    assert client.post("/id-check", json={"identityHash": hashed, "idNumber": OTHER_NUMBER}).json() == {"match": False}
    credential = {"credentialSubject": {"identityHash": hashed}}
    assert client.post("/id-check", json={"credential": credential, "idNumber": ID_NUMBER.lower()}).json() == {
        "match": True
    }


def test_id_check_accepts_a_number_typed_in_groups_and_says_why_in_chinese_first(client: TestClient) -> None:
    hashed = _fast_hash()
    grouped = f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]}\u3000{ID_NUMBER[14:]}"  # a space and a full-width space
    assert client.post("/id-check", json={"identityHash": hashed, "idNumber": grouped}).json() == {"match": True}
    full_width = ID_NUMBER.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})  # a Chinese input method's
    dashed = f"{ID_NUMBER[:6]}-{ID_NUMBER[6:14]}－{ID_NUMBER[14:]}"
    for typed in (full_width, dashed, full_width.lower()):
        assert client.post("/id-check", json={"identityHash": hashed, "idNumber": typed}).json() == {"match": True}
    answer = client.post("/id-check", json={"identityHash": hashed, "idNumber": "12 34"})
    assert answer.status_code == 400 and answer.json()["code"] == "MALFORMED_VALUE_ERROR"
    assert answer.json()["detail"].startswith("身份证号码无效")


def test_the_id_number_never_reaches_a_log_or_an_answer(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    hashed = _fast_hash()
    bad_check = ID_NUMBER[:-1] + "4"
    answers = []
    with caplog.at_level(logging.DEBUG):
        for number in (ID_NUMBER, OTHER_NUMBER, bad_check, ID_NUMBER + "1"):
            answers.append(client.post("/id-check", json={"identityHash": hashed, "idNumber": number}))
        answers.append(client.post("/id-check", json={"identityHash": {"salt": "x"}, "idNumber": ID_NUMBER}))
    assert [a.status_code for a in answers] == [200, 200, 400, 400, 400]
    seen = caplog.text + "".join(a.text + json.dumps(dict(a.headers)) for a in answers)
    for number in (ID_NUMBER, OTHER_NUMBER, bad_check):
        assert number not in seen
        assert number[-4:] not in "".join(a.text for a in answers[2:])  # not even masked


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        (b"not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'{"identityHash": {}}', "application/json", 400),
        (b'{"identityHash": {}, "idNumber": 140105198001010003}', "application/json", 400),
        (b'{"identityHash": {}, "idNumber": ""}', "application/json", 400),
        (b'{"identityHash": {}, "idNumber": "' + b"1" * 40 + b'"}', "application/json", 400),
        (b'{"idNumber": "140105198001010003"}', "application/json", 400),
        (b'{"identityHash": "x", "idNumber": "140105198001010003"}', "application/json", 400),
        (
            b'{"identityHash": {"type": "Argon2idIdentityHash"}, "idNumber": "140105198001010003"}',
            "application/json",
            400,
        ),
        (b'{"a":' * 50 + b"1" + b"}" * 50, "application/json", 400),
        (b'{"idNumber": "1", "idNumber": "2"}', "application/json", 400),
        (b"idNumber=140105198001010003", "application/x-www-form-urlencoded", 415),
        (b"{" + b" " * 20_000 + b"}", "application/json", 413),
    ],
)
def test_id_check_refuses_hostile_input(client: TestClient, body: bytes, media: str, status: int) -> None:
    r = client.post("/id-check", content=body, headers={"content-type": media})
    assert r.status_code == status, r.text
    assert "140105198001010003" not in r.text


def test_id_check_refuses_costly_parameters_before_hashing(client: TestClient) -> None:
    hashed = {**_fast_hash(), "memLimit": 1 << 40}
    r = client.post("/id-check", json={"identityHash": hashed, "idNumber": ID_NUMBER})
    assert r.status_code == 422 and r.json()["code"] == "RESOURCE_LIMIT_EXCEEDED"


def test_id_check_is_post_only(client: TestClient) -> None:
    assert client.get("/id-check").status_code == 405


def test_a_recognition_shows_its_region_and_rule_once_in_its_own_rows() -> None:
    w = recognitions()
    signed = VerificationResult(checks=(Check.ok(CheckName.PROOF),))  # what it says may be shown
    view = credential_view(w.selected, signed, w.trust, NOW)
    labels = [f["label"]["zh"] for f in view["fields"]] + [r["label"]["zh"] for r in view["recognition"]["rows"]]
    assert labels.count("适用地区") == 1 and labels.count("认定规则") == 1, labels
    assert "规则版本" not in labels and "认定日期" in labels
    rows = {r["label"]["zh"]: r["value"] for r in view["recognition"]["rows"]}
    assert rows["适用地区"] == {"zh": "山西省", "en": "Shanxi"}  # the region's name, not CN-SX
    subject = w.selected["credentialSubject"]
    rule = f"{subject['recognitionRule']} {subject['ruleVersion']}"
    assert rows["认定规则"] == {"zh": rule, "en": rule}

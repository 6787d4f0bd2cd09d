"""The verifier's HTTP API against SECURITY.md's verifier list: each hostile input gets its exact code,
never a 5xx, through starlette's test client."""

from __future__ import annotations

import asyncio
import copy
import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support import DOMAIN, NOW, presentation, sign
from tests.world import (
    EVAL,
    HOLDER,
    REV_URL,
    ROGUE,
    SIGNED,
    TITLE_BOARD,
    WEB_DID,
    VerifierWorld,
    status_list,
    web_document,
)
from vccore.did.resolver import DidResolver
from vccore.fetch import HttpsFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.qr import base45
from vccore.qr import payload as qr
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList
from verifier.apiprofile import VC_API
from verifier.app import create_app
from verifier.pipeline import Verifier
from verifier.webdid import web_resolver

MakeClient = Callable[..., TestClient]


@pytest.fixture
def client_for(world: VerifierWorld) -> MakeClient:
    def make(verifier: Verifier | None = None, **kw: Any) -> TestClient:
        return TestClient(create_app(verifier or world.verifier(), **kw), raise_server_exceptions=True)

    return make


def codes(body: dict[str, Any]) -> set[str]:
    found = {p["code"] for p in body.get("errors", [])}

    def walk(checks: list[dict[str, Any]]) -> None:
        for c in checks:
            found.update(p["code"] for p in c.get("problems", []))
            for r in c.get("results", []):
                walk(r["checks"])

    walk(body.get("checks", []))
    if "code" in body:
        found.add(body["code"])
    return found


def failed(body: dict[str, Any]) -> dict[str, set[str]]:
    return {c["check"]: {p["code"] for p in c["problems"]} for c in body["checks"] if not c["passed"]}


def post_vc(client: TestClient, doc: Any) -> tuple[int, dict[str, Any]]:
    r = client.post("/credentials/verify", json={"verifiableCredential": doc})
    return r.status_code, r.json()


# --- the happy path and the basic answers ------------------------------------------------------


def test_a_trusted_valid_credential_verifies_with_freshness(world: VerifierWorld, client_for: MakeClient) -> None:
    status, body = post_vc(client_for(), world.credential())
    assert status == 200 and body["verified"] is True and body["errors"] == []
    assert [c["check"] for c in body["checks"]] == [
        "syntax",
        "context",
        "form",
        "dataModel",
        "proof",
        "validity",
        "status.revocation",
        "status.suspension",
        "trust",
    ]
    assert body["info"]["trustListIssued"] == "2026-11-28T12:00:00Z"
    assert {s["url"] for s in body["info"]["statusLists"]} == set(world.lists)
    assert body["checks"][-1]["info"]["names"]["zh"] == "山西省职业技能鉴定中心"


def test_did_web_issuer_verifies_offline_from_static_documents(world: VerifierWorld, client_for: MakeClient) -> None:
    world.serve(
        "https://status.example/w/r",
        status_list("https://status.example/w/r", "revocation", key=TITLE_BOARD),
    )
    doc = world.unsigned(issuer=TITLE_BOARD.controller, kind="ProfessionalTitleCredential", status=False)
    doc["credentialStatus"] = {
        "id": "https://status.example/w/r#1",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
        "statusListCredential": "https://status.example/w/r",
    }
    status, body = post_vc(client_for(), sign(doc, TITLE_BOARD, created=SIGNED))
    assert status == 200, body


def test_revoked_credential_fails_status_revocation(world: VerifierWorld, client_for: MakeClient) -> None:
    status, body = post_vc(client_for(), world.credential(index=7))
    assert status == 422 and failed(body) == {"status.revocation": {"REVOKED"}}


def test_suspended_credential_fails_status_suspension(world: VerifierWorld, client_for: MakeClient) -> None:
    status, body = post_vc(client_for(), world.credential(index=9))
    assert status == 422 and failed(body) == {"status.suspension": {"SUSPENDED"}}


def test_health_reports_freshness(client_for: MakeClient) -> None:
    r = client_for().get("/health")
    assert r.status_code == 200 and r.json()["freshness"]["trustListIssued"] == "2026-11-28T12:00:00Z"


# --- 1. oversized and malformed input ---------------------------------------------------------


def test_declared_oversized_body_is_refused_unread(client_for: MakeClient) -> None:
    r = client_for(max_json_bytes=1000).post("/credentials/verify", content=b"{" + b" " * 5000 + b"}")
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "RESOURCE_LIMIT_EXCEEDED"


def test_streamed_oversized_body_stops_reading_at_the_cap(world: VerifierWorld) -> None:
    app = create_app(world.verifier(), max_json_bytes=10_000)
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 4096, "more_body": True}  # endless

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/credentials/verify",
        "headers": [],
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("t", 80),
        "http_version": "1.1",
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413 and reads == 3


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"verifiableCredential": {"a": NaN}}', "PARSING_ERROR"),
        (b'{"verifiableCredential": {"a": Infinity}}', "PARSING_ERROR"),
        (b'{"verifiableCredential": {}, "verifiableCredential": {}}', "PARSING_ERROR"),
        (b'{"verifiableCredential": ' + b"[" * 5000 + b"]" * 5000 + b"}", "RESOURCE_LIMIT_EXCEEDED"),
        (b'{"verifiableCredential": {"a": "\\ud800"}}', "PARSING_ERROR"),
        (b'{"verifiableCredential": {"a": "\xff"}}', "PARSING_ERROR"),
        (b"\xef\xbb\xbf{}", "PARSING_ERROR"),
        (b'{"verifiableCredential": ' + b"9" * 5000 + b"}", "RESOURCE_LIMIT_EXCEEDED"),
    ],
)
def test_malformed_json_is_a_400_problem(client_for: MakeClient, raw: bytes, code: str) -> None:
    client = client_for()
    r = client.post("/credentials/verify", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == code
    assert client.get("/health").status_code == 200  # still serving


GARBAGE: list[Any] = [
    b"",
    b"null",
    b"[]",
    b'"x"',
    b"1e999",
    b"-0",
    b"true",
    b"{}",
    b"{",
    b"\x00",
    {"verifiableCredential": None},
    {"verifiableCredential": []},
    {"verifiableCredential": "x"},
    {"verifiableCredential": 10**30},
    {"verifiableCredential": {}, "options": []},
    {"verifiableCredential": {"@context": 5}},
    {"verifiableCredential": {"@context": [None]}},
    {
        "verifiableCredential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": 7,
            "issuer": [],
            "credentialSubject": "x",
            "validFrom": 3,
            "proof": "x",
            "credentialStatus": 1,
        }
    },
    {"verifiablePresentation": {"holder": 5, "verifiableCredential": 5}},
    {"verifiablePresentation": {}, "options": {"challenge": 5}},
    {"verifiablePresentation": [], "options": {"domain": []}},
    {"payload": 5},
    {"payload": "SC1:!!!"},
    {"payload": "SC9:AAAA"},
    {"payload": ""},
]


@pytest.mark.parametrize(
    "path",
    ["/credentials/verify", "/presentations/verify", "/verify/qr", "/challenges", "/health", "/nowhere"],
)
@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_no_garbage_body_gets_a_5xx(client_for: MakeClient, path: str, body: Any) -> None:
    client = client_for()
    if isinstance(body, bytes):
        r = client.post(path, content=body, headers={"content-type": "application/json"})
    else:
        r = client.post(path, json=body)
    assert r.status_code < 500, r.text
    assert r.status_code in (200, 201, 400, 404, 405, 413, 415, 422)


@pytest.mark.parametrize(
    "field",
    [
        "@context",
        "id",
        "type",
        "issuer",
        "validFrom",
        "validUntil",
        "credentialSubject",
        "credentialStatus",
        "credentialSchema",
        "proof",
    ],
)
@pytest.mark.parametrize("value", [None, 0, -1, 1.5, True, "", "x", [], {}, [None], [{}], {"id": 5}])
def test_wrong_types_in_every_field_fail_without_5xx(
    world: VerifierWorld, client_for: MakeClient, field: str, value: Any
) -> None:
    doc = world.credential()
    doc[field] = value
    status, body = post_vc(client_for(), doc)
    assert status == 422 and body["verified"] is False
    if field not in ("@context", "id") and (value is None or value == [] or value == [None]):
        # JSON-LD reads null and empty arrays as nothing: the signed graph is unchanged, but the JSON a
        # check reads is not the one the proof covers (issue 12), so the one reading refuses it first
        assert failed(body) == {"form": {"NOT_COMPACT_FORM"}}, body


def test_wrong_types_in_proof_fields_fail_without_5xx(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    for key in (
        "type",
        "cryptosuite",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
        "created",
        "expires",
        "previousProof",
        "@context",
        "id",
    ):
        values: list[Any] = [None, 5, [], {}, "", "did:key:z", "z" * 200]
        for value in values:
            doc = world.credential()
            doc["proof"] = dict(doc["proof"], **{key: value})
            status, body = post_vc(client, doc)
            assert status in (200, 422), (key, value, body)
            if key not in ("id",):
                no_op = (key, value) in (("expires", None), ("previousProof", []))  # JSON-LD drops them
                assert status == 422 or no_op, (key, value)


# --- 2. decompression bombs (QR payloads) ------------------------------------------------------


def test_qr_inflate_bomb_is_refused(client_for: MakeClient) -> None:
    import zlib

    bomb = zlib.compressobj(9, zlib.DEFLATED, -15).compress(b"[" + b" " * 5_000_000) + b""
    payload = "SC1:" + base45.b45encode(bomb + zlib.compressobj(9, zlib.DEFLATED, -15).flush())
    r = client_for().post("/verify/qr", json={"payload": payload[:4000]})
    assert r.status_code in (400, 413) and r.json()["code"] in ("RESOURCE_LIMIT_EXCEEDED", "PARSING_ERROR")


def test_qr_payload_as_json_text_and_png_verifies(world: VerifierWorld, client_for: MakeClient) -> None:
    from vccore.qr.render import render_png

    doc = world.credential()
    payload = qr.encode(doc)
    client = client_for()
    assert client.post("/verify/qr", json={"payload": payload}).status_code == 200
    assert client.post("/verify/qr", content=payload, headers={"content-type": "text/plain"}).status_code == 200
    png = render_png(payload, box_size=4)
    r = client.post("/verify/qr", content=png, headers={"content-type": "image/png"})
    assert r.status_code == 200, r.text
    r = client.post("/verify/qr", files={"image": ("card.png", png, "image/png")})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("body", [b"", b"\x89PNG\r\n\x1a\n garbage", b"\xff\xd8\xff\xe0 nope"])
def test_broken_images_are_400(client_for: MakeClient, body: bytes) -> None:
    client = client_for()
    for media in ("image/png", "image/jpeg"):
        r = client.post("/verify/qr", content=body, headers={"content-type": media})
        assert r.status_code == 400 and r.json()["code"] == "PARSING_ERROR"
    r = client.post("/verify/qr", files={"image": ("x.png", body, "image/png")})
    assert r.status_code == 400


# --- 3, 4, 5. contexts: remote, @vocab, lossy ---------------------------------------------------


class CountingFetcher:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def fetch(self, url: str) -> Any:
        self.calls.append(url)
        raise AssertionError(f"fetched {url}")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["@context"].append("https://evil.example/ctx"),
        lambda d: d["@context"].append("file:///etc/passwd"),
        lambda d: d["@context"].append({"@vocab": "https://evil.example/#"}),
        lambda d: d["@context"].append({"@import": "https://evil.example/ctx"}),
        lambda d: d["credentialSubject"].update({"@context": {"skillLevel": "https://evil.example/#lvl"}}),
        lambda d: d.update({"@context": ["https://w3id.org/skillcred/v1", "https://www.w3.org/ns/credentials/v2"]}),
        lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}),
    ],
    ids=["remote", "file", "vocab", "import", "subtree", "order", "test-only"],
)
def test_unpinned_contexts_are_refused_with_no_fetch(
    world: VerifierWorld, client_for: MakeClient, mutate: Callable[[dict[str, Any]], None]
) -> None:
    doc = world.credential()
    mutate(doc)
    fetcher = CountingFetcher()
    status, body = post_vc(client_for(world.verifier(status=world.source(fetcher=fetcher))), doc)
    assert status == 422 and failed(body) == {"context": {"CONTEXT_NOT_ALLOWED"}}
    assert fetcher.calls == []


def test_undefined_term_added_after_signing_is_data_loss(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential()
    doc["credentialSubject"]["favouriteColour"] = "blue"
    status, body = post_vc(client_for(), doc)
    assert status == 422 and "DATA_LOSS_DETECTION_ERROR" in failed(body)["proof"]


def test_edited_claim_does_not_verify(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential()
    doc["credentialSubject"]["skillLevel"] = "L1"
    status, body = post_vc(client_for(), doc)
    assert status == 422 and failed(body)["proof"] == {"PROOF_VERIFICATION_ERROR"}


# --- 8, 9, 10. signatures, keys, controllers, proof sets ---------------------------------------


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        ({"proofValue": "u" + "A" * 86}, "MALFORMED_PROOF_ERROR"),
        ({"proofValue": "z" + "1" * 150}, "RESOURCE_LIMIT_EXCEEDED"),
        ({"proofValue": "z3"}, "PROOF_VERIFICATION_ERROR"),
        ({"cryptosuite": "eddsa-jcs-2022"}, "PROOF_VERIFICATION_ERROR"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "PROOF_VERIFICATION_ERROR"),
        ({"type": "Ed25519Signature2018"}, "PROOF_VERIFICATION_ERROR"),
        ({"proofPurpose": "authentication"}, "PROOF_VERIFICATION_ERROR"),
        (
            {"verificationMethod": "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH#x"},
            "INVALID_VERIFICATION_METHOD",
        ),
        ({"verificationMethod": "https://evil.example/key"}, "INVALID_VERIFICATION_METHOD"),
        ({"created": "2026-11-30T12:00:00"}, "MALFORMED_VALUE_ERROR"),
    ],
)
def test_signature_edge_cases(world: VerifierWorld, client_for: MakeClient, edit: dict[str, Any], code: str) -> None:
    doc = world.credential()
    doc["proof"] = dict(doc["proof"], **edit)
    status, body = post_vc(client_for(), doc)
    assert status == 422 and code in failed(body)["proof"], body


def test_missing_proof_field_fails(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential()
    del doc["proof"]["proofPurpose"]
    assert "PROOF_VERIFICATION_ERROR" in failed(post_vc(client_for(), doc)[1])["proof"]


def test_key_whose_controller_is_not_the_issuer_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = sign(world.unsigned(), ROGUE, created=SIGNED)  # issuer says A, the key is C's
    status, body = post_vc(client_for(), doc)
    assert status == 422 and "ISSUER_KEY_MISMATCH" in failed(body)["proof"]
    assert world.fetcher.count == 0  # no status fetch for a credential whose proof failed


def test_key_under_the_wrong_relationship_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:

    wrong = web_document(TITLE_BOARD)
    wrong["authentication"], wrong["assertionMethod"] = wrong["assertionMethod"], []
    loader = DocumentLoader(resolver=DidResolver(documents={WEB_DID: wrong}))
    doc = sign(
        world.unsigned(issuer=WEB_DID, kind="ProfessionalTitleCredential", status=False), TITLE_BOARD, created=SIGNED
    )
    status, body = post_vc(client_for(world.verifier(loader=loader)), doc)
    assert status == 422 and "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD" in failed(body)["proof"]


def test_a_proof_set_with_one_bad_proof_fails(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential()
    doc = sign(doc, EVAL, created=NOW - timedelta(days=29))
    assert len(doc["proof"]) == 2
    assert post_vc(client_for(), doc)[0] == 200
    bad = copy.deepcopy(doc)
    bad["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    status, body = post_vc(client_for(), bad)
    assert status == 422 and failed(body)["proof"] == {"PROOF_VERIFICATION_ERROR"}


def test_previous_proof_must_be_present(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential()
    doc["proof"] = [doc["proof"], dict(doc["proof"], id="urn:p2", previousProof="urn:missing")]
    assert "PROOF_VERIFICATION_ERROR" in failed(post_vc(client_for(), doc)[1])["proof"]


# --- 12. time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (datetime(2030, 10, 1, 0, 6, tzinfo=UTC), "EXPIRED"),
        (datetime(2026, 9, 30, 23, 54, tzinfo=UTC), "NOT_YET_VALID"),
    ],
)
def test_validity_window_with_skew(world: VerifierWorld, client_for: MakeClient, moment: datetime, code: str) -> None:
    doc = world.credential(status=False)
    world.clock.now = moment - (timedelta(minutes=2) if code == "EXPIRED" else -timedelta(minutes=2))
    assert "validity" not in failed(post_vc(client_for(), doc)[1])  # inside the 300 s allowance
    world.clock.now = moment
    status, body = post_vc(client_for(), doc)
    assert status == 422 and code in failed(body)["validity"]


# --- 13. status lists fail closed --------------------------------------------------------------


def test_unreachable_status_list_fails_closed(world: VerifierWorld, client_for: MakeClient) -> None:
    from vccore.fetch import StaticFetcher

    status, body = post_vc(
        client_for(world.verifier(status=world.source(fetcher=StaticFetcher({})))), world.credential()
    )
    assert status == 422 and failed(body) == {
        "status.revocation": {"STATUS_RETRIEVAL_ERROR"},
        "status.suspension": {"STATUS_RETRIEVAL_ERROR"},
    }


def test_status_list_from_another_issuer_fails(world: VerifierWorld, client_for: MakeClient) -> None:

    world.serve(REV_URL, status_list(REV_URL, "revocation", key=ROGUE))
    assert failed(post_vc(client_for(), world.credential())[1]) == {"status.revocation": {"STATUS_VERIFICATION_ERROR"}}


def test_too_short_status_list_fails(world: VerifierWorld, client_for: MakeClient) -> None:

    world.serve(REV_URL, status_list(REV_URL, "revocation", length=1024))
    assert failed(post_vc(client_for(), world.credential())[1]) == {"status.revocation": {"STATUS_LIST_LENGTH_ERROR"}}


def test_status_list_with_the_wrong_purpose_fails(world: VerifierWorld, client_for: MakeClient) -> None:

    world.serve(REV_URL, status_list(REV_URL, "suspension"))
    assert failed(post_vc(client_for(), world.credential())[1]) == {"status.revocation": {"STATUS_VERIFICATION_ERROR"}}


def test_stale_status_list_fails(world: VerifierWorld, client_for: MakeClient) -> None:
    world.clock.now = NOW + timedelta(days=2)
    status, body = post_vc(client_for(), world.credential())
    assert status == 422 and failed(body)["status.revocation"] == {"STATUS_RETRIEVAL_ERROR"}


def test_status_list_with_a_forged_signature_fails(world: VerifierWorld, client_for: MakeClient) -> None:

    forged = status_list(REV_URL, "revocation")
    forged["credentialSubject"]["encodedList"] = status_list(REV_URL, "revocation", set_bits=(1,))["credentialSubject"][
        "encodedList"
    ]
    world.serve(REV_URL, forged)
    assert failed(post_vc(client_for(), world.credential())[1]) == {"status.revocation": {"STATUS_VERIFICATION_ERROR"}}


@pytest.mark.parametrize("index", ["07", "-1", "+1", " 1", "1e3", "999999999999"])
def test_status_index_is_parsed_strictly(world: VerifierWorld, client_for: MakeClient, index: str) -> None:
    doc = world.unsigned()
    doc["credentialStatus"][0]["statusListIndex"] = index
    status, body = post_vc(client_for(), sign(doc, EVAL, created=SIGNED))
    assert status == 422 and failed(body)["status.revocation"] <= {"MALFORMED_VALUE_ERROR", "RANGE_ERROR"}


# --- 14. did:web --------------------------------------------------------------------------------


def test_did_web_to_a_private_address_is_refused_before_any_socket(
    world: VerifierWorld, client_for: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    fetcher = HttpsFetcher(resolver=lambda host, port: ["10.0.0.7"])
    loader = DocumentLoader(resolver=DidResolver(did_web=web_resolver(fetcher)))
    did = "did:web:intranet.example"
    key = KeyPair.from_seed(bytes([9]) * 32).with_id(f"{did}#k", did)
    doc = sign(world.unsigned(issuer=did), key, created=SIGNED)
    status, body = post_vc(client_for(world.verifier(loader=loader)), doc)
    assert status == 422 and "FETCH_NOT_ALLOWED" in failed(body)["proof"]
    assert opened == [] and world.fetcher.count == 0


# --- trust ------------------------------------------------------------------------------------


def test_untrusted_issuer_is_refused_and_nothing_is_fetched(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential(issuer=ROGUE.controller, key=ROGUE)
    status, body = post_vc(client_for(), doc)
    assert status == 422 and failed(body)["trust"] == {"UNTRUSTED_ISSUER"}
    assert failed(body)["status.revocation"] == {"STATUS_RETRIEVAL_ERROR"}
    assert world.fetcher.count == 0


def test_trusted_issuer_outside_its_credential_kinds_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential(kind="DegreeCredential", status=False)
    assert failed(post_vc(client_for(), doc)[1]) == {"trust": {"UNTRUSTED_ISSUER"}}


def test_key_outside_its_validity_window_fails_trust(world: VerifierWorld, client_for: MakeClient) -> None:
    issuer = world.trust.issuers[0]
    late = TrustedIssuer(
        issuer.did,
        issuer.name_zh,
        issuer.name_en,
        issuer.roles,
        issuer.jurisdictions,
        issuer.credential_types,
        (KeyPeriod(EVAL.id, NOW - timedelta(days=10)),),
    )
    trust = TrustList((late,), world.trust.issued)
    status, body = post_vc(client_for(world.verifier(trust=trust)), world.credential())
    assert status == 422 and failed(body) == {
        "trust": {"UNTRUSTED_ISSUER"},
        "status.revocation": {"STATUS_RETRIEVAL_ERROR"},
        "status.suspension": {"STATUS_RETRIEVAL_ERROR"},
    }


def test_trust_any_turns_an_unknown_issuer_into_loud_warnings(world: VerifierWorld, client_for: MakeClient) -> None:
    doc = world.credential(issuer=ROGUE.controller, key=ROGUE, status=False)
    status, body = post_vc(client_for(world.verifier(trust=None, trust_any=True)), doc)
    assert status == 200 and body["verified"] is True
    assert any("NOT checked" in w["detail"] for w in body["warnings"])
    assert {w["code"] for w in body["warnings"]} == {"UNTRUSTED_ISSUER"}


# --- 11. presentations and replay ---------------------------------------------------------------


def test_presentation_verifies_once_and_replay_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    issued = client.post("/challenges").json()
    assert issued["domain"] == DOMAIN and issued["expires"]
    vp = presentation([world.credential()], HOLDER, challenge=issued["challenge"])
    body = {"verifiablePresentation": vp, "options": {"challenge": issued["challenge"], "domain": DOMAIN}}
    first = client.post("/presentations/verify", json=body)
    assert first.status_code == 200, first.text
    assert [c["check"] for c in first.json()["checks"]][-1] == "credentials"
    second = client.post("/presentations/verify", json=body)
    assert second.status_code == 422 and failed(second.json()) == {"challenge": {"INVALID_CHALLENGE_ERROR"}}


def test_presentation_with_an_unissued_challenge_or_wrong_domain_fails(
    world: VerifierWorld, client_for: MakeClient
) -> None:
    client = client_for()
    vp = presentation([world.credential()], HOLDER, challenge="made-up")
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": "made-up", "domain": DOMAIN}},
    )
    assert failed(r.json()) == {"challenge": {"INVALID_CHALLENGE_ERROR"}}
    ch = client.post("/challenges").json()["challenge"]
    vp = presentation([world.credential()], HOLDER, challenge=ch, domain="evil.example")
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": "evil.example"}},
    )
    assert "INVALID_DOMAIN_ERROR" in failed(r.json())["challenge"]
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert "INVALID_DOMAIN_ERROR" in failed(r.json())["proof"]


def test_expired_challenge_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    ch = client.post("/challenges").json()["challenge"]
    world.clock.now = NOW + timedelta(minutes=6)
    vp = presentation([world.credential(status=False)], HOLDER, challenge=ch)
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert failed(r.json())["challenge"] == {"INVALID_CHALLENGE_ERROR"}


def test_presentation_fails_when_an_embedded_credential_fails(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    ch = client.post("/challenges").json()["challenge"]
    vp = presentation([world.credential(status=False), world.credential(index=7)], HOLDER, challenge=ch)
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert r.status_code == 422 and failed(r.json()) == {"credentials": {"REVOKED"}}
    results = r.json()["checks"][-1]["results"]
    assert [x["verified"] for x in results] == [True, False]


def test_holder_must_be_the_subject_and_sign_with_authentication(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    ch = client.post("/challenges").json()["challenge"]
    other = world.credential(subject=ROGUE.controller, status=False)
    vp = presentation([other], HOLDER, challenge=ch)
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert failed(r.json()) == {"holderBinding": {"HOLDER_MISMATCH"}}
    ch = client.post("/challenges").json()["challenge"]
    vp = presentation([world.credential(status=False)], HOLDER, challenge=ch)
    vp["holder"] = ROGUE.controller  # claims another holder than the signer
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert "proof" in failed(r.json())


def test_expired_presentation_proof_is_refused(world: VerifierWorld, client_for: MakeClient) -> None:
    client = client_for()
    ch = client.post("/challenges").json()["challenge"]
    vp = presentation([world.credential(status=False)], HOLDER, challenge=ch, expires=NOW - timedelta(minutes=10))
    r = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": ch, "domain": DOMAIN}},
    )
    assert "PROOF_EXPIRED" in failed(r.json())["proof"]


def test_presentation_without_challenge_fails(world: VerifierWorld, client_for: MakeClient) -> None:
    vp = presentation([world.credential(status=False)], HOLDER, challenge="c")
    r = client_for().post("/presentations/verify", json={"verifiablePresentation": vp})
    assert r.status_code == 422 and "INVALID_CHALLENGE_ERROR" in codes(r.json())


def test_unknown_route_and_method_are_problem_documents(client_for: MakeClient) -> None:
    client = client_for()
    assert client.get("/nowhere").json()["code"] == "NOT_FOUND"
    assert client.get("/credentials/verify").status_code == 405
    assert json.loads(client.get("/credentials/verify").text)["status"] == 405


# --- the VC-API presentation profile (issue 17) ---------------------------------------------------

SUITE_CHALLENGE = "u8Qb1kVhY2hhbGxlbmdlLWZyb20tY2FsbGVy"
SUITE_DOMAIN = "github.com/w3c/vc-data-model-2.0-test-suite"


def _generic(world: VerifierWorld, subject: str = "did:example:subject") -> dict[str, Any]:
    """A plain VC 2.0 credential (not one of skillcred's: only the base context), issued by EVAL."""
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": EVAL.controller,
        "validFrom": "2026-10-01T00:00:00Z",
        "credentialSubject": {"id": subject},
    }
    return sign(unsigned, EVAL)


def _vp(credentials: list[dict[str, Any]], *, holder: bool = True, **proof: Any) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }
    if holder:
        vp["holder"] = HOLDER.controller
    return sign(vp, HOLDER, purpose="authentication", **proof)


def _vc_api(world: VerifierWorld, client_for: MakeClient) -> TestClient:
    return client_for(world.verifier(trust=None, trust_any=True), presentation_rules=VC_API)


def _post_vp(client: TestClient, vp: dict[str, Any], **options: Any) -> Any:
    return client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": options})


def test_vc_api_profile_checks_the_callers_challenge_and_domain_against_the_proof(
    world: VerifierWorld, client_for: MakeClient
) -> None:
    """VC-API: the caller supplies the challenge and domain; they are compared with the proof, the
    verifier's own store is not consulted (the same request verifies twice), and a mismatch is the
    spec's code on the proof check."""
    client = _vc_api(world, client_for)
    vp = _vp([_generic(world)], challenge=SUITE_CHALLENGE, domain=SUITE_DOMAIN)
    for _ in range(2):
        ok = _post_vp(client, vp, challenge=SUITE_CHALLENGE, domain=SUITE_DOMAIN)
        assert ok.status_code == 200, ok.text
    assert failed(_post_vp(client, vp, challenge="another", domain=SUITE_DOMAIN).json()) == {
        "proof": {"INVALID_CHALLENGE_ERROR"}
    }
    assert failed(_post_vp(client, vp, challenge=SUITE_CHALLENGE, domain="evil.example").json()) == {
        "proof": {"INVALID_DOMAIN_ERROR"}
    }
    assert _post_vp(client, vp).status_code == 200  # nothing asked, nothing compared; the proof still holds
    tampered = copy.deepcopy(vp)
    tampered["proof"]["challenge"] = "another"
    assert "proof" in failed(_post_vp(client, tampered, challenge="another").json())


def test_vc_api_profile_makes_the_holder_optional_unless_asked_or_a_skillcred_credential_needs_it(
    world: VerifierWorld, client_for: MakeClient
) -> None:
    client = _vc_api(world, client_for)
    holderless = _vp([_generic(world)], holder=False, challenge=SUITE_CHALLENGE)
    assert _post_vp(client, holderless, challenge=SUITE_CHALLENGE).status_code == 200
    # a generic credential about someone else may be presented (VC 2.0: the holder need not be the subject)
    other = _vp([_generic(world)], challenge=SUITE_CHALLENGE)
    assert _post_vp(client, other, challenge=SUITE_CHALLENGE).status_code == 200
    # ... unless the caller asks for holder binding
    asked = _post_vp(client, holderless, challenge=SUITE_CHALLENGE, requireHolder=True).json()
    assert failed(asked) == {"dataModel": {"MALFORMED_VALUE_ERROR"}}
    bound = _post_vp(client, other, challenge=SUITE_CHALLENGE, requireHolder=True).json()
    assert failed(bound) == {"holderBinding": {"HOLDER_MISMATCH"}}
    # skillcred's own credentials are always bound to their holder
    mine = world.credential(subject=ROGUE.controller, status=False)
    assert failed(_post_vp(client, _vp([mine], challenge=SUITE_CHALLENGE), challenge=SUITE_CHALLENGE).json()) == {
        "holderBinding": {"HOLDER_MISMATCH"}
    }
    no_holder = _vp([world.credential(status=False)], holder=False, challenge=SUITE_CHALLENGE)
    assert failed(_post_vp(client, no_holder, challenge=SUITE_CHALLENGE).json()) == {
        "dataModel": {"MALFORMED_VALUE_ERROR"}
    }
    assert (
        client.post(
            "/presentations/verify", json={"verifiablePresentation": holderless, "options": {"requireHolder": "yes"}}
        ).json()["code"]
        == "MALFORMED_VALUE_ERROR"
    )


def test_the_default_profile_keeps_skillcreds_own_challenges_and_holder(
    world: VerifierWorld, client_for: MakeClient
) -> None:
    """Without the VC-API profile the same requests are refused as before: a challenge this verifier did
    not issue, a presentation without a holder, a credential about someone else."""
    client = client_for(world.verifier(trust=None, trust_any=True))
    vp = _vp([_generic(world)], challenge=SUITE_CHALLENGE, domain=SUITE_DOMAIN)
    body = _post_vp(client, vp, challenge=SUITE_CHALLENGE, domain=SUITE_DOMAIN).json()
    assert failed(body) == {"challenge": {"INVALID_DOMAIN_ERROR"}, "holderBinding": {"HOLDER_MISMATCH"}}
    holderless = _vp([_generic(world, HOLDER.controller)], holder=False, challenge=SUITE_CHALLENGE)
    assert failed(_post_vp(client, holderless, challenge=SUITE_CHALLENGE).json()) == {
        "dataModel": {"MALFORMED_VALUE_ERROR"}
    }


@pytest.mark.parametrize(
    ("member", "code", "detail"),
    [
        (None, "MALFORMED_VALUE_ERROR", "verifiableCredential is required (a JSON object)"),
        ("json-string", "PARSING_ERROR", "verifiableCredential must be a JSON object, not a string"),
        ([], "PARSING_ERROR", "verifiableCredential must be a JSON object, not an array"),
        (7, "PARSING_ERROR", "verifiableCredential must be a JSON object, not a number"),
        (True, "PARSING_ERROR", "verifiableCredential must be a JSON object, not true"),
    ],
)
def test_a_credential_that_is_not_a_json_object_is_a_parsing_error(
    world: VerifierWorld, client_for: MakeClient, member: Any, code: str, detail: str
) -> None:
    """The vc-di-eddsa suite sends the credential as a JSON string: it cannot be read as a document
    (PARSING_ERROR); a request without one is a malformed request."""
    value = json.dumps(world.credential()) if member == "json-string" else member
    body = {} if member is None else {"verifiableCredential": value}
    r = client_for().post("/credentials/verify", json=body)
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["detail"]) == (code, detail)


def test_a_presentation_of_nothing_is_never_a_verdict_on_the_scan_page_profile(
    world: VerifierWorld, client_for: MakeClient
) -> None:
    """A stranger's key, this verifier's challenge and no credential: the signature holds, but it proves only
    that someone holds a key, so skillcred's profile refuses it (the scan page showed it green). VC-API
    callers may ask for an authentication alone (VC 2.0: a presentation MAY carry credentials)."""
    client = client_for()
    challenge = client.post("/challenges").json()["challenge"]
    empty = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": ROGUE.controller,
    }
    vp = sign(empty, ROGUE, purpose="authentication", challenge=challenge, domain=DOMAIN)
    r = client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": {"challenge": challenge}})
    assert r.status_code == 422 and r.json()["verified"] is False
    assert failed(r.json()) == {"dataModel": {"NOTHING_PRESENTED"}}
    generic = sign(empty, ROGUE, purpose="authentication", challenge=SUITE_CHALLENGE)
    assert _post_vp(_vc_api(world, client_for), generic, challenge=SUITE_CHALLENGE).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "image/png",
    ],
)
def test_the_verify_endpoints_answer_only_json(
    world: VerifierWorld, client_for: MakeClient, content_type: str | None
) -> None:
    """What a web page can make a visitor's browser send cross-site without a preflight (a form, text/plain, no
    type) is refused unread: 415, for a body that is a valid request in JSON."""
    client = client_for()
    body = json.dumps({"verifiableCredential": world.credential()}).encode()
    headers = {} if content_type is None else {"content-type": content_type}
    for path in ("/credentials/verify", "/presentations/verify"):
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 415 and r.json()["code"] == "MALFORMED_VALUE_ERROR", (path, r.text)
    for ok in ("application/json", "application/ld+json", "application/vc+ld+json", "application/json; charset=UTF-8"):
        r = client.post("/credentials/verify", content=body, headers={"content-type": ok})
        assert r.status_code == 200 and r.json()["verified"] is True, (ok, r.text)

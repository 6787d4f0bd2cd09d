"""The issuer's HTTP API through starlette's test client: issuance of every kind and of plain W3C
credentials, tokens and scopes, status changes seen through the published lists, caps, a busy store,
idempotent retries and a garbage matrix that must never produce a 5xx."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from issuer.app import create_app
from issuer.keystore import MINIMAL, KeyStore
from issuer.kinds import KINDS, Issuer, build
from issuer.profile import IssuerProfile
from issuer.service import IssuerService
from issuer.store.registry import Store
from issuer.tokens import TokenRegistry
from tests.issuer.conftest import PASSPHRASE, PROFILE
from tests.support import CLOCK, NOW, REPO
from vccore import multibase
from vccore.credentials import verify_issued
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.resolver import DidResolver
from vccore.errors import Code
from vccore.jsonld.loader import DocumentLoader
from vccore.kinds import identity
from vccore.status.bitstring import decode

PEOPLE = json.loads((Path(__file__).parent.parent / "data" / "people.json").read_text(encoding="utf-8"))
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _fast(id_number: str) -> dict[str, Any]:
    return identity.hash_identity(id_number, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)


class Api:
    """A test client on a fresh issuer, with one token per scope set."""

    def __init__(
        self,
        tmp: Path,
        *,
        test_contexts: bool = True,
        profile: IssuerProfile = PROFILE,
        busy_timeout: float = 5.0,
        max_body: int = 64 * 1024,
        inline: bool = False,
    ) -> None:
        self.path = tmp / "registry.sqlite3"
        self.store = Store(str(self.path), busy_timeout=busy_timeout)
        keys = KeyStore(self.store, limits=MINIMAL)
        record = keys.generate(PASSPHRASE, controller=None if profile.is_did_key else profile.did, now=NOW)
        if profile.is_did_key:
            profile = IssuerProfile.for_did_key(record.public_multibase, base_url=profile.base_url)
        self.profile = profile
        self.service = IssuerService(
            store=self.store,
            profile=profile,
            keystore=keys,
            passphrase=PASSPHRASE,
            loader=DocumentLoader(include_test_contexts=test_contexts, inline_contexts=inline),
            clock=CLOCK,
        )
        registry = TokenRegistry(self.store)
        self.tokens = {
            name: registry.create(scopes, now=NOW).token
            for name, scopes in {
                "issue": ["credentials:issue"],
                "status": ["credentials:status"],
                "read": ["credentials:read"],
                "all": ["credentials:issue", "credentials:status", "credentials:read"],
            }.items()
        }
        self.client = TestClient(create_app(self.service, registry, max_body=max_body))

    def auth(self, name: str = "all") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def issue(self, credential: dict[str, Any], **options: Any) -> Any:
        return self.client.post(
            "/credentials/issue", json={"credential": credential, "options": options}, headers=self.auth("issue")
        )

    def set_status(self, credential_id: str, status: str) -> Any:
        body = {
            "credentialId": credential_id,
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": status}],
        }
        return self.client.post("/credentials/status", json=body, headers=self.auth("status"))

    def counts(self) -> tuple[int, int, int]:
        with self.store.read() as tx:
            return tx.count("credentials"), tx.count("events"), tx.count("status_allocations")

    def verifying_loader(self) -> DocumentLoader:
        return DocumentLoader(
            include_test_contexts=True,
            inline_contexts=True,
            resolver=DidResolver(documents={self.profile.did: self.service.did_document()}),
        )


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    made = Api(tmp_path)
    with made.client:
        yield made
    # not made.store.close(): the endpoints' connections belong to the thread pool's threads, and
    # issuer.store.db.Database.close() cannot close SQLite connections from another thread


def plain(n: int = 0) -> dict[str, Any]:
    """A credential as the W3C VC 2.0 conformance suites send it."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "credentialSubject": {
            "id": f"did:example:ebfeb1f712ebc6f1c276e12ec{n}",
            "alumniOf": {"name": "Example University"},
        },
    }


def _kind_cases() -> list[tuple[str, dict[str, Any]]]:
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for person in PEOPLE["people"].values():
        for cred in person["credentials"]:
            data = {"name": person["name"], "idNumber": person["idNumber"]} | cred["input"]
            seen.setdefault(cred["kind"], (cred["kind"], data))
    return list(seen.values())


# --- issuing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "data"), _kind_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_kind_issued_through_the_api_verifies(api: Api, kind: str, data: dict[str, Any]) -> None:
    issuer = Issuer(PROFILE.did, PROFILE.name_zh, PROFILE.name_en)
    unsigned = build(
        kind,
        data,
        issuer=issuer,
        valid_from="2024-01-01T00:00:00+08:00",
        credential_id="urn:uuid:5d2f0c1e-1111-4c55-9d0e-2b7a41c90158",
        hasher=_fast,
    )
    response = api.issue(unsigned)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert KINDS[kind].type_name in vc["type"]
    assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation", "suspension"]
    assert verify_issued(vc, loader=api.verifying_loader(), now=NOW).verified


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_plain_w3c_credential_is_signed_with_the_chosen_cryptosuite(api: Api, suite: str) -> None:
    response = api.issue(plain(), cryptosuite=suite)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["proof"]["cryptosuite"] == suite and vc["issuer"]["id"] == PROFILE.did
    assert response.headers["location"] == "/credentials/" + vc["id"]
    assert verify_issued(vc, loader=api.verifying_loader(), now=NOW).verified


def test_the_examples_context_is_refused_by_the_production_allow_list(tmp_path: Path) -> None:
    api = Api(tmp_path, test_contexts=False)
    response = api.issue(plain())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "CONTEXT_NOT_ALLOWED"
    assert api.counts()[0] == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"issuer": "did:web:someone-else.example"}, "MALFORMED_VALUE_ERROR"),
        ({"credentialStatus": {"type": "BitstringStatusListEntry"}}, "MALFORMED_VALUE_ERROR"),
        ({"credentialSubject": {"id": "relative-iri"}}, "DATA_LOSS_DETECTION_ERROR"),
        ({"credentialSubject": {"id": "did:example:1", "note": "140105198001010003"}}, "PERSONAL_DATA_ERROR"),
    ],
)
def test_refused_credentials_are_422_with_their_code_and_nothing_is_stored(
    api: Api, change: dict[str, Any], code: str
) -> None:
    before = api.counts()
    response = api.issue(plain() | change)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["status"] == 422 and body["type"].endswith(code) and body["title"]
    assert api.counts() == before


V2 = "https://www.w3.org/ns/credentials/v2"
_V2_BYTES = (REPO / "contexts" / "credentials-v2.jsonld").read_bytes()
V2_SHA256 = hashlib.sha256(_V2_BYTES).digest()
#: a digest of other bytes: the "wrong digestMultibase" of the VC 2.0 suite's 5.3 test
WRONG_MULTIBASE = "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"


@pytest.mark.parametrize(
    ("change", "code", "pointer"),
    [
        ({"issuer": None}, "MALFORMED_VALUE_ERROR", "/issuer"),
        ({"issuer": {"id": None, "name": "x"}}, "MALFORMED_VALUE_ERROR", "/issuer"),
        ({"issuer": 7}, "MALFORMED_VALUE_ERROR", "/issuer"),
        ({"credentialSchema": {"id": "https://example.org/schemas/1"}}, "MALFORMED_VALUE_ERROR", "/credentialSchema"),
        ({"credentialSchema": {"type": "JsonSchema"}}, "MALFORMED_VALUE_ERROR", "/credentialSchema"),
        ({"refreshService": {"id": "https://example.org/refresh/1"}}, "MALFORMED_VALUE_ERROR", "/refreshService"),
        ({"termsOfUse": {"id": "https://example.org/terms/1"}}, "MALFORMED_VALUE_ERROR", "/termsOfUse"),
        ({"evidence": [{"id": "https://example.org/evidence/1"}]}, "MALFORMED_VALUE_ERROR", "/evidence"),
        ({"relatedResource": [V2]}, "MALFORMED_VALUE_ERROR", "/relatedResource/0"),
        ({"relatedResource": V2}, "MALFORMED_VALUE_ERROR", "/relatedResource"),
        (
            {"relatedResource": [{"digestMultibase": multibase.encode_u(V2_SHA256)}]},
            "MALFORMED_VALUE_ERROR",
            "/relatedResource/0",
        ),
        (
            {
                "relatedResource": [
                    {"id": V2, "digestMultibase": multibase.encode_u(V2_SHA256)},
                    {"id": V2, "digestSRI": "sha256-" + base64.b64encode(V2_SHA256).decode()},
                ]
            },
            "MALFORMED_VALUE_ERROR",
            "/relatedResource/1",
        ),
        (
            {"relatedResource": [{"id": V2, "mediaType": "application/ld+json"}]},
            "MALFORMED_VALUE_ERROR",
            "/relatedResource/0",
        ),
        (
            {"relatedResource": [{"id": V2, "digestMultibase": WRONG_MULTIBASE}]},
            "CRYPTOGRAPHIC_SECURITY_ERROR",
            "/relatedResource/0/digestMultibase",
        ),
        (
            {
                "relatedResource": [
                    {"id": V2, "digestSRI": "sha384-" + base64.b64encode(hashlib.sha384(b"other").digest()).decode()}
                ]
            },
            "CRYPTOGRAPHIC_SECURITY_ERROR",
            "/relatedResource/0/digestSRI",
        ),
        (
            {"relatedResource": [{"id": V2, "digestMultibase": "not-multibase"}]},
            "MALFORMED_VALUE_ERROR",
            "/relatedResource/0/digestMultibase",
        ),
    ],
    ids=lambda v: json.dumps(v)[:60] if isinstance(v, dict) else None,
)
def test_malformed_credentials_are_refused_with_the_spec_code_and_never_signed(
    api: Api, change: dict[str, Any], code: str, pointer: str
) -> None:
    """VC 2.0 sections 4.7, 4.11, 5.3-5.6: the generic issue endpoint refuses what a verifier must refuse
    (the VC 2.0 suite's issuer tests), with a problem document, before anything is allocated or signed. The
    pointer is into the credential's reading (a single value stands without its array), except for
    relatedResource, checked as given."""
    before = api.counts()
    response = api.issue(plain() | change)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["pointer"]) == (code, pointer), body
    assert api.counts() == before


@pytest.mark.parametrize(
    "resource",
    [
        {"id": V2, "digestMultibase": multibase.encode_u(V2_SHA256)},
        {"id": V2, "digestMultibase": multibase.encode_u(b"\x12\x20" + V2_SHA256)},
        {"id": V2, "digestMultibase": multibase.encode_z(b"\x12\x20" + V2_SHA256)},
        {
            "id": V2,
            "mediaType": "application/ld+json",
            "digestSRI": "sha384-" + base64.b64encode(hashlib.sha384(_V2_BYTES).digest()).decode(),
        },
        {"id": "https://example.org/not-pinned", "digestMultibase": WRONG_MULTIBASE},
    ],
    ids=["raw-u", "multihash-u", "multihash-z", "sri", "not-pinned"],
)
def test_well_formed_related_resources_are_signed_and_verify(api: Api, resource: dict[str, Any]) -> None:
    response = api.issue(plain() | {"relatedResource": [resource]})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["relatedResource"] == [resource]
    assert verify_issued(vc, loader=api.verifying_loader(), now=NOW).verified


def test_a_verifier_reports_a_wrong_related_resource_digest(api: Api) -> None:
    """The same check on the verifying side: a credential signed elsewhere with a wrong digest fails
    ``dataModel`` with CRYPTOGRAPHIC_SECURITY_ERROR even though its proof holds."""
    vc = api.issue(plain()).json()["verifiableCredential"]
    unsigned = {k: v for k, v in vc.items() if k != "proof"} | {
        "relatedResource": [{"id": V2, "digestMultibase": WRONG_MULTIBASE}]
    }
    signed = add_proof(
        unsigned, signer=api.service.unlock(), loader=api.verifying_loader(), options=ProofOptions(created=NOW)
    )
    result = verify_issued(signed, loader=api.verifying_loader(), now=NOW)
    assert not result.verified
    assert [p.code for p in result.problems()] == [Code.CRYPTOGRAPHIC_SECURITY_ERROR]


CALLER_ENTRY = {
    "id": "https://status.example.org/lists/7#42",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "42",
    "statusListCredential": "https://status.example.org/lists/7",
}


@pytest.mark.parametrize(
    "given",
    [CALLER_ENTRY, [CALLER_ENTRY], [{"id": "https://example.org/status/1", "type": "ExampleStatusEntry"}]],
    ids=["object", "list", "another-type"],
)
def test_a_generic_credential_keeps_the_callers_status_entries(api: Api, given: Any) -> None:
    """VC-API issuance (issue 17): a caller-supplied credentialStatus on a generic credential is signed as
    given, the issuer's two entries after it; the credential verifies."""
    response = api.issue(plain() | {"credentialStatus": given})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    kept = given if isinstance(given, list) else [given]
    assert vc["credentialStatus"][: len(kept)] == kept
    assert [e.get("statusPurpose") for e in vc["credentialStatus"][len(kept) :]] == ["revocation", "suspension"]
    assert verify_issued(vc, loader=api.verifying_loader(), now=NOW).verified


@pytest.mark.parametrize(
    ("given", "pointer"),
    [
        (CALLER_ENTRY | {"statusListIndex": 42}, "/credentialStatus/statusListIndex"),
        (CALLER_ENTRY | {"statusPurpose": "expiry"}, "/credentialStatus/statusPurpose"),
        ([CALLER_ENTRY, {"id": "https://example.org/status/2"}], "/credentialStatus/1"),
        ([CALLER_ENTRY] * 5, "/credentialStatus"),
    ],
    ids=["index-number", "purpose", "no-type", "too-many"],
)
def test_a_malformed_caller_status_entry_is_refused(api: Api, given: Any, pointer: str) -> None:
    before = api.counts()
    response = api.issue(plain() | {"credentialStatus": given})
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["pointer"]) == ("MALFORMED_VALUE_ERROR", pointer)
    assert api.counts() == before


def test_skillcreds_own_credentials_never_take_a_callers_status(api: Api) -> None:
    kind, data = _kind_cases()[0]
    unsigned = build(
        kind,
        data,
        issuer=Issuer(PROFILE.did, PROFILE.name_zh, PROFILE.name_en),
        valid_from="2024-01-01T00:00:00+08:00",
        credential_id="urn:uuid:5d2f0c1e-1111-4c55-9d0e-2b7a41c90159",
        hasher=_fast,
    )
    before = api.counts()
    response = api.issue(unsigned | {"credentialStatus": [CALLER_ENTRY]})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["pointer"]) == ("MALFORMED_VALUE_ERROR", "/credentialStatus")
    assert api.counts() == before


#: the VC 1.1 credential the vc-di-eddsa suite's issuer tests send (data-integrity-test-suite-assertion
#: validVc.json); the suite sets ``issuer`` to the configured issuer id
VC11 = {
    "@context": ["https://www.w3.org/2018/credentials/v1"],
    "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
    "type": ["VerifiableCredential"],
    "issuanceDate": "2020-03-16T22:37:26.544Z",
    "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_vc11_credential_is_issued_with_either_suite_and_verifies(api: Api, suite: str) -> None:
    response = api.issue(VC11 | {"issuer": PROFILE.did}, cryptosuite=suite)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert vc["issuer"] == PROFILE.did and vc["issuanceDate"] == VC11["issuanceDate"] and "validFrom" not in vc
    assert vc["proof"]["cryptosuite"] == suite
    assert vc["@context"][1:] == ["https://w3id.org/security/data-integrity/v2"] and "credentialStatus" not in vc
    result = verify_issued(vc, loader=api.verifying_loader(), now=NOW)
    assert result.verified, result.problems()
    without_date = api.issue({k: v for k, v in VC11.items() if k != "issuanceDate"} | {"id": "urn:uuid:1"})
    assert without_date.status_code == 201 and without_date.json()["verifiableCredential"]["issuanceDate"]
    refused = api.issue(VC11 | {"validFrom": "2020-01-01T00:00:00Z", "id": "urn:uuid:2"})
    assert refused.status_code == 422 and refused.json()["code"] in (
        "MALFORMED_VALUE_ERROR",
        "DATA_LOSS_DETECTION_ERROR",
    )


def test_inline_contexts_are_signed_only_by_an_issuer_that_allows_them(tmp_path: Path) -> None:
    """The VC 2.0 suite's credentials with inline term definitions (credential-evidence-ok.json)."""
    evidence = plain() | {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"DocumentVerification2018": "https://example.org/examples#DocumentVerification2018"},
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
        "evidence": [{"id": "https://example.org/evidence/1", "type": ["DocumentVerification2018"]}],
    }
    (tmp_path / "strict").mkdir()
    (tmp_path / "generic").mkdir()
    strict = Api(tmp_path / "strict")
    assert strict.issue(evidence).json()["code"] == "CONTEXT_NOT_ALLOWED"
    generic = Api(tmp_path / "generic", inline=True)
    response = generic.issue(evidence)
    assert response.status_code == 201, response.text
    assert verify_issued(response.json()["verifiableCredential"], loader=generic.verifying_loader(), now=NOW).verified
    redefined = evidence | {
        "@context": ["https://www.w3.org/ns/credentials/v2", {"VerifiableCredential": "https://example.org/#Bad"}]
    }
    assert generic.issue(redefined).json()["code"] == "CONTEXT_NOT_ALLOWED"


@pytest.mark.parametrize(
    "change",
    [
        {"termsOfUse": [{"type": "ExamplePolicy"}, {"type": "ExamplePolicy"}]},
        {"evidence": [{"type": ["ExampleEvidence"]}, {"type": ["ExampleEvidence"]}]},
        {"credentialSchema": {"id": "did:example:schemas/1", "type": "https://example.org/#ExampleTestSuiteSchema"}},
    ],
    ids=["two-equal-terms-of-use", "two-equal-evidence", "another-schema-type"],
)
def test_what_the_vc2_suite_calls_valid_is_signed(api: Api, change: dict[str, Any]) -> None:
    """Two equal node objects without ids are two blank nodes, not one value said twice; a schema of a
    type other than JsonSchema is named and not checked here (the VC 2.0 suite's 4.11 and 5.5/5.6)."""
    response = api.issue(plain() | change)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert verify_issued(vc, loader=api.verifying_loader(), now=NOW).verified


def test_an_idempotent_retry_returns_identical_bytes(api: Api) -> None:
    first = api.issue(plain(), idempotencyKey="order-17")
    again = api.issue(plain(), idempotencyKey="order-17")
    by_header = api.client.post(
        "/credentials/issue", json={"credential": plain()}, headers=api.auth("issue") | {"Idempotency-Key": "order-17"}
    )
    assert first.status_code == again.status_code == by_header.status_code == 201
    assert first.content == again.content == by_header.content
    assert again.headers["idempotent-replayed"] == "true"
    assert api.counts()[0] == 1
    other = api.issue(plain(1), idempotencyKey="order-17")
    assert other.status_code == 409 and other.json()["code"] == "CONFLICT"


def test_an_idempotency_key_belongs_to_the_token_that_sent_it(api: Api) -> None:
    mine = api.issue(plain(), idempotencyKey="order-17")
    theirs = api.client.post(
        "/credentials/issue",
        json={"credential": plain(), "options": {"idempotencyKey": "order-17"}},
        headers=api.auth("all"),
    )
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["verifiableCredential"]["id"] != theirs.json()["verifiableCredential"]["id"]
    assert api.issue(plain(), idempotencyKey="order-17").content == mine.content
    assert api.counts()[0] == 2


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer sc_0123456789abcdef_" + "A" * 43},
    ],
)
def test_missing_or_invalid_tokens_are_401_and_change_nothing(api: Api, headers: dict[str, str]) -> None:
    issued = api.issue(plain()).json()["verifiableCredential"]
    before = api.counts()
    for method, path, body in (
        ("POST", "/credentials/issue", {"credential": plain(1)}),
        (
            "POST",
            "/credentials/status",
            {
                "credentialId": issued["id"],
                "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}],
            },
        ),
        ("GET", "/credentials/" + issued["id"], None),
    ):
        response = api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["code"] == "UNAUTHORIZED"
    assert api.counts() == before
    assert not api.service.status(issued["id"]).revoked


def test_a_token_without_the_scope_is_403_and_changes_nothing(api: Api) -> None:
    issued = api.issue(plain()).json()["verifiableCredential"]
    before = api.counts()
    assert (
        api.client.post("/credentials/issue", json={"credential": plain(1)}, headers=api.auth("status")).status_code
        == 403
    )
    response = api.client.post(
        "/credentials/status",
        headers=api.auth("issue"),
        json={
            "credentialId": issued["id"],
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}],
        },
    )
    assert response.status_code == 403 and 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert api.client.get("/credentials/" + issued["id"], headers=api.auth("issue")).status_code == 403
    assert api.counts() == before and not api.service.status(issued["id"]).revoked


def test_the_holder_copy_needs_the_read_scope_and_is_byte_identical(api: Api) -> None:
    response = api.issue(plain())
    vc_id = response.json()["verifiableCredential"]["id"]
    copy_ = api.client.get("/credentials/" + vc_id, headers=api.auth("read"))
    assert copy_.status_code == 200 and response.content == b'{"verifiableCredential":' + copy_.content + b"}"
    assert api.client.get("/credentials/urn:uuid:nope", headers=api.auth("read")).status_code == 404


# --- status ---------------------------------------------------------------------------------------


def _bit(api: Api, entry: dict[str, Any]) -> int:
    path = entry["statusListCredential"].removeprefix(PROFILE.base_url)
    response = api.client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert 0 < int(response.headers["cache-control"].rsplit("=", 1)[1]) <= 3600
    assert api.client.get(path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    listed = response.json()
    assert verify_issued(listed, loader=api.verifying_loader(), now=NOW).verified
    return decode(listed["credentialSubject"]["encodedList"]).get(int(entry["statusListIndex"]))


def test_revocation_is_visible_in_the_published_list_and_final(api: Api) -> None:
    vc = api.issue(plain()).json()["verifiableCredential"]
    revocation, suspension = vc["credentialStatus"]
    assert _bit(api, revocation) == 0
    first = api.set_status(vc["id"], "revoked")
    assert first.status_code == 200 and first.json() == {
        "credentialId": vc["id"],
        "revoked": True,
        "suspended": False,
        "changed": True,
    }
    assert _bit(api, revocation) == 1
    assert api.set_status(vc["id"], "revoked").json()["changed"] is False
    for status in ("unrevoked", "suspended"):
        response = api.set_status(vc["id"], status)
        assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert _bit(api, revocation) == 1 and _bit(api, suspension) == 0


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/vc"),
        ("application/vc", "application/vc"),
        ("application/vc+ld+json", "application/vc+ld+json"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/json"),
        ("*/*", "application/vc"),
        ("application/*", "application/vc"),
        ("text/html, application/ld+json;q=0.9, application/json;q=0.5", "application/ld+json"),
        ("application/json;q=0.4, application/vc+ld+json;q=0.8", "application/vc+ld+json"),
        ('application/ld+json;profile="https://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
        ("APPLICATION/JSON", "application/json"),
    ],
)
def test_a_status_list_is_served_as_the_accept_header_asks(api: Api, accept: str | None, served: str) -> None:
    """Bitstring Status List 1.0 section 3.1: the list credential is the same bytes, labelled with the
    media type the client asked for (the suite reads it as application/ld+json and application/json)."""
    vc = api.issue(plain()).json()["verifiableCredential"]
    path = vc["credentialStatus"][0]["statusListCredential"].removeprefix(PROFILE.base_url)
    default = api.client.get(path)
    response = api.client.get(path, headers={} if accept is None else {"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == served
    assert response.headers["vary"] == "Accept"
    assert response.content == default.content and response.headers["etag"] == default.headers["etag"]
    assert verify_issued(response.json(), loader=api.verifying_loader(), now=NOW).verified


@pytest.mark.parametrize("accept", ["text/html", "application/xml, text/*", "application/json;q=0", "image/png;q=0.5"])
def test_a_status_list_in_a_media_type_it_is_not_is_406(api: Api, accept: str) -> None:
    vc = api.issue(plain()).json()["verifiableCredential"]
    path = vc["credentialStatus"][0]["statusListCredential"].removeprefix(PROFILE.base_url)
    response = api.client.get(path, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_ACCEPTABLE"


def test_suspension_comes_and_goes(api: Api) -> None:
    vc = api.issue(plain()).json()["verifiableCredential"]
    suspension = vc["credentialStatus"][1]
    assert api.set_status(vc["id"], "suspended").json()["suspended"] is True
    assert _bit(api, suspension) == 1
    assert api.set_status(vc["id"], "unsuspended").json()["suspended"] is False
    assert _bit(api, suspension) == 0


def test_status_of_unknown_things_is_404(api: Api) -> None:
    assert api.set_status("urn:uuid:unknown", "revoked").status_code == 404
    response = api.client.get("/status/revocation-99")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


# --- DID document and health ------------------------------------------------------------------------


def test_the_did_web_document_is_served_and_a_did_key_issuer_has_none(api: Api, tmp_path: Path) -> None:
    for path in ("/.well-known/did.json", "/issuers/cnc/did.json"):
        response = api.client.get(path)
        assert response.status_code == 200 and response.json()["id"] == PROFILE.did
    assert api.client.get("/elsewhere/did.json").status_code == 404
    assert api.client.get("/health").json() == {"status": "ok"}
    (tmp_path / "k").mkdir()
    keyed = Api(
        tmp_path / "k",
        profile=IssuerProfile.for_did_key(
            "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", base_url="http://127.0.0.1:8401"
        ),
    )
    assert keyed.client.get("/.well-known/did.json").status_code == 404


# --- limits, a busy store and garbage ----------------------------------------------------------------


def test_bodies_over_the_cap_are_413_before_buffering(tmp_path: Path) -> None:
    api = Api(tmp_path, max_body=1024)
    big = json.dumps({"credential": plain() | {"description": "x" * 2000}}).encode()
    declared = api.client.post("/credentials/issue", content=big, headers=api.auth("issue"))
    assert declared.status_code == 413 and declared.json()["code"] == "RESOURCE_LIMIT_EXCEEDED"

    def stream() -> Iterator[bytes]:
        for start in range(0, len(big), 256):
            yield big[start : start + 256]

    streamed = api.client.post("/credentials/issue", content=stream(), headers=api.auth("issue"))
    assert streamed.status_code == 413
    assert api.counts()[0] == 0


def test_a_locked_registry_is_503_with_retry_after(tmp_path: Path) -> None:
    api = Api(tmp_path, busy_timeout=0.2)
    locker = sqlite3.connect(api.path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        response = api.issue(plain())
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1" and response.json()["code"] == "STORE_BUSY"
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert api.issue(plain()).status_code == 201


def _garbage_bodies() -> list[bytes]:
    c = plain()
    credentials: list[Any] = [
        None,
        1,
        "x",
        [],
        [c],
        {},
        {"@context": 5},
        {"@context": []},
        {"@context": [None]},
        c | {"@context": ["https://example.org/evil"]},
        c | {"@context": [{"@vocab": "https://evil/"}]},
        c | {"type": "VerifiableCredential"},
        c | {"type": []},
        c | {"type": [1]},
        c | {"type": "Nope"},
        c | {"id": "not a url"},
        c | {"id": 7},
        c | {"issuer": 5},
        c | {"issuer": {"id": 5}},
        c | {"issuer": {"name": "x"}},
        c | {"validFrom": "yesterday"},
        c | {"validFrom": 5},
        c | {"validUntil": "1999-01-01T00:00:00Z"},
        c | {"credentialSubject": []},
        c | {"credentialSubject": "x"},
        c | {"credentialSubject": [{}]},
        c | {"proof": {}},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": {"@id": "relative"}}},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": [[[[1]]]]}},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": 1e308}},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": 10**40}},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": {"@list": [1]}}},
        c | {"credentialSubject": {"@id": "_:b0", "@type": "@json"}},
        c | {"@base": "https://x/"},
        c | {"credentialSubject": {"id": "did:example:1", "alumniOf": {"@value": 1, "@language": "zh"}}},
    ]
    bodies = [json.dumps({"credential": cred}).encode() for cred in credentials]
    option_values: list[Any] = [
        [],
        "x",
        {"cryptosuite": "rsa"},
        {"cryptosuite": 5},
        {"idempotencyKey": 5},
        {"idempotencyKey": ""},
        {"idempotencyKey": "k" * 500},
    ]
    bodies += [json.dumps({"credential": c, "options": options}).encode() for options in option_values]
    bodies += [
        b"",
        b"null",
        b"[]",
        b'"x"',
        b"{",
        b"\xff\xfe",
        b'{"credential": NaN}',
        b'{"a":1,"a":2}',
        b"[" * 5000 + b"]" * 5000,
        b'{"credential": {"x": "\\ud800"}}',
        b"\x00" * 10,
        b'{"credential": ' + b'{"a":' * 100 + b"1" + b"}" * 101,
    ]
    return bodies


def test_garbage_never_gets_a_5xx(api: Api) -> None:
    status_bodies = [
        b"{}",
        b'{"credentialId": 5}',
        b'{"credentialId": "x", "credentialStatus": "revoked"}',
        b'{"credentialId": "x", "credentialStatus": [{"type": "BitstringStatusListEntry"}]}',
        b'{"credentialId": "x", "credentialStatus": [{"type": "X", "status": "revoked"}]}',
        b'{"credentialId": "x", "credentialStatus": [1, 2, 3]}',
        b"nope",
    ]
    requests: list[tuple[str, str, bytes | None, dict[str, str]]] = []
    requests += [("POST", "/credentials/issue", body, api.auth("issue")) for body in _garbage_bodies()]
    requests += [("POST", "/credentials/status", body, api.auth("status")) for body in status_bodies]
    requests += [
        ("GET", path, None, api.auth("read"))
        for path in (
            "/credentials/",
            "/credentials/%00",
            "/credentials/%ff%fe",
            "/status/%2e%2e",
            "/status/" + "x" * 5000,
            "/nothing",
            "/.well-known/did.json/x",
            "/status/revocation-1?x=%zz",
        )
    ]
    requests += [
        ("DELETE", "/credentials/issue", None, {}),
        ("PUT", "/status/x", b"x", {}),
        ("POST", "/credentials/issue", b"{}", {"Content-Length": "abc"} | api.auth("issue")),
        ("POST", "/credentials/issue", b"{}", {"Idempotency-Key": ""} | api.auth("issue")),
    ]
    for method, path, body, headers in requests:
        response = api.client.request(method, path, content=body, headers=headers)
        assert response.status_code < 500, (method, path, body, response.status_code, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", (path, body)
    assert api.client.get("/health").status_code == 200


def test_the_app_does_not_change_what_it_is_given(api: Api) -> None:
    credential = plain()
    before = copy.deepcopy(credential)
    api.issue(credential)
    assert credential == before

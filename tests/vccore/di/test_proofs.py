"""Negative tests for the proof layer and the credential checks, each with its exact problem code."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.support import LOADER, NOW, sign
from tests.world import EVAL, ROGUE, TITLE_BOARD, WEB_DID, web_document
from vccore import multibase
from vccore.credentials import verify_issued
from vccore.di.proofs import add_proof, verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.did.resolver import DidResolver
from vccore.errors import Code, DataLossError, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from verifier.pipeline import Verifier
from verifier.status import StatusSource


def credential(issuer: str = EVAL.controller) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
        "id": "urn:uuid:7f1c2a64-2f0e-4d7e-9d0a-3f5d1c7b0001",
        "type": ["VerifiableCredential", "SkillLevelCredential"],
        "issuer": issuer,
        "validFrom": "2023-06-30T00:00:00+08:00",
        "credentialSubject": {
            "name": "张试一",
            "occupationCode": "6-18-01-01",
            "occupationName": "车工",
            "skillLevel": "L2",
            "skillLevelText": "二级/技师",
            "certificateNumber": "Y000014000031232000158",
        },
    }


def signed(suite: str = "eddsa-rdfc-2022", **kw: Any) -> dict[str, Any]:
    return sign(credential(), EVAL, cryptosuite=suite, created=NOW - timedelta(days=1), **kw)


SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]


@pytest.mark.parametrize("suite", SUITES)
def test_a_signed_credential_verifies(suite: str) -> None:
    result = verify_issued(signed(suite), loader=LOADER, now=NOW)
    assert result.verified, result.to_json()
    assert [c.name for c in result.checks] == ["context", "form", "dataModel", "proof", "validity"]


def test_signing_does_not_mutate_its_input() -> None:
    doc = credential()
    before = copy.deepcopy(doc)
    add_proof(doc, signer=EVAL, loader=LOADER)
    assert doc == before


def _mutate(fn: Callable[[dict[str, Any]], None], suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    doc = copy.deepcopy(signed(suite))
    fn(doc)
    return doc


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return apply


def _proof_value(value: str) -> Callable[[dict[str, Any]], None]:
    return _set(["proof", "proofValue"], value)


def _short_sig(doc: dict[str, Any]) -> None:
    doc["proof"]["proofValue"] = multibase.encode_z(multibase.decode_z(doc["proof"]["proofValue"])[:63])


def _wrong_key(doc: dict[str, Any]) -> None:
    doc["proof"]["verificationMethod"] = ROGUE.id


NEGATIVES: list[tuple[str, Callable[[dict[str, Any]], None], Code]] = [
    (
        "undefined term added after signing",
        _set(["credentialSubject", "favouriteColour"], "red"),
        Code.DATA_LOSS_DETECTION_ERROR,
    ),
    ("undefined top-level term", _set(["nickname"], "x"), Code.DATA_LOSS_DETECTION_ERROR),
    ("relative id", _set(["credentialSubject", "id"], "worker/1"), Code.DATA_LOSS_DETECTION_ERROR),
    (
        "appended @vocab",
        _set(
            ["@context"],
            [
                "https://www.w3.org/ns/credentials/v2",
                "https://w3id.org/skillcred/v1",
                {"@vocab": "https://evil.example/#"},
            ],
        ),
        Code.CONTEXT_NOT_ALLOWED,
    ),
    (
        "unknown remote context",
        _set(["@context"], ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"]),
        Code.CONTEXT_NOT_ALLOWED,
    ),
    (
        "file context",
        _set(["@context"], ["https://www.w3.org/ns/credentials/v2", "file:///etc/passwd"]),
        Code.CONTEXT_NOT_ALLOWED,
    ),
    (
        "context inside a subtree",
        _set(["credentialSubject", "@context"], {"x": "https://evil.example/x"}),
        Code.CONTEXT_NOT_ALLOWED,
    ),
    (
        "first context not VC 2.0",
        _set(["@context"], ["https://w3id.org/skillcred/v1", "https://www.w3.org/ns/credentials/v2"]),
        Code.CONTEXT_NOT_ALLOWED,
    ),
    ("changed value", _set(["credentialSubject", "skillLevel"], "L1"), Code.PROOF_VERIFICATION_ERROR),
    ("changed issuer name", _set(["validFrom"], "2020-06-30T00:00:00+08:00"), Code.PROOF_VERIFICATION_ERROR),
    ("wrong key", _wrong_key, Code.ISSUER_KEY_MISMATCH),
    ("switched cryptosuite", _set(["proof", "cryptosuite"], "eddsa-jcs-2022"), Code.PROOF_VERIFICATION_ERROR),
    ("unknown cryptosuite", _set(["proof", "cryptosuite"], "eddsa-2099"), Code.PROOF_VERIFICATION_ERROR),
    ("unknown proof type", _set(["proof", "type"], "RsaSignature2018"), Code.PROOF_VERIFICATION_ERROR),
    ("proofValue not base58btc", _proof_value("uAAAA"), Code.MALFORMED_PROOF_ERROR),
    ("proofValue with a bad base58 character", _proof_value("z0OIl"), Code.MALFORMED_PROOF_ERROR),
    ("proofValue not 64 bytes", _short_sig, Code.PROOF_VERIFICATION_ERROR),
    ("proofValue very long", _proof_value("z" + "2" * 100_000), Code.RESOURCE_LIMIT_EXCEEDED),
    ("missing proofPurpose", lambda d: d["proof"].pop("proofPurpose"), Code.PROOF_VERIFICATION_ERROR),
    ("wrong proofPurpose", _set(["proof", "proofPurpose"], "authentication"), Code.PROOF_VERIFICATION_ERROR),
    (
        "verificationMethod not a DID URL",
        _set(["proof", "verificationMethod"], "https://evil.example/key"),
        Code.INVALID_VERIFICATION_METHOD,
    ),
    ("created without a time zone", _set(["proof", "created"], "2026-11-29T12:00:00"), Code.MALFORMED_VALUE_ERROR),
    ("created in the future", _set(["proof", "created"], "2027-01-01T00:00:00Z"), Code.PROOF_VERIFICATION_ERROR),
    ("validFrom without a time zone", _set(["validFrom"], "2023-06-30T00:00:00"), Code.MALFORMED_VALUE_ERROR),
    ("not yet valid", _set(["validFrom"], "2027-06-30T00:00:00Z"), Code.PROOF_VERIFICATION_ERROR),
]


@pytest.mark.parametrize(("label", "mutate", "code"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_tampering_fails_with_its_code(label: str, mutate: Callable[[dict[str, Any]], None], code: Code) -> None:
    result = verify_issued(_mutate(mutate), loader=LOADER, now=NOW)
    assert not result.verified
    assert code in result.codes(), result.to_json()


def test_validity_window_is_checked_with_skew() -> None:
    doc = credential()
    doc["validUntil"] = "2026-11-30T11:58:00Z"
    sec = sign(doc, EVAL)
    assert verify_issued(sec, loader=LOADER, now=NOW).verified  # within 300 s
    late = verify_issued(sec, loader=LOADER, now=NOW + timedelta(minutes=10))
    assert late.check("validity") is not None and Code.EXPIRED in late.codes()


def test_not_yet_valid_credential_fails_validity() -> None:
    doc = credential()
    doc["validFrom"] = "2027-01-01T00:00:00Z"
    result = verify_issued(sign(doc, EVAL), loader=LOADER, now=NOW)
    assert Code.NOT_YET_VALID in result.codes()


def test_expired_proof_fails() -> None:
    doc = signed(expires=NOW - timedelta(hours=1))
    result = verify_issued(doc, loader=LOADER, now=NOW)
    assert Code.PROOF_EXPIRED in result.codes()


def test_key_under_the_wrong_relationship_fails() -> None:
    doc_did = web_document()
    doc_did["authentication"] = doc_did.pop("assertionMethod")  # the key is only for authentication
    loader = DocumentLoader(resolver=DidResolver(documents={WEB_DID: doc_did}))
    sec = sign(credential(issuer=WEB_DID), TITLE_BOARD)
    result = verify_issued(sec, loader=loader, now=NOW)
    assert Code.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD in result.codes()
    doc_did["assertionMethod"] = [TITLE_BOARD.id]
    loader = DocumentLoader(resolver=DidResolver(documents={WEB_DID: doc_did}))
    assert verify_issued(sec, loader=loader, now=NOW).verified


def test_controller_other_than_the_issuer_fails() -> None:
    sec = sign(credential(issuer="did:web:someone-else.test"), EVAL)
    result = verify_issued(sec, loader=LOADER, now=NOW)
    assert Code.ISSUER_KEY_MISMATCH in result.codes()


def test_authentication_purpose_checks_challenge_and_domain() -> None:
    doc = sign(credential(), EVAL, purpose="authentication", challenge="c-1", domain="hr.example.test")
    ok = verify_proofs(doc, loader=LOADER, now=NOW, purpose=AuthenticationPurpose("c-1", "hr.example.test"))
    assert ok.passed
    bad = verify_proofs(doc, loader=LOADER, now=NOW, purpose=AuthenticationPurpose("c-2", "other.test"))
    assert {p.code for p in bad.problems} == {Code.INVALID_CHALLENGE_ERROR, Code.INVALID_DOMAIN_ERROR}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": ', Code.PARSING_ERROR),
        (b'{"a": 1, "a": 1}', Code.PARSING_ERROR),
        (b'{"a": NaN}', Code.PARSING_ERROR),
        (b"[" * 5000 + b"]" * 5000, Code.RESOURCE_LIMIT_EXCEEDED),
        (b"[]", Code.PARSING_ERROR),
    ],
)
def test_hostile_raw_input_is_a_syntax_failure_not_an_exception(raw: bytes, code: Code) -> None:
    verifier = Verifier(
        trust=None, trust_any=True, loader=LOADER, status=StatusSource(loader=LOADER), clock=lambda: NOW
    )
    result = verifier.verify_credential(raw)
    assert not result.verified
    assert result.checks[0].name == "syntax" and code in result.codes()


def test_signing_refuses_a_document_the_proof_would_not_cover() -> None:
    doc = credential()
    doc["credentialSubject"]["favouriteColour"] = "red"
    with pytest.raises(DataLossError, match=r"^DATA_LOSS_DETECTION_ERROR: 'favouriteColour' is not defined by any"):
        add_proof(doc, signer=EVAL, loader=LOADER)


def test_signing_refuses_an_unknown_context() -> None:
    doc = credential()
    doc["@context"] = [*doc["@context"], "https://evil.example/ctx"]
    with pytest.raises(SkillcredError) as err:
        add_proof(doc, signer=EVAL, loader=LOADER)
    assert err.value.code == Code.CONTEXT_NOT_ALLOWED


# --- a proof set of two equal proofs (the vc-di-eddsa suite's "unordered list" test) -----------------------


def _equal_pair(suite: str, **kw: Any) -> dict[str, Any]:
    """Two proofs by one key with one ``created``: Ed25519 is deterministic, so they are byte-identical."""
    once = sign(credential(), EVAL, cryptosuite=suite, created=NOW - timedelta(days=1), **kw)
    return sign(once, EVAL, cryptosuite=suite, created=NOW - timedelta(days=1), **kw)


def _proofs_verified(result: Any) -> list[bool]:
    proof = result.check("proof")
    assert proof is not None, result.to_json()
    return [p["verified"] for p in proof.info["proofs"]]


@pytest.mark.parametrize("suite", SUITES)
def test_a_proof_set_of_two_equal_proofs_verifies_each_proof(suite: str) -> None:
    """``proof`` is a graph container: each proof is a named graph of its own, so two equal proofs are two
    graphs (not one value said twice), and the proof engine verifies both."""
    doc = _equal_pair(suite)
    assert isinstance(doc["proof"], list) and len(doc["proof"]) == 2 and doc["proof"][0] == doc["proof"][1]
    result = verify_issued(doc, loader=LOADER, now=NOW)
    assert result.verified, result.to_json()
    assert _proofs_verified(result) == [True, True]


def _other_signature(suite: str) -> str:
    other = credential()
    other["credentialSubject"]["skillLevel"] = "L1"
    value = sign(other, EVAL, cryptosuite=suite, created=NOW - timedelta(days=1))["proof"]["proofValue"]
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("member", ["proofValue", "created"])
def test_a_proof_set_whose_second_equal_looking_proof_is_altered_fails_on_that_proof(suite: str, member: str) -> None:
    doc = _equal_pair(suite)
    second = doc["proof"][1]
    second[member] = _other_signature(suite) if member == "proofValue" else "2026-11-29T12:00:01Z"
    assert doc["proof"][0] != second
    result = verify_issued(doc, loader=LOADER, now=NOW)
    assert not result.verified
    assert [(p.code, p.detail) for p in result.problems()] == [
        (Code.PROOF_VERIFICATION_ERROR, "the signature does not verify")
    ]
    assert _proofs_verified(result) == [True, False]


def test_two_equal_proofs_with_one_id_are_two_proofs_sharing_an_id() -> None:
    doc = _equal_pair("eddsa-rdfc-2022", id="urn:uuid:5b0c7d2e-1c9a-4f3e-8a61-0d2f3b4c5e01")
    assert doc["proof"][0] == doc["proof"][1]
    result = verify_issued(doc, loader=LOADER, now=NOW)
    assert [(p.code, p.detail) for p in result.problems()] == [(Code.MALFORMED_PROOF_ERROR, "two proofs share an id")]

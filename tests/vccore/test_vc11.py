"""VC 1.1 (https://www.w3.org/2018/credentials/v1) and inline contexts in safe mode (issue 17).

Digital Bazaar's VC 1.1 vectors are the ``1.1-*`` files of the data-integrity-test-suite-assertion
package (github.com/w3c-ccg/data-integrity-test-suite-assertion, ``inputs/eddsa-rdfc-2022``), kept in
``../shared/vectors/data-integrity-test-suite-assertion/``: proof sets and chains over VC 1.1
credentials with an inline context; the ``Ok`` ones must verify, the ``Fail`` ones must not.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.support import NOW, SHARED, sign
from tests.world import CREDENTIAL_ID, EVAL, ROGUE, sample_credential
from vccore.credentials import examine, verify_issued
from vccore.di.proofs import verify_proofs
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.result import CheckName

ASSERTION = SHARED / "vectors" / "data-integrity-test-suite-assertion" / "eddsa-rdfc-2022"
V1 = "https://www.w3.org/2018/credentials/v1"
DI = "https://w3id.org/security/data-integrity/v2"
INLINE = DocumentLoader(inline_contexts=True)
DB_VECTORS = sorted(p.name for p in ASSERTION.glob("1.1-*.json"))


def _vector(name: str) -> dict[str, Any]:
    value = json.loads((ASSERTION / name).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def test_the_digital_bazaar_vc11_vectors_are_there() -> None:
    assert len(DB_VECTORS) == 6 and sum("Ok" in n for n in DB_VECTORS) == 2


@pytest.mark.parametrize("name", DB_VECTORS)
def test_digital_bazaars_vc11_vectors_verify_or_fail_as_named(name: str) -> None:
    """Context, the one reading and the VC 1.1 data model pass for every vector (with inline contexts
    switched on); the proofs hold exactly for the ``Ok`` ones."""
    doc = _vector(name)
    result, reading = examine(doc, loader=INLINE)
    assert result.verified and reading is not None, result.problems()
    proof = verify_proofs(doc, loader=INLINE, now=NOW, reading=reading)
    if "Ok" in name:
        assert proof.passed, proof.problems
    else:
        assert not proof.passed
        assert {p.code for p in proof.problems} <= {
            Code.PROOF_VERIFICATION_ERROR,
            Code.MALFORMED_PROOF_ERROR,
            Code.DATA_LOSS_DETECTION_ERROR,  # a previousProof value safe mode cannot map
        }


@pytest.mark.parametrize("name", DB_VECTORS[:1])
def test_without_the_inline_switch_a_vc11_vector_is_refused_at_its_context(name: str) -> None:
    result, reading = examine(_vector(name), loader=DocumentLoader())
    assert reading is None and [p.code for p in result.problems()] == [Code.CONTEXT_NOT_ALLOWED]


def vc11(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V1, DI],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "issuer": EVAL.controller,
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_vc11_credential_signed_with_either_suite_verifies(suite: str) -> None:
    signed = sign(vc11(expirationDate="2036-01-01T00:00:00Z"), EVAL, cryptosuite=suite)
    result = verify_issued(signed, loader=DocumentLoader(), now=NOW)
    assert result.verified, result.problems()
    validity = result.check(CheckName.VALIDITY)
    assert validity is not None and validity.info == {
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "expirationDate": "2036-01-01T00:00:00Z",
    }
    tampered = copy.deepcopy(signed)
    tampered["issuanceDate"] = "2020-03-17T00:00:00Z"
    assert Code.PROOF_VERIFICATION_ERROR in {
        p.code for p in verify_issued(tampered, loader=DocumentLoader(), now=NOW).problems()
    }


@pytest.mark.parametrize(
    ("changes", "code", "pointer"),
    [
        ({"expirationDate": "2021-01-01T00:00:00Z"}, Code.EXPIRED, "/expirationDate"),
        ({"issuanceDate": "2031-01-01T00:00:00Z"}, Code.NOT_YET_VALID, "/issuanceDate"),
        ({"issuanceDate": None}, Code.MALFORMED_VALUE_ERROR, "/issuanceDate"),
        ({"issuanceDate": "yesterday"}, Code.MALFORMED_VALUE_ERROR, "/issuanceDate"),
        ({"expirationDate": "2019-01-01T00:00:00Z"}, Code.RANGE_ERROR, "/expirationDate"),
    ],
)
def test_vc11_validity_is_issuance_and_expiration_date(changes: dict[str, Any], code: Code, pointer: str) -> None:
    signed = sign(vc11(**changes), EVAL)
    problems = verify_issued(signed, loader=DocumentLoader(), now=NOW).problems()
    assert [(p.code, p.pointer) for p in problems] == [(code, pointer)]


TERMS = {"AlumniCredential": "https://www.example.org/AlumniCredential", "alumniOf": "https://www.example.org/alumniOf"}


def _with_inline(inline: Any, **subject: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", inline],
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": EVAL.controller,
        "credentialSubject": {"id": "did:example:alumna", **subject},
    }


def test_an_inline_context_is_used_in_safe_mode_only_when_switched_on() -> None:
    doc = _with_inline(TERMS, alumniOf="The School of Examples")
    signed = sign(doc, EVAL, loader=INLINE)
    assert verify_issued(signed, loader=INLINE, now=NOW).verified
    refused = verify_issued(signed, loader=DocumentLoader(), now=NOW).problems()
    assert [p.code for p in refused] == [Code.CONTEXT_NOT_ALLOWED]


@pytest.mark.parametrize(
    "inline",
    [
        {"@vocab": "https://evil.example/#"},
        {"VerifiableCredential": "https://example.org/#Bad", **TERMS},
        {"@import": "https://evil.example/ctx", **TERMS},
        {"alumniOf": {"@id": "https://e.example/a", "@context": {"x": "https://e.example/x"}}},
        {"alias": "@id", **TERMS},
        {"alumniOf": "relative"},
    ],
    ids=["vocab", "protected", "import", "scoped", "keyword-alias", "relative-iri"],
)
def test_inline_contexts_are_held_to_safe_mode(inline: Any) -> None:
    result, reading = examine(_with_inline(inline), loader=INLINE)
    assert reading is None
    assert [p.code for p in result.problems()] == [Code.CONTEXT_NOT_ALLOWED], result.problems()


def test_a_term_an_inline_context_does_not_define_is_data_loss() -> None:
    with pytest.raises(SkillcredError) as excinfo:
        sign(_with_inline(TERMS, undefinedTerm="x"), EVAL, loader=INLINE)
    assert excinfo.value.code is Code.DATA_LOSS_DETECTION_ERROR


def test_skillcreds_own_credentials_never_take_an_inline_context() -> None:
    doc = sample_credential("SkillLevelCredential", issuer=EVAL.controller, credential_id=CREDENTIAL_ID)
    doc["@context"] = [*doc["@context"], TERMS]
    result, reading = examine(doc, loader=INLINE)
    assert reading is None
    assert [(p.code, p.pointer) for p in result.problems()] == [(Code.CONTEXT_NOT_ALLOWED, "/@context")]


# --- proof sets and chains with co-signers (the vc-di-eddsa suite's verifier tests) -----------------

ALL_DB_VECTORS = sorted(p.name for p in ASSERTION.glob("*.json"))


@pytest.mark.parametrize("name", ALL_DB_VECTORS)
def test_co_signed_vectors_verify_in_full_exactly_when_named_ok(name: str) -> None:
    """Each ``Ok`` vector is a proof set or chain whose first proof is by another key than the issuer's:
    it verifies as a credential (every proof holds, one is the issuer's); each ``Fail`` one does not."""
    result = verify_issued(_vector(name), loader=INLINE, now=NOW)
    assert result.verified is ("Ok" in name), result.problems()


def _generic() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": EVAL.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }


def test_a_co_signer_is_accepted_beside_the_issuer_on_a_generic_credential_only() -> None:
    cosigned = sign(sign(_generic(), EVAL), ROGUE)
    result = verify_issued(cosigned, loader=DocumentLoader(), now=NOW)
    assert result.verified, result.problems()
    proof = result.check(CheckName.PROOF)
    assert proof is not None and len(proof.info["cosigners"]) == 1
    only_other = sign(_generic(), ROGUE)
    assert [p.code for p in verify_issued(only_other, loader=DocumentLoader(), now=NOW).problems()] == [
        Code.ISSUER_KEY_MISMATCH
    ]
    twice_other = sign(sign(_generic(), ROGUE), ROGUE)
    assert not verify_issued(twice_other, loader=DocumentLoader(), now=NOW).verified
    tampered = copy.deepcopy(cosigned)
    tampered["proof"][1]["proofValue"] = tampered["proof"][0]["proofValue"]
    assert not verify_issued(tampered, loader=DocumentLoader(), now=NOW).verified
    own = sample_credential("SkillLevelCredential", issuer=EVAL.controller, credential_id=CREDENTIAL_ID)
    own_cosigned = sign(sign(own, EVAL), ROGUE)
    assert Code.ISSUER_KEY_MISMATCH in {
        p.code for p in verify_issued(own_cosigned, loader=DocumentLoader(), now=NOW).problems()
    }

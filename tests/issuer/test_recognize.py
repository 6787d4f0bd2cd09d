"""RecognitionService: publish rule sets and derive recognitions with the real IssuerService (SQLite)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from issuer.engine import IssuedCredential
from issuer.recognize import RecognitionService
from issuer.service import IssuerService
from tests.issuer.conftest import PROFILE, Target, build_service, verifying_loader
from tests.support import NOW, sign
from tests.world import (
    AUTH_CN,
    L2_RULE,
    SINCE,
    STEP2_RULE,
    ChainVerifier,
    read,
    recognitions,
    status_verifier,
    step2_ruleset,
)
from vccore.credentials import verify_issued
from vccore.errors import Code, SkillcredError
from vccore.kinds import schemas
from vccore.recognition.chain import verify_chain
from vccore.recognition.credential import digest_multibase, rule_credential
from vccore.recognition.rulesets import load_shipped
from vccore.result import VerificationResult
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList


class Counting:
    """The issuer, counting what it was asked to issue."""

    def __init__(self, service: IssuerService) -> None:
        self.service = service
        self.issued: list[str] = []

    def issue(self, credential: Mapping[str, Any], *, idempotency_key: str | None = None) -> IssuedCredential:
        out = self.service.issue(credential, idempotency_key=idempotency_key)
        self.issued.append(out.id)
        return out


@pytest.fixture
def service(tmp_path: Path) -> Iterator[IssuerService]:
    with Target(str(tmp_path / "registry.db")).open() as store:
        yield build_service(store, clock=lambda: NOW)


@pytest.fixture
def issuer(service: IssuerService) -> Counting:
    return Counting(service)


def verify_with(service: IssuerService) -> Callable[[Mapping[str, Any]], VerificationResult]:
    loader = verifying_loader(service)
    return lambda doc: verify_issued(doc, loader=loader, now=NOW)


@pytest.fixture
def recognizer(issuer: Counting, service: IssuerService) -> RecognitionService:
    out = RecognitionService(
        issuer,
        authority=PROFILE.did,
        verifier=ChainVerifier(verify_with(service), trust_for(service)),
        clock=lambda: NOW,
    )
    out.publish_ruleset(load_shipped()["CN"])
    out.publish_ruleset(step2_ruleset())
    return out


def trust_for(service: IssuerService) -> TrustList:
    key = service.did_document()["assertionMethod"][0]
    key_id = key if isinstance(key, str) else key["id"]
    entry = TrustedIssuer(
        PROFILE.did,
        "示例认定机关",
        "Example authority",
        ("recognition-authority",),
        ("CN",),
        ("RecognitionRuleCredential", "RecognitionCredential"),
        (KeyPeriod(key_id, SINCE),),
    )
    return recognitions().trust.merged(TrustList((entry,), NOW))


def test_published_rule_credentials_verify_and_are_kept(
    recognizer: RecognitionService, service: IssuerService, issuer: Counting
) -> None:
    assert len(issuer.issued) == 2 and len(recognizer.rule_credentials) == 2
    for doc in recognizer.rule_credentials:
        assert verify_with(service)(doc).verified
    found = recognizer.find_rule(L2_RULE)
    assert found is not None and found[0] is recognizer.rule_credentials[0]


def test_recognize_issues_a_recognition_whose_chain_verifies(
    recognizer: RecognitionService, service: IssuerService
) -> None:
    w = recognitions()
    issued = recognizer.recognize(
        [w.p1], rule_id=L2_RULE, as_of=date(2026, 7, 1), declarations={"workField": "engineering"}
    )
    doc = issued.json()
    assert schemas.validate(doc) == []
    assert verify_with(service)(doc).verified
    assert doc["issuer"]["id"] == PROFILE.did and len(doc["credentialStatus"]) == 2
    assert doc["relatedResource"][0] == {"id": w.p1["id"], "digestMultibase": digest_multibase(w.p1)}
    loader_verify = verify_with(service)

    def verify_any(d: Mapping[str, Any]) -> VerificationResult:
        return (
            loader_verify(d) if str(d.get("issuer", {}).get("id", "")).startswith("did:web") else status_verifier()(d)
        )

    check = verify_chain(
        doc,
        sources=[w.p1],
        rule_credentials=recognizer.rule_credentials,
        trust=trust_for(service),
        verify_credential=verify_any,
        read=read,
        now=NOW,
    )
    assert check.passed, check.to_json()


def test_a_rule_that_does_not_hold_issues_nothing_and_says_why_in_both_languages(
    recognizer: RecognitionService, issuer: Counting
) -> None:
    before = list(issuer.issued)
    with pytest.raises(SkillcredError) as err:
        recognizer.recognize([recognitions().p1], rule_id=L2_RULE, as_of=date(2025, 12, 31))
    assert err.value.code == Code.RULE_NOT_SATISFIED
    detail = err.value.detail
    assert "取得二级/技师后满3年" in detail and "3 years after level 2/technician" in detail
    assert "未声明" in detail and "not declared" in detail
    assert issuer.issued == before


def test_a_source_that_does_not_verify_issues_nothing(recognizer: RecognitionService, issuer: Counting) -> None:
    forged = dict(recognitions().p1, validFrom="2020-01-01T00:00:00Z")
    before = list(issuer.issued)
    with pytest.raises(SkillcredError) as err:
        recognizer.recognize(
            [forged], rule_id=L2_RULE, as_of=date(2026, 7, 1), declarations={"workField": "engineering"}
        )
    assert err.value.code == Code.CHAIN_SOURCE_INVALID
    assert issuer.issued == before


def test_unknown_rule_and_no_sources_are_refused(recognizer: RecognitionService) -> None:
    with pytest.raises(SkillcredError) as err:
        recognizer.recognize([recognitions().p1], rule_id="CN-NO-SUCH-RULE", as_of=date(2026, 7, 1))
    assert err.value.code == Code.NOT_FOUND
    with pytest.raises(SkillcredError) as err:
        recognizer.recognize([], rule_id=L2_RULE, as_of=date(2026, 7, 1))
    assert err.value.code == Code.CHAIN_SOURCE_MISSING


def test_a_recognition_can_be_the_source_of_another(recognizer: RecognitionService, service: IssuerService) -> None:
    w = recognitions()
    first = recognizer.recognize(
        [w.p1], rule_id=L2_RULE, as_of=date(2026, 7, 1), declarations={"workField": "engineering"}
    ).json()
    second = recognizer.recognize([first], rule_id=STEP2_RULE, as_of=date(2026, 8, 1), supporting=[w.p1]).json()
    assert second["credentialSubject"]["recognizedFrom"] == [first["id"]]
    assert second["credentialSubject"]["recognizedAs"]["treatment"] == "equal-treatment-test"
    assert verify_with(service)(second).verified


def test_the_chain_depth_is_bounded(issuer: Counting, service: IssuerService) -> None:
    w = recognitions()
    shallow = RecognitionService(
        issuer,
        authority=PROFILE.did,
        verifier=ChainVerifier(verify_with(service), trust_for(service)),
        rule_credentials=w.rule_credentials,
        clock=lambda: NOW,
        max_depth=1,
    )
    with pytest.raises(SkillcredError) as err:
        shallow.recognize([w.recognition], rule_id=STEP2_RULE, as_of=date(2026, 8, 1), supporting=[w.p1])
    assert err.value.code == Code.CHAIN_TOO_DEEP


def test_a_recognition_its_own_verifier_would_refuse_is_never_signed(issuer: Counting, service: IssuerService) -> None:
    """The authority's verifier does not trust it for rules: the self-check refuses before anything is signed."""
    untrusting = RecognitionService(
        issuer,
        authority=PROFILE.did,
        clock=lambda: NOW,
        verifier=ChainVerifier(verify_with(service), recognitions().trust),
    )
    untrusting.publish_ruleset(load_shipped()["CN"])
    signed_before = list(issuer.issued)
    with pytest.raises(SkillcredError) as err:
        untrusting.recognize(
            [recognitions().p1], rule_id=L2_RULE, as_of=date(2026, 7, 1), declarations={"workField": "engineering"}
        )
    assert err.value.code == Code.CHAIN_RULE_UNTRUSTED and "would not verify" in err.value.detail
    assert issuer.issued == signed_before


@pytest.mark.parametrize(("as_of", "reason"), [(date(2023, 6, 29), "before"), (date(2026, 12, 1), "future")])
def test_an_as_of_date_before_a_source_or_after_today_is_refused(
    recognizer: RecognitionService, issuer: Counting, as_of: date, reason: str
) -> None:
    recognizer.publish_ruleset(load_shipped()["CN-SX"])  # a rule with no waiting period: only the date is wrong
    signed_before = list(issuer.issued)
    with pytest.raises(SkillcredError) as err:
        recognizer.recognize(
            [recognitions().p1],
            rule_id="CN-SX-L2-TO-INTERMEDIATE",
            as_of=as_of,
            declarations={"reviewOutcome": "selected"},
        )
    assert err.value.code is Code.RANGE_ERROR and reason in err.value.detail, err.value.detail
    assert issuer.issued == signed_before


def test_a_published_version_is_never_changed(recognizer: RecognitionService) -> None:
    with pytest.raises(SkillcredError) as err:
        recognizer.publish_ruleset(load_shipped()["CN"])
    assert err.value.code == Code.CONFLICT


def test_construction_is_validated(issuer: Counting) -> None:
    verify = ChainVerifier(status_verifier(), recognitions().trust)
    with pytest.raises(ValueError, match="authority"):
        RecognitionService(issuer, authority="Example", verifier=verify, clock=lambda: NOW)
    with pytest.raises(ValueError, match="rule_credentials"):
        RecognitionService(
            issuer, authority=PROFILE.did, verifier=verify, rule_credentials=[recognitions().p1], clock=lambda: NOW
        )
    with pytest.raises(ValueError, match="max_depth"):
        RecognitionService(issuer, authority=PROFILE.did, verifier=verify, max_depth=0, clock=lambda: NOW)


class FakeIssued:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    @property
    def id(self) -> str:
        return str(self.document["id"])

    def json(self) -> dict[str, Any]:
        return dict(self.document)


class FakeIssuer:
    """Signs with a did:key, records nothing: any IssuerService-like object will do."""

    def issue(self, credential: Mapping[str, Any], *, idempotency_key: str | None = None) -> FakeIssued:
        return FakeIssued(sign(credential, AUTH_CN))


def test_works_with_any_issuer_like_object() -> None:
    w = recognitions()
    svc = RecognitionService(
        FakeIssuer(),
        authority=AUTH_CN.controller,
        verifier=ChainVerifier(status_verifier(), recognitions().trust),
        clock=lambda: NOW,
    )
    rules = svc.publish_ruleset(
        rule_credential(load_shipped()["CN"], authority_did=AUTH_CN.controller, now=NOW)["credentialSubject"]["ruleSet"]
    )
    assert rules.json()["credentialSubject"]["ruleSetId"] == "CN"
    doc = svc.recognize([w.p5], rule_id="CN-ENG-2018-SCHOOL-YUBEIJISHI", as_of=date(2026, 7, 1)).json()
    assert doc["credentialSubject"]["recognizedAs"] == {
        "type": "RecognitionOutcome",
        "kind": "education",
        "educationLevel": "benke",
    }
    check = verify_chain(
        doc,
        sources=[w.p5],
        rule_credentials=[rules.json()],
        trust=w.trust,
        verify_credential=status_verifier(),
        read=read,
        now=NOW,
    )
    assert check.passed, check.to_json()

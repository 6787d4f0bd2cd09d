"""Rule credentials, derived RecognitionCredentials and their digests.

The module also builds the *world* the chain, explain and CLI tests share (:func:`world`): did:key
issuers for an evaluation organization, a technical school and recognition authorities, a trust list
signed by a root and verified, P1 张试一's skill level credential and P5 陈试五's diploma (samples.md),
the shipped CN and CN-SX rule sets published as rule credentials, and signed recognitions.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from issuer import kinds, schemas
from tests.support import DATA
from vccore import multibase
from vccore.canon import jcs
from vccore.credentials import verify_issued
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.errors import Code, SkillcredError
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_or_none
from vccore.keys import KeyPair
from vccore.kinds import identity
from vccore.recognition.credential import (
    RULE_TYPE,
    digest_multibase,
    parse_rule_credential,
    recognition_credential,
    recognition_links,
    rule_credential,
    ruleset_subject_id,
    same_subject,
)
from vccore.recognition.evaluate import evaluate
from vccore.recognition.model import RuleSet
from vccore.recognition.rules import parse_ruleset
from vccore.recognition.rulesets import load_shipped
from vccore.result import Check, VerificationResult
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList, trust_list_credential, verify_trust_list_credential

DATA = json.loads((DATA / "people.json").read_text(encoding="utf-8"))
FAST = functools.partial(identity.hash_identity, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)
LOADER = DocumentLoader()


def read(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """How a verifier reads a cited document (the chain's ``read``)."""
    return read_or_none(document, loader=LOADER)


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SINCE = datetime(2015, 1, 1, tzinfo=UTC)
ROOT = did_key_pair(KeyPair.from_seed(b"\x01" * 32))
EVAL = did_key_pair(KeyPair.from_seed(b"\x03" * 32))
AUTH_CN = did_key_pair(KeyPair.from_seed(b"\x04" * 32))
AUTH_SX = did_key_pair(KeyPair.from_seed(b"\x05" * 32))
ROGUE = did_key_pair(KeyPair.from_seed(b"\x06" * 32))
SCHOOL = did_key_pair(KeyPair.from_seed(b"\x07" * 32))
L2_RULE = "CN-ENG-2018-L2-TO-INTERMEDIATE"
SX_RULE = "CN-SX-L2-TO-INTERMEDIATE"
STEP2_RULE = "CN-TEST-INTERMEDIATE-TO-TREATMENT"


def _entry(pair: KeyPair, zh: str, en: str, role: str, where: tuple[str, ...], types: tuple[str, ...]) -> TrustedIssuer:
    return TrustedIssuer(pair.controller, zh, en, (role,), where, types, (KeyPeriod(pair.id, SINCE),))


def sign(document: Mapping[str, Any], pair: KeyPair, created: datetime = NOW) -> dict[str, Any]:
    return add_proof(document, signer=pair, loader=LOADER, options=ProofOptions(created=created))


def step2_ruleset() -> RuleSet:
    """A small test rule set whose rule takes a RecognitionCredential (no shipped rule does)."""
    rule = json.loads(json.dumps(load_shipped()["CN"].rule(L2_RULE).to_json()))  # type: ignore[union-attr]
    rule.update(
        {
            "id": STEP2_RULE,
            "direction": "skill-to-title-treatment",
            "declaredInputs": [],
            "name": {
                "zh": "测试：中级职称认定后享受同等待遇",
                "en": "Test: equal treatment after an intermediate recognition",
            },
            "inputs": [
                {
                    "name": "source",
                    "kinds": ["RecognitionCredential"],
                    "zh": "中级职称认定",
                    "en": "an intermediate title recognition",
                }
            ],
            "conditions": [
                {
                    "id": "intermediate",
                    "zh": "认定为中级职称",
                    "en": "recognized as an intermediate title",
                    "logic": {"==": [{"var": "source.credentialSubject.recognizedAs.titleLevel"}, "intermediate"]},
                }
            ],
            "recognizedAs": {"kind": "treatment", "treatment": "equal-treatment-test"},
            "grants": ["equal-treatment"],
            "purposes": ["招聘"],
            "inForceFrom": "2020-01-01",
        }
    )
    rule.pop("notes", None)
    return parse_ruleset(
        {
            "type": "RecognitionRuleSet",
            "id": "CN-TEST",
            "version": "1",
            "jurisdiction": "CN",
            "authority": {"zh": "测试认定机关", "en": "Test recognition authority"},
            "rules": [rule],
        }
    )


@dataclass(frozen=True)
class World:
    trust: TrustList
    p1: dict[str, Any]
    p5: dict[str, Any]
    rules_cn: dict[str, Any]
    rules_sx: dict[str, Any]
    rules_test: dict[str, Any]
    rules_rogue: dict[str, Any]
    recognition: dict[str, Any]  # P1, CN-ENG-2018-L2-TO-INTERMEDIATE as of 2026-07-01, by AUTH_CN
    inferred: dict[str, Any]  # P1, CN-SX-L2-TO-INTERMEDIATE (inferred), by AUTH_SX
    step2: dict[str, Any]  # from ``recognition``, by the test rule

    @property
    def rule_credentials(self) -> list[dict[str, Any]]:
        return [self.rules_cn, self.rules_sx, self.rules_test]


def build_source(pid: str, index: int, pair: KeyPair, ident: str) -> dict[str, Any]:
    person = DATA["people"][pid]
    cred = person["credentials"][index]
    data = {"name": person["name"], "idNumber": person["idNumber"]} | copy.deepcopy(cred["input"])
    names = DATA["issuers"][cred["issuer"]]
    issuer = kinds.Issuer(pair.controller, names["name_zh"], names["name_en"])
    doc = kinds.build(cred["kind"], data, issuer=issuer, valid_from=cred["validFrom"], credential_id=ident, hasher=FAST)
    return sign(doc, pair, datetime.fromisoformat(cred["validFrom"]))


def derive(
    rule_doc: Mapping[str, Any],
    rule_id: str,
    sources: list[dict[str, Any]],
    pair: KeyPair,
    *,
    as_of: date,
    ident: str,
    **declared: str,
) -> dict[str, Any]:
    rule = parse_rule_credential(rule_doc).rule(rule_id)
    assert rule is not None
    evaluation = evaluate(rule, sources, as_of=as_of, declarations=declared)
    unsigned = recognition_credential(
        evaluation,
        rule_credential=rule_doc,
        sources=sources,
        issuer=pair.controller,
        as_of=as_of,
        credential_id=ident,
        now=NOW,
    )
    return sign(unsigned, pair)


@functools.cache
def world() -> World:
    shipped = load_shipped()
    entries = (
        _entry(
            EVAL,
            "示例重型机床有限公司",
            "Example Heavy Machine Tool Co., Ltd.",
            "skill-evaluation-organization",
            ("CN-SX",),
            ("SkillLevelCredential",),
        ),
        _entry(
            SCHOOL,
            "示例市技师学院",
            "Example Municipal Technician College",
            "technical-school",
            ("CN-GD",),
            ("TechnicalSchoolDiplomaCredential",),
        ),
        _entry(
            AUTH_CN,
            "人力资源社会保障部（测试）",
            "MOHRSS (test)",
            "recognition-authority",
            ("CN",),
            ("RecognitionRuleCredential", "RecognitionCredential"),
        ),
        _entry(
            AUTH_SX,
            "山西省人力资源和社会保障厅（测试）",
            "Shanxi HRSS (test)",
            "recognition-authority",
            ("CN-SX",),
            ("RecognitionRuleCredential", "RecognitionCredential"),
        ),
    )
    published = sign(
        trust_list_credential(TrustList(entries, NOW), root_did=ROOT.controller, id="urn:uuid:tl-1", now=NOW), ROOT
    )
    trust, result = verify_trust_list_credential(published, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert trust is not None, result.to_json()
    p1 = build_source("P1", 0, EVAL, "urn:uuid:00000000-0000-4000-8000-000000000001")
    p5 = build_source("P5", 0, SCHOOL, "urn:uuid:00000000-0000-4000-8000-000000000005")
    rules_cn = sign(rule_credential(shipped["CN"], authority_did=AUTH_CN.controller, now=NOW), AUTH_CN)
    rules_sx = sign(rule_credential(shipped["CN-SX"], authority_did=AUTH_SX.controller, now=NOW), AUTH_SX)
    rules_test = sign(rule_credential(step2_ruleset(), authority_did=AUTH_CN.controller, now=NOW), AUTH_CN)
    rules_rogue = sign(rule_credential(shipped["CN"], authority_did=ROGUE.controller, now=NOW), ROGUE)
    recognition = derive(
        rules_cn, L2_RULE, [p1], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-1", workField="engineering"
    )
    inferred = derive(rules_sx, SX_RULE, [p1], AUTH_SX, as_of=date(2026, 7, 1), ident="urn:uuid:rec-sx")
    step2 = derive(rules_test, STEP2_RULE, [recognition], AUTH_CN, as_of=date(2026, 8, 1), ident="urn:uuid:rec-2")
    return World(trust, p1, p5, rules_cn, rules_sx, rules_test, rules_rogue, recognition, inferred, step2)


def status_verifier(
    statuses: Mapping[str, str] | None = None, *, now: datetime = NOW
) -> Callable[[Mapping[str, Any]], VerificationResult]:
    """``verify_issued`` plus a fake status map (credential id -> ``revoked``/``suspended``)."""
    table = dict(statuses or {})

    def verify(document: Mapping[str, Any]) -> VerificationResult:
        result = verify_issued(document, loader=LOADER, now=now)
        state = table.get(str(document.get("id")))
        if state == "revoked":
            return result.with_check(Check.fail("status.revocation", Code.REVOKED, "revoked"))
        if state == "suspended":
            return result.with_check(Check.fail("status.suspension", Code.SUSPENDED, "suspended"))
        return result.with_check(Check.ok("status.revocation"))

    return verify


@dataclass
class ChainVerifier:
    """A recognition service's verifier for tests (:class:`issuer.recognize.SourceVerifier`): sources
    verified by ``verify``, recognitions re-checked by :func:`vccore.recognition.chain.verify_chain` against
    ``trust``."""

    verify: Callable[[Mapping[str, Any]], VerificationResult]
    trust: TrustList | None
    now: datetime = NOW

    def verify_credential(self, document: Any) -> VerificationResult:
        return self.verify(document)

    def read(self, document: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return read(document)

    def check_recognition(
        self, recognition: Mapping[str, Any], *, presented: Sequence[Mapping[str, Any]] = ()
    ) -> Check:
        from vccore.recognition.chain import verify_chain

        reading = read(recognition)
        assert reading is not None
        rules = [d for d in presented if RULE_TYPE in d.get("type", [])]
        sources = [d for d in presented if RULE_TYPE not in d.get("type", [])]
        return verify_chain(
            reading,
            sources=sources,
            rule_credentials=rules,
            trust=self.trust,
            verify_credential=self.verify,
            read=read,
            now=self.now,
        )


def mutable(document: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(document))


# --- digests -----------------------------------------------------------------------------------------


def test_digest_is_base64url_sha256_multihash_of_the_jcs_bytes() -> None:
    doc = {"b": [1, 2.5, "试"], "a": {"z": None, "y": True}}
    raw = multibase.decode_u(digest_multibase(doc))
    assert raw[:2] == b"\x12\x20" and len(raw) == 34
    assert raw[2:] == hashlib.sha256(jcs.jcs_bytes(doc)).digest()
    assert digest_multibase(doc).startswith("u")


def test_digest_ignores_key_order_and_whitespace_but_not_content_or_proof() -> None:
    p1 = world().p1
    assert digest_multibase(json.loads(json.dumps(p1, indent=3, sort_keys=True))) == digest_multibase(p1)
    changed = mutable(p1)
    changed["credentialSubject"]["skillLevel"] = "L1"
    assert digest_multibase(changed) != digest_multibase(p1)
    resigned = sign({k: v for k, v in p1.items() if k != "proof"}, EVAL, NOW)
    assert digest_multibase(resigned) != digest_multibase(p1)


# --- rule credentials ---------------------------------------------------------------------------------


def test_a_rule_credential_publishes_one_version_of_a_rule_set() -> None:
    cn = load_shipped()["CN"]
    doc = rule_credential(cn, authority_did=AUTH_CN.controller, now=NOW)
    subject = doc["credentialSubject"]
    assert subject["id"] == ruleset_subject_id("CN", cn.version) == f"urn:skillcred:ruleset:CN:{cn.version}"
    assert (subject["type"], subject["ruleSetId"], subject["jurisdiction"]) == ("RecognitionRuleSet", "CN", "CN")
    assert subject["ruleSet"] == cn.to_json()
    assert doc["type"] == ["VerifiableCredential", "RecognitionRuleCredential"]
    assert doc["issuer"]["id"] == AUTH_CN.controller
    assert parse_rule_credential(doc) == cn
    # the same version always has the same id; a new version a new one
    assert rule_credential(cn.to_json(), authority_did=AUTH_CN.controller, now=NOW)["id"] == doc["id"]
    newer = parse_ruleset(cn.to_json() | {"version": "0.2"})
    assert rule_credential(newer, authority_did=AUTH_CN.controller, now=NOW)["id"] != doc["id"]


def test_a_signed_rule_credential_verifies_like_any_other_credential() -> None:
    result = verify_issued(world().rules_cn, loader=LOADER, now=NOW)
    assert result.verified, result.to_json()
    rdfc(world().rules_cn, loader=LOADER)  # safe mode: every term is defined


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "ruleSetVersion"), "9"),
        (("credentialSubject", "jurisdiction"), "CN-SX"),
        (("credentialSubject", "id"), "urn:skillcred:ruleset:CN:9"),
        (("credentialSubject", "type"), "TrustList"),
        (("type",), ["VerifiableCredential"]),
    ],
)
def test_parse_rule_credential_refuses_inconsistent_documents(path: tuple[str, ...], value: Any) -> None:
    doc = mutable(world().rules_cn)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SkillcredError) as err:
        parse_rule_credential(doc)
    assert err.value.code == Code.RULE_ERROR


def test_parse_rule_credential_refuses_a_broken_rule_set() -> None:
    doc = mutable(world().rules_cn)
    doc["credentialSubject"]["ruleSet"]["rules"][0]["grants"] = ["everything"]
    with pytest.raises(SkillcredError) as err:
        parse_rule_credential(doc)
    assert err.value.code == Code.RULE_ERROR


def test_rule_credential_refuses_a_non_did_authority() -> None:
    with pytest.raises(ValueError, match="authority_did"):
        rule_credential(load_shipped()["CN"], authority_did="https://example.test", now=NOW)


# --- recognition credentials ---------------------------------------------------------------------


def test_p1_recognition_has_the_documented_shape() -> None:
    w = world()
    rec = w.recognition
    subject = rec["credentialSubject"]
    p1_subject = w.p1["credentialSubject"]
    assert rec["type"] == ["VerifiableCredential", "RecognitionCredential"]
    assert subject["name"] == "张试一" and subject["identityHash"] == p1_subject["identityHash"]
    assert "id" not in subject  # P1 has no wallet DID
    assert subject["recognizedAs"] == {
        "type": "RecognitionOutcome",
        "kind": "title",
        "titleSeries": "工程系列",
        "titleLevel": "intermediate",
        "titleName": "工程师",
    }
    assert subject["grants"] == ["eligibility-to-apply"] and "purposes" not in subject
    assert (subject["jurisdiction"], subject["recognitionRule"], subject["ruleVersion"]) == ("CN", L2_RULE, "1")
    assert (subject["ruleConfidence"], subject["recognitionDate"]) == ("sourced", "2026-07-01")
    assert subject["recognizedFrom"] == [w.p1["id"]]
    assert subject["legalBasis"]["type"] == "LegalBasis"
    assert subject["legalBasis"]["issuingAuthority"] == "人力资源社会保障部"
    assert rec["relatedResource"] == [
        {"id": w.p1["id"], "digestMultibase": digest_multibase(w.p1)},
        {"id": w.rules_cn["id"], "digestMultibase": digest_multibase(w.rules_cn)},
    ]
    evidence = rec["evidence"]
    assert evidence["type"] == "RecognitionEvidence" and evidence["evaluatedOn"] == "2026-07-01"
    assert evidence["conditionsMet"]["conditions"] == {
        "in-force": True,
        "input:source": True,
        "years-since-level": True,
        "work-field": True,
    }
    assert evidence["conditionsMet"]["declared"] == {"workField": "engineering"}
    assert evidence["conditionsMet"]["years"] == {"years-since-level": 3}


@pytest.mark.parametrize("name", ["recognition", "inferred", "step2"])
def test_recognitions_pass_the_schema_safe_canonicalization_and_verify_issued(name: str) -> None:
    rec = getattr(world(), name)
    assert schemas.validate(rec) == []
    rdfc(rec, loader=LOADER)
    result = verify_issued(rec, loader=LOADER, now=NOW)
    assert result.verified, result.to_json()


def test_an_inferred_rule_says_so_in_the_subject_and_the_evidence() -> None:
    rec = world().inferred
    assert rec["credentialSubject"]["ruleConfidence"] == "inferred"
    assert rec["evidence"]["ruleConfidence"] == "inferred"
    assert "legalBasis" not in rec["credentialSubject"]  # the Shanxi document was never retrieved
    assert rec["credentialSubject"]["recognizedAs"] == {
        "type": "RecognitionOutcome",
        "kind": "title",
        "titleLevel": "intermediate",
    }


def test_a_rule_that_does_not_hold_is_not_recognized() -> None:
    w = world()
    rule = parse_rule_credential(w.rules_cn).rule(L2_RULE)
    assert rule is not None
    evaluation = evaluate(rule, [w.p1], as_of=date(2025, 12, 31), work_field="engineering")
    with pytest.raises(SkillcredError) as err:
        recognition_credential(
            evaluation,
            rule_credential=w.rules_cn,
            sources=[w.p1],
            issuer=AUTH_CN.controller,
            as_of=date(2025, 12, 31),
            credential_id="urn:uuid:x",
            now=NOW,
        )
    assert err.value.code == Code.RULE_NOT_SATISFIED
    assert "years-since-level" not in err.value.detail and "3 years" in err.value.detail


def test_recognition_credential_refuses_misuse() -> None:
    w = world()
    rule = parse_rule_credential(w.rules_cn).rule(L2_RULE)
    assert rule is not None
    ev = evaluate(rule, [w.p1], as_of=date(2026, 7, 1), work_field="engineering")
    args: dict[str, Any] = {
        "rule_credential": w.rules_cn,
        "sources": [w.p1],
        "issuer": AUTH_CN.controller,
        "as_of": date(2026, 7, 1),
        "credential_id": "urn:uuid:x",
        "now": NOW,
    }
    with pytest.raises(ValueError, match="as_of"):
        recognition_credential(ev, **(args | {"as_of": date(2026, 7, 2)}))
    with pytest.raises(ValueError, match="rule_credential"):
        recognition_credential(ev, **(args | {"rule_credential": w.rules_sx}))
    with pytest.raises(ValueError, match="rule"):
        recognition_credential(ev, **(args | {"rule": parse_rule_credential(w.rules_sx).rules[0]}))
    unsigned = {k: v for k, v in w.p1.items() if k != "proof"}
    with pytest.raises(ValueError, match="sources"):
        recognition_credential(ev, **(args | {"sources": [unsigned]}))


def test_sources_about_different_people_are_refused() -> None:
    w = world()
    cn = parse_rule_credential(w.rules_cn)
    rule = parse_ruleset(
        cn.to_json()
        | {
            "rules": [
                {
                    **cn.rule(L2_RULE).to_json(),  # type: ignore[union-attr]
                    "inputs": [
                        cn.rule(L2_RULE).to_json()["inputs"][0],  # type: ignore[union-attr]
                        {"name": "school", "kinds": ["TechnicalSchoolDiplomaCredential"], "zh": "技校", "en": "school"},
                    ],
                }
            ]
        }
    ).rules[0]
    ev = evaluate(rule, [w.p1, w.p5], as_of=date(2026, 7, 1), work_field="engineering")
    assert ev.holds
    republished = sign(
        rule_credential(
            parse_ruleset(cn.to_json() | {"rules": [rule.to_json()]}), authority_did=AUTH_CN.controller, now=NOW
        ),
        AUTH_CN,
    )
    with pytest.raises(SkillcredError) as err:
        recognition_credential(
            ev,
            rule_credential=republished,
            sources=[w.p1, w.p5],
            issuer=AUTH_CN.controller,
            as_of=date(2026, 7, 1),
            credential_id="urn:uuid:x",
            now=NOW,
        )
    assert err.value.code == Code.CHAIN_SUBJECT_MISMATCH


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"id": "did:key:a"}, {"id": "did:key:a"}, True),
        ({"id": "did:key:a"}, {"id": "did:key:b"}, False),
        ({"identityHash": {"h": 1}}, {"identityHash": {"h": 1}}, True),
        ({"identityHash": {"h": 1}}, {"identityHash": {"h": 2}}, False),
        ({"id": "did:key:a", "identityHash": {"h": 1}}, {"id": "did:key:a", "identityHash": {"h": 2}}, False),
        ({"id": "did:key:a"}, {"identityHash": {"h": 1}}, False),
        ({}, {}, False),
    ],
)
def test_same_subject_needs_a_shared_equal_identifier_and_no_conflict(
    a: dict[str, Any], b: dict[str, Any], same: bool
) -> None:
    assert same_subject(a, b) is same


def test_recognition_links_reads_what_the_chain_needs() -> None:
    w = world()
    links = recognition_links(w.recognition)
    assert links.sources == (w.p1["id"],) and links.rule_ref == w.rules_cn["id"]
    assert links.date == date(2026, 7, 1) and links.declared == {"workField": "engineering"}


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("relatedResource"),
        lambda d: d.update(relatedResource=[{"id": "urn:x"}]),
        lambda d: d["credentialSubject"].update(recognizedFrom=[]),
        lambda d: d["credentialSubject"].update(recognitionDate="2026-7-1"),
        lambda d: d.update(evidence=[{"type": "Other"}]),
        lambda d: d.update(type=["VerifiableCredential"]),
        lambda d: d["relatedResource"].append({"id": "urn:extra", "digestMultibase": "uAAAA"}),
        lambda d: d.update(relatedResource=[{"id": f"urn:{i}", "digestMultibase": "uA"} for i in range(17)]),
    ],
)
def test_recognition_links_refuses_malformed_recognitions(mutate: Any) -> None:
    doc = mutable(world().recognition)
    mutate(doc)
    with pytest.raises(SkillcredError) as err:
        recognition_links(doc)
    assert err.value.code == Code.MALFORMED_VALUE_ERROR


def test_a_legal_basis_without_an_issuing_authority_passes_the_schema() -> None:
    w = world()
    gd = sign(rule_credential(load_shipped()["CN-GD"], authority_did=AUTH_CN.controller, now=NOW), AUTH_CN)
    rec = derive(
        gd, "CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY", [w.p5], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:gz"
    )
    assert rec["credentialSubject"]["legalBasis"] == {"type": "LegalBasis", "documentName": "广州市职业教育促进条例"}
    assert schemas.validate(rec) == []

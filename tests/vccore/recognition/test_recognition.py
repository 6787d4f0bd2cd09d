"""Rule credentials, derived RecognitionCredentials and their digests, over the recognitions of the test
world (:func:`tests.world.recognitions`)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest

from tests.support import LOADER, NOW, sign
from tests.world import AUTH_CN, EVAL, L2_RULE, derive, mutable, published_rules, recognitions
from vccore import multibase
from vccore.canon import jcs
from vccore.credentials import verify_issued
from vccore.errors import Code, SkillcredError
from vccore.jsonld.canonical import rdfc
from vccore.kinds import schemas
from vccore.recognition.credential import (
    digest_multibase,
    parse_rule_credential,
    recognition_credential,
    recognition_links,
    rule_credential,
    ruleset_subject_id,
    same_subject,
)
from vccore.recognition.evaluate import evaluate
from vccore.recognition.rules import parse_ruleset
from vccore.recognition.rulesets import load_shipped

# --- digests -----------------------------------------------------------------------------------------


def test_digest_is_base64url_sha256_multihash_of_the_jcs_bytes() -> None:
    doc = {"b": [1, 2.5, "试"], "a": {"z": None, "y": True}}
    raw = multibase.decode_u(digest_multibase(doc))
    assert raw[:2] == b"\x12\x20" and len(raw) == 34
    assert raw[2:] == hashlib.sha256(jcs.jcs_bytes(doc)).digest()
    assert digest_multibase(doc).startswith("u")


def test_digest_ignores_key_order_and_whitespace_but_not_content_or_proof() -> None:
    p1 = recognitions().p1
    assert digest_multibase(json.loads(json.dumps(p1, indent=3, sort_keys=True))) == digest_multibase(p1)
    changed = mutable(p1)
    changed["credentialSubject"]["skillLevel"] = "L1"
    assert digest_multibase(changed) != digest_multibase(p1)
    resigned = sign({k: v for k, v in p1.items() if k != "proof"}, EVAL)
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
    result = verify_issued(recognitions().rules_cn, loader=LOADER, now=NOW)
    assert result.verified, result.to_json()
    rdfc(recognitions().rules_cn, loader=LOADER)  # safe mode: every term is defined


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
    doc = mutable(recognitions().rules_cn)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SkillcredError) as err:
        parse_rule_credential(doc)
    assert err.value.code == Code.RULE_ERROR


def test_parse_rule_credential_refuses_a_broken_rule_set() -> None:
    doc = mutable(recognitions().rules_cn)
    doc["credentialSubject"]["ruleSet"]["rules"][0]["grants"] = ["everything"]
    with pytest.raises(SkillcredError) as err:
        parse_rule_credential(doc)
    assert err.value.code == Code.RULE_ERROR


def test_rule_credential_refuses_a_non_did_authority() -> None:
    with pytest.raises(ValueError, match="authority_did"):
        rule_credential(load_shipped()["CN"], authority_did="https://example.test", now=NOW)


# --- recognition credentials ---------------------------------------------------------------------


def test_p1_recognition_has_the_documented_shape() -> None:
    w = recognitions()
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
    assert (subject["ruleStanding"], subject["recognitionDate"]) == ("reported", "2026-07-01")
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
    rec = getattr(recognitions(), name)
    assert schemas.validate(rec) == []
    rdfc(rec, loader=LOADER)
    result = verify_issued(rec, loader=LOADER, now=NOW)
    assert result.verified, result.to_json()


def test_an_inferred_rule_says_so_in_the_subject_and_the_evidence() -> None:
    rec = recognitions().inferred
    assert rec["credentialSubject"]["ruleStanding"] == "inferred"
    assert rec["evidence"]["ruleStanding"] == "inferred"
    # issue 18: the basis is always carried; no document was retrieved, so it names none (原文件未取得)
    assert rec["credentialSubject"]["legalBasis"] == {"type": "LegalBasis"}
    assert rec["credentialSubject"]["ruleNote"][0] == {"@value": "测试规则：我们的解读。", "@language": "zh"}
    assert rec["credentialSubject"]["recognizedAs"] == {
        "type": "RecognitionOutcome",
        "kind": "title",
        "titleLevel": "intermediate",
    }


def test_a_rule_that_does_not_hold_is_not_recognized() -> None:
    w = recognitions()
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
    w = recognitions()
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
    w = recognitions()
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
    republished = published_rules(parse_ruleset(cn.to_json() | {"rules": [rule.to_json()]}), AUTH_CN)
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
    w = recognitions()
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
    doc = mutable(recognitions().recognition)
    mutate(doc)
    with pytest.raises(SkillcredError) as err:
        recognition_links(doc)
    assert err.value.code == Code.MALFORMED_VALUE_ERROR


def test_a_legal_basis_without_an_issuing_authority_passes_the_schema() -> None:
    w = recognitions()
    gd = published_rules("CN-GD", AUTH_CN)
    rec = derive(
        gd, "CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY", [w.p5], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:gz"
    )
    assert rec["credentialSubject"]["legalBasis"] == {"type": "LegalBasis", "documentName": "广州市职业教育促进条例"}
    assert schemas.validate(rec) == []

"""Re-checking recognition chains: each negative has its exact code (SECURITY.md verifier item 15)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import LOADER, NOW, sign
from tests.world import (
    AUTH_CN,
    AUTH_SX,
    EVAL,
    L2_RULE,
    ROGUE,
    STEP2_RULE,
    Recognitions,
    derive,
    issued_credential,
    mutable,
    published_rules,
    read,
    recognitions,
    status_verifier,
)
from vccore.errors import Code
from vccore.jsonld.loader import DocumentLoader
from vccore.recognition.chain import chain_checker, chain_depth, issuer_trusted, pool_lookup, verify_chain
from vccore.recognition.credential import digest_multibase
from vccore.result import Check, VerificationResult
from vccore.trust.decision import trust_check
from vccore.trust.lists import TrustList


def run(
    recognition: Any,
    *,
    sources: list[Mapping[str, Any]] | None = None,
    rules: list[Mapping[str, Any]] | None = None,
    statuses: Mapping[str, str] | None = None,
    trust: TrustList | str | None = "world",
    **kw: Any,
) -> Check:
    w = recognitions()
    return verify_chain(
        recognition,
        sources=[w.p1, w.p5] if sources is None else sources,
        rule_credentials=w.rule_credentials if rules is None else rules,
        trust=w.trust if trust == "world" else trust,  # type: ignore[arg-type]
        verify_credential=status_verifier(statuses, now=kw.get("now", NOW)),
        read=read,
        **({"now": NOW} | kw),
    )


def codes(check: Check) -> set[Code]:
    return {p.code for p in check.problems}


# --- valid chains ----------------------------------------------------------------------------------


def test_p1_recognition_chain_verifies_with_one_child_per_source_and_rule() -> None:
    w = recognitions()
    check = run(w.recognition)
    assert check.passed, check.to_json()
    assert check.name == "recognition"
    assert [c.subject for c in check.children] == [w.p1["id"], w.rules_cn["id"]]
    assert all(c.verified for c in check.children)
    steps = {s["check"] for s in check.info["steps"]}
    assert {
        "source.present",
        "source.digest",
        "source.verified",
        "source.trust",
        "source.subject",
        "rule.present",
        "rule.digest",
        "rule.verified",
        "rule.trust",
        "rule.inForce",
        "rule.satisfied",
    } <= steps
    assert check.info["recognitionRule"] == L2_RULE and check.info["recognitionDate"] == "2026-07-01"


def test_an_inferred_recognition_chain_verifies_and_reports_its_standing() -> None:
    check = run(recognitions().inferred)
    assert check.passed, check.to_json()
    assert check.info["ruleStanding"] == "inferred"


def test_a_two_step_chain_verifies_and_nests_the_first_step() -> None:
    w = recognitions()
    check = run(w.step2, sources=[w.recognition, w.p1])
    assert check.passed, check.to_json()
    (source, rule) = check.children
    assert source.subject == w.recognition["id"] and rule.subject == w.rules_test["id"]
    nested = source.check("recognition")
    assert nested is not None and nested.passed and nested.info["depth"] == 1
    assert [c.subject for c in nested.children] == [w.p1["id"], w.rules_cn["id"]]


def test_a_two_step_chain_fails_when_the_first_steps_source_is_revoked() -> None:
    w = recognitions()
    check = run(w.step2, sources=[w.recognition, w.p1], statuses={w.p1["id"]: "revoked"})
    assert Code.CHAIN_SOURCE_INVALID in codes(check)
    nested = check.children[0].check("recognition")
    assert nested is not None and Code.CHAIN_SOURCE_STATUS in codes(nested)


# --- negatives ------------------------------------------------------------------------------------


def test_source_digest_mismatch() -> None:
    rec = mutable(recognitions().recognition)
    rec["relatedResource"][0]["digestMultibase"] = "u" + "A" * 46
    assert codes(run(rec)) == {Code.CHAIN_DIGEST_MISMATCH}


def test_source_replaced_by_another_valid_credential_with_the_same_id() -> None:
    w = recognitions()
    other = mutable(w.p1)
    other.pop("proof")
    other["credentialSubject"]["skillLevel"] = "L1"
    replaced = sign(other, EVAL)
    assert status_verifier()(replaced).verified
    check = run(w.recognition, sources=[replaced])
    assert Code.CHAIN_DIGEST_MISMATCH in codes(check)
    assert Code.CHAIN_SOURCE_INVALID not in codes(check)


def test_source_replaced_by_another_valid_credential_with_another_id_is_missing() -> None:
    w = recognitions()
    other = issued_credential("P1", 1, EVAL, "urn:uuid:00000000-0000-4000-8000-0000000000aa")
    assert codes(run(w.recognition, sources=[other])) == {Code.CHAIN_SOURCE_MISSING}


@pytest.mark.parametrize("state", ["revoked", "suspended"])
def test_source_revoked_or_suspended_after_recognition(state: str) -> None:
    w = recognitions()
    assert codes(run(w.recognition, statuses={w.p1["id"]: state})) == {Code.CHAIN_SOURCE_STATUS}


def test_source_expired_now() -> None:
    w = recognitions()
    later = NOW + timedelta(days=3650)
    expiring = mutable(w.p1)
    expiring.pop("proof")
    expiring["validUntil"] = "2027-01-01T00:00:00+08:00"
    source = sign(expiring, EVAL, created=datetime.fromisoformat("2023-06-30T00:00:00+08:00"))
    rec = derive(
        w.rules_cn,
        L2_RULE,
        [source],
        AUTH_CN,
        as_of=date(2026, 7, 1),
        ident="urn:uuid:rec-exp",
        workField="engineering",
    )
    check = verify_chain(
        rec,
        sources=[source],
        rule_credentials=w.rule_credentials,
        trust=w.trust,
        verify_credential=status_verifier(now=later),
        read=read,
        now=later,
    )
    assert Code.CHAIN_SOURCE_STATUS in codes(check)


def test_source_with_a_broken_signature_is_invalid() -> None:
    w = recognitions()
    broken = mutable(w.p1)
    broken["proof"]["proofValue"] = "z" + "1" * 80
    rec = mutable(w.recognition)
    rec["relatedResource"][0]["digestMultibase"] = digest_multibase(broken)
    assert codes(run(rec, sources=[broken])) == {Code.CHAIN_SOURCE_INVALID}


def test_source_issuer_not_trusted_for_that_kind() -> None:
    w = recognitions()
    forged = mutable(w.p1)
    forged.pop("proof")
    forged["issuer"]["id"] = AUTH_CN.controller  # a recognition authority, not an evaluation organization
    source = sign(forged, AUTH_CN)
    rec = derive(
        w.rules_cn, L2_RULE, [source], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-u", workField="engineering"
    )
    assert codes(run(rec, sources=[source])) == {Code.CHAIN_SOURCE_UNTRUSTED}


def test_rule_credential_changed_after_signing() -> None:
    w = recognitions()
    changed = mutable(w.rules_cn)
    rules = changed["credentialSubject"]["ruleSet"]["rules"]
    for r in rules:
        if r["id"] == L2_RULE:
            r["inForceFrom"] = "2010-01-01"
    check = run(w.recognition, rules=[changed])
    assert Code.CHAIN_RULE_INVALID in codes(check)
    assert codes(check) <= {Code.CHAIN_RULE_INVALID, Code.CHAIN_DIGEST_MISMATCH}


def test_rule_credential_from_an_untrusted_authority() -> None:
    w = recognitions()
    rec = derive(
        w.rules_rogue, L2_RULE, [w.p1], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-r", workField="engineering"
    )
    assert codes(run(rec, rules=[w.rules_rogue])) == {Code.CHAIN_RULE_UNTRUSTED}


def test_rule_credential_from_an_authority_of_another_jurisdiction() -> None:
    w = recognitions()
    foreign = published_rules("CN", AUTH_SX)
    rec = derive(
        foreign, L2_RULE, [w.p1], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-f", workField="engineering"
    )
    assert codes(run(rec, rules=[foreign])) == {Code.CHAIN_RULE_UNTRUSTED}


def test_rule_credential_missing() -> None:
    assert codes(run(recognitions().recognition, rules=[recognitions().rules_sx])) == {Code.CHAIN_RULE_MISSING}


def test_rule_not_in_force_at_the_recognition_date() -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["recognitionDate"] = "2018-01-01"
    rec["evidence"]["evaluatedOn"] = "2018-01-01"
    check = run(sign(rec, AUTH_CN), sources=[w.p1])
    assert Code.CHAIN_RULE_NOT_IN_FORCE in codes(check)


def test_rule_not_satisfied_on_the_sources_as_of_the_recognition_date() -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["recognitionDate"] = "2025-12-31"
    rec["evidence"]["evaluatedOn"] = "2025-12-31"
    check = run(sign(rec, AUTH_CN))
    assert codes(check) == {Code.CHAIN_RULE_NOT_SATISFIED}
    assert "years-since-level" in check.problems[0].detail


def test_a_declaration_removed_from_the_evidence_no_longer_satisfies_the_rule() -> None:
    rec = mutable(recognitions().recognition)
    rec.pop("proof")
    rec["evidence"]["conditionsMet"]["declared"] = {"workField": "warehouse"}
    assert codes(run(sign(rec, AUTH_CN))) == {Code.CHAIN_RULE_NOT_SATISFIED}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (
            "recognizedAs",
            {
                "type": "RecognitionOutcome",
                "kind": "title",
                "titleSeries": "工程系列",
                "titleLevel": "associate-senior",
                "titleName": "高级工程师",
            },
        ),
        ("grants", ["eligibility-to-apply", "deemed-equivalent"]),
        ("jurisdiction", "CN-SX"),
        ("purposes", ["入户"]),
        ("ruleStanding", "inferred"),
    ],
)
def test_recognition_claims_more_than_the_rule_yields(key: str, value: Any) -> None:
    rec = mutable(recognitions().recognition)
    rec.pop("proof")
    rec["credentialSubject"][key] = value
    assert codes(run(sign(rec, AUTH_CN))) == {Code.CHAIN_CLAIM_MISMATCH}


def test_recognition_dated_in_the_future_is_a_claim_mismatch() -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["recognitionDate"] = "2027-12-01"
    rec["evidence"]["evaluatedOn"] = "2027-12-01"
    assert Code.CHAIN_CLAIM_MISMATCH in codes(run(sign(rec, AUTH_CN)))


@pytest.mark.parametrize(
    ("date", "valid_from", "reason"),
    [
        ("2023-06-29", None, "before"),  # the day before P1's assessment (2023-06-30)
        ("2026-12-01", None, "in the future"),  # NOW is 2026-11-30 12:00 UTC: 20:00 in Beijing, still the 30th
        ("2026-11-30", "2026-11-29T00:00:00Z", "after the recognition was issued"),
    ],
)
def test_a_recognition_date_outside_its_sources_issuance_and_today_is_a_claim_mismatch(
    date: str, valid_from: str | None, reason: str
) -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["recognitionDate"] = date
    rec["evidence"]["evaluatedOn"] = date
    if valid_from:
        rec["validFrom"] = valid_from
    check = run(sign(rec, AUTH_CN))
    assert Code.CHAIN_CLAIM_MISMATCH in codes(check)
    assert any(reason in p.detail for p in check.problems), check.to_json()


def test_a_recognition_dated_today_in_beijing_passes_even_when_it_is_yesterday_in_utc() -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["recognitionDate"] = "2026-12-01"
    rec["evidence"]["evaluatedOn"] = "2026-12-01"
    rec["validFrom"] = "2026-11-30T16:30:00Z"  # 00:30 on 1 December in Beijing
    check = run(sign(rec, AUTH_CN), now=NOW + timedelta(hours=5))
    assert not any("recognition date" in p.detail for p in check.problems), check.to_json()


def test_subject_mismatch() -> None:
    w = recognitions()
    rec = mutable(w.recognition)
    rec.pop("proof")
    rec["credentialSubject"]["identityHash"] = w.p5["credentialSubject"]["identityHash"]
    assert codes(run(sign(rec, AUTH_CN))) == {Code.CHAIN_SUBJECT_MISMATCH}


def test_missing_source() -> None:
    check = run(recognitions().recognition, sources=[recognitions().p5])
    assert codes(check) == {Code.CHAIN_SOURCE_MISSING}
    assert check.children[0].codes() == {Code.CHAIN_SOURCE_MISSING}


def test_cycle() -> None:
    w = recognitions()
    looped = mutable(w.step2)
    looped.pop("proof")
    looped["credentialSubject"]["recognizedFrom"] = [w.step2["id"]]
    looped["relatedResource"][0]["id"] = w.step2["id"]
    looped = sign(looped, AUTH_CN)
    looped["relatedResource"][0]["digestMultibase"] = "u" + "A" * 46
    check = run(looped, sources=[looped])
    # a recognition citing itself describes its own id twice in one graph: its source cannot be read
    # (the loop between two recognitions is the next test's)
    assert codes(check) == {Code.CHAIN_DIGEST_MISMATCH, Code.CHAIN_SOURCE_INVALID}
    source = check.children[0]
    assert Code.NOT_COMPACT_FORM in source.codes()


def test_cycle_through_a_nested_recognition() -> None:
    w = recognitions()
    # step2 cites rec-1; a forged "rec-1" citing step2 closes the loop (its digest cannot match, but
    # the id loop is refused on its own)
    forged = mutable(w.recognition)
    forged.pop("proof")
    forged["credentialSubject"]["recognizedFrom"] = [w.step2["id"]]
    forged["relatedResource"][0] = {"id": w.step2["id"], "digestMultibase": "uAAAA"}
    forged = sign(forged, AUTH_CN)
    step2 = mutable(w.step2)
    step2.pop("proof")
    step2["relatedResource"][0]["digestMultibase"] = digest_multibase(forged)
    step2 = sign(step2, AUTH_CN)
    check = run(step2, sources=[forged, step2])
    nested = check.children[0].check("recognition")
    assert nested is not None and Code.CHAIN_CYCLE in codes(nested)
    assert Code.CHAIN_CYCLE in codes(check)


def test_depth_over_the_limit() -> None:
    w = recognitions()
    check = run(w.step2, sources=[w.recognition, w.p1], max_depth=1)
    assert Code.CHAIN_TOO_DEEP in codes(check)
    assert run(w.recognition, max_depth=0).problems[0].code == Code.CHAIN_TOO_DEEP


@pytest.mark.parametrize("bad", [None, "text", [], {"type": "RecognitionCredential"}, {"id": 1}])
def test_bad_input_never_raises(bad: Any) -> None:
    check = run(bad)
    assert not check.passed


def test_no_trust_list_fails_closed_unless_trust_is_deliberately_skipped() -> None:
    w = recognitions()
    assert codes(run(w.recognition, trust=None)) == {Code.CHAIN_SOURCE_UNTRUSTED, Code.CHAIN_RULE_UNTRUSTED}
    assert run(w.recognition, trust=None, trust_any=True).passed


# --- helpers and the pipeline adapter --------------------------------------------------------------


def test_trust_check_and_issuer_trusted() -> None:
    w = recognitions()
    assert trust_check(w.recognition, w.trust, now=NOW).passed
    assert trust_check(w.inferred, w.trust, now=NOW).passed
    rogue = sign({k: v for k, v in w.recognition.items() if k != "proof"} | {"issuer": ROGUE.controller}, ROGUE)
    assert trust_check(rogue, w.trust, now=NOW).problems[0].code == Code.UNTRUSTED_ISSUER
    assert not trust_check(w.recognition, None, now=NOW).passed
    ok, why = issuer_trusted(
        w.rules_cn,
        w.trust,
        credential_type="RecognitionRuleCredential",
        jurisdiction="CN",
        now=NOW,
        role="skill-evaluation-organization",
    )
    assert not ok and "skill-evaluation-organization" in why


def test_chain_depth_counts_recognition_steps() -> None:
    w = recognitions()
    pool = [w.p1, w.recognition, w.step2]
    assert (chain_depth(w.p1, pool), chain_depth(w.recognition, pool), chain_depth(w.step2, pool)) == (0, 1, 2)
    looped = mutable(w.step2)
    looped["credentialSubject"]["recognizedFrom"] = [w.step2["id"]]
    looped["relatedResource"][0]["id"] = w.step2["id"]
    assert chain_depth(looped, [looped], limit=5) == 6


@dataclass(frozen=True)
class FakeContext:
    now: datetime
    trust: TrustList | None
    trust_any: bool
    depth: int
    verify: Callable[[Any], VerificationResult]
    loader: DocumentLoader = LOADER


def test_chain_checker_adapts_verify_chain_to_the_pipeline() -> None:
    w = recognitions()
    checker = chain_checker(pool_lookup([w.p1, w.recognition, *w.rule_credentials]))
    context = FakeContext(NOW, w.trust, False, 0, status_verifier())
    assert checker(w.step2, context).passed
    assert (
        checker(w.step2, FakeContext(NOW, w.trust, False, 3, status_verifier())).problems[0].code == Code.CHAIN_TOO_DEEP
    )


def test_chain_checker_plugs_into_the_verifier_pipeline(world_verifier: Any) -> None:
    w = recognitions()
    result = world_verifier.verify_credential(w.step2)
    assert result.verified, result.to_json()
    assert result.check("recognition").passed
    bad = mutable(w.recognition)
    bad["credentialSubject"]["recognizedAs"]["titleLevel"] = "associate-senior"
    result = world_verifier.verify_credential(bad)
    assert not result.verified


@pytest.fixture
def world_verifier() -> Any:
    from vccore.jsonld.loader import DocumentLoader
    from verifier.pipeline import Verifier
    from verifier.status import StatusSource

    w: Recognitions = recognitions()  # the test credentials carry no status entries: nothing is fetched
    loader = DocumentLoader()
    return Verifier(
        trust=w.trust,
        loader=loader,
        status=StatusSource(loader=loader),
        clock=lambda: NOW,
        chain_checker=chain_checker(pool_lookup([w.p1, w.recognition, *w.rule_credentials])),
    )


def test_step2_rule_name() -> None:
    assert recognitions().step2["credentialSubject"]["recognitionRule"] == STEP2_RULE


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(["top", "subject", "related", "evidence"]),
    key=st.sampled_from(
        [
            "id",
            "type",
            "recognizedFrom",
            "recognitionDate",
            "relatedResource",
            "grants",
            "recognizedAs",
            "conditionsMet",
            "digestMultibase",
            "identityHash",
            "evidence",
        ]
    ),
    value=_json,
)
def test_verify_chain_never_raises_on_mutated_recognitions(where: str, key: str, value: Any) -> None:
    rec = mutable(recognitions().recognition)
    target = {
        "top": rec,
        "subject": rec["credentialSubject"],
        "related": rec["relatedResource"][0],
        "evidence": rec["evidence"],
    }[where]
    target[key] = value
    check = run(rec)
    assert isinstance(check, Check)

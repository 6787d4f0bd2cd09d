"""The verifier keeps the pure work on a rule credential (its reading, the canonical form its proof signs, its
rule set), keyed by its exact JSON, and checks everything that depends on time, trust or keys every time
(issue 19)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pytest

from tests.support import NOW, sign
from tests.world import AUTH_CN, L2_RULE, Recognitions, derive, mutable, recognitions
from vccore.canon.memo import BoundedMemo, content_key
from vccore.di import cryptosuites
from vccore.errors import Code
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import DocumentLoader
from vccore.recognition import chain
from vccore.recognition.chain import chain_checker
from vccore.recognition.credential import RULE_TYPE, parse_rule_credential
from vccore.result import VerificationResult
from vccore.trust.lists import TrustList
from verifier.pipeline import Verifier
from verifier.status import StatusSource


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make(
    w: Recognitions, rules: Sequence[Mapping[str, Any]], *, clock: Clock | None = None, size: int = 32
) -> tuple[Verifier, Any]:
    """A verifier whose rule credentials are ``rules`` (the list is read on every request)."""
    loader = DocumentLoader()
    checker = chain_checker(lambda _doc: ([w.p1, w.p5], tuple(rules)), cache_size=size)
    verifier = Verifier(
        trust=w.trust,
        loader=loader,
        status=StatusSource(loader=loader),
        clock=clock or (lambda: NOW),
        chain_checker=checker,
        pure_cache_size=size,
    )
    return verifier, checker


def chain_codes(result: VerificationResult) -> set[Code]:
    check = result.check("recognition")
    assert check is not None
    return {p.code for p in check.problems}


def test_the_cached_path_gives_the_same_result_as_the_uncached_path() -> None:
    w = recognitions()
    verifier, checker = make(w, [w.rules_cn])
    first = verifier.verify_credential(w.recognition)  # nothing cached yet
    assert len(verifier.pure_cache) > 0 and len(checker.pure_cache) > 0
    second = verifier.verify_credential(w.recognition)
    fresh = make(w, [w.rules_cn])[0].verify_credential(w.recognition)
    assert first.verified, first.to_json()
    assert second.to_json() == first.to_json() == fresh.to_json()


def _altered(w: Recognitions) -> dict[str, Any]:
    changed = mutable(w.rules_cn)
    for r in changed["credentialSubject"]["ruleSet"]["rules"]:
        if r["id"] == L2_RULE:
            r["inForceFrom"] = "2010-01-01"
    return changed


def test_a_rule_credential_altered_after_being_cached_is_not_served_from_the_cache() -> None:
    w = recognitions()
    rules: list[Mapping[str, Any]] = [w.rules_cn]
    verifier, _ = make(w, rules)
    assert verifier.verify_credential(w.recognition).verified
    rules[0] = _altered(w)  # the same id, one field changed after its reading was cached
    cached = verifier.verify_credential(w.recognition)
    uncached = make(w, [_altered(w)])[0].verify_credential(w.recognition)
    assert not cached.verified
    assert chain_codes(cached) == chain_codes(uncached) == {Code.CHAIN_RULE_INVALID, Code.CHAIN_DIGEST_MISMATCH}
    assert cached.to_json() == uncached.to_json()
    rule_child = cached.check("recognition").children[-1]  # type: ignore[union-attr]
    assert {p.code for p in rule_child.problems()} == {Code.PROOF_VERIFICATION_ERROR}


def test_a_cached_rule_credential_whose_issuer_is_no_longer_trusted_fails() -> None:
    w = recognitions()
    verifier, _ = make(w, [w.rules_cn])
    assert verifier.verify_credential(w.recognition).verified
    verifier.trust = TrustList(
        tuple(i for i in w.trust.issuers if i.did != AUTH_CN.controller), w.trust.issued, w.trust.id
    )
    result = verifier.verify_credential(w.recognition)
    assert not result.verified
    assert Code.CHAIN_RULE_UNTRUSTED in chain_codes(result)
    rule_child = result.check("recognition").children[-1]  # type: ignore[union-attr]
    assert {p.code for p in rule_child.problems()} == {Code.UNTRUSTED_ISSUER}


def test_a_cached_rule_credential_whose_validity_has_passed_fails() -> None:
    w = recognitions()
    doc = dict(mutable(w.rules_cn))
    doc.pop("proof")
    doc["validUntil"] = "2026-12-31T00:00:00Z"
    short = sign(doc, AUTH_CN, created=NOW)
    rec = derive(
        short, L2_RULE, [w.p1], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-c", workField="engineering"
    )
    clock = Clock(NOW)
    verifier, _ = make(w, [short], clock=clock)
    assert verifier.verify_credential(rec).verified, verifier.verify_credential(rec).to_json()
    clock.now = datetime(2027, 1, 2, tzinfo=NOW.tzinfo)
    result = verifier.verify_credential(rec)
    assert chain_codes(result) == {Code.CHAIN_RULE_INVALID}
    rule_child = result.check("recognition").children[-1]  # type: ignore[union-attr]
    assert {p.code for p in rule_child.problems()} == {Code.EXPIRED}


def test_the_memo_stays_bounded() -> None:
    memo = BoundedMemo(3)
    docs = [{"id": f"urn:uuid:{i}"} for i in range(4)]
    for d in docs:
        bound = memo.bind(d)
        assert bound is not None
        assert bound("x", lambda: "value") == "value"
    assert len(memo) == 3
    first = memo.bind(docs[0])
    assert first is not None and first("x", lambda: "computed again") == "computed again"  # the oldest went first
    with pytest.raises(ValueError, match="at least 1"):
        BoundedMemo(0)


def test_the_verifiers_caches_stay_bounded() -> None:
    w = recognitions()
    rules = [w.rules_cn, w.rules_sx, w.rules_test]
    verifier, checker = make(w, rules, size=2)
    for doc in rules:
        verifier.verify_credential(doc)
        verifier.verify_credential(w.recognition)
    assert len(verifier.pure_cache) == 2
    assert len(checker.pure_cache) == 2


def test_the_content_key_tells_every_change_apart_and_skips_what_is_not_plain_json() -> None:
    assert content_key({"a": 1}) != content_key({"a": 1.0}) != content_key({"a": True})
    assert content_key({"a": 1}) == content_key({"a": 1})
    assert content_key({"a": float("nan")}) is None
    assert content_key({"a": object()}) is None


def test_the_expensive_steps_run_once_for_two_verifications_of_the_same_rule_credential(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = recognitions()
    canonicalized: list[str] = []
    parsed: list[str] = []
    real_rdfc, real_parse = rdfc, parse_rule_credential

    def counting_rdfc(document: Mapping[str, Any], **kw: Any) -> str:
        if RULE_TYPE in document.get("type", ()):
            canonicalized.append(str(document.get("id")))
        return real_rdfc(document, **kw)

    def counting_parse(document: Any) -> Any:
        parsed.append(str(document.get("id")))
        return real_parse(document)

    monkeypatch.setattr(cryptosuites, "rdfc", counting_rdfc)
    monkeypatch.setattr(chain, "parse_rule_credential", counting_parse)
    verifier, _ = make(w, [w.rules_cn])
    assert verifier.verify_credential(w.recognition).verified
    assert verifier.verify_credential(w.recognition).verified
    assert canonicalized == [w.rules_cn["id"]]
    assert parsed == [w.rules_cn["id"]]

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from tests.verifier.conftest import World
from vccore.errors import Code
from vccore.result import Check
from vccore.trust import TrustedIssuer, TrustList
from verifier.pipeline import Verifier, VerifierContext


def _recognition_world(world: World, jurisdictions: tuple[str, ...] = ("CN-SX",)) -> TrustList:
    a = world.trust.issuers[0]
    return TrustList(
        (
            TrustedIssuer(
                a.did,
                a.name_zh,
                a.name_en,
                ("recognition-authority",),
                jurisdictions,
                ("RecognitionCredential", "SkillLevelCredential"),
                a.keys,
            ),
        ),
        world.trust.issued,
    )


def _recognition(world: World, jurisdiction: str = "CN-SX") -> dict[str, Any]:
    doc = world.unsigned(kind="RecognitionCredential", status=False)
    doc["credentialSubject"]["jurisdiction"] = jurisdiction
    return world.sign(doc)


def test_a_recognition_without_a_chain_checker_fails_closed(world: World) -> None:
    result = world.verifier(trust=_recognition_world(world)).verify_credential(_recognition(world))
    assert [c.name for c in result.failed()] == ["recognition"]
    assert result.codes() == {Code.CHAIN_NOT_CHECKED}


def test_the_chain_checker_gets_a_context_that_verifies_nested_credentials(world: World) -> None:
    seen: list[VerifierContext] = []
    source = world.credential()

    def chain(doc: Mapping[str, Any], ctx: VerifierContext) -> Check:
        seen.append(ctx)
        nested = ctx.verify(source)
        return Check.ok("recognition", children=[nested])

    verifier = world.verifier(trust=_recognition_world(world), chain_checker=chain)
    result = verifier.verify_credential(_recognition(world))
    assert result.verified, result.to_json()
    assert seen[0].depth == 0 and seen[0].trust is not None
    revoked = world.credential(index=7)
    verifier = world.verifier(
        trust=_recognition_world(world),
        chain_checker=lambda d, c: Check.ok("recognition", children=[c.verify(revoked)]),
    )
    assert verifier.verify_credential(_recognition(world)).codes() == {Code.REVOKED}


def test_recognition_trust_depends_on_jurisdiction(world: World) -> None:
    verifier = world.verifier(
        trust=_recognition_world(world), chain_checker=lambda d, c: Check.ok("recognition")
    )
    result = verifier.verify_credential(_recognition(world, "CN-BJ"))
    assert result.codes() == {Code.UNTRUSTED_ISSUER}
    national = world.verifier(
        trust=_recognition_world(world, ("CN",)), chain_checker=lambda d, c: Check.ok("recognition")
    )
    assert national.verify_credential(_recognition(world, "CN-BJ")).verified


def test_recursion_through_the_context_is_bounded(world: World) -> None:
    doc = _recognition(world)

    def chain(d: Mapping[str, Any], ctx: VerifierContext) -> Check:
        return Check.ok("recognition", children=[ctx.verify(doc)])

    result = world.verifier(trust=_recognition_world(world), chain_checker=chain).verify_credential(doc)
    assert Code.CHAIN_TOO_DEEP in result.codes()


def _schema_validator(schema: Mapping[str, Any], doc: Any) -> Sequence[str]:
    required = schema.get("requiredSubject", [])
    return [f"credentialSubject.{k} is required" for k in required if k not in doc["credentialSubject"]]


@pytest.mark.parametrize(
    ("required", "codes"), [(["skillLevel"], set()), (["certificateNumber"], {Code.SCHEMA_VALIDATION_ERROR})]
)
def test_a_pinned_schema_is_applied_and_an_unpinned_one_skipped(
    world: World, required: list[str], codes: set[Code]
) -> None:
    sid = "https://w3id.org/skillcred/schemas/skill-level-v1.json"
    doc = world.unsigned(status=False)
    doc["credentialSchema"] = [
        {"id": sid, "type": "JsonSchema"},
        {"id": "https://elsewhere.example/s.json", "type": "JsonSchema"},
    ]
    verifier = world.verifier(
        schema_lookup=lambda i: {"requiredSubject": required} if i == sid else None,
        schema_validator=_schema_validator,
    )
    result = verifier.verify_credential(world.sign(doc))
    assert result.codes() == codes
    model = result.check("dataModel")
    assert model is not None and model.info["schemasNotPinned"] == ["https://elsewhere.example/s.json"]


def test_raw_bytes_and_text_are_parsed_strictly(world: World) -> None:
    verifier = world.verifier()
    doc = world.credential()
    assert verifier.verify_credential(json.dumps(doc)).verified
    assert verifier.verify_credential(json.dumps(doc).encode()).verified
    assert verifier.verify_credential(b'{"a":1,"a":2}').codes() == {Code.PARSING_ERROR}
    assert verifier.verify_credential("[" * 100 + "]" * 100).codes() == {Code.RESOURCE_LIMIT_EXCEEDED}
    assert verifier.verify_credential(b"x" * (2 * 1024 * 1024)).codes() == {Code.RESOURCE_LIMIT_EXCEEDED}


@pytest.mark.parametrize(
    "value", [None, 5, [], "x", {"a": float("nan")}, {"a": object()}, {1: 2}, {"a": [[[[[]]]]] * 3}]
)
def test_python_values_are_checked_too(world: World, value: Any) -> None:
    result = world.verifier().verify_credential(value)
    assert not result.verified


def test_deeply_nested_python_values_are_refused(world: World) -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(200):
        cur["a"] = {}
        cur = cur["a"]
    assert world.verifier().verify_credential(deep).codes() == {Code.RESOURCE_LIMIT_EXCEEDED}


def test_configuration_errors_raise(world: World) -> None:
    with pytest.raises(ValueError, match="trust"):
        world.verifier(trust=None)
    with pytest.raises(ValueError, match="schema"):
        world.verifier(schema_lookup=lambda i: None)


def test_every_result_carries_freshness_and_trust_any_warns_loudly(world: World) -> None:
    v: Verifier = world.verifier(trust_any=True)
    result = v.verify_credential(world.credential())
    assert result.verified and result.info["trustListIssued"] and result.info["statusLists"]
    assert any("NOT checked" in w.detail for w in result.warnings)

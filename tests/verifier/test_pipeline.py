from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.support import sign
from tests.world import EVAL, SIGNED, VerifierWorld
from vccore.errors import Code
from vccore.kinds.schemas import check_schemas
from vccore.result import Check, CheckName
from vccore.trust.lists import TrustedIssuer, TrustList
from verifier.pipeline import Verifier, VerifierContext


def _recognition_world(world: VerifierWorld, jurisdictions: tuple[str, ...] = ("CN-SX",)) -> TrustList:
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


def _recognition(world: VerifierWorld, jurisdiction: str = "CN-SX") -> dict[str, Any]:
    doc = world.unsigned(kind="RecognitionCredential", status=False)
    doc["credentialSubject"]["jurisdiction"] = jurisdiction
    return sign(doc, EVAL, created=SIGNED)


def test_a_recognition_without_a_chain_checker_fails_closed(world: VerifierWorld) -> None:
    result = world.verifier(trust=_recognition_world(world)).verify_credential(_recognition(world))
    assert [c.name for c in result.failed()] == ["recognition"]
    assert result.codes() == {Code.CHAIN_NOT_CHECKED}


def test_the_chain_checker_gets_a_context_that_verifies_nested_credentials(world: VerifierWorld) -> None:
    seen: list[VerifierContext] = []
    source = world.credential()

    def chain(doc: Mapping[str, Any], ctx: VerifierContext) -> Check:
        seen.append(ctx)
        nested = ctx.verify(source)
        return Check.ok(CheckName("recognition"), children=[nested])

    verifier = world.verifier(trust=_recognition_world(world), chain_checker=chain)
    result = verifier.verify_credential(_recognition(world))
    assert result.verified, result.to_json()
    assert seen[0].depth == 0 and seen[0].trust is not None
    revoked = world.credential(index=7)
    verifier = world.verifier(
        trust=_recognition_world(world),
        chain_checker=lambda d, c: Check.ok(CheckName("recognition"), children=[c.verify(revoked)]),
    )
    assert verifier.verify_credential(_recognition(world)).codes() == {Code.REVOKED}


def test_recognition_trust_depends_on_jurisdiction(world: VerifierWorld) -> None:
    verifier = world.verifier(
        trust=_recognition_world(world), chain_checker=lambda d, c: Check.ok(CheckName("recognition"))
    )
    result = verifier.verify_credential(_recognition(world, "CN-BJ"))
    assert result.codes() == {Code.UNTRUSTED_ISSUER}
    national = world.verifier(
        trust=_recognition_world(world, ("CN",)), chain_checker=lambda d, c: Check.ok(CheckName("recognition"))
    )
    assert national.verify_credential(_recognition(world, "CN-BJ")).verified


def test_recursion_through_the_context_is_bounded(world: VerifierWorld) -> None:
    doc = _recognition(world)

    def chain(d: Mapping[str, Any], ctx: VerifierContext) -> Check:
        return Check.ok(CheckName("recognition"), children=[ctx.verify(doc)])

    result = world.verifier(trust=_recognition_world(world), chain_checker=chain).verify_credential(doc)
    assert Code.CHAIN_TOO_DEEP in result.codes()


SKILL_SCHEMA = "https://w3id.org/skillcred/schemas/skill-level-v1.json"


@pytest.mark.parametrize(
    ("named", "codes"), [("https://elsewhere.example/s.json", set()), (SKILL_SCHEMA, {Code.SCHEMA_VALIDATION_ERROR})]
)
def test_a_named_pinned_schema_is_applied_and_an_unpinned_one_skipped(
    world: VerifierWorld, named: str, codes: set[Code]
) -> None:
    doc = world.unsigned(kind="VerifiableCredential", status=False)  # no skillcred type: only what it names
    doc["credentialSchema"] = {"id": named, "type": "JsonSchema"}
    result = world.verifier(schemas=check_schemas).verify_credential(sign(doc, EVAL, created=SIGNED))
    model = result.check("dataModel")
    assert model is not None and {p.code for p in model.problems} == codes
    pinned = named.startswith("https://w3id.org/skillcred/")
    assert model.info["schemasNotPinned"] == ([] if pinned else [named])
    assert model.info["schemasChecked"] == ([named] if pinned else [])


@pytest.mark.parametrize("named", [None, [], "elsewhere", "degree"])
def test_each_skillcred_type_is_checked_against_its_own_schema_whatever_it_names(
    world: VerifierWorld, named: str | list[Any] | None
) -> None:
    doc = world.unsigned(status=False)
    del doc["credentialSubject"]["certificateNumber"]
    if named is None:
        del doc["credentialSchema"]
    elif named == "elsewhere":
        doc["credentialSchema"] = {"id": "https://elsewhere.example/s.json", "type": "JsonSchema"}
    elif named == "degree":
        doc["credentialSchema"] = {"id": "https://w3id.org/skillcred/schemas/degree-v1.json", "type": "JsonSchema"}
    else:
        doc["credentialSchema"] = []
    result = world.verifier(schemas=check_schemas).verify_credential(sign(doc, EVAL, created=SIGNED))
    model = result.check("dataModel") or result.check("form")
    assert model is not None and not result.verified
    if isinstance(named, list):  # an empty array is not the compact form: refused before any schema is read
        assert result.codes() == {Code.NOT_COMPACT_FORM}
        return
    assert result.codes() == {Code.SCHEMA_VALIDATION_ERROR}
    assert any("certificateNumber" in p.detail for p in model.problems)
    assert SKILL_SCHEMA in model.info["schemasChecked"]


def test_raw_bytes_and_text_are_parsed_strictly(world: VerifierWorld) -> None:
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
def test_python_values_are_checked_too(world: VerifierWorld, value: Any) -> None:
    result = world.verifier().verify_credential(value)
    assert not result.verified


def test_deeply_nested_python_values_are_refused(world: VerifierWorld) -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(200):
        cur["a"] = {}
        cur = cur["a"]
    assert world.verifier().verify_credential(deep).codes() == {Code.RESOURCE_LIMIT_EXCEEDED}


def test_configuration_errors_raise(world: VerifierWorld) -> None:
    with pytest.raises(ValueError, match="trust"):
        world.verifier(trust=None)


def test_every_result_carries_freshness_and_trust_any_warns_loudly(world: VerifierWorld) -> None:
    v: Verifier = world.verifier(trust_any=True)
    result = v.verify_credential(world.credential())
    assert result.verified and result.info["trustListIssued"] and result.info["statusLists"]
    assert any("NOT checked" in w.detail for w in result.warnings)

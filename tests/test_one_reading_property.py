"""The one reading, as a property (issue 12): a JSON-LD-equivalent rewriting of a signed document is
either refused with NOT_COMPACT_FORM or verified with exactly the same result, check by check.

The documents: a credential of every kind (issued by the demo world's issuers), a recognition, a
presentation of a recognition with its source, and a status list credential (verified on its own, and
served rewritten to a verifier checking a credential against it). The rewritings, combined at random
positions: a key written as its full IRI or as a compact IRI, ``@id``/``@type`` for their aliases, a type
written as its IRI, a plain value written as the value object it expands to (spelling changes: refused),
a single value wrapped in an array and keys reordered (no spelling change: the same result). Every
rewriting keeps the RDF graph, so each document's RDFC signature still holds; the positions and the IRIs
come from walking the document with the contexts a JSON-LD processor uses there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from skillcred.world import DemoWorld, build_world, make_verifier
from tests.rewriting import SPELLINGS, Spot, fingerprint, ops_for, rewrite, spots
from tests.support import CLOCK, NOW
from tests.world import sample_credential
from vccore.errors import Code
from vccore.fetch import FetchResponse, StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.trust.lists import TrustList
from verifier.pipeline import Verifier, standard_verifier
from verifier.status import StatusSource
from wallet_demo.present import present

DOMAIN = "localhost:8400"
LOADER = DocumentLoader()
KINDS = (
    "SkillLevelCredential",
    "ProfessionalQualificationCredential",
    "ProfessionalTitleCredential",
    "DegreeCredential",
    "TechnicalSchoolDiplomaCredential",
)


# --- the documents ----------------------------------------------------------------------------------------


@dataclass
class Subject:
    document: dict[str, Any]
    verify: Any  # (document) -> VerificationResult


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    built = build_world(tmp_path_factory.mktemp("property") / "world", base_url=f"http://{DOMAIN}", clock=CLOCK)
    try:
        yield built
    finally:
        built.close()


def _verifier(world: DemoWorld, trust: TrustList | None = None, fetcher: Any = None) -> Verifier:
    return make_verifier(
        trust or world.trust,
        world.rule_credentials,
        DocumentLoader(),
        fetcher or world.fetcher,
        clock=CLOCK,
        domain=DOMAIN,
    )


def _trusting_every_kind(world: DemoWorld) -> TrustList:
    school = world.issuers["school"].profile.did
    issuers = tuple(
        dataclasses.replace(i, credential_types=(*i.credential_types, *KINDS)) if i.did == school else i
        for i in world.trust.issuers
    )
    return TrustList(issuers, world.trust.issued, world.trust.id)


@pytest.fixture(scope="module")
def subjects(world: DemoWorld) -> dict[str, Subject]:
    school = world.issuers["school"]
    kinds_verifier = _verifier(world, _trusting_every_kind(world))
    out: dict[str, Subject] = {}
    for kind in KINDS:
        doc = school.service.issue(
            sample_credential(
                kind,
                issuer=school.profile.did,
                credential_id=f"urn:uuid:{abs(hash(kind)):032x}"[:45],
                subject_did=world.workers["p5"].wallet.holder_did,
            )
        ).json()
        out[kind] = Subject(doc, kinds_verifier.verify_credential)
        assert kinds_verifier.verify_credential(doc).verified, kind
    verifier = _verifier(world)
    p2 = world.workers["p2"]
    out["recognition"] = Subject(p2.recognition, verifier.verify_credential)  # alone: CHAIN_SOURCE_MISSING
    wallet = p2.wallet
    ident = next(c.local_id for c in wallet.credentials() if "RecognitionCredential" in c.document["type"])
    vp = present(wallet, [ident], domain=DOMAIN, now=NOW, challenge="property-test-challenge")
    vp_verifier = standard_verifier(
        trust=world.trust,
        loader=DocumentLoader(),
        rule_credentials=world.rule_credentials,
        status=StatusSource(loader=DocumentLoader(), fetcher=world.fetcher),
        clock=CLOCK,
        domain=DOMAIN,
    )  # no challenge store: the same challenge may be checked twice
    out["presentation"] = Subject(vp, lambda d: vp_verifier.verify_presentation(d, challenge="property-test-challenge"))
    assert out["presentation"].verify(vp).verified
    url = world.workers["p1"].credentials[0]["credentialStatus"][0]["statusListCredential"]
    status_list = json.loads(world.fetcher.fetch(url).body)
    out["status list"] = Subject(status_list, verifier.verify_credential)
    return out


# --- the property --------------------------------------------------------------------------------------


def _check(subject: Subject, ops: list[tuple[str, Spot]]) -> None:
    original = subject.verify(subject.document)
    rewritten = rewrite(subject.document, ops)
    result = subject.verify(rewritten)
    if any(op in SPELLINGS for op, _ in ops):
        assert not result.verified and Code.NOT_COMPACT_FORM in result.codes(), (ops, result.to_json())
    else:
        assert fingerprint(result) == fingerprint(original), ops


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("name", [*KINDS, "recognition", "presentation", "status list"])
def test_a_rewriting_is_refused_or_gives_exactly_the_same_result(subjects: dict[str, Subject], name: str) -> None:
    subject = subjects[name]

    @SETTINGS
    @given(ops=ops_for(subject.document))
    def run(ops: list[tuple[str, Spot]]) -> None:
        _check(subject, ops)

    run()


def test_a_credential_checked_against_a_rewritten_status_list_fails_closed_or_agrees(world: DemoWorld) -> None:
    credential = world.workers["p1"].credentials[0]
    url = credential["credentialStatus"][0]["statusListCredential"]
    status_list = json.loads(world.fetcher.fetch(url).body)
    original = _verifier(world).verify_credential(credential)

    @SETTINGS
    @given(ops=ops_for(status_list))
    def run(ops: list[tuple[str, Spot]]) -> None:
        served = dict(world.fetcher._by_prefix) if hasattr(world.fetcher, "_by_prefix") else {}
        assert served is not None
        fetcher = _Overlay(world.fetcher, url, json.dumps(rewrite(status_list, ops)).encode("utf-8"))
        result = _verifier(world, fetcher=fetcher).verify_credential(credential)
        if any(op in SPELLINGS for op, _ in ops):
            check = result.check("status.revocation")
            assert check is not None and not check.passed, ops
            assert [p.code for p in check.problems] == [Code.STATUS_VERIFICATION_ERROR], ops
            assert "NOT_COMPACT_FORM" in check.problems[0].detail, ops
        else:
            assert fingerprint(result) == fingerprint(original), ops

    run()


class _Overlay:
    """The world's status lists, with one URL serving other bytes."""

    def __init__(self, base: Any, url: str, body: bytes) -> None:
        self.base, self.url = base, url
        self.static = StaticFetcher({url: FetchResponse(url, body)})

    def fetch(self, url: str) -> FetchResponse:
        return self.static.fetch(url) if url == self.url else self.base.fetch(url)


def test_the_rewriting_machinery_finds_what_it_claims() -> None:
    doc = sample_credential("SkillLevelCredential", issuer="did:example:issuer", credential_id="urn:uuid:1")
    found = spots(doc)
    keys = {(s.path, s.key): s.iri for s in found if s.kind == "key"}
    assert keys[((), "validFrom")] == "https://www.w3.org/2018/credentials#validFrom"
    assert keys[(("credentialSubject",), "skillLevel")] == "https://w3id.org/skillcred/vocab#skillLevel"
    assert any(s.kind == "type" and s.iri == "https://www.w3.org/2018/credentials#VerifiableCredential" for s in found)
    renamed = rewrite(doc, [("iri-key", Spot("key", (), "validFrom", keys[((), "validFrom")]))])
    assert "validFrom" not in renamed and renamed["https://www.w3.org/2018/credentials#validFrom"] == doc["validFrom"]
    wrapped = rewrite(doc, [("wrap", Spot("key", (), "validFrom"))])
    assert wrapped["validFrom"] == [doc["validFrom"]]

"""A small world for verifier tests: a root, trusted did:key and did:web issuers, an untrusted one,
a holder, a trust list, status lists served by a StaticFetcher, and a Verifier over all of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import SAMPLES, sample_credential
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.did.resolver import DidResolver
from vccore.fetch import FetchResponse, StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.status.bitstring import MIN_LENGTH, StatusList
from vccore.status.entry import status_entry, status_list_credential
from vccore.trust.lists import (
    KeyPeriod,
    TrustedIssuer,
    TrustList,
    trust_list_credential,
    verify_trust_list_credential,
)
from verifier.challenges import SqliteChallengeStore
from verifier.pipeline import Verifier
from verifier.status import StatusSource

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CTX = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"]
WEB_DID = "did:web:title-board.example"
REV_URL = "https://status.example/a/revocation"
SUS_URL = "https://status.example/a/suspension"
DOMAIN = "employer.example"


def _seeded(n: int) -> KeyPair:
    return did_key_pair(KeyPair.from_seed(bytes([n]) * 32))


@dataclass
class World:
    root: KeyPair
    issuer: KeyPair
    web: KeyPair
    stranger: KeyPair
    holder: KeyPair
    loader: DocumentLoader
    trust: TrustList
    fetcher: StaticFetcher
    lists: dict[str, dict[str, Any]]
    tmp: Path
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def sign(self, doc: dict[str, Any], key: KeyPair | None = None, **opts: Any) -> dict[str, Any]:
        opts.setdefault("created", NOW - timedelta(days=30))
        return add_proof(doc, signer=key or self.issuer, loader=self.loader, options=ProofOptions(**opts))

    def unsigned(
        self,
        *,
        issuer: str | None = None,
        index: int = 3,
        subject: str | None = None,
        kind: str = "SkillLevelCredential",
        status: bool = True,
    ) -> dict[str, Any]:
        ident = "urn:uuid:8a1c1f36-6a0c-4f52-9d2e-3f0b1b5a2c11"
        if kind in SAMPLES:  # schema-valid: the verifier checks each skillcred type against its schema
            doc = sample_credential(
                kind,
                issuer=issuer or self.issuer.controller,
                credential_id=ident,
                subject_did=subject or self.holder.controller,
                valid_from="2026-10-01T00:00:00Z",
            )
            doc["validUntil"] = "2030-10-01T00:00:00Z"
        else:
            doc = {
                "@context": list(CTX),
                "id": ident,
                "type": ["VerifiableCredential"] if kind == "VerifiableCredential" else ["VerifiableCredential", kind],
                "issuer": issuer or self.issuer.controller,
                "validFrom": "2026-10-01T00:00:00Z",
                "validUntil": "2030-10-01T00:00:00Z",
                "credentialSubject": {"id": subject or self.holder.controller, "name": "张试一"},
            }
        if status:
            doc["credentialStatus"] = [
                status_entry(REV_URL, index, purpose="revocation"),
                status_entry(SUS_URL, index, purpose="suspension"),
            ]
        return doc

    def credential(self, **kw: Any) -> dict[str, Any]:
        key = kw.pop("key", None)
        return self.sign(self.unsigned(**kw), key)

    def status_list(
        self,
        url: str,
        purpose: str,
        *,
        set_bits: tuple[int, ...] = (),
        key: KeyPair | None = None,
        ttl: timedelta = timedelta(days=1),
        length: int = MIN_LENGTH,
        now: datetime = NOW - timedelta(hours=1),
    ) -> dict[str, Any]:
        key = key or self.issuer
        bits = StatusList(bytes(length // 8)).set_many(set_bits)
        doc = status_list_credential(
            url,
            bits,
            issuer=key.controller,
            purpose=purpose,  # type: ignore[arg-type]
            now=now,
            ttl=ttl,
        )
        return self.sign(doc, key)

    def serve(self, url: str, doc: dict[str, Any]) -> None:
        self.lists[url] = doc
        self.fetcher = StaticFetcher({u: FetchResponse(u, json.dumps(d).encode()) for u, d in self.lists.items()})

    def source(self, **kw: Any) -> StatusSource:
        kw.setdefault("fetcher", self.fetcher)
        return StatusSource(loader=self.loader, **kw)

    def verifier(self, **kw: Any) -> Verifier:
        kw.setdefault("trust", self.trust)
        kw.setdefault("loader", self.loader)
        if "status" not in kw:
            kw["status"] = self.source()
        kw.setdefault("clock", lambda: self.clock[0])
        if "challenges" not in kw:
            kw["challenges"] = SqliteChallengeStore(
                self.tmp / "challenges.db", domain=DOMAIN, clock=lambda: self.clock[0]
            )
        return Verifier(**kw)

    def presentation(
        self,
        credentials: list[dict[str, Any]],
        *,
        challenge: str,
        domain: str = DOMAIN,
        key: KeyPair | None = None,
        **opts: Any,
    ) -> dict[str, Any]:
        key = key or self.holder
        vp = {
            "@context": list(CTX),
            "type": ["VerifiablePresentation"],
            "holder": key.controller,
            "verifiableCredential": copy.deepcopy(credentials),
        }
        return add_proof(
            vp,
            signer=key,
            loader=self.loader,
            options=ProofOptions(
                purpose="authentication",
                challenge=challenge,
                domain=domain,
                created=NOW - timedelta(minutes=1),
                **opts,
            ),
        )


def web_document(key: KeyPair, did: str = WEB_DID) -> dict[str, Any]:
    vm = f"{did}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_multibase}
        ],
        "assertionMethod": [vm],
        "authentication": [],
    }


def build_trust(root: KeyPair, issuer: KeyPair, web: KeyPair) -> TrustList:
    return TrustList(
        (
            TrustedIssuer(
                issuer.controller,
                "山西省职业技能鉴定中心",
                "Shanxi Skill Evaluation Centre",
                ("skill-evaluation-organization",),
                ("CN-SX",),
                ("SkillLevelCredential", "BitstringStatusListCredential"),
                (KeyPeriod(issuer.id, datetime(2024, 1, 1, tzinfo=UTC)),),
            ),
            TrustedIssuer(
                web.controller,
                "职称评审委员会",
                "Title Board",
                ("title-board",),
                ("CN",),
                ("ProfessionalTitleCredential", "RecognitionRuleCredential"),
                (KeyPeriod(web.id, datetime(2024, 1, 1, tzinfo=UTC)),),
            ),
        ),
        NOW - timedelta(days=2),
        "urn:skillcred:trustlist:test",
    )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    root, issuer, stranger, holder = _seeded(1), _seeded(2), _seeded(3), _seeded(4)
    web = KeyPair.from_seed(bytes([5]) * 32).with_id(f"{WEB_DID}#key-1", WEB_DID)
    loader = DocumentLoader(resolver=DidResolver(documents={WEB_DID: web_document(web)}))
    trust = build_trust(root, issuer, web)
    w = World(root, issuer, web, stranger, holder, loader, trust, StaticFetcher({}), {}, tmp_path)
    w.serve(REV_URL, w.status_list(REV_URL, "revocation", set_bits=(7,)))
    w.serve(SUS_URL, w.status_list(SUS_URL, "suspension", set_bits=(9,)))
    yield w


@pytest.fixture
def signed_trust_list(world: World) -> dict[str, Any]:
    doc = trust_list_credential(
        world.trust,
        root_did=world.root.controller,
        id="urn:skillcred:trustlist:test",
        now=NOW - timedelta(days=2),
    )
    return world.sign(doc, world.root)


def verified_trust(world: World, doc: dict[str, Any]) -> TrustList:
    parsed, result = verify_trust_list_credential(doc, root_did=world.root.controller, loader=world.loader, now=NOW)
    assert parsed is not None, result.to_json()
    return parsed


Codes = Callable[[Any], set[str]]

"""The cases of issue 12, through every edge: the HTTP API, the QR endpoint, the scan page's endpoint and
the CLI. Each was accepted before the one reading (HTTP 200 ``verified: true``, CLI exit 0, green on the
scan page): the proof covers the RDF graph, the checks read JSON keys, and JSON-LD spells a key many ways.
Each answer now carries its exact code: the honest spelling gives REVOKED, EXPIRED, PROOF_EXPIRED or
HOLDER_MISMATCH, the respelled one NOT_COMPACT_FORM before any other check runs."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from skillcred.cli import cli
from skillcred.world import DemoWorld, build_world, make_verifier
from tests.support import CLOCK, NOW, invoke, presentation
from tests.world import ROGUE
from vccore.jsonld.loader import DocumentLoader
from vccore.qr import payload as qr
from vccore.trust.pack import StatusSnapshot, build_trust_pack
from verifier.app import create_app
from verifier.pipeline import Verifier
from wallet_demo.present import present

DOMAIN = "localhost:8400"
CRED = "https://www.w3.org/2018/credentials#"


@dataclass
class Case:
    """One attack: the honest document, the respelled one, whether it is a presentation, the honest code."""

    honest: dict[str, Any]
    respelled: dict[str, Any]
    presentation: bool
    code: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    built = build_world(tmp_path_factory.mktemp("reading") / "world", base_url=f"http://{DOMAIN}", clock=CLOCK)
    try:
        yield built
    finally:
        built.close()


def _verifier(world: DemoWorld) -> Verifier:
    """A verifier with nothing cached: it sees revocations at once."""
    return make_verifier(
        world.trust,
        world.rule_credentials,
        DocumentLoader(),
        world.fetcher,
        clock=CLOCK,
        challenges=world.verifier.challenges,
        domain=DOMAIN,
    )


def _rename(document: dict[str, Any], key: str, new: str) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out[new] = out.pop(key)
    return out


def _issue(world: DemoWorld, slug: str, credential: dict[str, Any]) -> dict[str, Any]:
    return world.issuers[slug].service.issue(credential).json()


def revoked_case(world: DemoWorld) -> Case:
    """A revoked credential whose credentialStatus and credentialSchema keys are written as full IRIs."""
    doc = copy.deepcopy(world.workers["p2"].credentials[0])
    world.issuers["weld"].service.revoke(doc["id"])
    respelled = _rename(
        _rename(doc, "credentialStatus", CRED + "credentialStatus"), "credentialSchema", CRED + "credentialSchema"
    )
    return Case(doc, respelled, False, "REVOKED")


def expired_case(world: DemoWorld) -> Case:
    """An expired credential with validUntil written as its IRI."""
    doc = _issue(
        world,
        "machine",
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "validFrom": "2026-01-01T00:00:00Z",
            "validUntil": "2026-06-30T00:00:00Z",
            "credentialSubject": {"id": world.workers["p1"].wallet.holder_did},
        },
    )
    return Case(doc, _rename(doc, "validUntil", CRED + "validUntil"), False, "EXPIRED")


def proof_expired_case(world: DemoWorld, challenge: Callable[[], str]) -> Case:
    """A presentation whose proof expired, with ``expires`` written as https://w3id.org/security#expiration."""
    wallet = world.workers["p5"].wallet
    ident = next(c.local_id for c in wallet.credentials() if "RecognitionCredential" not in c.document["type"])
    vp = present(wallet, [ident], domain=DOMAIN, now=NOW - timedelta(days=3), challenge=challenge(), days=1)
    respelled = copy.deepcopy(vp)
    respelled["proof"]["https://w3id.org/security#expiration"] = respelled["proof"].pop("expires")
    return Case(vp, respelled, True, "PROOF_EXPIRED")


def holder_case(world: DemoWorld, challenge: Callable[[], str]) -> tuple[Case, str, str]:
    """Someone else's credential presented as one's own: the subject's ``id`` written as ``@id``."""
    stolen = copy.deepcopy(world.workers["p1"].credentials[0])
    respelled_cred = copy.deepcopy(stolen)
    respelled_cred["credentialSubject"]["@id"] = respelled_cred["credentialSubject"].pop("id")
    honest_challenge, respelled_challenge = challenge(), challenge()
    return (
        Case(
            presentation([stolen], ROGUE, challenge=honest_challenge, domain=DOMAIN),
            presentation([respelled_cred], ROGUE, challenge=respelled_challenge, domain=DOMAIN),
            True,
            "HOLDER_MISMATCH",
        ),
        honest_challenge,
        respelled_challenge,
    )


def revoked_recognition_case(world: DemoWorld, challenge: Callable[[], str]) -> tuple[Case, str, str]:
    """A revoked recognition presented by its holder with its source, its credentialStatus respelled."""
    worker = world.workers["p1"]
    world.issuers["hrss"].service.revoke(worker.recognition["id"])
    recognition = copy.deepcopy(worker.recognition)
    respelled = _rename(recognition, "credentialStatus", CRED + "credentialStatus")
    holder = worker.wallet.holder
    honest_challenge, respelled_challenge = challenge(), challenge()
    return (
        Case(
            presentation([recognition, *worker.credentials], holder, challenge=honest_challenge, domain=DOMAIN),
            presentation([respelled, *worker.credentials], holder, challenge=respelled_challenge, domain=DOMAIN),
            True,
            "REVOKED",
        ),
        honest_challenge,
        respelled_challenge,
    )


def _codes(body: dict[str, Any]) -> set[str]:
    out = {p["code"] for c in body["checks"] for p in c.get("problems", [])}
    for check in body["checks"]:
        for child in check.get("results", []):
            out |= _codes(child)
    return out


Edge = Callable[[Verifier, dict[str, Any], str | None], tuple[bool, set[str]]]


def via_api(verifier: Verifier, document: dict[str, Any], challenge: str | None) -> tuple[bool, set[str]]:
    client = TestClient(create_app(verifier))
    if challenge is None:
        r = client.post("/credentials/verify", json={"verifiableCredential": document})
    else:
        r = client.post(
            "/presentations/verify",
            json={"verifiablePresentation": document, "options": {"challenge": challenge, "domain": DOMAIN}},
        )
    assert r.status_code in (200, 422), r.text
    return r.json()["verified"], _codes(r.json())


def via_qr_endpoint(verifier: Verifier, document: dict[str, Any], challenge: str | None) -> tuple[bool, set[str]]:
    client = TestClient(create_app(verifier))
    options = {} if challenge is None else {"challenge": challenge, "domain": DOMAIN}
    r = client.post("/verify/qr", json={"payload": qr.encode(document), "options": options})
    assert r.status_code in (200, 422), r.text
    return r.json()["verified"], _codes(r.json())


def via_scan_page(verifier: Verifier, document: dict[str, Any], challenge: str | None) -> tuple[bool, set[str]]:
    client = TestClient(create_app(verifier))
    body: dict[str, Any] = {"payload": qr.encode(document)}
    if challenge is not None:
        body["challenge"] = challenge
    r = client.post("/scan/verify", json=body)
    assert r.status_code in (200, 422), r.text
    view = r.json()["view"]
    assert (view["state"] == "verified") == r.json()["verified"]
    return r.json()["verified"], _codes(r.json()["result"])


EDGES: dict[str, Edge] = {"api": via_api, "qr": via_qr_endpoint, "scan": via_scan_page}


@pytest.fixture
def verifier(world: DemoWorld) -> Verifier:
    return _verifier(world)


@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("case", ["revoked", "expired"])
def test_a_respelled_credential_is_refused_and_the_honest_one_keeps_its_code(
    world: DemoWorld, verifier: Verifier, edge: str, case: str
) -> None:
    made = revoked_case(world) if case == "revoked" else expired_case(world)
    verified, codes = EDGES[edge](verifier, made.honest, None)
    assert not verified and made.code in codes, codes
    verified, codes = EDGES[edge](verifier, made.respelled, None)
    assert not verified and codes == {"NOT_COMPACT_FORM"}, codes


@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("case", ["proof-expired", "holder", "revoked-recognition"])
def test_a_respelled_presentation_is_refused_and_the_honest_one_keeps_its_code(
    world: DemoWorld, verifier: Verifier, edge: str, case: str
) -> None:
    store = verifier.challenges
    assert store is not None
    if case == "proof-expired":
        first, second = store.issue(), store.issue()
        made = proof_expired_case(world, iter([first]).__next__)
        respelled = proof_expired_case(world, iter([second]).__next__).respelled
        made = Case(made.honest, respelled, True, made.code)
    elif case == "holder":
        made, first, second = holder_case(world, store.issue)
    else:
        made, first, second = revoked_recognition_case(world, store.issue)
    verified, codes = EDGES[edge](verifier, made.honest, first)
    assert not verified and made.code in codes, codes
    verified, codes = EDGES[edge](verifier, made.respelled, second)
    assert not verified and "NOT_COMPACT_FORM" in codes, codes


def _pack(world: DemoWorld, path: Path, documents: list[dict[str, Any]]) -> Path:
    """The world's trust pack with a snapshot of the current status lists of ``documents`` (offline)."""
    urls = {e["statusListCredential"] for d in documents for e in d.get("credentialStatus", [])}
    snapshots = [StatusSnapshot(u, json.loads(world.fetcher.fetch(u).body), NOW) for u in sorted(urls)]
    pack = build_trust_pack(
        trust_lists=world.trust_pack["trustLists"],
        signer=world.root,
        loader=DocumentLoader(),
        now=NOW,
        rule_credentials=world.rule_credentials,
        status_snapshots=snapshots,
    )
    path.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["revoked", "expired"])
def test_the_cli_refuses_the_respelled_credential_and_names_the_honest_ones_problem(
    world: DemoWorld, tmp_path: Path, case: str
) -> None:
    made = revoked_case(world) if case == "revoked" else expired_case(world)
    pack = _pack(world, tmp_path / "pack.json", [made.honest])
    for document, code in ((made.honest, made.code), (made.respelled, "NOT_COMPACT_FORM")):
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        result = invoke(
            cli, ["verify", str(path), "--trust-pack", str(pack), "--root", world.root.controller, "--json"]
        )
        assert result.exit_code == 1, result.output
        assert code in _codes(json.loads(result.output)), result.output


@pytest.mark.parametrize("case", ["proof-expired", "holder", "revoked-recognition"])
def test_the_cli_refuses_the_respelled_presentation_and_names_the_honest_ones_problem(
    world: DemoWorld, verifier: Verifier, tmp_path: Path, case: str
) -> None:
    store = verifier.challenges
    assert store is not None
    if case == "proof-expired":
        honest_challenge, respelled_challenge = store.issue(), store.issue()
        made = proof_expired_case(world, iter([honest_challenge]).__next__)
        made = Case(
            made.honest, proof_expired_case(world, iter([respelled_challenge]).__next__).respelled, True, made.code
        )
    elif case == "holder":
        made, honest_challenge, respelled_challenge = holder_case(world, store.issue)
    else:
        made, honest_challenge, respelled_challenge = revoked_recognition_case(world, store.issue)
    inside = [c for vp in (made.honest,) for c in vp["verifiableCredential"]]
    pack = _pack(world, tmp_path / "pack.json", [*inside, *world.rule_credentials])
    for document, challenge, code in (
        (made.honest, honest_challenge, made.code),
        (made.respelled, respelled_challenge, "NOT_COMPACT_FORM"),
    ):
        path = tmp_path / "vp.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        result = invoke(
            cli,
            [
                "verify",
                str(path),
                "--trust-pack",
                str(pack),
                "--root",
                world.root.controller,
                "--challenge",
                challenge,
                "--domain",
                DOMAIN,
                "--json",
            ],
        )
        assert result.exit_code == 1, result.output
        assert code in _codes(json.loads(result.output)), result.output

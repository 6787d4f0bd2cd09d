"""Trust packs (:mod:`vccore.trust.pack`): the root's trust list, status snapshots and DID documents in one
signed file that drives an offline verifier."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import NOW, sign
from tests.world import (
    EVAL,
    REV_URL,
    ROGUE,
    ROOT,
    SUS_URL,
    TITLE_BOARD,
    WEB_DID,
    VerifierWorld,
    signed_trust_list,
    status_list,
    web_document,
)
from vccore.did.resolver import DidResolver
from vccore.errors import Code
from vccore.fetch import StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.trust.pack import StatusSnapshot, build_trust_pack, parse_trust_pack, verify_trust_pack
from verifier.pipeline import Verifier
from verifier.status import StatusSource


@pytest.fixture
def world(tmp_path: Path) -> VerifierWorld:
    return VerifierWorld(tmp_path)


@pytest.fixture
def published(world: VerifierWorld) -> dict[str, Any]:
    """The world's trust list as the root signed it."""
    return signed_trust_list(world.trust)


def _pack(world: VerifierWorld, published: dict[str, Any], **kw: Any) -> dict[str, Any]:
    kw.setdefault("status_snapshots", [StatusSnapshot(u, d, NOW - timedelta(hours=1)) for u, d in world.lists.items()])
    return build_trust_pack(
        trust_lists=[published],
        signer=kw.pop("signer", ROOT),
        loader=world.loader,
        now=kw.pop("now", NOW - timedelta(hours=1)),
        did_documents={WEB_DID: web_document(TITLE_BOARD)},
        **kw,
    )


def test_a_pack_verifies_offline_and_drives_a_verifier(world: VerifierWorld, published: dict[str, Any]) -> None:
    text = json.dumps(_pack(world, published))
    offline = DocumentLoader()  # no did:web documents of its own
    pack, result = verify_trust_pack(parse_trust_pack(text), root_did=ROOT.controller, loader=offline, now=NOW)
    assert pack is not None, result.to_json()
    assert pack.trust_list == world.trust and len(pack.status_snapshots) == 2
    assert result.info["trustPackAgeSeconds"] == 3600
    loader = offline.with_resolver(DidResolver(documents=pack.did_documents))
    verifier = Verifier(
        trust=pack.trust_list,
        loader=loader,
        clock=lambda: NOW,
        status=StatusSource(loader=loader, snapshots=pack.status_snapshots),
        freshness=pack.freshness(NOW),
    )
    out = verifier.verify_credential(world.credential())
    assert out.verified, out.to_json()
    assert out.info["trustPackCreatedAt"] == "2026-11-30T11:00:00Z"
    assert [s["source"] for s in out.info["statusLists"]] == ["snapshot", "snapshot"]
    assert verifier.verify_credential(world.credential(index=7)).codes() == {Code.REVOKED}


def test_stale_snapshot_without_a_fetcher_is_a_retrieval_error(world: VerifierWorld, published: dict[str, Any]) -> None:
    stale = [
        StatusSnapshot(
            REV_URL,
            status_list(REV_URL, "revocation", now=NOW - timedelta(days=3)),
            NOW - timedelta(days=3),
        ),
        StatusSnapshot(SUS_URL, world.lists[SUS_URL], NOW - timedelta(hours=1)),
    ]
    source = StatusSource(loader=world.loader, snapshots=stale)
    result = world.verifier(status=source).verify_credential(world.credential())
    assert {c.name: {p.code.value for p in c.problems} for c in result.failed()} == {
        "status.revocation": {"STATUS_RETRIEVAL_ERROR"}
    }
    refreshed = world.verifier(status=StatusSource(loader=world.loader, snapshots=stale, fetcher=world.fetcher))
    assert refreshed.verify_credential(world.credential()).verified


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda p: p.update(createdAt="2026-11-01T00:00:00Z"), "PROOF_VERIFICATION_ERROR"),
        (lambda p: p["contexts"][0].update(sha256="0" * 64), "PROOF_VERIFICATION_ERROR"),
        (
            lambda p: p.update(root="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
            "UNTRUSTED_ISSUER",
        ),
        (lambda p: p.update(type="Other"), "MALFORMED_VALUE_ERROR"),
    ],
)
def test_an_edited_pack_is_refused(world: VerifierWorld, published: dict[str, Any], edit: Any, code: str) -> None:
    doc = _pack(world, published)
    edit(doc)
    pack, result = verify_trust_pack(doc, root_did=ROOT.controller, loader=world.loader, now=NOW)
    assert pack is None and code in {c.value for c in result.codes()}


def test_a_pack_signed_by_another_key_or_expired_or_with_unknown_contexts_is_refused(
    world: VerifierWorld, published: dict[str, Any]
) -> None:
    forged = _pack(world, published, signer=ROGUE)
    forged["root"] = ROOT.controller
    pack, result = verify_trust_pack(forged, root_did=ROOT.controller, loader=world.loader, now=NOW)
    assert pack is None and "ISSUER_KEY_MISMATCH" in {c.value for c in result.codes()}
    old = _pack(world, published, now=NOW - timedelta(days=10))
    pack, result = verify_trust_pack(old, root_did=ROOT.controller, loader=world.loader, now=NOW)
    assert pack is None and "EXPIRED" in {c.value for c in result.codes()}


@pytest.mark.parametrize(
    "entry",
    [
        {"url": "https://evil.example/ctx", "sha256": "0" * 64},
        {"url": "https://www.w3.org/ns/credentials/v2", "sha256": "1" * 64},
        {"url": "https://www.w3.org/ns/credentials/examples/v2", "sha256": "0"},
        "x",
    ],
)
def test_a_signed_pack_for_other_context_bytes_is_refused(
    world: VerifierWorld, published: dict[str, Any], entry: Any
) -> None:
    doc = _pack(world, published)
    del doc["proof"]
    doc["contexts"].append(entry)
    doc = sign(doc, ROOT, created=None, cryptosuite="eddsa-jcs-2022")
    pack, result = verify_trust_pack(doc, root_did=ROOT.controller, loader=world.loader, now=NOW)
    assert pack is None and result.codes() == {Code.CONTEXT_NOT_ALLOWED}


def test_pack_json_is_parsed_strictly() -> None:
    from vccore.errors import ParseError

    with pytest.raises(ParseError, match=r"^PARSING_ERROR: duplicate key 'a'"):
        parse_trust_pack('{"a": 1, "a": 2}')


def test_static_fetcher_is_not_needed_offline(world: VerifierWorld) -> None:
    source = StatusSource(loader=world.loader, fetcher=StaticFetcher({}))
    found = source.lookup(REV_URL, issuer=EVAL.controller, now=NOW)
    assert found.credential is None and found.problem is not None
    assert found.problem.code.value == "STATUS_RETRIEVAL_ERROR"

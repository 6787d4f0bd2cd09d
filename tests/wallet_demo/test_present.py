"""Presentations: purpose-scoped and time-limited, answers to request QR codes, recognition chains,
and the hash-bound reference fallback."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import LOADER, NOW, sign
from tests.wallet_demo.conftest import SKILL_ID, recognition_credential, skill_credential, write_json
from tests.world import ROGUE
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.errors import Code, SkillcredError
from vccore.qr import payload as qr
from wallet_demo.present import (
    PresentationError,
    PresentationRequest,
    answer,
    build_presentation,
    decode_request,
    encode_request,
    present,
)
from wallet_demo.refs import ReferenceShelf, plan_qr, verify_reference
from wallet_demo.store import Wallet

DOMAIN = "hr.example-employer.test"


def _imported(wallet: Wallet, tmp_path: Path, *docs: dict[str, Any]) -> list[str]:
    return [wallet.import_file(write_json(tmp_path / f"c{i}.json", d)).local_id for i, d in enumerate(docs)]


def _verify(
    vp: dict[str, Any], challenge: str, *, domain: str = DOMAIN, days: float = 0, controller: str | None = None
) -> Any:
    purpose = AuthenticationPurpose(challenge=challenge, domain=domain, controller=controller)
    return verify_proofs(vp, loader=LOADER, purpose=purpose, now=NOW + timedelta(days=days))


def test_a_presentation_is_signed_by_the_holder_for_one_domain(wallet: Wallet, tmp_path: Path) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    vp = present(wallet, [lid], domain=DOMAIN, challenge="nonce-12345678", now=NOW)
    assert vp["type"] == ["VerifiablePresentation"]
    assert vp["holder"] == wallet.holder_did
    assert [c["id"] for c in vp["verifiableCredential"]] == [SKILL_ID]
    assert vp["proof"]["proofPurpose"] == "authentication"
    assert vp["proof"]["expires"] == "2026-12-07T12:00:00Z"  # 7 days by default
    check = _verify(vp, "nonce-12345678", controller=vp["holder"])
    assert check.passed, check
    wrong_domain = _verify(vp, "nonce-12345678", domain="other.example.test")
    assert {p.code for p in wrong_domain.problems} == {Code.INVALID_DOMAIN_ERROR}
    wrong_challenge = _verify(vp, "nonce-87654321")
    assert {p.code for p in wrong_challenge.problems} == {Code.INVALID_CHALLENGE_ERROR}


def test_a_fresh_random_challenge_when_none_is_given(wallet: Wallet, tmp_path: Path) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    a = present(wallet, [lid], domain=DOMAIN, now=NOW)["proof"]["challenge"]
    b = present(wallet, [lid], domain=DOMAIN, now=NOW)["proof"]["challenge"]
    assert a != b and len(a) >= 20


def test_an_expired_presentation_fails(wallet: Wallet, tmp_path: Path) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    vp = present(wallet, [lid], domain=DOMAIN, challenge="nonce-12345678", days=3, now=NOW)
    assert _verify(vp, "nonce-12345678", days=2.9).passed
    late = _verify(vp, "nonce-12345678", days=3.1)
    assert {p.code for p in late.problems} == {Code.PROOF_EXPIRED}


@pytest.mark.parametrize("days", [0, 31, -1, 365])
def test_lifetimes_outside_1_to_30_days_are_refused(wallet: Wallet, tmp_path: Path, days: int) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    with pytest.raises(PresentationError) as info:
        present(wallet, [lid], domain=DOMAIN, days=days, now=NOW)
    assert info.value.code == Code.RANGE_ERROR


@pytest.mark.parametrize(
    ("domain", "challenge"), [("", None), ("a\nb", None), (DOMAIN, "short"), (DOMAIN, "has space in it")]
)
def test_bad_domains_and_challenges_are_refused(
    wallet: Wallet, tmp_path: Path, domain: str, challenge: str | None
) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    with pytest.raises(PresentationError, match=r"^MALFORMED_VALUE_ERROR:"):
        present(wallet, [lid], domain=domain, challenge=challenge, now=NOW)


def test_a_proof_by_a_key_other_than_the_holders_fails(wallet: Wallet, tmp_path: Path) -> None:
    vp = build_presentation(
        [skill_credential()], holder=wallet.holder, domain=DOMAIN, now=NOW, loader=LOADER, challenge="nonce-12345678"
    )
    forged = sign(
        {k: v for k, v in vp.items() if k != "proof"},
        ROGUE,
        purpose="authentication",
        challenge="nonce-12345678",
        domain=DOMAIN,
        expires=NOW + timedelta(days=1),
    )
    assert forged["holder"] == wallet.holder_did
    check = _verify(forged, "nonce-12345678", controller=forged["holder"])
    assert not check.passed
    assert {p.code for p in check.problems} == {Code.ISSUER_KEY_MISMATCH}
    tampered = dict(vp, holder=ROGUE.controller)
    assert not _verify(tampered, "nonce-12345678").passed


def test_a_recognition_is_presented_with_its_sources(wallet: Wallet, tmp_path: Path) -> None:
    source = skill_credential()
    _, recog = _imported(wallet, tmp_path, source, recognition_credential(source))
    vp = present(wallet, [recog], domain=DOMAIN, challenge="nonce-12345678", now=NOW)
    kinds = [c["type"][1] for c in vp["verifiableCredential"]]
    assert kinds == ["RecognitionCredential", "SkillLevelCredential"]
    assert vp["verifiableCredential"][1] == source
    assert _verify(vp, "nonce-12345678").passed


def test_a_recognition_without_its_source_is_refused(wallet: Wallet, tmp_path: Path) -> None:
    [recog] = _imported(wallet, tmp_path, recognition_credential(skill_credential()))
    with pytest.raises(PresentationError, match="not in the wallet") as info:
        present(wallet, [recog], domain=DOMAIN, now=NOW)
    assert info.value.code == Code.CHAIN_SOURCE_MISSING


def test_unknown_local_ids_are_refused(wallet: Wallet) -> None:
    with pytest.raises(SkillcredError, match="not in the wallet"):
        present(wallet, ["deadbeef00"], domain=DOMAIN, now=NOW)


# --- request QR -------------------------------------------------------------------------------


def _request(**kw: Any) -> PresentationRequest:
    values: dict[str, Any] = {
        "challenge": "c-1a2b3c4d5e6f",
        "domain": DOMAIN,
        "verifier": "https://verify.example-employer.test/answers",
        "expires": NOW + timedelta(hours=1),
    }
    values.update(kw)
    return PresentationRequest(**values)


def test_a_request_round_trips_through_the_qr_codec() -> None:
    request = _request()
    payload = encode_request(request)
    assert payload.startswith(qr.DOCUMENT_PREFIX)
    assert decode_request(payload, now=NOW) == request
    assert request.to_json()["type"] == "SkillcredPresentationRequest"


def test_the_answer_carries_the_requests_challenge_and_domain(wallet: Wallet, tmp_path: Path) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    request = decode_request(encode_request(_request()), now=NOW)
    vp = answer(wallet, request, [lid], now=NOW)
    assert vp["proof"]["expires"] == "2026-11-30T13:00:00Z"  # no later than the request
    assert _verify(vp, request.challenge).passed


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"type": "Other", "challenge": "c-1a2b3c4d5e6f", "domain": DOMAIN, "verifier": "https://v.test"},
            "not a presentation request",
        ),
        (
            {
                "type": "SkillcredPresentationRequest",
                "challenge": "c-1a2b3c4d5e6f",
                "domain": DOMAIN,
                "verifier": "https://v.test",
                "extra": 1,
            },
            "unexpected",
        ),
        (
            {"type": "SkillcredPresentationRequest", "challenge": 5, "domain": DOMAIN, "verifier": "https://v.test"},
            "challenge",
        ),
        (
            {
                "type": "SkillcredPresentationRequest",
                "challenge": "c-1a2b3c4d5e6f",
                "domain": DOMAIN,
                "verifier": "javascript:alert(1)",
            },
            "verifier",
        ),
        (
            {
                "type": "SkillcredPresentationRequest",
                "challenge": "c-1a2b3c4d5e6f",
                "domain": DOMAIN,
                "verifier": "https://v.test",
                "expires": "2026-11-30T11:00:00Z",
            },
            "expired",
        ),
        (
            {
                "type": "SkillcredPresentationRequest",
                "challenge": "c-1a2b3c4d5e6f",
                "domain": DOMAIN,
                "verifier": "https://v.test",
                "expires": "tomorrow",
            },
            "dateTime",
        ),
    ],
)
def test_bad_requests_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(PresentationError, match=message):
        decode_request(qr.encode(document), now=NOW)


@pytest.mark.parametrize("payload", ["", "hello", "SC1:!!!", "SC9:ABC", "SCR1:" + "0" * 60])
def test_garbage_request_payloads_are_refused(payload: str) -> None:
    with pytest.raises(PresentationError, match=r"^PARSING_ERROR: not a request QR:"):
        decode_request(payload, now=NOW)


# --- QR size and the reference fallback -----------------------------------------------------------


def test_a_small_presentation_fits_a_qr_code(wallet: Wallet, tmp_path: Path) -> None:
    [lid] = _imported(wallet, tmp_path, skill_credential())
    plan = plan_qr(present(wallet, [lid], domain=DOMAIN, now=NOW))
    assert plan.kind == "document" and plan.ec == "M" and plan.version <= 25
    assert qr.decode(plan.payload)["type"] == ["VerifiablePresentation"]


def test_an_oversized_presentation_becomes_a_hash_bound_reference(wallet: Wallet, tmp_path: Path) -> None:
    source = skill_credential()
    _, recog = _imported(wallet, tmp_path, source, recognition_credential(source))
    vp = present(wallet, [recog], domain=DOMAIN, now=NOW)
    with pytest.raises(SkillcredError) as info:
        plan_qr(vp, max_version=10)
    assert info.value.code == Code.QR_TOO_LARGE
    served: dict[str, bytes] = {}

    def publish(data: bytes) -> str:
        served["doc"] = data
        return "https://wallet.example.test/p/token123"

    plan = plan_qr(vp, publish=publish, max_version=10)
    assert plan.kind == "reference" and plan.payload.startswith(qr.REFERENCE_PREFIX)
    assert plan.sha256 == hashlib.sha256(served["doc"]).hexdigest()
    assert verify_reference(plan.payload, served["doc"]) == vp
    with pytest.raises(SkillcredError) as bad:
        verify_reference(plan.payload, served["doc"].replace(b"VerifiablePresentation", b"VerifiablePresentatioN"))
    assert bad.value.code == Code.CRYPTOGRAPHIC_SECURITY_ERROR


def test_the_reference_shelf_expires_and_evicts() -> None:
    shelf = ReferenceShelf(ttl=timedelta(minutes=10), max_items=2)
    token = shelf.put(b"one", now=NOW)
    assert shelf.get(token, now=NOW + timedelta(minutes=9)) == ("ok", b"one")
    assert shelf.get(token, now=NOW + timedelta(minutes=10)) == ("gone", b"")
    assert shelf.get("nope", now=NOW) == ("missing", b"")
    short = shelf.put(b"two", now=NOW, until=NOW + timedelta(minutes=1))
    assert shelf.get(short, now=NOW + timedelta(minutes=2))[0] == "gone"
    shelf.put(b"three", now=NOW)
    assert shelf.get(token, now=NOW)[0] == "missing"  # evicted, oldest first

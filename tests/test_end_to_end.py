"""The three apps together, in process, over the demo world (skillcred.world): wallets answer the
verifier's challenges, QR codes go through real images, revocations on the issuer reach the verifier,
and recognition chains break when a source does."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFilter

from skillcred.world import DemoWorld, build_world, make_verifier
from tests.support import CLOCK, NOW
from vccore.errors import Code
from vccore.jsonld.loader import DocumentLoader
from vccore.qr import capacity as qrcapacity
from vccore.qr import payload as qr
from vccore.qr.read import read_qr
from vccore.qr.render import render_png
from wallet_demo.present import present

DOMAIN = "localhost:8400"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    built = build_world(tmp_path_factory.mktemp("e2e") / "world", base_url=f"http://{DOMAIN}", clock=CLOCK)
    try:
        yield built
    finally:
        built.close()


def _recognition_id(world: DemoWorld, slug: str) -> str:
    wallet = world.workers[slug].wallet
    return next(c.local_id for c in wallet.credentials() if "RecognitionCredential" in c.document["type"])


def _answer(world: DemoWorld, slug: str, **kw: Any) -> tuple[dict[str, Any], str]:
    assert world.verifier.challenges is not None
    challenge = world.verifier.challenges.issue()
    vp = present(
        world.workers[slug].wallet, [_recognition_id(world, slug)], domain=DOMAIN, now=NOW, challenge=challenge, **kw
    )
    return vp, challenge


@pytest.mark.parametrize("slug", ["p1", "p2", "p5"])
def test_every_sample_credential_verifies(world: DemoWorld, slug: str) -> None:
    for doc in world.workers[slug].credentials:
        result = world.verifier.verify_credential(doc)
        assert result.verified, result.to_json()


@pytest.mark.parametrize("slug", ["p1", "p2", "p5"])
def test_a_recognition_presented_with_its_sources_verifies_once(world: DemoWorld, slug: str) -> None:
    vp, challenge = _answer(world, slug)
    first = world.verifier.verify_presentation(vp, challenge=challenge, domain=DOMAIN)
    assert first.verified, first.to_json()
    again = world.verifier.verify_presentation(vp, challenge=challenge, domain=DOMAIN)
    assert not again.verified and Code.INVALID_CHALLENGE_ERROR in again.codes()


def test_a_recognition_alone_cannot_be_checked_without_its_sources(world: DemoWorld) -> None:
    result = world.verifier.verify_credential(world.workers["p1"].recognition)
    assert not result.verified and Code.CHAIN_SOURCE_MISSING in result.codes()


def test_an_expired_purpose_scoped_presentation_fails(world: DemoWorld) -> None:
    wallet = world.workers["p5"].wallet
    assert world.verifier.challenges is not None
    challenge = world.verifier.challenges.issue()
    vp = present(
        wallet, [_recognition_id(world, "p5")], domain=DOMAIN, now=NOW - timedelta(days=3), challenge=challenge, days=1
    )
    result = world.verifier.verify_presentation(vp, challenge=challenge, domain=DOMAIN)
    assert Code.PROOF_EXPIRED in result.codes()


def _png_variants(payload: str) -> Iterator[tuple[str, bytes]]:
    png = render_png(payload, box_size=4, max_version=40)
    yield "4 px per module", png
    image = Image.open(io.BytesIO(png)).convert("L")
    half = image.resize((image.width // 2, image.height // 2), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    half.save(out, "PNG")
    yield "scaled to 50%", out.getvalue()
    blurred = image.filter(ImageFilter.GaussianBlur(0.8))
    rng = random.Random(20261130)
    noisy = blurred.point(lambda v: v)
    pixels = noisy.load()
    assert pixels is not None
    for _ in range(noisy.width * noisy.height // 20):
        x, y = rng.randrange(noisy.width), rng.randrange(noisy.height)
        value = pixels[x, y]
        assert isinstance(value, int)
        pixels[x, y] = max(0, min(255, value + rng.randint(-60, 60)))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    yield "blur and noise", out.getvalue()


@pytest.mark.parametrize("slug", ["p1", "p2", "p5"])
def test_sample_credentials_round_trip_through_real_images(world: DemoWorld, slug: str) -> None:
    for doc in world.workers[slug].credentials:
        payload = qr.encode(doc)
        assert qrcapacity.required_version(payload, "M") is not None
        for label, png in _png_variants(payload):
            decoded = qr.decode(read_qr(png))
            result = world.verifier.verify_credential(decoded)
            assert result.verified, (label, result.to_json())


def test_a_recognition_presentation_round_trips_through_real_images(world: DemoWorld) -> None:
    vp, _ = _answer(world, "p1")
    payload = qr.encode(vp)
    for label, png in _png_variants(payload):
        assert assert_json_equal(qr.decode(read_qr(png)), vp), label
    assert world.verifier.challenges is not None
    fresh, challenge = _answer(world, "p1")
    decoded = qr.decode(read_qr(render_png(qr.encode(fresh), box_size=4, max_version=40)))
    assert world.verifier.verify_presentation(decoded, challenge=challenge, domain=DOMAIN).verified


def assert_json_equal(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def test_a_tampered_payload_fails(world: DemoWorld) -> None:
    doc = json.loads(json.dumps(world.workers["p1"].credentials[0], ensure_ascii=False))
    doc["credentialSubject"]["name"] = "张试二"
    decoded = qr.decode(read_qr(render_png(qr.encode(doc), box_size=4, max_version=40)))
    result = world.verifier.verify_credential(decoded)
    assert not result.verified and Code.PROOF_VERIFICATION_ERROR in result.codes()


def test_revoking_a_source_on_the_issuer_breaks_the_chain_at_the_verifier(world: DemoWorld, tmp_path: Path) -> None:
    source = world.workers["p2"].credentials[1]
    world.issuers["appraisal"].service.revoke(source["id"])
    # verifiers cache a status list until its validUntil; a verifier without a cached copy sees it at once
    world.verifier = make_verifier(
        world.trust,
        world.rule_credentials,
        DocumentLoader(),
        world.fetcher,
        clock=CLOCK,
        challenges=world.verifier.challenges,
        domain=DOMAIN,
    )
    direct = world.verifier.verify_credential(source)
    assert Code.REVOKED in direct.codes()
    vp, challenge = _answer(world, "p2")
    result = world.verifier.verify_presentation(vp, challenge=challenge, domain=DOMAIN)
    assert not result.verified
    assert Code.CHAIN_SOURCE_STATUS in result.codes(), result.to_json()


@pytest.mark.parametrize(
    ("slug", "standing", "basis", "note"),
    [
        ("p1", "据报道（原文件未取得）", "原文件未取得", "择优"),
        ("p2", "据报道（原文件未取得）", "人力资源社会保障部《关于在工程技术领域", "评审委员会"),
        ("p5", "据报道（原文件未取得）", "原文件未取得", "未列明事项"),
    ],
)
def test_each_workers_recognition_shows_standing_and_basis_on_card_and_printout(
    world: DemoWorld, slug: str, standing: str, basis: str, note: str | None
) -> None:
    """Issue 18: the wallet card and the printout of P1's, P2's and P5's recognitions carry the 依据状态 and
    依据 rows (and the rule's note); the printouts go to test-artifacts/ to be looked at."""
    from wallet_demo.cards import card_for
    from wallet_demo.certificate import render_certificate

    recognition = world.workers[slug].recognition
    rows = {f.label.zh: f.value.zh for f in card_for(recognition).fields}
    assert rows["依据状态"] == standing and rows["依据"].startswith(basis)
    assert (note is None and "规则说明" not in rows) or (note is not None and note in rows["规则说明"])
    png, cjk = render_certificate(recognition)
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"30-printout-{slug}-recognition.png").write_bytes(png)
    assert cjk and Image.open(io.BytesIO(png)).size == (2480, 3508)


def test_the_demo_rule_credentials_are_named_by_the_demo_authority_not_a_real_one(world: DemoWorld) -> None:
    names = {json.dumps(doc["issuer"].get("name"), ensure_ascii=False) for doc in world.rule_credentials}
    assert len(names) == 1 and "示例省人力资源和社会保障厅（演示）" in names.pop()
    assert all("山西省人力资源和社会保障厅" not in json.dumps(d, ensure_ascii=False) for d in world.rule_credentials)

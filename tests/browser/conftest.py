"""Headless Chromium (Debian's, never a downloaded browser) against the verifier app served by uvicorn on
127.0.0.1, over a test world: did:key issuers on a trust list, status lists served in-process, credentials
valid / revoked / tampered / with an unreachable status list, and a recognition chain re-checked by
:func:`vccore.recognition.chain.chain_checker`.

Chromium's fake camera plays a Y4M file (YUV4MPEG2, 4:2:0) written here from the credential's QR PNG.
If Chromium is missing the tests fail, they do not skip: ``make pytest`` installs it first.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image

from issuer import kinds
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.did.resolver import DidResolver
from vccore.fetch import FetchResponse, StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.kinds import identity
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from vccore.recognition.chain import chain_checker, pool_lookup
from vccore.recognition.credential import parse_rule_credential, recognition_credential, rule_credential
from vccore.recognition.evaluate import evaluate
from vccore.recognition.rulesets import load_shipped
from vccore.status.bitstring import MIN_LENGTH, StatusList
from vccore.status.entry import status_entry, status_list_credential
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList
from verifier.app import create_app
from verifier.challenges import SqliteChallengeStore
from verifier.pipeline import Verifier
from verifier.status import StatusSource

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PEOPLE = json.loads((Path(__file__).resolve().parents[1] / "data" / "people.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SINCE = datetime(2015, 1, 1, tzinfo=UTC)
DOMAIN = "employer.example"
REV_URL = "https://status.example-machine.test/1/revocation"
SUS_URL = "https://status.example-machine.test/1/suspension"
GONE_URL = "https://status.unreachable.test/1/revocation"
REVOKED_INDEX = 7
ID_NUMBER = PEOPLE["people"]["P1"]["idNumber"]
L2_RULE = "CN-ENG-2018-L2-TO-INTERMEDIATE"
SX_RULE = "CN-SX-L2-TO-INTERMEDIATE"
LOADER = DocumentLoader(resolver=DidResolver(documents={}))
FAST = functools.partial(identity.hash_identity, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def _key(n: int) -> KeyPair:
    return did_key_pair(KeyPair.from_seed(bytes([n]) * 32))


EVAL, AUTH_CN, AUTH_SX, ROOT, HOLDER = _key(31), _key(32), _key(33), _key(34), _key(35)


def sign(document: Mapping[str, Any], pair: KeyPair, created: datetime = NOW - timedelta(days=1)) -> dict[str, Any]:
    return add_proof(document, signer=pair, loader=LOADER, options=ProofOptions(created=created))


@dataclass(frozen=True)
class World:
    trust: TrustList
    fetcher: StaticFetcher
    valid: dict[str, Any]
    revoked: dict[str, Any]
    tampered: dict[str, Any]
    unreachable: dict[str, Any]
    source: dict[str, Any]
    rules_cn: dict[str, Any]
    rules_sx: dict[str, Any]
    recognition: dict[str, Any]
    inferred: dict[str, Any]

    def verifier(self, tmp: Path) -> Verifier:
        pool = [self.source, self.rules_cn, self.rules_sx]
        return Verifier(
            trust=self.trust,
            loader=LOADER,
            status=StatusSource(loader=LOADER, fetcher=self.fetcher),
            challenges=SqliteChallengeStore(tmp / "challenges.db", domain=DOMAIN, clock=lambda: NOW),
            clock=lambda: NOW,
            chain_checker=chain_checker(pool_lookup(pool)),
        )  # type: ignore[arg-type]

    def presentation(self, credentials: list[dict[str, Any]], *, challenge: str) -> dict[str, Any]:
        vp = {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
            "type": ["VerifiablePresentation"],
            "holder": HOLDER.controller,
            "verifiableCredential": copy.deepcopy(credentials),
        }
        return add_proof(
            vp,
            signer=HOLDER,
            loader=LOADER,
            options=ProofOptions(
                purpose="authentication", challenge=challenge, domain=DOMAIN, created=NOW - timedelta(minutes=1)
            ),
        )


def _skill(index: int, ident: str, *, status_url: str = REV_URL) -> dict[str, Any]:
    person = PEOPLE["people"]["P1"]
    cred = person["credentials"][0]
    data = {"name": person["name"], "idNumber": person["idNumber"]} | copy.deepcopy(cred["input"])
    names = PEOPLE["issuers"][cred["issuer"]]
    issuer = kinds.Issuer(EVAL.controller, names["name_zh"], names["name_en"])
    doc = kinds.build(
        cred["kind"],
        data,
        issuer=issuer,
        valid_from=cred["validFrom"],
        credential_id=ident,
        subject_did=HOLDER.controller,
        hasher=FAST,
    )
    doc["credentialStatus"] = [
        status_entry(status_url, index, purpose="revocation"),
        status_entry(SUS_URL, index, purpose="suspension"),
    ]
    return sign(doc, EVAL, datetime.fromisoformat(cred["validFrom"]))


def _status_list(url: str, purpose: str, bits: tuple[int, ...]) -> dict[str, Any]:
    listed = StatusList(bytes(MIN_LENGTH // 8)).set_many(bits)
    doc = status_list_credential(
        url,
        listed,
        issuer=EVAL.controller,
        purpose=purpose,  # type: ignore[arg-type]
        now=NOW - timedelta(hours=1),
        ttl=timedelta(days=1),
    )
    return sign(doc, EVAL)


def _derive(
    rule_doc: Mapping[str, Any], rule_id: str, source: dict[str, Any], pair: KeyPair, ident: str, **declared: str
) -> dict[str, Any]:
    rule = parse_rule_credential(rule_doc).rule(rule_id)
    assert rule is not None
    as_of = date(2026, 7, 1)
    evaluation = evaluate(rule, [source], as_of=as_of, declarations=declared)
    unsigned = recognition_credential(
        evaluation,
        rule_credential=rule_doc,
        sources=[source],
        issuer=pair.controller,
        as_of=as_of,
        credential_id=ident,
        now=NOW - timedelta(days=1),
    )
    return sign(unsigned, pair)


@functools.cache
def build_world() -> World:
    def entry(pair: KeyPair, zh: str, en: str, role: str, where: str, types: tuple[str, ...]) -> TrustedIssuer:
        return TrustedIssuer(pair.controller, zh, en, (role,), (where,), types, (KeyPeriod(pair.id, SINCE),))

    trust = TrustList(
        (
            entry(
                EVAL,
                "示例重型机床有限公司",
                "Example Heavy Machine Tool Co., Ltd.",
                "skill-evaluation-organization",
                "CN-SX",
                ("SkillLevelCredential", "BitstringStatusListCredential"),
            ),
            entry(
                AUTH_CN,
                "人力资源社会保障部（测试）",
                "MOHRSS (test)",
                "recognition-authority",
                "CN",
                ("RecognitionRuleCredential", "RecognitionCredential"),
            ),
            entry(
                AUTH_SX,
                "山西省人力资源和社会保障厅（测试）",
                "Shanxi HRSS (test)",
                "recognition-authority",
                "CN-SX",
                ("RecognitionRuleCredential", "RecognitionCredential"),
            ),
        ),
        NOW - timedelta(days=2),
        "urn:skillcred:trustlist:browser",
    )
    lists = {
        REV_URL: _status_list(REV_URL, "revocation", (REVOKED_INDEX,)),
        SUS_URL: _status_list(SUS_URL, "suspension", ()),
    }
    fetcher = StaticFetcher({u: FetchResponse(u, json.dumps(d).encode()) for u, d in lists.items()})
    valid = _skill(3, "urn:uuid:00000000-0000-4000-8000-00000000b001")
    revoked = _skill(REVOKED_INDEX, "urn:uuid:00000000-0000-4000-8000-00000000b002")
    tampered = copy.deepcopy(valid)
    tampered["credentialSubject"]["skillLevel"] = "L1"
    unreachable = _skill(4, "urn:uuid:00000000-0000-4000-8000-00000000b003", status_url=GONE_URL)
    source = _skill(5, "urn:uuid:00000000-0000-4000-8000-00000000b004")
    shipped = load_shipped()
    rules_cn = sign(
        rule_credential(shipped["CN"], authority_did=AUTH_CN.controller, now=NOW - timedelta(days=30)), AUTH_CN
    )
    rules_sx = sign(
        rule_credential(shipped["CN-SX"], authority_did=AUTH_SX.controller, now=NOW - timedelta(days=30)), AUTH_SX
    )
    recognition = _derive(
        rules_cn, L2_RULE, source, AUTH_CN, "urn:uuid:00000000-0000-4000-8000-00000000b005", workField="engineering"
    )
    inferred = _derive(rules_sx, SX_RULE, source, AUTH_SX, "urn:uuid:00000000-0000-4000-8000-00000000b006")
    return World(
        trust, fetcher, valid, revoked, tampered, unreachable, source, rules_cn, rules_sx, recognition, inferred
    )


@pytest.fixture(scope="session")
def world() -> World:
    return build_world()


@pytest.fixture(scope="session")
def base_url(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(world.verifier(tmp_path_factory.mktemp("verifier")))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def write_y4m(png: bytes, path: Path, *, side: int = 720, frames: int = 2) -> Path:
    """A YUV4MPEG2 (4:2:0, ``C420jpeg``) clip of ``png`` centred on white, for Chromium's fake camera."""
    image = Image.open(io.BytesIO(png)).convert("L")
    scale = max(1, (side * 9 // 10) // image.width)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(image.convert("RGB"), ((side - image.width) // 2, (side - image.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (side // 2, side // 2)
    frame = (
        b"FRAME\n"
        + y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    path.write_bytes(f"YUV4MPEG2 W{side} H{side} F10:1 Ip A1:1 C420jpeg\n".encode("ascii") + frame * frames)
    return path


@pytest.fixture(scope="session")
def camera_file(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    png = render_png(qr.encode(world.valid), box_size=1, max_version=40)
    return write_y4m(png, tmp_path_factory.mktemp("camera") / "qr.y4m")


@pytest.fixture(scope="module")
def browser_context(camera_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser); these tests never skip")
    from playwright.sync_api import sync_playwright

    # module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread while it
    # is open, which would break later tests that call asyncio.run() (starlette's TestClient)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={camera_file}"],
            viewport={"width": 412, "height": 915},
            device_scale_factor=1,
            locale="zh-CN",
            permissions=["camera"],
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


def _expected(message: str) -> bool:
    """Chromium logs every 4xx answer to fetch() as a console error; a 422 (not verified) or 400 is expected."""
    return message.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture
def page(browser_context: Any, base_url: str) -> Iterator[Any]:
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not _expected(msg.text) else None)
    tab.goto(base_url + "/")
    tab.wait_for_selector("body[data-ready='true']")
    yield tab
    tab.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

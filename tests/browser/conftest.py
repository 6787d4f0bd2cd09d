"""Headless Chromium (Debian's, never a downloaded browser) against the verifier app served by uvicorn on
127.0.0.1, over a test world: did:key issuers on a trust list, status lists served in-process, credentials
valid / revoked / tampered / with an unreachable status list, and a recognition chain re-checked by
:func:`vccore.recognition.chain.chain_checker`.

Chromium's fake camera plays a Y4M file (YUV4MPEG2, 4:2:0) written here from the credential's QR PNG.
If Chromium is missing the tests fail, they do not skip: ``make pytest`` installs it first.
"""

from __future__ import annotations

import copy
import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image

from tests.world import PEOPLE, REVOKED_INDEX, VerifierWorld, recognitions
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from vccore.recognition.chain import chain_checker, pool_lookup
from verifier.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ID_NUMBER = PEOPLE["people"]["P1"]["idNumber"]
#: a status list URL nothing serves
GONE_URL = "https://status.unreachable.test/1/revocation"
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


@dataclass(frozen=True)
class Scans:
    """What the scan page is shown: P1's credential valid, revoked, tampered and with a status list nobody
    serves, and her recognitions (their source P1's credential as her wallet holds it)."""

    world: VerifierWorld
    valid: dict[str, Any]
    revoked: dict[str, Any]
    tampered: dict[str, Any]
    unreachable: dict[str, Any]
    recognition: dict[str, Any]
    inferred: dict[str, Any]
    selected: dict[str, Any]  # issue 18: P1's Shanxi recognition (reported, selected in a review)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    verifier_world = VerifierWorld(tmp_path_factory.mktemp("verifier"))
    valid = verifier_world.credential(index=3, ident="urn:uuid:00000000-0000-4000-8000-00000000b001")
    tampered = copy.deepcopy(valid)
    tampered["credentialSubject"]["skillLevel"] = "L1"
    chains = recognitions(held=True)
    return Scans(
        verifier_world,
        valid,
        verifier_world.credential(index=REVOKED_INDEX, ident="urn:uuid:00000000-0000-4000-8000-00000000b002"),
        tampered,
        verifier_world.credential(index=4, ident="urn:uuid:00000000-0000-4000-8000-00000000b003", revocation=GONE_URL),
        chains.recognition,
        chains.inferred,
        chains.selected,
    )


@pytest.fixture(scope="session")
def base_url(world: Scans) -> Iterator[str]:
    chains = recognitions(held=True)
    pool = [chains.p1, chains.rules_cn, chains.rules_sx, chains.rules_sx_test]
    app = create_app(world.world.verifier(chain_checker=chain_checker(pool_lookup(pool))))
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
def camera_file(world: Scans, tmp_path_factory: pytest.TempPathFactory) -> Path:
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

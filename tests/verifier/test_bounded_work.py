"""No unauthenticated request costs more than a bounded amount of work (SECURITY.md verifier item 18).

Images are refused from their header above the pixel cap, without a pixel decoded (memory measured);
decoding and ID checks wait for a slot of a small gate and are refused with 503 and ``Retry-After`` when
it is full; a multipart form is parsed in one pass with caps on parts and part headers; an ID check takes
Argon2id parameters only within what an issuer may use, and a per-client rate limit (429). Times under
load are measured by ``bench/bench_bounded.py``, not here.
"""

from __future__ import annotations

import io
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from tests.support import sign
from tests.world import EVAL, REV_URL, SIGNED, VerifierWorld, fast_hash
from vccore.errors import Code, ParseError, ResourceLimitError
from vccore.qr import payload as qr
from vccore.qr import read as qrread
from vccore.qr.render import render_png
from vccore.status.entry import status_entry
from verifier import multipart
from verifier.app import create_app
from verifier.workgate import Busy, RateLimit, WorkGate

ID_NUMBER = "140105198001010003"


def _huge_png() -> bytes:
    """A 7000 x 7000 PNG of ~160 KB: one colour, so it compresses to almost nothing."""
    out = io.BytesIO()
    Image.new("1", (7000, 7000), 1).save(out, "PNG")
    return out.getvalue()


HUGE = _huge_png()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.001)


@pytest.fixture
def never_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "convert", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


def test_an_image_over_the_pixel_cap_is_refused_from_its_header_alone(never_decode: None) -> None:
    assert len(HUGE) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ResourceLimitError, match="7000 x 7000"):
            qrread.read_qr(HUGE)
        with pytest.raises(
            ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: image is 7000 x 7000, more than 12000000"
        ):
            qrread.check_image(HUGE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024  # the header, not 49 megapixels


def test_a_phone_photo_size_is_still_read() -> None:
    payload = qr.encode({"a": "b" * 300})
    png = render_png(payload, box_size=20, max_version=40)
    image = Image.open(io.BytesIO(png)).convert("L")
    canvas = Image.new("L", (4000, 3000), 255)
    canvas.paste(image, (100, 100))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90)
    assert qrread.check_image(out.getvalue()) == (4000, 3000)
    assert qrread.read_qr(out.getvalue()) == payload


@pytest.mark.parametrize("path", ["/verify/qr", "/scan/verify"])
def test_the_endpoints_refuse_the_huge_image_with_its_code(world: VerifierWorld, path: str, never_decode: None) -> None:
    client = TestClient(create_app(world.verifier()))
    r = client.post(path, content=HUGE, headers={"content-type": "image/png"})
    assert r.status_code == 400 and r.json()["code"] == "RESOURCE_LIMIT_EXCEEDED", r.text


# --- the gate -----------------------------------------------------------------------------------------


def test_a_full_gate_refuses_at_once_and_a_freed_slot_is_taken() -> None:
    gate = WorkGate("test", active=1, waiting=1, wait=5.0)
    release, waited = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def holder() -> None:
        with gate.slot():
            release.wait(10)

    def waiter() -> None:
        waited.set()
        with gate.slot():
            outcomes.append("served after waiting")

    first = threading.Thread(target=holder)
    first.start()
    while gate._slots._value != 0:
        pass
    second = threading.Thread(target=waiter)
    second.start()
    waited.wait(5)
    while gate._queued != 1:
        pass
    with pytest.raises(Busy, match=r"^STORE_BUSY: too many test requests at once; try again shortly"):
        with gate.slot():
            pass
    release.set()
    first.join(10)
    second.join(10)
    assert outcomes == ["served after waiting"]


def test_a_waiter_gives_up_after_its_wait() -> None:
    gate = WorkGate("test", active=1, waiting=1, wait=0.05)
    with gate.slot():
        with pytest.raises(Busy, match=r"^STORE_BUSY: too many test requests at once; try again shortly"):
            with gate.slot():
                pass


@pytest.fixture
def blocked_decoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every decode blocks until the test lets it go."""
    release = threading.Event()
    original = qrread.read_qr

    def slow(image: bytes, **kwargs: Any) -> str:
        release.wait(10)
        return original(image, **kwargs)

    monkeypatch.setattr(qrread, "read_qr", slow)
    yield release
    release.set()


def test_when_the_image_gate_is_full_the_next_photo_is_503_with_retry_after(
    world: VerifierWorld, blocked_decoder: threading.Event
) -> None:
    gate = WorkGate("image decoding", active=2, waiting=2, wait=20.0)
    app = create_app(world.verifier(), image_gate=gate)
    photo = render_png(qr.encode(world.credential()), box_size=3, max_version=40)
    results: list[int] = []

    def post() -> None:
        results.append(
            TestClient(app).post("/verify/qr", content=photo, headers={"content-type": "image/png"}).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(gate.active + gate.waiting)]
    for t in threads:
        t.start()
    while gate._queued < gate.waiting:
        pass
    for path in ("/scan/verify", "/verify/qr"):
        refused = TestClient(app).post(path, content=photo, headers={"content-type": "image/png"})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2", refused.text
        assert refused.json()["code"] == "STORE_BUSY"
    blocked_decoder.set()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200] * len(threads)


# --- multipart ----------------------------------------------------------------------------------------


def _form(parts: list[tuple[str, bytes]], boundary: str = "xYzZY") -> tuple[bytes, str]:
    body = b"".join(f"--{boundary}\r\n{header}\r\n\r\n".encode() + data + b"\r\n" for header, data in parts)
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_form_with_a_payload_field_or_an_image_is_read() -> None:
    body, ctype = _form([('Content-Disposition: form-data; name="payload"', b"SC2:ABC")])
    (part,) = multipart.parse(body, ctype)
    assert (part.name, part.data) == ("payload", b"SC2:ABC")
    body, ctype = _form(
        [('Content-Disposition: form-data; name="f"; filename="a.png"\r\nContent-Type: image/png', b"\x89PNG")]
    )
    (part,) = multipart.parse(body, ctype)
    assert (part.filename, part.content_type, part.data) == ("a.png", "image/png", b"\x89PNG")


def test_two_megabytes_of_tiny_parts_are_refused_at_the_ninth_part() -> None:
    body, ctype = _form([('Content-Disposition: form-data; name="x"', b"")] * 60_000)
    assert len(body) > 2_000_000
    with pytest.raises(ResourceLimitError, match="more than 8 parts"):
        multipart.parse(body, ctype)


@pytest.mark.parametrize(
    ("body", "ctype", "error", "match"),
    [
        (
            b"--b\r\n" + b"X-A: " + b"a" * 2000 + b"\r\n\r\nx\r\n--b--",
            "multipart/form-data; boundary=b",
            ResourceLimitError,
            r"^RESOURCE_LIMIT_EXCEEDED: ",
        ),
        (b"no boundary here", "multipart/form-data; boundary=b", ParseError, r"does not contain its boundary"),
        (
            b"--b\r\nContent-Disposition: form-data\r\n\r\nunterminated",
            "multipart/form-data; boundary=b",
            ParseError,
            r"a part is not closed by the boundary",
        ),
        (b"--b\r\n\r\n", "multipart/form-data", ParseError, r"without a valid boundary"),
        (b"--bX", "multipart/form-data; boundary=b", ParseError, r"malformed multipart delimiter line"),
    ],
)
def test_malformed_and_oversized_forms_are_refused(body: bytes, ctype: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        multipart.parse(body, ctype)


def test_the_qr_endpoint_answers_a_form_flood_with_413(world: VerifierWorld) -> None:
    body, ctype = _form([('Content-Disposition: form-data; name="x"', b"")] * 60_000)
    r = TestClient(create_app(world.verifier())).post("/verify/qr", content=body, headers={"content-type": ctype})
    assert r.status_code == 413 and r.json()["code"] == "RESOURCE_LIMIT_EXCEEDED"


# --- the ID check -------------------------------------------------------------------------------------


@pytest.fixture
def no_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    import verifier.idcheck

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an Argon2id hash was computed")

    monkeypatch.setattr(verifier.idcheck, "matches", refuse)


@pytest.mark.parametrize(
    ("field", "value"), [("memLimit", 256 * 1024 * 1024), ("memLimit", 1 << 40), ("opsLimit", 10), ("opsLimit", 5)]
)
def test_the_id_check_never_spends_more_than_an_issuer_would(
    world: VerifierWorld, no_hashing: None, field: str, value: int
) -> None:
    hashed = {**fast_hash(ID_NUMBER), field: value}
    r = TestClient(create_app(world.verifier())).post("/id-check", json={"identityHash": hashed, "idNumber": ID_NUMBER})
    assert r.status_code == 422 and r.json()["code"] == "RESOURCE_LIMIT_EXCEEDED"


def test_each_client_gets_a_burst_then_a_rate(world: VerifierWorld) -> None:
    client = TestClient(create_app(world.verifier()))
    body = {"identityHash": fast_hash(ID_NUMBER), "idNumber": ID_NUMBER}
    answers = [client.post("/id-check", json=body) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["code"] == "STORE_BUSY" and int(answers[-1].headers["retry-after"]) >= 1
    assert ID_NUMBER not in answers[-1].text


def test_the_rate_limit_refills_with_time_and_forgets_old_clients() -> None:
    now = [0.0]
    limit = RateLimit("test", per_minute=6, burst=2, clients=2, monotonic=lambda: now[0])
    limit.take("a")
    limit.take("a")
    with pytest.raises(Busy, match="wait 10 s"):
        limit.take("a")
    now[0] = 10.0
    limit.take("a")
    limit.take("b")
    limit.take("c")  # "a" is forgotten: at most two clients remembered
    assert list(limit._buckets) == ["b", "c"]


def test_gates_and_limits_refuse_nonsense_configuration() -> None:
    bad: list[tuple[Callable[[], Any], str]] = [
        (lambda: WorkGate("x", active=0, waiting=1, wait=1), r"^x: active >= 1"),
        (lambda: RateLimit("x", per_minute=0, burst=1), r"^x: per_minute > 0"),
    ]
    for make, match in bad:
        with pytest.raises(ValueError, match=match):
            make()


# --- caps per document ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "count", "pointer"),
    [("credentialStatus", 9, "/credentialStatus"), ("credentialSubject", 9, "/credentialSubject")],
)
def test_a_credential_may_not_ask_for_unbounded_work(
    world: VerifierWorld, field: str, count: int, pointer: str
) -> None:
    doc = world.unsigned(status=True)
    if field == "credentialStatus":
        doc[field] = [status_entry(REV_URL, 100 + i, purpose="revocation") for i in range(count)]
    else:
        doc[field] = [dict(doc[field], id=f"did:example:subject-{i}", name=f"张试{i}") for i in range(count)]
    result = world.verifier().verify_credential(sign(doc, EVAL, created=SIGNED))
    model = result.check("dataModel")
    assert model is not None and [(p.code, p.pointer) for p in model.problems] == [
        (Code.RESOURCE_LIMIT_EXCEEDED, pointer)
    ]

"""The employer's scan page: ``GET /``, its assets, and the three JSON endpoints it calls.

Framework-free on purpose (starlette stays in :mod:`verifier.app`, which mounts these routes): each
route is a plain function from a :class:`PageRequest` to a :class:`PageResponse`.

* ``GET /`` the page (Chinese first, English toggle), under a strict CSP: scripts, styles and
  images only from this app (``'self'``; ``data:`` images for the request QR), no inline code,
  no framing. ``GET /static/{name}`` serves an allowlist of files (``page.js``, ``page.css`` and the
  vendored ``jsQR.js``); nothing comes from the internet.
* ``POST /scan/verify`` the page's verify: a decoded QR payload (``{"payload", "challenge"?, "fresh"?}``)
  or a photo (``image/png``/``image/jpeg`` body; in request mode its challenge in ``X-Challenge``). An
  answer to a challenge, and a ``fresh`` re-query (重新查询), fetch status lists afresh. Camera frames
  are decoded in the browser by jsQR and never sent; only the payload string is. The answer is the
  pipeline's result plus the view the page draws from it (:mod:`verifier.pages.view`, with the verdict
  line of :mod:`verifier.pages.verdict`), because the result alone does not carry what the credential
  says. 200 when verified, 422 when not, 400 for a payload or photo that is not a skillcred QR code.
  ``sources``: payloads of a recognition's sources scanned one after another into the page's basket,
  verified beside it (no network needed: the chain comes from the codes alone).
* ``POST /request`` a fresh challenge as a ``SkillcredPresentationRequest`` QR (vccore's codec,
  rendered as SVG server-side) for the holder's wallet to answer. The page's 请求出示 uses the
  OpenID4VP request of :mod:`verifier.crossdevice` instead; this one stays for ``skillcred wallet``.
* ``POST /id-check`` :class:`verifier.idcheck.IdChecker`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from string import Template
from typing import Any, Final

from edge.problems import PROBLEM_TYPE, problem_answer
from vccore import jsonstrict
from vccore.credentials import types_of
from vccore.errors import Code, SkillcredError
from vccore.qr import payload as qr
from vccore.qr import read as qrread
from vccore.qr.render import render_svg
from vccore.timeutil import format_datetime
from verifier.idcheck import IdChecker
from verifier.pages.view import credential_view, presentation_view
from verifier.pipeline import Verifier
from verifier.workgate import Busy, RateLimit, WorkGate

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
COMMON_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
HTML_HEADERS: Final = {
    **COMMON_HEADERS,
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
ASSETS: Final = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "jsQR.js": "text/javascript; charset=utf-8",
    "verdict.js": "text/javascript; charset=utf-8",
    "verdict.css": "text/css; charset=utf-8",
    "basket.js": "text/javascript; charset=utf-8",
}
REQUEST_TYPE: Final = "SkillcredPresentationRequest"
#: the challenge of a photo answered in request mode (the body is the image)
CHALLENGE_HEADER: Final = "x-challenge"
MAX_PAYLOAD_BODY: Final = 16 * 1024
#: a recognition's sources scanned into the basket beside it (:func:`ScanPage.scan_verify`)
MAX_SOURCES: Final = 4
#: a payload and its sources, each at most a version-40 code (4296 characters)
MAX_SCAN_BODY: Final = 32 * 1024
_HOST_RE: Final = re.compile(r"[A-Za-z0-9.-]{1,100}(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,60}\](?::[0-9]{1,5})?")


@dataclass(frozen=True)
class PageRequest:
    method: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""
    path_params: Mapping[str, str] = field(default_factory=dict)
    scheme: str = "http"
    client: str = ""  # the caller's address (per-client rate limits)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class PageResponse:
    status: int
    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=lambda: dict(COMMON_HEADERS))


@dataclass(frozen=True)
class PageRoute:
    path: str
    methods: tuple[str, ...]
    handler: Callable[[PageRequest], PageResponse]
    max_body: int


def _json(status: int, body: Any, media_type: str = "application/json") -> PageResponse:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return PageResponse(status, data, media_type)


def _problem(status: int, code: Code, detail: str) -> PageResponse:
    status, headers, body = problem_answer(status, code, detail)
    return PageResponse(status, body, PROBLEM_TYPE, {**COMMON_HEADERS, **headers})


def _busy(err: Busy) -> PageResponse:
    answer = _problem(err.status, err.code, err.detail)
    return PageResponse(
        answer.status, answer.body, answer.media_type, {**COMMON_HEADERS, "Retry-After": err.retry_after}
    )


def origin_of(request: PageRequest) -> str:
    """``scheme://host[:port]`` the page was reached at (a Host header that is not a plain host: localhost)."""
    host = request.headers.get("host", "")
    host = host if _HOST_RE.fullmatch(host) else "localhost"
    scheme = "https" if request.scheme == "https" else "http"
    return f"{scheme}://{host}"


def _read(folder: str, name: str) -> bytes:
    return resources.files("verifier").joinpath(folder, name).read_bytes()


class ScanPage:
    """The page's routes over one :class:`Verifier`; assets are read once, at construction."""

    def __init__(
        self,
        verifier: Verifier,
        *,
        max_image_bytes: int,
        id_checker: IdChecker | None = None,
        image_gate: WorkGate | None = None,
    ) -> None:
        self.verifier = verifier
        self.max_image_bytes = max_image_bytes
        self.id_checker = id_checker or IdChecker()
        #: image decoding for strangers: one at a time, four queued for at most five seconds, and each client
        #: a burst of ten photos, then thirty a minute (a scan page uploads one photo per press)
        self.image_gate = image_gate or WorkGate("image decoding", active=1, waiting=4, wait=5.0)
        self.photo_rate = RateLimit("photo", per_minute=30, burst=10)
        self.assets = {name: _read("static", name) for name in ASSETS}
        banner = (
            ""
            if not verifier.trust_any
            else (
                '<div class="banner" id="trust-any-banner" role="alert">'
                '<span data-i18n="trustAny">警告：本验证服务以 --trust any 运行，未检查签发机构是否可信。'
                "结果不能作为依据。</span></div>"
            )
        )
        template = Template(_read("templates", "index.html").decode("utf-8"))
        self.html = template.substitute(banner=banner, trust_any="true" if verifier.trust_any else "false").encode()

    def routes(self) -> tuple[PageRoute, ...]:
        return (
            PageRoute("/", ("GET",), self.index, 0),
            PageRoute("/static/{name}", ("GET",), self.static, 0),
            PageRoute("/scan/verify", ("POST",), self.scan_verify, self.max_image_bytes),
            PageRoute("/request", ("POST",), self.new_request, MAX_PAYLOAD_BODY),
            PageRoute("/id-check", ("POST",), self.id_check, MAX_PAYLOAD_BODY),
        )

    # -- pages and assets ----------------------------------------------------------------------

    def index(self, request: PageRequest) -> PageResponse:
        return PageResponse(200, self.html, "text/html; charset=utf-8", HTML_HEADERS)

    def static(self, request: PageRequest) -> PageResponse:
        name = request.path_params.get("name", "")
        if name not in ASSETS:
            return _problem(404, Code.NOT_FOUND, "no such asset")
        return PageResponse(200, self.assets[name], ASSETS[name], {**COMMON_HEADERS, "Cache-Control": "no-cache"})

    # -- verify ---------------------------------------------------------------------------------

    def read_image(self, image: bytes, *, client: str = "") -> str:
        """The QR text of an uploaded photo: its size is checked from the header before any pixel is
        decoded (:func:`vccore.qr.read.read_qr`); the client spends one of its photo tokens, and decoding
        waits for a slot of :attr:`image_gate` (:class:`Busy` when there is none)."""
        qrread.check_image(image, max_bytes=self.max_image_bytes)  # refused in milliseconds, no slot taken
        self.photo_rate.take(client)
        return self.image_gate.run(lambda: qrread.read_qr(image, max_bytes=self.max_image_bytes))

    def _payload(self, request: PageRequest) -> tuple[str, str | None, bool, list[str]] | PageResponse:
        """(QR payload, challenge, fresh) from the request, or the problem to answer. A photo's challenge
        comes in the ``X-Challenge`` header (the body is the image)."""
        media = request.media_type
        if media in ("image/png", "image/jpeg"):
            header = request.headers.get(CHALLENGE_HEADER, "").strip()
            try:
                return self.read_image(request.body, client=request.client), header or None, False, []
            except Busy as err:
                return _busy(err)
            except SkillcredError as err:
                return _problem(
                    400,
                    err.code,
                    f"照片中没有找到 skillcred 二维码 / no skillcred QR code found in the photo: {err.detail}",
                )
        if media != "application/json":
            return _problem(415, Code.MALFORMED_VALUE_ERROR, "send a JSON payload or a PNG/JPEG photo")
        try:
            body = jsonstrict.loads(request.body, max_bytes=MAX_SCAN_BODY, max_depth=4)
        except SkillcredError as err:
            return _problem(400, err.code, err.detail)
        if not isinstance(body, Mapping) or not isinstance(body.get("payload"), str):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "payload must be a string")
        challenge = body.get("challenge")
        if challenge is not None and not isinstance(challenge, str):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "challenge must be a string")
        fresh = body.get("fresh", False)
        if not isinstance(fresh, bool):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "fresh must be true or false")
        sources = body.get("sources", [])
        if not isinstance(sources, list) or len(sources) > MAX_SOURCES or not all(isinstance(x, str) for x in sources):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, f"sources: a list of at most {MAX_SOURCES} payloads")
        return body["payload"].strip(), challenge, fresh, [x.strip() for x in sources]

    def scan_verify(self, request: PageRequest) -> PageResponse:
        got = self._payload(request)
        if isinstance(got, PageResponse):
            return got
        payload, challenge, fresh, source_payloads = got
        if payload.startswith(qr.REFERENCE_PREFIX):
            return _problem(
                400,
                Code.FETCH_NOT_ALLOWED,
                "this QR code points to an online copy; the scan page "
                "does not fetch it: ask the holder for the credential's own QR code",
            )
        try:
            document = qr.decode(payload)
            sources = [qr.decode(item) for item in source_payloads]
        except SkillcredError as err:
            return _problem(400, err.code, f"不是 skillcred 二维码内容 / not a skillcred QR payload: {err.detail}")
        if fresh or challenge is not None:  # 重新查询, and every answer to a request: status fetched afresh
            self.verifier.status.forget()
        now = self.verifier.clock()
        shown = self.verifier.read(document) or document  # what the checks read is what the card shows
        if "VerifiablePresentation" in types_of(document):
            result = self.verifier.verify_presentation(document, challenge=challenge)
            view = presentation_view(shown, result, self.verifier.trust, now)
        elif types_of(document) == [] or document.get("type") == REQUEST_TYPE:
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "this QR code is not a credential or a presentation")
        else:
            result = self.verifier.verify_credential(document, presented=sources)
            view = credential_view(shown, result, self.verifier.trust, now)
        body = {
            "payload": payload,  # what the QR said, so that 重新查询 can send it again (a photo is not resent)
            "sources": source_payloads,
            "verified": result.verified,
            "trustAny": self.verifier.trust_any,
            "view": view,
            "result": result.to_json(),
        }
        return _json(200 if result.verified else 422, body)

    # -- request mode ---------------------------------------------------------------------------

    def new_request(self, request: PageRequest) -> PageResponse:
        store = self.verifier.challenges
        if store is None:
            return _problem(404, Code.NOT_FOUND, "this verifier issues no challenges")
        issued = store.issue_details()
        doc = {
            "type": REQUEST_TYPE,
            "challenge": issued.challenge,
            "domain": issued.domain,
            "verifier": f"{origin_of(request)}/",
            "expires": format_datetime(issued.expires),
        }
        payload = qr.encode(doc)
        svg = render_svg(payload, title="出示请求 / presentation request")
        return _json(201, {**doc, "payload": payload, "svg": svg})

    # -- ID check -------------------------------------------------------------------------------

    def id_check(self, request: PageRequest) -> PageResponse:
        answer = self.id_checker.check(request.body, media_type=request.media_type, client=request.client)
        media = "application/json" if answer.status == 200 else PROBLEM_TYPE
        out = _json(answer.status, answer.body, media)
        return PageResponse(out.status, out.body, out.media_type, {**COMMON_HEADERS, **answer.headers})

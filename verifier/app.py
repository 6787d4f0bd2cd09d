"""The verifier's HTTP API (VC-API style): a thin edge over :class:`verifier.pipeline.Verifier`.

``POST /credentials/verify``, ``POST /presentations/verify``, ``POST /challenges``, ``POST /verify/qr``
and ``GET /health``. ``/presentations/verify`` follows the app's presentation profile
(:mod:`verifier.apiprofile`: ``skillcred`` by default, or ``vc-api``: the caller's ``options.challenge`` and
``options.domain`` checked against the proof, the holder optional unless ``options.requireHolder`` or a
skillcred credential needs it). Answers: 200 with the result when it verified, 422 with the same shape when it
did not, 400 ``application/problem+json`` (RFC 9457) for a request that is not well formed, 413 for a
body over its cap, 415 for a verify request that is not JSON in UTF-8 (a form, ``text/plain`` or no type: what a
page can make a browser send cross-site without a preflight). Caps are enforced by :class:`BodyCap` before
anything is buffered: a declared ``Content-Length`` over the cap is refused unread, and a streamed body is
counted as it arrives.
Endpoints are plain ``def`` functions (starlette runs them in its thread pool).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edge.bodycap import BodyCap, body_of
from edge.problems import PROBLEM_TYPE, problem_answer
from vccore import jsonstrict
from vccore.credentials import types_of
from vccore.errors import Code, ResourceLimitError, SkillcredError
from vccore.qr import payload as qr
from vccore.qr import read as qrread
from vccore.result import VerificationResult
from vccore.timeutil import format_datetime
from verifier import multipart
from verifier.apiprofile import SKILLCRED, PresentationRules
from verifier.crossdevice import CrossDevice
from verifier.page import PageRequest, PageResponse, ScanPage
from verifier.pipeline import Verifier
from verifier.workgate import RETRY_AFTER, Busy, WorkGate

MAX_JSON_BYTES: Final = 2 * 1024 * 1024
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024
MAX_SMALL_BYTES: Final = 16 * 1024
#: seconds a refusal decided before the body is read waits before it is sent (:class:`Gatekeeper`)
REFUSAL_DELAY: Final = 0.25


def problem(status: int, code: Code, detail: str, headers: Mapping[str, str] | None = None) -> Response:
    """An RFC 9457 problem document carrying skillcred's code (:mod:`edge.problems`)."""
    status, extra, body = problem_answer(status, code, detail, headers)
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=extra)


class Gatekeeper:
    """ASGI middleware in front of everything: refuses a stranger's expensive request before its body is
    read, when the answer is already known (SECURITY.md verifier item 18), so that a flood of them costs
    the server little more than their headers:

    * ``/id-check`` from a client out of tokens (429) or while the ID-check gate is full (503);
    * a photo (``image/png``/``image/jpeg`` to ``/verify/qr`` or ``/scan/verify``) while the image gate is
      full (503), or whose header, in the first chunk, already claims more pixels than the cap (400);
    * a ``multipart/form-data`` body as soon as it shows more parts than :data:`multipart.MAX_PARTS` (413).

    Everything else, and every request it lets through, goes on with the body bytes it looked at put back.
    A refusal before the body is read closes the connection (the server does so for an unread body), and is
    sent only after ``delay`` seconds of waiting that cost the server nothing: a client that floods refused
    requests back to back (each answered at once, it would send thousands a second and take the CPU from
    every honest caller) gets a few a second per connection instead (``bench/bench_bounded.py``)."""

    PEEK: Final = 64 * 1024

    def __init__(self, app: ASGIApp, *, page: ScanPage, delay: float = REFUSAL_DELAY) -> None:
        self.app = app
        self.page = page
        self.delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        ctype = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"content-type"), "")
        media = ctype.split(";", 1)[0].strip().lower()
        refusal: Response | None = None
        if path == "/id-check":
            checker = self.page.id_checker
            client = scope.get("client")
            if not checker.rate.allows(str(client[0]) if client else ""):
                refusal = problem(
                    429, Code.STORE_BUSY, "too many ID checks from this client; wait a minute", {"Retry-After": "6"}
                )
            elif checker.gate.full():
                refusal = problem(
                    503, Code.STORE_BUSY, "too many ID checks at once; try again shortly", {"Retry-After": RETRY_AFTER}
                )
        elif path in ("/verify/qr", "/scan/verify") and media in ("image/png", "image/jpeg", "multipart/form-data"):
            client = scope.get("client")
            if not self.page.photo_rate.allows(str(client[0]) if client else ""):
                refusal = problem(
                    429, Code.STORE_BUSY, "too many photos from this client; wait a little", {"Retry-After": "2"}
                )
            elif media != "multipart/form-data" and self.page.image_gate.full():
                refusal = problem(
                    503, Code.STORE_BUSY, "too many photos at once; try again shortly", {"Retry-After": RETRY_AFTER}
                )
            else:
                seen, done, refusal = await self._peek(receive, media, ctype)
                if refusal is None:
                    receive = _replay(seen, done, receive)
        if refusal is not None:
            await anyio.sleep(self.delay)
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _peek(self, receive: Receive, media: str, ctype: str) -> tuple[bytes, bool, Response | None]:
        """Read up to :attr:`PEEK` bytes (a form: until it shows too many parts) and decide on them."""
        chunks: list[bytes] = []
        size, done = 0, False
        marker = (
            b"\r\n--" + multipart.boundary_of(ctype)
            if media == "multipart/form-data" and "boundary=" in ctype
            else None
        )
        parts = 0
        while size < self.PEEK and not done:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks), True, problem(400, Code.PARSING_ERROR, "the client went away")
            chunk = message.get("body", b"")
            if marker is not None:  # boundaries split across chunks are counted in the next look, not lost
                tail = chunks[-1][-(len(marker) - 1) :] if chunks else b""  # too short to hold a whole marker
                parts += (tail + chunk).count(marker)
                if parts > multipart.MAX_PARTS + 1:
                    return (
                        b"",
                        True,
                        problem(
                            413,
                            Code.RESOURCE_LIMIT_EXCEEDED,
                            f"malformed multipart body: more than {multipart.MAX_PARTS} parts",
                        ),
                    )
            chunks.append(chunk)
            size += len(chunk)
            done = not message.get("more_body", False)
        seen = b"".join(chunks)
        if marker is None:
            try:
                qrread.check_image(seen, max_bytes=len(seen))  # the pixel count; the size is BodyCap's (413)
            except ResourceLimitError as err:
                return seen, done, problem(400, err.code, err.detail)
            except SkillcredError:
                pass  # not enough of the header yet, or not an image: the endpoint reads it all and says why
        return seen, done, None


def _replay(seen: bytes, done: bool, receive: Receive) -> Receive:
    """``receive`` with the bytes already read put back in front."""
    pending = [seen]

    async def replayed() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": not done}
        return await receive()

    return replayed


def _body(request: Request) -> bytes:
    return body_of(request.scope)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


#: the media types a VC-API verify request may have: JSON, and JSON-LD or another ``+json`` type
_JSON_TYPES = frozenset({"application/json", "application/ld+json"})


def _json_media_problem(request: Request) -> Response | None:
    """None for a JSON body in UTF-8, else 415. A form, ``text/plain`` or a body without a type is what a
    web page can make a visitor's browser send to another site without asking (no CORS preflight): the
    verify endpoints, open and costly, answer only JSON."""
    media = _media_type(request)
    params = request.headers.get("content-type", "").split(";")[1:]
    charset = next(
        (
            v.strip().strip('"').lower()
            for k, _, v in (x.partition("=") for x in params)
            if k.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if (media in _JSON_TYPES or media.endswith("+json")) and charset in ("utf-8", "utf8"):
        return None
    return problem(
        415,
        Code.MALFORMED_VALUE_ERROR,
        f"请求须为 UTF-8 的 JSON（application/json） / the request must be JSON in UTF-8 (application/json), "
        f"not {request.headers.get('content-type', 'no content type')[:80]!r}",
    )


def _json_kind(value: Any) -> str:
    """What a JSON value is, for a message: "a string", "an array", "a number", "true"/"false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "a number"


def _json_object(request: Request, *, max_bytes: int) -> dict[str, Any] | Response:
    try:
        value = jsonstrict.loads(_body(request), max_bytes=max_bytes)
    except SkillcredError as err:
        return problem(400, err.code, err.detail)
    if not isinstance(value, dict):
        return problem(400, Code.MALFORMED_VALUE_ERROR, "the request body must be a JSON object")
    return value


def _options(body: Mapping[str, Any]) -> dict[str, Any] | Response:
    options = body.get("options", {})
    if not isinstance(options, dict):
        return problem(400, Code.MALFORMED_VALUE_ERROR, "options must be an object")
    for key in ("challenge", "domain"):
        if key in options and not isinstance(options[key], str):
            return problem(400, Code.MALFORMED_VALUE_ERROR, f"options.{key} must be a string")
    if "requireHolder" in options and not isinstance(options["requireHolder"], bool):
        return problem(400, Code.MALFORMED_VALUE_ERROR, "options.requireHolder must be true or false")
    return options


def _answer(result: VerificationResult) -> JSONResponse:
    return JSONResponse(result.to_json(), status_code=200 if result.verified else 422)


def _multipart(request: Request) -> tuple[str | None, bytes | None] | Response:
    """(payload text, image bytes) from a multipart/form-data body: a ``payload`` field or a file.
    Parsed in one pass with caps on parts and part headers (:mod:`verifier.multipart`)."""
    try:
        parts = multipart.parse(_body(request), request.headers.get("content-type", ""))
    except SkillcredError as err:
        status = 413 if err.code is Code.RESOURCE_LIMIT_EXCEEDED else 400
        return problem(status, err.code, f"malformed multipart body: {err.detail}")
    for part in parts:
        if part.content_type in ("image/png", "image/jpeg") or part.filename:
            return None, part.data
        if part.name == "payload":
            try:
                return part.data.decode("utf-8"), None
            except UnicodeDecodeError:
                return problem(400, Code.PARSING_ERROR, "the payload field is not UTF-8 text")
    return problem(400, Code.MALFORMED_VALUE_ERROR, "no image file or payload field in the form")


def _page_endpoint(handler: Callable[[PageRequest], PageResponse]) -> Callable[[Request], Response]:
    """Mount one framework-free scan-page route (:mod:`verifier.page`)."""

    def endpoint(request: Request) -> Response:
        answer = handler(
            PageRequest(
                request.method,
                {k.lower(): v for k, v in request.headers.items()},
                _body(request),
                {k: str(v) for k, v in request.path_params.items()},
                request.url.scheme,
                request.client.host if request.client else "",
            )
        )
        return Response(answer.body, answer.status, dict(answer.headers), answer.media_type)

    return endpoint


def create_app(
    verifier: Verifier,
    *,
    max_json_bytes: int = MAX_JSON_BYTES,
    max_image_bytes: int = MAX_IMAGE_BYTES,
    image_gate: WorkGate | None = None,
    refusal_delay: float = REFUSAL_DELAY,
    presentation_rules: PresentationRules = SKILLCRED,
) -> Starlette:
    """The verifier's Starlette app, configured entirely by its arguments. ``image_gate`` bounds image
    decoding for the QR endpoint and the scan page together (:class:`verifier.workgate.WorkGate`);
    ``presentation_rules`` is the profile of ``POST /presentations/verify`` (:mod:`verifier.apiprofile`)."""
    page = ScanPage(verifier, max_image_bytes=max_image_bytes, image_gate=image_gate)

    def vc_api_request(request: Request, member: str) -> tuple[dict[str, Any], dict[str, Any]] | Response:
        """``(document, options)`` of a VC-API verify request, or the 400/413/415 answer."""
        wrong_type = _json_media_problem(request)
        if wrong_type is not None:
            return wrong_type
        body = _json_object(request, max_bytes=max_json_bytes)
        if isinstance(body, Response):
            return body
        options = _options(body)
        if isinstance(options, Response):
            return options
        document = body.get(member)
        if document is None:
            return problem(400, Code.MALFORMED_VALUE_ERROR, f"{member} is required (a JSON object)")
        if not isinstance(document, dict):  # e.g. the document sent as a JSON string: it cannot be parsed as one
            return problem(400, Code.PARSING_ERROR, f"{member} must be a JSON object, not {_json_kind(document)}")
        return document, options

    def verify_credential(request: Request) -> Response:
        parsed = vc_api_request(request, "verifiableCredential")
        if isinstance(parsed, Response):
            return parsed
        return _answer(verifier.verify_credential(parsed[0]))

    def verify_presentation(request: Request) -> Response:
        parsed = vc_api_request(request, "verifiablePresentation")
        if isinstance(parsed, Response):
            return parsed
        presentation, options = parsed
        return _answer(
            verifier.verify_presentation(
                presentation,
                challenge=options.get("challenge"),
                domain=options.get("domain"),
                rules=presentation_rules.with_caller_options(options),
            )
        )

    def new_challenge(request: Request) -> Response:
        if verifier.challenges is None:
            return problem(404, Code.NOT_FOUND, "this verifier issues no challenges")
        issued = verifier.challenges.issue_details()
        return JSONResponse(
            {
                "challenge": issued.challenge,
                "domain": issued.domain,
                "expires": format_datetime(issued.expires),
            },
            status_code=201,
        )

    def verify_qr(request: Request) -> Response:
        media = _media_type(request)
        payload: Any = None
        image: bytes | None = None
        options: dict[str, Any] = {}
        if media in ("image/png", "image/jpeg"):
            image = _body(request)
        elif media == "multipart/form-data":
            parts = _multipart(request)
            if isinstance(parts, Response):
                return parts
            payload, image = parts
        elif media == "application/json":
            body = _json_object(request, max_bytes=max_json_bytes)
            if isinstance(body, Response):
                return body
            opts = _options(body)
            if isinstance(opts, Response):
                return opts
            payload, options = body.get("payload"), opts
            if not isinstance(payload, str):
                return problem(400, Code.MALFORMED_VALUE_ERROR, "payload must be a string")
        elif media in ("text/plain", ""):
            try:
                payload = _body(request).decode("utf-8").strip()
            except UnicodeDecodeError:
                return problem(400, Code.PARSING_ERROR, "the payload is not UTF-8 text")
        else:
            return problem(415, Code.MALFORMED_VALUE_ERROR, f"unsupported content type {media[:80]!r}")
        try:
            if image is not None:
                payload = page.read_image(image, client=request.client.host if request.client else "")
            document = qr.decode(str(payload))
        except Busy as err:
            return problem(err.status, err.code, err.detail, {"Retry-After": err.retry_after})
        except SkillcredError as err:
            return problem(400, err.code, err.detail)
        if "VerifiablePresentation" in types_of(document):
            return _answer(
                verifier.verify_presentation(document, challenge=options.get("challenge"), domain=options.get("domain"))
            )
        return _answer(verifier.verify_credential(document))

    def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "trustAny": verifier.trust_any, "freshness": verifier.freshness})

    def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        code = Code.NOT_FOUND if status == 404 else Code.MALFORMED_VALUE_ERROR
        return problem(status, code, str(getattr(exc, "detail", "")))

    page_routes = page.routes() + CrossDevice(page).routes()
    page_caps = {r.path: r.max_body for r in page_routes if r.max_body}

    def cap_for(path: str) -> int:
        if path in page_caps:
            return page_caps[path]
        if path == "/verify/qr":
            return max_image_bytes
        if path in ("/credentials/verify", "/presentations/verify"):
            return max_json_bytes
        return MAX_SMALL_BYTES

    app = Starlette(
        routes=[
            Route("/credentials/verify", verify_credential, methods=["POST"]),
            Route("/presentations/verify", verify_presentation, methods=["POST"]),
            Route("/challenges", new_challenge, methods=["POST"]),
            Route("/verify/qr", verify_qr, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            *(Route(r.path, _page_endpoint(r.handler), methods=list(r.methods)) for r in page_routes),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.add_middleware(BodyCap, cap_for=cap_for)
    app.add_middleware(Gatekeeper, page=page, delay=refusal_delay)  # outermost: before any body is read
    return app

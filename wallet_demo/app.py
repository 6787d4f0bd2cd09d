"""The wallet's web page: the worker's cards, full-screen QR codes, answers to request QR codes.

``create_app(wallet, *, base_url)`` is the whole configuration. Routes:

- ``GET /``: the cards (Chinese first, English toggle) and the answer form;
- ``GET /card/{id}``: one credential's QR code, full screen (a link QR when it is too large), its details
  under it and a print button; a recognition's codes and its sources' one after another
  (:func:`wallet_demo.page.codes_page`);
- ``GET /card/{id}/print``: its A4 printout, a PDF with a text layer whose QR opens ``scan_url``, with a
  recognition's sources' codes beside its own;
- ``POST /api/request-from-photo``: a photo (PNG/JPEG body) of a request QR -> ``{"payload": ...}``;
- ``POST /answer``: form ``request`` (the request payload) and ``id`` (repeated) -> the answer QR (never a
  link QR, which the scan page refuses);
- ``POST /api/oid4vp/answer``: ``{requestUri, clientId, request, ids}`` -> the signed direct_post answer to an
  OpenID4VP request (:mod:`wallet_demo.crossdevice`), which the phone posts to the verifier;
- ``GET /p/{token}``: a referenced document, for :data:`wallet_demo.refs.DEFAULT_TTL`, then 410;
- ``GET /health``.

Endpoints are plain ``def`` (starlette runs them in its thread pool); request bodies are read under a
cap per route (:class:`edge.bodycap.BodyCap`), both by ``Content-Length`` and while streaming. Every
input error is a 4xx page or ``application/problem+json``; nothing is fetched from the internet (inline
CSS/JS under a nonce CSP).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from edge.bodycap import BodyCap, body_of
from edge.problems import PROBLEM_TYPE, problem_answer
from vccore import jsonstrict
from vccore.errors import Code, SkillcredError
from vccore.exchange import oid4vp
from vccore.qr.capacity import DEFAULT_MAX_VERSION
from vccore.qr.read import read_qr
from vccore.qr.render import render_svg
from vccore.text import Text
from vccore.timeutil import format_datetime
from wallet_demo import crossdevice, page
from wallet_demo.cards import card_for
from wallet_demo.present import answer, decode_request, with_sources
from wallet_demo.refs import ReferenceShelf, plan_qr
from wallet_demo.store import Wallet

__all__ = ["create_app"]

MAX_FORM_BYTES: Final = 64 * 1024
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024
_ID_RE: Final = re.compile(r"[0-9a-f]{4,64}")
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")
TOO_LARGE: Final = Text(
    "内容太多，一个二维码放不下：请让对方点「请求出示」，用本钱包拍摄对方的二维码后直接发送。",
    "Too much for one QR code: ask the verifier to press Request, take a photo of their code here and send.",
)
_BASE_RE: Final = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/-]*)?")


def _cap_for(path: str) -> int:
    """The body cap of a route (:class:`edge.bodycap.BodyCap`): a photo, or a form."""
    return MAX_IMAGE_BYTES if path == "/api/request-from-photo" else MAX_FORM_BYTES


def _problem(status: int, code: Code, detail: str) -> Response:
    """An RFC 9457 problem document carrying skillcred's code (:mod:`edge.problems`)."""
    status, headers, body = problem_answer(status, code, detail)
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def create_app(
    wallet: Wallet,
    *,
    base_url: str,
    shelf: ReferenceShelf | None = None,
    max_version: int = DEFAULT_MAX_VERSION,
    scan_url: str | None = None,
) -> Starlette:
    """The wallet page for ``wallet`` (its clock decides every expiry); ``base_url`` is where phones reach it
    (for link QR codes); ``scan_url`` is the verifier's scan page a printout's QR opens (else the printed QR
    holds the bare payload).
    ``max_version`` is the largest QR version shown before falling back to a link QR."""
    base = base_url.rstrip("/")
    if not _BASE_RE.fullmatch(base):
        raise ValueError(f"base_url: {base_url!r} is not an absolute http(s) URL")
    refs = shelf or ReferenceShelf()
    clock = wallet.clock

    def html(body: Callable[[str], str], status: int = 200) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        csp = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src data:; "
            "connect-src 'self' https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        return HTMLResponse(
            body(nonce),
            status_code=status,
            headers={
                "Content-Security-Policy": csp,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            },
        )

    def error(message: str, status: int = 400) -> HTMLResponse:
        return html(lambda n: page.error_page(message, nonce=n), status)

    def index(request: Request) -> Response:
        stored = wallet.credentials()
        cards = [card_for(c.document, local_id=c.local_id) for c in stored]
        intact = frozenset(c.local_id for c in stored if wallet.signature_intact(c))
        return html(lambda n: page.index_page(cards, holder_did=wallet.holder_did, nonce=n, intact=intact))

    def card(request: Request) -> Response:
        local_id = request.path_params["local_id"]
        if not _ID_RE.fullmatch(local_id):
            return error("unknown card / 没有这张卡片", 404)
        try:
            stored = wallet.get(local_id)
            # no link QR: the scan page never fetches one, so the wallet does not show it
            plan = plan_qr(stored.document, low_ec_ok=True, max_version=max_version)
        except SkillcredError as err:
            if err.code == Code.QR_TOO_LARGE:
                return error(TOO_LARGE.zh + " / " + TOO_LARGE.en, 422)
            return error(err.detail, 404 if err.code == Code.NOT_FOUND else 422)
        c = card_for(stored.document, local_id=stored.local_id)
        if c.kind == "RecognitionCredential":  # its codes, then each source's, one after another
            try:
                chain = with_sources(wallet, [local_id])
                plans = [plan_qr(x.document, low_ec_ok=True, max_version=max_version) for x in chain]
            except SkillcredError as err:
                return error(err.detail, 422)
            slides = []
            for item, each in zip(chain, plans, strict=True):
                shown = card_for(item.document, local_id=item.local_id)
                caption = Text(
                    f"{shown.kind_label.zh}：{shown.headline.zh}", f"{shown.kind_label.en}: {shown.headline.en}"
                )
                slides.append((caption, render_svg(each.payload, ec=each.ec, title=shown.headline.zh, max_version=40)))
            return html(lambda n: page.codes_page(c.kind_label, slides, nonce=n, card=c))
        svg = render_svg(plan.payload, ec=plan.ec, title=c.headline.zh or "QR", max_version=40)
        return html(lambda n: page.card_page(c, svg=svg, payload=plan.payload, reference=False, nonce=n))

    def printout(request: Request) -> Response:
        """The card's A4 printout as a PDF with a text layer (:mod:`wallet_demo.certificate`)."""
        from wallet_demo.certificate import render_certificate

        local_id = request.path_params["local_id"]
        if not _ID_RE.fullmatch(local_id):
            return error("没有这张卡片 / unknown card", 404)
        try:
            sources = [x.document for x in with_sources(wallet, [local_id])[1:]]
            data, _ = render_certificate(wallet.get(local_id).document, fmt="pdf", scan_url=scan_url, sources=sources)
        except SkillcredError as err:
            return error(err.detail, 404 if err.code == Code.NOT_FOUND else 422)
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="skillcred-{local_id}.pdf"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    def request_from_photo(request: Request) -> Response:
        try:
            payload = read_qr(body_of(request.scope))
            if payload.startswith(oid4vp.SCHEME):  # the scan page's cross-device request
                ref = oid4vp.parse_authorization_uri(payload)
                verifier = urlsplit(ref.request_uri).netloc
                return JSONResponse(
                    {"payload": payload, "requestUri": ref.request_uri, "clientId": ref.client_id, "verifier": verifier}
                )
            decode_request(payload, now=clock())
        except SkillcredError as err:
            return _problem(400, err.code, f"照片中没有可用的出示请求二维码，请重拍或粘贴内容。 / {err.detail}")
        return JSONResponse({"payload": payload})

    def oid4vp_answer(request: Request) -> Response:
        """The signed answer to a request object the phone fetched: the form fields to post, and where."""
        try:
            body = jsonstrict.loads(body_of(request.scope), max_bytes=MAX_FORM_BYTES, max_depth=4)
        except SkillcredError as err:
            return _problem(400, err.code, err.detail)
        fields = ("requestUri", "clientId", "request")
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in fields):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "requestUri, clientId and request are required")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and _ID_RE.fullmatch(i) for i in ids):
            return _problem(400, Code.RANGE_ERROR, "choose at least one credential / 请至少选择一份凭证")
        try:
            out = crossdevice.answer(
                wallet,
                request_uri=body["requestUri"],
                client_id=body["clientId"],
                request_object=body["request"],
                local_ids=ids,
                now=clock(),
            )
        except SkillcredError as err:
            return _problem(404 if err.code == Code.NOT_FOUND else 400, err.code, err.detail)
        return JSONResponse(out)

    def answer_form(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return error("expected a form / 需要表单提交", 415)
        try:
            form = parse_qs(body_of(request.scope).decode("utf-8"), max_num_fields=40, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            return error("the form is not readable / 表单无法解析")
        payloads = form.get("request", [])
        ids = form.get("id", [])
        if len(payloads) != 1 or not ids:
            return error("paste one request and choose at least one credential / 请粘贴请求并选择凭证")
        if payloads[0].strip().startswith(oid4vp.SCHEME):
            return error("拍摄请求二维码后请点「发送出示」 / after the photo of this request, press Send")
        if not all(_ID_RE.fullmatch(i) for i in ids):
            return error("unknown credential / 未知凭证", 404)
        now = clock()
        try:
            req = decode_request(payloads[0], now=now)
            vp = answer(wallet, req, ids, now=now)
            expires = vp["proof"]["expires"]
            plan = plan_qr(vp, max_version=max_version)  # never a link QR, which the scan page refuses
        except SkillcredError as err:
            if err.code == Code.QR_TOO_LARGE:
                return error(TOO_LARGE.zh + " / " + TOO_LARGE.en, 422)
            return error(err.detail, 404 if err.code == Code.NOT_FOUND else 422)
        svg = render_svg(plan.payload, ec=plan.ec, title="presentation", max_version=40)
        count = len(vp["verifiableCredential"])
        return html(
            lambda n: page.answer_page(
                svg=svg,
                payload=plan.payload,
                domain=req.domain,
                expires=expires,
                reference=False,
                count=count,
                nonce=n,
            )
        )

    def referenced(request: Request) -> Response:
        token = request.path_params["token"]
        state, data = refs.get(token, now=clock()) if _TOKEN_RE.fullmatch(token) else ("missing", b"")
        if state == "gone":
            return _problem(410, Code.EXPIRED, "this link has expired / 链接已过期")
        if state == "missing":
            return _problem(404, Code.NOT_FOUND, "no such document / 没有该文件")
        return Response(
            data,
            media_type="application/vp+json",
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Access-Control-Allow-Origin": "*",
            },
        )

    def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "time": format_datetime(clock())})

    async def not_found(request: Request, exc: Any) -> Response:
        if getattr(exc, "status_code", 404) == 405:
            return _problem(405, Code.NOT_FOUND, "method not allowed")
        return _problem(404, Code.NOT_FOUND, "not found")

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/card/{local_id}", card, methods=["GET"]),
        Route("/card/{local_id}/print", printout, methods=["GET"]),
        Route("/api/request-from-photo", request_from_photo, methods=["POST"]),
        Route("/api/oid4vp/answer", oid4vp_answer, methods=["POST"]),
        Route("/answer", answer_form, methods=["POST"]),
        Route("/p/{token}", referenced, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found},
        middleware=[Middleware(BodyCap, cap_for=_cap_for)],
    )

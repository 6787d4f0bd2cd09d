"""The issuer's HTTP API (VC-API shapes): a thin edge over :class:`issuer.service.IssuerService`.

===========================  ======================  ==========================================================
``POST /credentials/issue``  ``credentials:issue``   ``{credential, options: {cryptosuite?, idempotencyKey?}}``
                                                     (or an ``Idempotency-Key`` header) -> 201
                                                     ``{verifiableCredential}``. Any valid VC 2.0 credential
                                                     whose contexts the service's loader allows is signed; the
                                                     issuer, id, validFrom and status entries are added.
``POST /credentials/status`` ``credentials:status``  VC-API ``updateCredentialStatus``: ``{credentialId,
                                                     credentialStatus: [{type: "BitstringStatusListEntry",
                                                     status: "revoked"|"suspended"|"unsuspended"}]}`` -> 200
                                                     with the current status. Revoking twice is a no-op;
                                                     ``"unrevoked"`` is 409 (revocation is final).
``GET /credentials/{id}``    ``credentials:read``    the holder's copy, byte for byte
``GET /status/{list}``       public                  the signed status list credential, with ``ETag`` and
                                                     ``Cache-Control: public, max-age=<until validUntil>``;
                                                     the same bytes as ``application/vc`` (default),
                                                     ``application/vc+ld+json``, ``application/ld+json`` or
                                                     ``application/json`` as ``Accept`` prefers, else 406
``GET /.well-known/did.json`` public                 the did:web document (404 for a did:key issuer); a did:web
                                                     with a path is also served at ``/<path>/did.json``
``GET /health``              public                  ``{"status": "ok"}``
===========================  ======================  ==========================================================

Tokens travel as ``Authorization: Bearer <token>``: missing or invalid is 401 with
``WWW-Authenticate``, a missing scope 403; both before the body is looked at, so a refusal changes
nothing. Bodies are capped before buffering (a declared ``Content-Length`` over the cap is refused
unread; a streamed body is counted as it arrives): 413. Every error is ``application/problem+json``
(RFC 9457: type, title, status, detail, code). ``STORE_BUSY`` is 503 with ``Retry-After``. Endpoints are
plain ``def`` (starlette runs them in its thread pool, where the store keeps one connection per thread).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Final, Protocol
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from edge.bodycap import BodyCap, body_of
from edge.problems import PROBLEM_TYPE, problem_answer, status_for
from issuer.recognize import Issued
from issuer.service import IssuerService
from issuer.tokens import TokenInfo, TokenRegistry
from vccore import jsonstrict
from vccore.di.cryptosuites import SUITE_NAMES
from vccore.errors import Code, SkillcredError
from vccore.timeutil import beijing_date, parse_date

MAX_BODY: Final = 256 * 1024
VC_TYPE: Final = "application/vc"
#: what a status list credential is served as, by the request's ``Accept`` (the first is the default)
STATUS_LIST_TYPES: Final = ("application/vc", "application/vc+ld+json", "application/ld+json", "application/json")
STATUS_ACTIONS: Final = {
    "revoked": "revoke",
    "unrevoked": "unrevoke",
    "suspended": "suspend",
    "unsuspended": "unsuspend",
}


def problem(
    status: int, code: Code, detail: str, headers: dict[str, str] | None = None, *, pointer: str = ""
) -> Response:
    """An RFC 9457 problem document carrying skillcred's code (:mod:`edge.problems`)."""
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = 'Bearer realm="skillcred-issuer", error="invalid_token"'
    status, extra, body = problem_answer(status, code, detail, extra, pointer=pointer)
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=extra)


def refused(err: SkillcredError, *, default: int = 422) -> Response:
    return problem(status_for(err.code, default), err.code, err.detail, pointer=err.pointer)


class _BadRequest(SkillcredError):
    """A request that is not well formed: always 400, whatever its code."""


def _json_body(request: Request) -> dict[str, Any]:
    raw = body_of(request.scope)
    try:
        value = jsonstrict.loads(raw, max_bytes=len(raw) + 1)
    except SkillcredError as err:
        raise _BadRequest(err.detail, code=err.code) from err
    if not isinstance(value, dict):
        raise _bad_request("the request body must be a JSON object")
    return value


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The media type of ``offered`` that ``accept`` (an HTTP ``Accept`` header) prefers most: the
    highest ``q``, then the header's order, then ``offered``'s order; a wildcard (``*/*``, ``application/*``)
    gives the first offered. No header is the first offered; None when nothing offered is acceptable."""
    if accept is None or not accept.strip():
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for position, item in enumerate(accept.split(",")[:32]):
        kind, *params = [part.strip() for part in item.split(";")]
        kind = kind.lower()
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if not 0.0 < q <= 1.0:
            continue
        if kind in ("*/*", "application/*"):
            candidates = [offered[0]]
        else:
            candidates = [kind] if kind in offered else []
        for candidate in candidates:
            rank = (-q, position, offered.index(candidate))
            if best is None or rank < best:
                best, chosen = rank, candidate
    return chosen


def _bad_request(detail: str) -> _BadRequest:
    return _BadRequest(detail, code=Code.MALFORMED_VALUE_ERROR)


class Recognizer(Protocol):
    """What ``POST /recognitions`` needs: :class:`issuer.recognize.RecognitionService` (composed by the
    caller, who decides how sources are verified: the front door plugs in the verifier pipeline)."""

    def recognize(
        self,
        sources: Sequence[Mapping[str, Any]],
        *,
        rule_id: str,
        as_of: date,
        declarations: Mapping[str, str] | None = None,
    ) -> Issued: ...


def create_app(
    service: IssuerService, tokens: TokenRegistry, *, max_body: int = MAX_BODY, recognizer: Recognizer | None = None
) -> Starlette:
    """The issuer's Starlette app, configured entirely by its arguments. Which contexts may be signed is
    the service's loader's allow-list. With a ``recognizer``, ``POST /recognitions`` derives recognitions."""
    if max_body < 1:
        raise ValueError(f"max_body: expected a positive byte count, got {max_body!r}")

    def guarded(scope: str, handler: Callable[[Request, TokenInfo], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            header = request.headers.get("authorization", "")
            kind, _, presented = header.partition(" ")
            try:
                token = tokens.verify(presented.strip() if kind.lower() == "bearer" else None, scope=scope)
            except SkillcredError as err:
                if err.code is Code.FORBIDDEN:
                    return problem(
                        403,
                        err.code,
                        err.detail,
                        {
                            "WWW-Authenticate": f'Bearer realm="skillcred-issuer", error="insufficient_scope", '
                            f'scope="{scope}"'
                        },
                    )
                return refused(err, default=401)
            try:
                return handler(request, token)
            except _BadRequest as err:
                return problem(400, err.code, err.detail)
            except SkillcredError as err:
                return refused(err, default=400)

        return endpoint

    def issue(request: Request, token: TokenInfo) -> Response:
        body = _json_body(request)
        credential, options = body.get("credential"), body.get("options", {})
        if not isinstance(credential, dict):
            raise _bad_request("credential must be a JSON object")
        if not isinstance(options, dict):
            raise _bad_request("options must be an object")
        suite = options.get("cryptosuite", SUITE_NAMES[0])
        if suite not in SUITE_NAMES:
            raise _bad_request(f"options.cryptosuite must be one of {', '.join(SUITE_NAMES)}")
        key = options.get("idempotencyKey")
        header = request.headers.get("idempotency-key")
        if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 200):
            raise _bad_request("options.idempotencyKey must be a string of 1 to 200 characters")
        if header is not None:
            if key is not None and key != header:
                raise _bad_request("the Idempotency-Key header and options.idempotencyKey differ")
            if not 0 < len(header) <= 200:
                raise _bad_request("the Idempotency-Key header must be 1 to 200 characters")
            key = header
        # an idempotency key belongs to the token that sent it: one client never receives another's credential
        scoped_key = None if key is None else f"token:{token.id}:{key}"
        try:
            issued = service.issue(credential, idempotency_key=scoped_key, cryptosuite=suite)
        except SkillcredError as err:
            return refused(err)
        except (ValueError, TypeError, RecursionError) as err:  # a shape the checks above did not foresee
            return problem(422, Code.MALFORMED_VALUE_ERROR, f"the credential cannot be issued: {err}")
        headers = {"Location": f"/credentials/{quote(issued.id, safe=':')}"}
        if issued.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            b'{"verifiableCredential":' + issued.document + b"}",
            status_code=201,
            media_type="application/json",
            headers=headers,
        )

    def recognitions(request: Request, token: TokenInfo) -> Response:
        if recognizer is None:
            return problem(404, Code.NOT_FOUND, "this issuer is not configured as a recognition authority")
        body = _json_body(request)
        sources, rule_id = body.get("sources"), body.get("rule")
        as_of_text, declared = body.get("asOf"), body.get("declarations", {})
        if not isinstance(sources, list) or not 0 < len(sources) <= 8 or not all(isinstance(x, dict) for x in sources):
            raise _bad_request("sources must be a list of 1 to 8 credentials")
        if not isinstance(rule_id, str) or not 0 < len(rule_id) <= 100:
            raise _bad_request("rule must be a rule id")
        if not isinstance(declared, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in declared.items()
        ):
            raise _bad_request("declarations must be an object of strings")
        try:
            as_of = parse_date(as_of_text, field="asOf") if as_of_text is not None else beijing_date(service.now())
        except SkillcredError as err:
            raise _bad_request(err.detail) from err
        try:
            issued = recognizer.recognize(sources, rule_id=rule_id, as_of=as_of, declarations=declared)
        except SkillcredError as err:
            return refused(err)
        return Response(
            b'{"verifiableCredential":' + json.dumps(issued.json(), ensure_ascii=False).encode("utf-8") + b"}",
            status_code=201,
            media_type="application/json",
        )

    def update_status(request: Request, token: TokenInfo) -> Response:
        body = _json_body(request)
        credential_id, entries = body.get("credentialId"), body.get("credentialStatus")
        if not isinstance(credential_id, str) or not credential_id:
            raise _bad_request("credentialId must be a non-empty string")
        if not isinstance(entries, list) or not 0 < len(entries) <= 2:
            raise _bad_request("credentialStatus must be a list of one or two entries")
        actions = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
                raise _bad_request(f"credentialStatus[{i}] must have type BitstringStatusListEntry")
            status = entry.get("status")
            if not isinstance(status, str) or status not in STATUS_ACTIONS:
                raise _bad_request(f"credentialStatus[{i}].status must be one of {', '.join(STATUS_ACTIONS)}")
            actions.append(STATUS_ACTIONS[status])
        changed = [getattr(service, action)(credential_id).changed for action in actions]
        current = service.status(credential_id)
        return JSONResponse(
            {
                "credentialId": credential_id,
                "revoked": current.revoked,
                "suspended": current.suspended,
                "changed": any(changed),
            }
        )

    def read_credential(request: Request, token: TokenInfo) -> Response:
        return Response(service.get(request.path_params["credential_id"]), media_type=VC_TYPE)

    def status_list(request: Request) -> Response:
        media_type = negotiate(request.headers.get("accept"), STATUS_LIST_TYPES)
        if media_type is None:
            return problem(
                406,
                Code.NOT_ACCEPTABLE,
                f"a status list credential is served as {', '.join(STATUS_LIST_TYPES)}",
            )
        try:
            data = service.status_list_credential(request.path_params["list_id"])
        except SkillcredError as err:
            return refused(err, default=404 if err.code is Code.NOT_FOUND else 422)
        expires = service.publisher.valid_until(data)
        max_age = max(0, math.floor((expires - service.now()).total_seconds()))
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = {"Cache-Control": f"public, max-age={max_age}", "ETag": etag, "Vary": "Accept"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=media_type, headers=headers)

    def status_index(request: Request) -> Response:
        return JSONResponse({"issuer": service.did, "statusLists": service.status_list_urls()})

    def did_document(request: Request) -> Response:
        try:
            document = service.did_document()
        except SkillcredError as err:
            return refused(err)
        if not str(document.get("id", "")).startswith("did:web:"):
            return problem(404, Code.NOT_FOUND, "a did:key issuer has no did:web document")
        path = request.path_params.get("did_path")
        if path is not None and path != "/".join(str(document["id"]).removeprefix("did:web:").split(":")[1:]):
            return problem(404, Code.NOT_FOUND, "no DID document at this path")
        return Response(json.dumps(document, ensure_ascii=False).encode("utf-8"), media_type="application/did+json")

    def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        code = Code.NOT_FOUND if status == 404 else Code.MALFORMED_VALUE_ERROR
        detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
        return problem(status, code, str(detail), dict(getattr(exc, "headers", None) or {}))

    routes = [
        Route("/credentials/issue", guarded("credentials:issue", issue), methods=["POST"]),
        Route("/credentials/status", guarded("credentials:status", update_status), methods=["POST"]),
        Route("/recognitions", guarded("credentials:issue", recognitions), methods=["POST"]),
        Route("/credentials/{credential_id:path}", guarded("credentials:read", read_credential), methods=["GET"]),
        Route("/status/", status_index, methods=["GET"]),
        Route("/status/{list_id}", status_list, methods=["GET"]),
        Route("/.well-known/did.json", did_document, methods=["GET"]),
        Route("/{did_path:path}/did.json", did_document, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error},
        middleware=[Middleware(BodyCap, cap_for=lambda _path: max_body)],
    )

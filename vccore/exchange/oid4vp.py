"""The shapes of OpenID for Verifiable Presentations 1.0 that the scan page and the wallet share, for the
cross-device flow (the scan page shows a QR code, the worker's phone answers straight to the verifier):

* the QR code holds an authorization request by reference: ``openid4vp://?client_id=…&request_uri=…``;
* ``request_uri`` serves the request object, an unsigned JWT (``alg: none``, media type
  ``application/oauth-authz-req+jwt``; an unsigned request goes with the ``redirect_uri:`` client
  identifier prefix): ``response_type=vp_token``, ``response_mode=direct_post``, ``client_id`` =
  ``redirect_uri:`` + ``response_uri``, ``nonce`` = the verifier's challenge, ``state``, a DCQL query
  asking for W3C credentials (``ldp_vc``), and ``exp``;
* the wallet posts ``vp_token`` (a JSON object: the DCQL query's id -> a list of presentations) and
  ``state`` form-encoded to ``response_uri``. A Data Integrity presentation's proof carries
  ``challenge`` = ``nonce`` and ``domain`` = ``client_id`` (OID4VP appendix B, ``ldp_vc``).

Parsing never trusts the request: every member is checked for type and size, the client identifier must
be the ``redirect_uri:`` form of the response URI, and the response URI must be an http(s) URL on the
same origin as the request URI the wallet fetched.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

from vccore import jsonstrict
from vccore.errors import Code, SkillcredError

SCHEME: Final = "openid4vp://"
REQUEST_MEDIA_TYPE: Final = "application/oauth-authz-req+jwt"
CLIENT_PREFIX: Final = "redirect_uri:"
QUERY_ID: Final = "skillcred"
MAX_REQUEST_BYTES: Final = 8 * 1024
MAX_VP_TOKEN_BYTES: Final = 512 * 1024
_NONCE_RE: Final = re.compile(r"[A-Za-z0-9._~+/=-]{8,128}")
_STATE_RE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")
_URL_RE: Final = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]{1,200}(/[A-Za-z0-9._~/%-]{0,300})?")

#: what the scan page asks for: any W3C credential of skillcred's (the presentation carries a recognition
#: with its sources)
DCQL_QUERY: Final = {
    "credentials": [
        {
            "id": QUERY_ID,
            "format": "ldp_vc",
            "multiple": True,
            "meta": {"type_values": [["VerifiableCredential"]]},
        }
    ]
}
CLIENT_METADATA: Final = {
    "vp_formats_supported": {
        "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["eddsa-rdfc-2022"]}
    }
}


def _bad(detail: str) -> SkillcredError:
    return SkillcredError(f"{detail} / 出示请求无效", code=Code.MALFORMED_VALUE_ERROR)


def _url(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _URL_RE.fullmatch(value):
        raise _bad(f"{name} must be an http(s) URL")
    return value


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


@dataclass(frozen=True)
class AuthorizationRequest:
    """The request object's members that matter to a wallet answering it."""

    client_id: str
    response_uri: str
    nonce: str
    state: str
    expires: datetime

    def claims(self) -> dict[str, Any]:
        return {
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "client_id": self.client_id,
            "response_uri": self.response_uri,
            "nonce": self.nonce,
            "state": self.state,
            "dcql_query": DCQL_QUERY,
            "client_metadata": CLIENT_METADATA,
            "aud": "https://self-issued.me/v2",
            "exp": int(self.expires.timestamp()),
        }

    def jwt(self) -> str:
        """The unsigned request object (``alg: none``; the ``redirect_uri:`` prefix requires it unsigned)."""
        header = {"alg": "none", "typ": "oauth-authz-req+jwt"}
        return f"{_b64(header)}.{_b64(self.claims())}."


def new_request(*, response_uri: str, nonce: str, state: str, expires: datetime) -> AuthorizationRequest:
    """The request a verifier answering at ``response_uri`` makes (its client id derives from it)."""
    _url(response_uri, "response_uri")
    if not _NONCE_RE.fullmatch(nonce) or not _STATE_RE.fullmatch(state):
        raise _bad("nonce or state is not acceptable")
    return AuthorizationRequest(CLIENT_PREFIX + response_uri, response_uri, nonce, state, expires)


def _b64(value: Mapping[str, Any]) -> str:
    data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def authorization_uri(client_id: str, request_uri: str) -> str:
    """What the QR code holds: the request by reference."""
    return f"{SCHEME}?client_id={quote(client_id, safe='')}&request_uri={quote(request_uri, safe='')}"


@dataclass(frozen=True)
class RequestReference:
    client_id: str
    request_uri: str


def parse_authorization_uri(text: str) -> RequestReference:
    """``client_id`` and ``request_uri`` of a scanned ``openid4vp://`` code."""
    if not isinstance(text, str) or not text.startswith(SCHEME) or len(text) > 2048:
        raise _bad("not an openid4vp:// request")
    query = text[len(SCHEME) :].lstrip("/")
    if not query.startswith("?"):
        raise _bad("the openid4vp:// request has no parameters")
    try:
        params = parse_qs(query[1:], max_num_fields=8, strict_parsing=True)
    except ValueError as err:
        raise _bad("the openid4vp:// parameters are malformed") from err
    client = params.get("client_id", [])
    uri = params.get("request_uri", [])
    if len(client) != 1 or len(uri) != 1:
        raise _bad("the request needs exactly one client_id and one request_uri")
    return RequestReference(client[0], _url(uri[0], "request_uri"))


def parse_request_object(jwt: str, *, request_uri: str, now: datetime) -> AuthorizationRequest:
    """The request object fetched from ``request_uri``, checked: unsigned, for a ``vp_token`` by
    ``direct_post``, ``client_id`` = ``redirect_uri:`` + ``response_uri`` on the request URI's origin,
    a nonce and a state, not expired."""
    if not isinstance(jwt, str) or len(jwt) > MAX_REQUEST_BYTES or jwt.count(".") != 2:
        raise _bad("the request object is not a compact JWT")
    head_b64, body_b64, signature = jwt.split(".")
    header, claims = _claims(head_b64), _claims(body_b64)
    if header.get("alg") != "none" or signature:
        raise _bad("only unsigned request objects (redirect_uri: client identifiers) are understood")
    if claims.get("response_type") != "vp_token" or claims.get("response_mode") != "direct_post":
        raise _bad("the request must ask for a vp_token by direct_post")
    response_uri = _url(claims.get("response_uri"), "response_uri")
    if claims.get("client_id") != CLIENT_PREFIX + response_uri:
        raise _bad("client_id must be redirect_uri: followed by the response_uri")
    if _origin(response_uri) != _origin(_url(request_uri, "request_uri")):
        raise _bad("the response_uri is not on the request_uri's origin")
    nonce, state, exp = claims.get("nonce"), claims.get("state"), claims.get("exp")
    if not isinstance(nonce, str) or not _NONCE_RE.fullmatch(nonce):
        raise _bad("nonce is missing or malformed")
    if not isinstance(state, str) or not _STATE_RE.fullmatch(state):
        raise _bad("state is missing or malformed")
    if isinstance(exp, bool) or not isinstance(exp, int):
        raise _bad("exp is missing")
    expires = datetime.fromtimestamp(exp, tz=UTC)
    if expires <= now:
        raise SkillcredError("the request has expired; ask for a new one / 请求已过期", code=Code.EXPIRED)
    return AuthorizationRequest(claims["client_id"], response_uri, nonce, state, expires)


def _claims(part: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except ValueError as err:
        raise _bad("the request object is not base64url") from err
    value = jsonstrict.loads(raw, max_bytes=MAX_REQUEST_BYTES, max_depth=8)
    if not isinstance(value, dict):
        raise _bad("the request object is not a JSON object")
    return value


def vp_token(presentation: Mapping[str, Any]) -> str:
    """The ``vp_token`` form value for one presentation answering :data:`DCQL_QUERY`."""
    return json.dumps({QUERY_ID: [dict(presentation)]}, separators=(",", ":"), ensure_ascii=False)


def parse_vp_token(value: str) -> dict[str, Any]:
    """The one presentation in a posted ``vp_token``."""
    token = jsonstrict.loads(value.encode("utf-8"), max_bytes=MAX_VP_TOKEN_BYTES)
    if not isinstance(token, dict) or set(token) != {QUERY_ID}:
        raise _bad(f"vp_token must be an object with the one query id {QUERY_ID!r}")
    items = token[QUERY_ID]
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise _bad("vp_token must hold exactly one presentation")
    return items[0]

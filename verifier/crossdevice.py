"""The scan page's cross-device request (OpenID for Verifiable Presentations, :mod:`vccore.exchange.oid4vp`).

* ``POST /oid4vp/requests`` (the page's 请求出示): a fresh challenge becomes the ``nonce`` of a request
  object kept under a random ``state``; the answer is the ``openid4vp://`` QR code (SVG) and a
  *transaction* token that only this page holds, to collect the verdict with.
* ``GET /oid4vp/request/{state}``: the request object (an unsigned JWT) for the wallet.
* ``POST /oid4vp/response``: the wallet's ``direct_post`` (``vp_token``, ``state``): the presentation is
  verified at once against the nonce and ``client_id`` (status lists fetched afresh), and the verdict kept
  for the page. Each request is answered once.
* ``GET /oid4vp/transactions/{transaction}``: 202 while the answer is awaited, then the verdict in the
  shape of ``POST /scan/verify``; 404 for an unknown or expired transaction.

Transactions live in this process's memory, at most :data:`MAX_TRANSACTIONS`, each until its challenge
expires: a verifier run as several processes behind one address needs sticky sessions for this flow.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qs

from edge.problems import PROBLEM_TYPE, problem_answer
from vccore.errors import Code, SkillcredError
from vccore.exchange import oid4vp
from vccore.qr.render import render_svg
from vccore.timeutil import format_datetime
from verifier.page import COMMON_HEADERS, PageRequest, PageResponse, PageRoute, ScanPage, origin_of
from verifier.pages.verdict import beijing
from verifier.pages.view import presentation_view

MAX_TRANSACTIONS: Final = 256
MAX_RESPONSE_BODY: Final = 768 * 1024
#: the wallet is another origin: it may read the request object and the answer to its post
CORS: Final = {"Access-Control-Allow-Origin": "*"}


def _json(status: int, body: Any) -> PageResponse:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return PageResponse(status, data, "application/json")


def _problem(status: int, code: Code, detail: str) -> PageResponse:
    status, headers, body = problem_answer(status, code, detail)
    return PageResponse(status, body, PROBLEM_TYPE, {**COMMON_HEADERS, **headers})


@dataclass
class Transaction:
    request: oid4vp.AuthorizationRequest
    token: str
    answer: tuple[int, dict[str, Any]] | None = None
    answered: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class CrossDevice:
    """The four routes over a :class:`ScanPage` (its verifier, challenge store and clock)."""

    def __init__(self, page: ScanPage) -> None:
        self.page = page
        self._by_state: OrderedDict[str, Transaction] = OrderedDict()
        self._by_token: dict[str, Transaction] = {}
        self._lock = threading.Lock()

    def routes(self) -> tuple[PageRoute, ...]:
        return (
            PageRoute("/oid4vp/requests", ("POST",), self.new_request, 1024),
            PageRoute("/oid4vp/request/{state}", ("GET",), self.request_object, 0),
            PageRoute("/oid4vp/response", ("POST",), self.response, MAX_RESPONSE_BODY),
            PageRoute("/oid4vp/transactions/{token}", ("GET",), self.transaction, 0),
        )

    def _now(self) -> datetime:
        return self.page.verifier.clock()

    def _prune(self, now: datetime) -> None:
        with self._lock:
            for state in [s for s, t in self._by_state.items() if t.request.expires <= now]:
                self._by_token.pop(self._by_state.pop(state).token, None)
            while len(self._by_state) >= MAX_TRANSACTIONS:
                _, oldest = self._by_state.popitem(last=False)
                self._by_token.pop(oldest.token, None)

    def new_request(self, request: PageRequest) -> PageResponse:
        store = self.page.verifier.challenges
        if store is None:
            return _problem(404, Code.NOT_FOUND, "this verifier issues no challenges")
        base = origin_of(request)
        issued = store.issue_details()
        state = secrets.token_urlsafe(24)
        made = oid4vp.new_request(
            response_uri=f"{base}/oid4vp/response", nonce=issued.challenge, state=state, expires=issued.expires
        )
        self._prune(self._now())
        txn = Transaction(made, secrets.token_urlsafe(24))
        with self._lock:
            self._by_state[state] = txn
            self._by_token[txn.token] = txn
        uri = oid4vp.authorization_uri(made.client_id, f"{base}/oid4vp/request/{state}")
        svg = render_svg(uri, title="出示请求 / presentation request")
        body = {
            "transaction": txn.token,
            "challenge": issued.challenge,
            "clientId": made.client_id,
            "expires": format_datetime(issued.expires),
            "expiresShown": {
                "zh": f"{beijing(format_datetime(issued.expires))}（北京时间）",
                "en": f"{beijing(format_datetime(issued.expires))} (Beijing time)",
            },
            "uri": uri,
            "svg": svg,
        }
        return _json(201, body)

    def _live(self, table: dict[str, Transaction], key: str) -> Transaction | None:
        with self._lock:
            txn = table.get(key)
        if txn is None or txn.request.expires <= self._now():
            return None
        return txn

    def request_object(self, request: PageRequest) -> PageResponse:
        txn = self._live(self._by_state, request.path_params.get("state", ""))
        if txn is None:
            return _problem(404, Code.NOT_FOUND, "no such request, or it has expired / 请求不存在或已过期")
        headers = {**COMMON_HEADERS, **CORS}
        return PageResponse(200, txn.request.jwt().encode("ascii"), oid4vp.REQUEST_MEDIA_TYPE, headers)

    def response(self, request: PageRequest) -> PageResponse:
        if request.media_type != "application/x-www-form-urlencoded":
            return self._cors(_problem(415, Code.MALFORMED_VALUE_ERROR, "post vp_token and state as a form"))
        try:
            form = parse_qs(request.body.decode("utf-8"), max_num_fields=4, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            return self._cors(_problem(400, Code.PARSING_ERROR, "the form is not readable"))
        states, tokens = form.get("state", []), form.get("vp_token", [])
        if len(states) != 1 or len(tokens) != 1:
            return self._cors(_problem(400, Code.MALFORMED_VALUE_ERROR, "one vp_token and one state are required"))
        txn = self._live(self._by_state, states[0])
        if txn is None:
            return self._cors(_problem(404, Code.NOT_FOUND, "no such request, or it has expired / 请求不存在或已过期"))
        with txn.lock:
            if txn.answered:
                return self._cors(_problem(409, Code.CONFLICT, "this request has been answered / 该请求已应答"))
            txn.answered = True
        try:
            document = oid4vp.parse_vp_token(tokens[0])
        except SkillcredError as err:
            txn.answered = False
            return self._cors(_problem(400, err.code, err.detail))
        verifier = self.page.verifier
        verifier.status.forget()  # an answer to a request is always checked against fresh status
        result = verifier.verify_presentation(document, challenge=txn.request.nonce, client_id=txn.request.client_id)
        shown = verifier.read(document) or document
        view = presentation_view(shown, result, verifier.trust, self._now())
        body = {"verified": result.verified, "trustAny": verifier.trust_any, "view": view, "result": result.to_json()}
        txn.answer = (200 if result.verified else 422, body)
        return self._cors(_json(200, {}))

    @staticmethod
    def _cors(answer: PageResponse) -> PageResponse:
        return PageResponse(answer.status, answer.body, answer.media_type, {**answer.headers, **CORS})

    def transaction(self, request: PageRequest) -> PageResponse:
        txn = self._live(self._by_token, request.path_params.get("token", ""))
        if txn is None:
            return _problem(404, Code.NOT_FOUND, "no such transaction, or it has expired")
        if txn.answer is None:
            return _json(202, {"state": "pending"})
        status, body = txn.answer
        return _json(status, body)

"""The HTTP edge the three apps share: one problem document and status table, one body cap, and the three
apps answering their errors in that one shape."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.bodycap import BODY_KEY, BodyCap, Message, Scope, body_of
from edge.problems import PROBLEM_TYPE, STATUS, problem_answer, problem_document, status_for
from tests.support import CLOCK
from vccore.errors import Code, title_en, title_zh

KEYS = {"type", "title", "title_zh", "status", "detail", "code"}


def test_a_problem_document_names_its_code_in_both_languages() -> None:
    doc = problem_document(422, Code.PROOF_VERIFICATION_ERROR, "x" * 600)
    assert doc == {
        "type": "https://w3id.org/skillcred/problems#PROOF_VERIFICATION_ERROR",
        "title": title_en(Code.PROOF_VERIFICATION_ERROR),
        "title_zh": title_zh(Code.PROOF_VERIFICATION_ERROR),
        "status": 422,
        "detail": "x" * 500,
        "code": "PROOF_VERIFICATION_ERROR",
    }


def test_a_problem_document_names_the_member_at_fault_when_told() -> None:
    """Issue 17: a refusal's JSON pointer travels as the ``pointer`` extension member, only when given."""
    assert "pointer" not in problem_document(422, Code.MALFORMED_VALUE_ERROR, "bad")
    assert problem_document(422, Code.MALFORMED_VALUE_ERROR, "bad", "/issuer")["pointer"] == "/issuer"
    _, _, body = problem_answer(422, Code.MALFORMED_VALUE_ERROR, "bad", pointer="/relatedResource/1")
    assert json.loads(body)["pointer"] == "/relatedResource/1"
    assert status_for(Code.NOT_ACCEPTABLE) == 406


@pytest.mark.parametrize(("code", "status"), [*STATUS.items(), (Code.MALFORMED_VALUE_ERROR, 422)])
def test_the_status_of_a_refusal_comes_from_one_table(code: Code, status: int) -> None:
    assert status_for(code) == status


def test_a_503_says_when_to_retry_unless_told_otherwise() -> None:
    assert problem_answer(503, Code.STORE_BUSY, "busy")[1] == {"Retry-After": "1"}
    assert problem_answer(503, Code.STORE_BUSY, "busy", {"Retry-After": "7"})[1] == {"Retry-After": "7"}
    status, headers, body = problem_answer(404, Code.NOT_FOUND, "没有")
    assert (status, headers, json.loads(body)["detail"]) == (404, {}, "没有")


# --- the body cap ------------------------------------------------------------------------------------


def _run(cap: int, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[list[Message], list[bytes]]:
    """Send a request through BodyCap; (what was sent back, the bodies the app saw)."""
    seen: list[bytes] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(body_of(scope))
        assert (await receive())["body"] == scope[BODY_KEY]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> Message:
        return pending.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/x", "headers": headers}
    asyncio.run(BodyCap(app, cap_for=lambda _path: cap)(scope, receive, send))
    return sent, seen


def test_a_body_under_the_cap_reaches_the_app_whole() -> None:
    sent, seen = _run(10, [], [b"abc", b"defg"])
    assert seen == [b"abcdefg"] and sent[0]["status"] == 204


@pytest.mark.parametrize(
    ("headers", "chunks", "status", "code"),
    [
        ([(b"content-length", b"11")], [b"x"], 413, "RESOURCE_LIMIT_EXCEEDED"),  # declared: nothing is read
        ([], [b"x" * 6, b"x" * 6], 413, "RESOURCE_LIMIT_EXCEEDED"),  # streamed past the cap
        ([(b"content-length", b"-1")], [b""], 400, "PARSING_ERROR"),
        ([(b"content-length", b"1"), (b"content-length", b"1")], [b"x"], 400, "PARSING_ERROR"),
    ],
    ids=["declared", "streamed", "negative-length", "two-lengths"],
)
def test_a_body_over_the_cap_or_a_bad_length_is_refused_in_the_problem_shape(
    headers: list[tuple[bytes, bytes]], chunks: list[bytes], status: int, code: str
) -> None:
    sent, seen = _run(10, headers, chunks)
    assert seen == []
    start, body = sent
    assert start["status"] == status and (b"content-type", PROBLEM_TYPE.encode()) in start["headers"]
    document = json.loads(body["body"])
    assert set(document) == KEYS and document["code"] == code and document["status"] == status


# --- the three apps answer in the one shape ----------------------------------------------------------------


def _shape(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_TYPE)
    document = answer.json()
    assert set(document) == KEYS and (document["status"], document["code"]) == (status, code)


def test_the_issuer_verifier_and_wallet_answer_errors_in_the_same_shape(tmp_path: Path) -> None:
    from issuer.app import create_app as issuer_app
    from issuer.tokens import TokenRegistry
    from tests.issuer.conftest import Target, build_service
    from vccore.jsonld.loader import DocumentLoader
    from verifier.app import create_app as verifier_app
    from verifier.pipeline import standard_verifier
    from verifier.status import StatusSource
    from wallet_demo.app import create_app as wallet_app
    from wallet_demo.store import Wallet

    with Target(str(tmp_path / "registry.db")).open() as store:
        issuer = TestClient(issuer_app(build_service(store), TokenRegistry(store), max_body=64))
        _shape(issuer.post("/credentials/issue", content=b"x" * 65), 413, "RESOURCE_LIMIT_EXCEEDED")
        _shape(issuer.get("/status/none"), 404, "NOT_FOUND")
    loader = DocumentLoader()
    pipeline = standard_verifier(
        trust=None, trust_any=True, loader=loader, status=StatusSource(loader=loader), clock=CLOCK
    )
    verifier = TestClient(verifier_app(pipeline))
    json_type = {"content-type": "application/json"}
    _shape(verifier.post("/credentials/verify", content=b"{", headers=json_type), 400, "PARSING_ERROR")
    _shape(verifier.post("/credentials/verify", content=b"{}"), 415, "MALFORMED_VALUE_ERROR")
    wallet = TestClient(wallet_app(Wallet.create(tmp_path / "wallet", clock=CLOCK), base_url="http://127.0.0.1"))
    _shape(wallet.get("/p/" + "A" * 20), 404, "NOT_FOUND")
    _shape(
        wallet.post("/api/request-from-photo", content=b"x" * (10 * 1024 * 1024 + 1)), 413, "RESOURCE_LIMIT_EXCEEDED"
    )

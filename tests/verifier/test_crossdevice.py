"""The scan page's OpenID4VP cross-device routes (issue 15): the request by reference, the request object,
the wallet's direct post answered once, and the page's transaction."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from tests.support import NOW, presentation
from tests.world import HOLDER, VerifierWorld
from vccore.exchange import oid4vp
from verifier.app import create_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(world: VerifierWorld) -> TestClient:
    return TestClient(create_app(world.verifier()))


def _request(client: TestClient) -> tuple[dict[str, Any], oid4vp.AuthorizationRequest]:
    made = client.post("/oid4vp/requests", json={})
    assert made.status_code == 201, made.text
    body = made.json()
    ref = oid4vp.parse_authorization_uri(body["uri"])
    assert ref.request_uri.startswith("http://testserver/oid4vp/request/")
    served = client.get(ref.request_uri)
    assert served.headers["content-type"] == oid4vp.REQUEST_MEDIA_TYPE
    assert served.headers["access-control-allow-origin"] == "*"
    request = oid4vp.parse_request_object(served.text, request_uri=ref.request_uri, now=NOW)
    assert request.client_id == ref.client_id == body["clientId"] == "redirect_uri:http://testserver/oid4vp/response"
    assert request.nonce == body["challenge"]
    return body, request


def _answer(client: TestClient, request: oid4vp.AuthorizationRequest, vp: dict[str, Any], state: str = "") -> Any:
    form = urlencode({"vp_token": oid4vp.vp_token(vp), "state": state or request.state})
    return client.post("/oid4vp/response", content=form, headers=FORM)


def test_a_direct_post_answer_is_verified_once_and_collected_by_the_page(
    client: TestClient, world: VerifierWorld
) -> None:
    body, request = _request(client)
    pending = client.get(f"/oid4vp/transactions/{body['transaction']}")
    assert pending.status_code == 202 and pending.json() == {"state": "pending"}
    vp = presentation([world.credential()], HOLDER, challenge=request.nonce, domain=request.client_id)
    posted = _answer(client, request, vp)
    assert posted.status_code == 200 and posted.json() == {}
    assert posted.headers["access-control-allow-origin"] == "*"
    done = client.get(f"/oid4vp/transactions/{body['transaction']}")
    assert done.status_code == 200, done.text
    assert done.json()["view"]["verdict"]["headline"]["zh"] == "✓ 核验通过"
    again = _answer(client, request, vp)
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"


def test_an_answer_signed_for_another_client_or_nonce_is_not_verified(client: TestClient, world: VerifierWorld) -> None:
    body, request = _request(client)
    vp = presentation([world.credential()], HOLDER, challenge=request.nonce)  # domain: the verifier's, not client_id
    assert _answer(client, request, vp).status_code == 200
    done = client.get(f"/oid4vp/transactions/{body['transaction']}")
    assert done.status_code == 422
    assert done.json()["view"]["verdict"]["headline"]["zh"] == "✗ 不是对本次请求的出示（挑战码不符）"


def test_bad_answers_change_nothing(client: TestClient, world: VerifierWorld) -> None:
    body, request = _request(client)
    vp = presentation([world.credential()], HOLDER, challenge=request.nonce, domain=request.client_id)
    assert _answer(client, request, vp, state="x" * 32).json()["code"] == "NOT_FOUND"
    bad = client.post("/oid4vp/response", content=urlencode({"vp_token": "[]", "state": request.state}), headers=FORM)
    assert bad.status_code == 400 and bad.json()["code"] == "MALFORMED_VALUE_ERROR"
    json_body = client.post("/oid4vp/response", json={"vp_token": "{}", "state": request.state})
    assert json_body.status_code == 415
    assert client.get(f"/oid4vp/transactions/{body['transaction']}").status_code == 202
    assert _answer(client, request, vp).status_code == 200  # the request is still answerable
    assert client.get(f"/oid4vp/transactions/{'y' * 32}").status_code == 404
    assert client.get(f"/oid4vp/request/{'y' * 32}").status_code == 404

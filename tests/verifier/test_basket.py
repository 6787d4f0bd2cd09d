"""The scan page's basket on the server side (issue 15): a recognition scanned alone is incomplete (amber,
not failed); with its source's own code beside it (``sources``) the chain verifies; bad ``sources`` are
refused and change nothing."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.world import VerifierWorld, recognitions
from vccore.qr import payload as qr
from vccore.recognition.chain import chain_checker, pool_lookup
from verifier.app import create_app
from verifier.page import MAX_SOURCES


@pytest.fixture
def client(world: VerifierWorld) -> TestClient:
    chains = recognitions(held=True)
    checker = chain_checker(pool_lookup([chains.rules_cn, chains.rules_sx]))  # the verifier knows the rules only
    return TestClient(create_app(world.verifier(chain_checker=checker)))


def test_a_recognition_verifies_with_its_source_scanned_beside_it(client: TestClient) -> None:
    chains = recognitions(held=True)
    alone = client.post("/scan/verify", json={"payload": qr.encode(chains.recognition)})
    assert alone.status_code == 422
    view = alone.json()["view"]
    assert view["state"] == "incomplete" and view["verdict"]["tone"] == "incomplete"
    missing = [n["id"] for n in view["chain"]["nodes"] if n["role"] == "source"]
    assert missing == [chains.p1["id"]]
    both = client.post(
        "/scan/verify", json={"payload": qr.encode(chains.recognition), "sources": [qr.encode(chains.p1)]}
    )
    assert both.status_code == 200, both.text
    assert both.json()["view"]["chain"]["state"] == "verified"
    assert both.json()["sources"] == [qr.encode(chains.p1)]  # sent back, so that 重新查询 sends them again


@pytest.mark.parametrize(
    ("sources", "code"),
    [
        ("SC2:X", "MALFORMED_VALUE_ERROR"),
        ([1], "MALFORMED_VALUE_ERROR"),
        (["x"] * (MAX_SOURCES + 1), "MALFORMED_VALUE_ERROR"),
        (["SC2:" + "0" * 8], "PARSING_ERROR"),
    ],
    ids=["str", "int", "many", "undecodable"],
)
def test_bad_sources_are_refused(client: TestClient, sources: object, code: str) -> None:
    chains = recognitions(held=True)
    answer = client.post("/scan/verify", json={"payload": qr.encode(chains.recognition), "sources": sources})
    assert answer.status_code == 400
    assert answer.json()["code"] == code

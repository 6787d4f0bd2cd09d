"""One issuance engine (issue 13): the same input issued through ``skillcred issuer issue``, the VC-API and
a one-row ``skillcred issuer batch`` gives credentials that differ only in what each issuance makes anew
(id, dates, status indexes, signature, and the identity hash's random salt), each of them schema-valid and
verifying, and each recorded by :meth:`issuer.engine.Engine.record`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from issuer.app import create_app
from issuer.engine import Engine
from issuer.home import IssuerHome, open_issuer
from issuer.kinds import Issuer, build
from issuer.signing import TEST_HASH
from issuer.tokens import TokenRegistry
from tests.issuer.conftest import FAST, PASSPHRASE, Cli
from tests.support import CLOCK, NOW
from tests.world import issuer_input
from vccore.credentials import verify_issued
from vccore.did.resolver import DidResolver
from vccore.jsonld.loader import DocumentLoader
from vccore.kinds import identity
from vccore.kinds.schemas import check_schemas

P1 = issuer_input("P1")
#: what each issuance makes anew, by JSON pointer
FRESH = (
    "/id",
    "/validFrom",
    "/proof",
    "/credentialSubject/identityHash/hashValue",
    "/credentialSubject/identityHash/salt",
)


def _without_fresh(credential: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(credential))
    for pointer in FRESH:
        *parents, last = pointer.strip("/").split("/")
        node = out
        for part in parents:
            node = node[part]
        assert last in node, f"{pointer} is missing"
        del node[last]
    for entry in out["credentialStatus"]:  # the indexes (and the entry ids naming them) are allocated anew
        for field in ("id", "statusListIndex", "statusListCredential"):
            entry.pop(field)
    return dict(out)


def _flat_row(data: dict[str, Any]) -> dict[str, str]:
    row = {k: v for k, v in data.items() if not isinstance(v, dict)}
    row |= {f"evaluationOrganization.{k}": v for k, v in data["evaluationOrganization"].items()}
    return row


@pytest.fixture
def issued_three_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], list[str]]:
    recorded: list[str] = []
    original = Engine.record

    def record(self: Engine, *args: Any, **kwargs: Any) -> Any:
        recorded.append("batch" if kwargs.get("batch") else "one")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "record", record)
    cli = Cli(tmp_path / "home")
    cli.init()
    data_file = tmp_path / "p1.json"
    data_file.write_text(json.dumps(P1, ensure_ascii=False), encoding="utf-8")
    by_cli = cli("issue", "skill-level", "--data", str(data_file), *FAST)
    assert by_cli.exit_code == 0, by_cli.output

    rows = tmp_path / "one.csv"
    with rows.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(_flat_row(P1)))
        writer.writeheader()
        writer.writerow(_flat_row(P1))
    batch = cli("batch", str(rows), "--kind", "skill-level", "--out", str(tmp_path / "out"), "--workers", "1", *FAST)
    assert batch.exit_code == 0, batch.output
    by_batch = json.loads((tmp_path / "out" / f"{P1['certificateNumber']}.json").read_bytes())

    with open_issuer(IssuerHome(tmp_path / "home"), passphrase=PASSPHRASE, clock=CLOCK, hasher=TEST_HASH) as opened:
        token = TokenRegistry(opened.store).create(["credentials:issue"], now=NOW).token
        client = TestClient(create_app(opened.service, TokenRegistry(opened.store)))
        profile = opened.profile
        unsigned = build(
            "skill-level",
            P1,
            issuer=Issuer(profile.did, profile.name_zh, profile.name_en),
            valid_from="2026-11-30T12:00:00Z",
            credential_id="urn:uuid:0b7c3f5e-2d0a-4a59-9a55-0e6f3c1d2b01",
            hasher=TEST_HASH,
        )
        answer = client.post(
            "/credentials/issue", json={"credential": unsigned}, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 201, answer.text
        by_api = answer.json()["verifiableCredential"]
        did_document = opened.service.did_document()
    loader = DocumentLoader(resolver=DidResolver(documents={did_document["id"]: did_document}))
    issued = [json.loads(by_cli.stdout), by_batch, by_api]
    for credential in issued:
        result = verify_issued(credential, loader=loader, now=NOW)
        assert result.verified, result.to_json()
        outcome = check_schemas(credential)
        assert outcome.problems == () and outcome.checked == ("https://w3id.org/skillcred/schemas/skill-level-v1.json",)
    return issued, recorded


def test_the_same_input_through_the_cli_the_vc_api_and_a_one_row_batch_gives_the_same_credential(
    issued_three_ways: tuple[list[dict[str, Any]], list[str]],
) -> None:
    issued, recorded = issued_three_ways
    by_cli, by_batch, by_api = (_without_fresh(c) for c in issued)
    assert by_cli == by_batch == by_api
    assert recorded == ["one", "batch", "one"]  # every path records through the engine
    assert len({c["id"] for c in issued}) == 3
    indexes = {(e["statusListCredential"], e["statusListIndex"]) for c in issued for e in c["credentialStatus"]}
    assert len(indexes) == 6


def test_each_identity_hash_is_of_the_same_number_under_its_own_salt(
    issued_three_ways: tuple[list[dict[str, Any]], list[str]],
) -> None:
    issued, _ = issued_three_ways
    hashes = [c["credentialSubject"]["identityHash"] for c in issued]
    assert all(identity.matches(h, P1["idNumber"]) for h in hashes)
    assert len({h["salt"] for h in hashes}) == 3

"""``skillcred issuer rules publish`` and ``skillcred issuer recognize``, and ``POST /recognitions``: an
evaluation organization issues 张试一's technician credential, a recognition authority publishes the
shipped rule sets and derives a recognition after checking the source against a trust pack (trust list +
status snapshot), or says which condition failed and issues nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from issuer.app import create_app
from issuer.home import IssuerHome, init_issuer, open_issuer
from issuer.tokens import TokenRegistry
from skillcred.cli import cli
from skillcred.recognize_cli import make_recognizer, published_rules
from tests.support import CLOCK, LOADER, NOW, invoke
from tests.world import ROOT, issuer_input, signed_trust_list
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList
from vccore.trust.pack import StatusSnapshot, build_trust_pack

PASS = "demo passphrase for tests"
P1 = issuer_input("P1")


def _run(home: Path, *args: str) -> Any:
    res = invoke(cli, ["issuer", *args], env={"SKILLCRED_HOME": str(home), "SKILLCRED_PASSPHRASE": PASS})
    assert "Traceback" not in res.output
    return res


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("rec")
    now = NOW
    homes = {"eval": base / "eval", "auth": base / "auth"}
    names = {
        "eval": ("示例重型机床有限公司", "Example Heavy Machine Tool Co."),
        "auth": ("山西省人力资源和社会保障厅（测试）", "Shanxi HRSS Department (test)"),
    }
    for slug, home in homes.items():
        init_issuer(
            IssuerHome(home),
            did_web=None,
            name_zh=names[slug][0],
            name_en=names[slug][1],
            passphrase=PASS,
            base_url=f"https://{slug}.example.test",
            kdf="minimal",
            clock=CLOCK,
        )
    data = base / "p1.json"
    data.write_text(json.dumps(P1, ensure_ascii=False), encoding="utf-8")
    res = _run(homes["eval"], "issue", "skill-level", "--data", str(data), "--out", str(base / "cred.json"))
    assert res.exit_code == 0, res.output
    published = _run(homes["auth"], "rules", "publish", "--set", "CN", "--set", "CN-SX")
    assert published.exit_code == 0, published.output
    issuers = []
    snapshots = []
    for slug, home in homes.items():
        with open_issuer(IssuerHome(home), passphrase=PASS, clock=CLOCK) as opened:
            keys = tuple(
                KeyPeriod(f"{opened.profile.did}#{k.public_multibase}", now - timedelta(days=1))
                for k in opened.keystore.published()
            )
            role, types, where = (
                (("skill-evaluation-organization",), ("SkillLevelCredential",), ("CN-SX",))
                if slug == "eval"
                else (("recognition-authority",), ("RecognitionRuleCredential", "RecognitionCredential"), ("CN",))
            )
            issuers.append(TrustedIssuer(opened.profile.did, *names[slug], role, where, types, keys))
            # the pack carries the status lists of what it vouches for offline: the source credential's
            # (eval) and the published rule credentials' (auth), or recognitions could not be checked
            documents = (
                [json.loads((base / "cred.json").read_text(encoding="utf-8"))]
                if slug == "eval"
                else published_rules(opened)
            )
            urls = {e["statusListCredential"] for d in documents for e in d["credentialStatus"]}
            for url in sorted(urls):
                body = json.loads(opened.service.status_list_credential(url.rsplit("/", 1)[1]))
                snapshots.append(StatusSnapshot(url, body, now))
    tl = signed_trust_list(TrustList(tuple(issuers), now), id="urn:test:trust-list")
    pack = build_trust_pack(trust_lists=[tl], signer=ROOT, loader=LOADER, now=now, status_snapshots=snapshots)
    (base / "pack.json").write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    return {
        "base": base,
        "homes": homes,
        "root": ROOT.controller,
        "pack": base / "pack.json",
        "cred": base / "cred.json",
    }


def test_rule_sets_are_published_once(world: dict[str, Any]) -> None:
    again = _run(world["homes"]["auth"], "rules", "publish", "--set", "CN-SX")
    assert again.exit_code == 0 and "already published" in again.output
    with open_issuer(IssuerHome(world["homes"]["auth"]), passphrase=PASS, clock=CLOCK) as opened:
        assert len(published_rules(opened)) == 2


def test_a_recognition_is_derived_when_the_rule_holds(world: dict[str, Any]) -> None:
    res = _run(
        world["homes"]["auth"],
        "recognize",
        str(world["cred"]),
        "--rule",
        "CN-SX-L2-TO-INTERMEDIATE",
        "--declare",
        "reviewOutcome=selected",
        "--trust-pack",
        str(world["pack"]),
        "--root",
        world["root"],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    subject = doc["credentialSubject"]
    assert "RecognitionCredential" in doc["type"]
    assert subject["recognizedAs"]["titleLevel"] == "intermediate"
    # issue 18: the Shanxi rule is reported by the article, selective (a review outcome), and its basis is empty
    assert subject["ruleStanding"] == "reported"
    assert subject["legalBasis"] == {"type": "LegalBasis"}
    assert "择优" in subject["ruleNote"][0]["@value"]
    assert subject["name"] == "张试一"
    assert len(doc["relatedResource"]) == 2


def test_a_rule_that_does_not_hold_says_why_and_issues_nothing(world: dict[str, Any]) -> None:
    with open_issuer(IssuerHome(world["homes"]["auth"]), passphrase=PASS, clock=CLOCK) as opened:
        with opened.store.read() as tx:
            before = len(tx.credentials())
    res = _run(
        world["homes"]["auth"],
        "recognize",
        str(world["cred"]),
        "--rule",
        "CN-ENG-2018-L2-TO-INTERMEDIATE",
        "--as-of",
        "2025-12-31",
        "--declare",
        "workField=engineering",
        "--trust-pack",
        str(world["pack"]),
        "--root",
        world["root"],
    )
    assert res.exit_code == 1
    assert "RULE_NOT_SATISFIED" in res.output
    assert "3" in res.output and "年" in res.output and "years" in res.output
    with open_issuer(IssuerHome(world["homes"]["auth"]), passphrase=PASS, clock=CLOCK) as opened:
        with opened.store.read() as tx:
            assert len(tx.credentials()) == before


def test_the_same_rule_holds_on_a_later_date(world: dict[str, Any]) -> None:
    res = _run(
        world["homes"]["auth"],
        "recognize",
        str(world["cred"]),
        "--rule",
        "CN-ENG-2018-L2-TO-INTERMEDIATE",
        "--as-of",
        "2026-07-01",
        "--declare",
        "workField=engineering",
        "--trust-pack",
        str(world["pack"]),
        "--root",
        world["root"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["credentialSubject"]["grants"] == ["eligibility-to-apply"]


def test_a_tampered_source_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    doc = json.loads(world["cred"].read_text(encoding="utf-8"))
    doc["credentialSubject"]["skillLevel"] = "L1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = _run(
        world["homes"]["auth"],
        "recognize",
        str(bad),
        "--rule",
        "CN-SX-L2-TO-INTERMEDIATE",
        "--trust-pack",
        str(world["pack"]),
        "--root",
        world["root"],
    )
    assert res.exit_code == 1 and "CHAIN_SOURCE_INVALID" in res.output


def test_post_recognitions_derives_and_refuses(world: dict[str, Any]) -> None:
    with open_issuer(IssuerHome(world["homes"]["auth"]), passphrase=PASS, clock=CLOCK) as opened:
        recognizer = make_recognizer(opened, trust_pack=world["pack"], root=world["root"], online=False)
        tokens = TokenRegistry(opened.store)
        token = tokens.create(["credentials:issue"], now=NOW).token
        client = TestClient(create_app(opened.service, tokens, recognizer=recognizer))
        source = json.loads(world["cred"].read_text(encoding="utf-8"))
        body = {"sources": [source], "rule": "CN-SX-L2-TO-INTERMEDIATE", "declarations": {"reviewOutcome": "selected"}}
        assert client.post("/recognitions", json=body).status_code == 401
        auth = {"Authorization": f"Bearer {token}"}
        ok = client.post("/recognitions", json=body, headers=auth)
        assert ok.status_code == 201, ok.text
        assert "RecognitionCredential" in ok.json()["verifiableCredential"]["type"]
        no = client.post(
            "/recognitions",
            json={
                **body,
                "rule": "CN-ENG-2018-L2-TO-INTERMEDIATE",
                "asOf": "2025-12-31",
                "declarations": {"workField": "engineering"},
            },
            headers=auth,
        )
        assert no.status_code == 422 and no.json()["code"] == "RULE_NOT_SATISFIED"
        assert client.post("/recognitions", json={"sources": "x", "rule": 1}, headers=auth).status_code == 400


@pytest.mark.parametrize(("as_of", "reason"), [("2023-06-01", "before"), ("2026-12-25", "in the future")])
def test_an_as_of_date_before_the_sources_or_in_the_future_is_refused_everywhere(
    world: dict[str, Any], as_of: str, reason: str
) -> None:
    res = _run(
        world["homes"]["auth"],
        "recognize",
        str(world["cred"]),
        "--rule",
        "CN-SX-L2-TO-INTERMEDIATE",
        "--declare",
        "reviewOutcome=selected",
        "--as-of",
        as_of,
        "--trust-pack",
        str(world["pack"]),
        "--root",
        world["root"],
    )
    assert res.exit_code == 1 and "RANGE_ERROR" in res.output and reason in res.output, res.output
    with open_issuer(IssuerHome(world["homes"]["auth"]), passphrase=PASS, clock=CLOCK) as opened:
        with opened.store.read() as tx:
            before = tx.count("credentials")
        recognizer = make_recognizer(opened, trust_pack=world["pack"], root=world["root"], online=False)
        tokens = TokenRegistry(opened.store)
        token = tokens.create(["credentials:issue"], now=NOW).token
        client = TestClient(create_app(opened.service, tokens, recognizer=recognizer))
        source = json.loads(world["cred"].read_text(encoding="utf-8"))
        answer = client.post(
            "/recognitions",
            json={
                "sources": [source],
                "rule": "CN-SX-L2-TO-INTERMEDIATE",
                "asOf": as_of,
                "declarations": {"reviewOutcome": "selected"},
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 422 and answer.json()["code"] == "RANGE_ERROR", answer.text
        with opened.store.read() as tx:
            assert tx.count("credentials") == before  # nothing issued

"""One path for each operator task (issue 14), through the ``skillcred`` command: an evaluation
organization and a recognition authority (did:key issuers) issue and publish; the root operator starts from
``trust-list template``, signs it, and ``pack build`` derives the DID documents and fetches the status lists
from the issuers over HTTP (``--status-from``), saying what is still missing; ``issuer recognize`` and
``explain`` then work with that pack alone. ``issuer kinds`` documents ``issue --data``; ``issuer show``
prints any issued credential."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import Result
from starlette.applications import Starlette
from starlette.routing import Mount

from issuer.app import create_app
from issuer.home import IssuerHome, open_issuer
from issuer.kinds import KINDS
from issuer.tokens import TokenRegistry
from skillcred.cli import cli
from tests.issuer.conftest import FAST
from tests.support import CLOCK, NOW, invoke
from tests.world import issuer_input
from vccore.timeutil import format_datetime

PASS = "operator tests passphrase, long enough"
NOW_TEXT = format_datetime(NOW)


def run(home: Path | None, *args: str) -> Result:
    env = {"SKILLCRED_PASSPHRASE": PASS} | ({"SKILLCRED_HOME": str(home)} if home else {})
    result = invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def ok(home: Path | None, *args: str) -> str:
    result = run(home, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two did:key issuers (evaluation organization, recognition authority) with one credential and the
    CN and CN-SX rule sets, both served over HTTP on a loopback port (their issuer apps)."""
    base = tmp_path_factory.mktemp("ops")
    homes = {"eval": base / "eval", "auth": base / "auth"}
    names = {
        "eval": ("示例重型机床有限公司", "Example Heavy Machine Tool Co."),
        "auth": ("示例省人社厅", "Example HRSS"),
    }
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server_url = f"http://127.0.0.1:{port}"
    dids = {}
    for slug, home in homes.items():
        dids[slug] = ok(
            home,
            "issuer",
            "init",
            "--did-key",
            "--name-zh",
            names[slug][0],
            "--name-en",
            names[slug][1],
            "--base-url",
            f"{server_url}/{slug}",
            "--key-kdf",
            "minimal",
        ).strip()
    (base / "p1.json").write_text(json.dumps(issuer_input("P1"), ensure_ascii=False), encoding="utf-8")
    cred_id = ok(
        homes["eval"],
        "issuer",
        "issue",
        "skill-level",
        "--data",
        str(base / "p1.json"),
        "--out",
        str(base / "p1c.json"),
    ).strip()
    ok(homes["auth"], "issuer", "rules", "publish", "--set", "CN", "--set", "CN-SX", "--out", str(base / "rules.json"))
    opened = {s: open_issuer(IssuerHome(h), passphrase=PASS, clock=CLOCK) for s, h in homes.items()}
    app = Starlette(
        routes=[Mount(f"/{s}", app=create_app(o.service, TokenRegistry(o.store))) for s, o in opened.items()]
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield {"base": base, "homes": homes, "dids": dids, "url": server_url, "cred_id": cred_id}
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        for o in opened.values():
            o.close()


def test_kinds_prints_each_kinds_fields_and_an_example_that_issue_takes(tmp_path: Path) -> None:
    listing = ok(None, "issuer", "kinds")
    for each in KINDS.values():
        assert f"{each.name}  ({each.type_name}" in listing
    assert "skillLevel  string  必填 / required  {apprentice, L5, L4, L3, L2, L1" in listing
    assert "evaluationOrganization  object  可选 / optional" in listing
    home = tmp_path / "home"
    ok(home, "issuer", "init", "--did-key", "--name-zh", "甲", "--name-en", "A", "--key-kdf", "minimal")
    for kind in KINDS:
        example = ok(None, "issuer", "kinds", kind, "--example")
        assert set(json.loads(example)) >= {"name", "idNumber", "certificateNumber"}
        (tmp_path / f"{kind}.json").write_text(example, encoding="utf-8")
        issued = json.loads(ok(home, "issuer", "issue", kind, "--data", str(tmp_path / f"{kind}.json"), *FAST))
        assert KINDS[kind].type_name in issued["type"]
    usage = run(None, "issuer", "kinds", "--example")
    assert usage.exit_code == 2 and "--example needs a KIND" in usage.output


def test_show_prints_any_issued_credential_and_its_status(served: dict[str, Any]) -> None:
    home, cred_id = served["homes"]["eval"], served["cred_id"]
    shown = run(home, "issuer", "show", cred_id)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.strip() == (served["base"] / "p1c.json").read_text(encoding="utf-8").strip()
    assert "status: not revoked or suspended" in shown.stderr
    missing = run(home, "issuer", "show", "urn:uuid:00000000-0000-4000-8000-000000000000")
    assert missing.exit_code == 1 and "NOT_FOUND" in missing.stderr


def test_rules_publish_out_writes_the_signed_rule_credentials(served: dict[str, Any]) -> None:
    rules = json.loads((served["base"] / "rules.json").read_text(encoding="utf-8"))
    assert len(rules) == 2 and all("RecognitionRuleCredential" in r["type"] for r in rules)
    assert {r["issuer"]["id"] if isinstance(r["issuer"], dict) else r["issuer"] for r in rules} == {
        served["dids"]["auth"]
    }
    again = run(
        served["homes"]["auth"], "issuer", "rules", "publish", "--set", "CN", "--out", str(served["base"] / "cn.json")
    )
    assert again.exit_code == 0 and "already published" in again.stdout and "1 rule credential(s)" in again.stdout


def test_keys_generate_can_print_the_did(tmp_path: Path) -> None:
    did = ok(None, "keys", "generate", "--out", str(tmp_path / "k.json"), "--print-did").strip()
    key = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert did.startswith("did:key:z6Mk") and key["controller"] == did and "#" not in did


def _template(served: dict[str, Any], slug: str, *args: str) -> dict[str, Any]:
    return dict(json.loads(ok(None, "verifier", "trust-list", "template", "--issuer", served["dids"][slug], *args)))


def test_a_pack_from_a_template_with_status_fetched_from_the_issuers_recognizes_and_explains(
    served: dict[str, Any],
) -> None:
    base, dids = served["base"], served["dids"]
    root = ok(None, "keys", "generate", "--out", str(base / "root.json"), "--print-did").strip()
    evaluator = _template(
        served, "eval", "--name-zh", "示例重型机床有限公司", "--name-en", "Example", "--jurisdiction", "CN-SX"
    )
    authority = _template(
        served,
        "auth",
        *("--name-zh", "示例省人社厅", "--name-en", "Example HRSS", "--role", "recognition-authority"),
        *("--type", "RecognitionRuleCredential", "--type", "RecognitionCredential"),
    )
    assert evaluator["issuers"][0]["keys"][0]["id"].startswith(dids["eval"] + "#")
    assert "recognition-authority" in evaluator["_about"]["issuers[].roles"]
    listing = evaluator | {"issuers": evaluator["issuers"] + authority["issuers"]}
    (base / "issuers.json").write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")
    ok(
        None,
        "verifier",
        "trust-list",
        "sign",
        str(base / "issuers.json"),
        "--root-key",
        str(base / "root.json"),
        "--out",
        str(base / "tl.json"),
    )
    pack = str(base / "pack.json")
    common = ("verifier", "pack", "build", "--root-key", str(base / "root.json"), "--trust-list", str(base / "tl.json"))

    bare = run(None, *common, "--out", pack)
    assert bare.exit_code == 0, bare.output
    assert "2 DID document(s)" in bare.stdout  # derived from the did:key DIDs
    assert bare.stderr.count("No status list snapshot") == 2 and "No rule credentials of 示例省人社厅" in bare.stderr

    built = run(
        None,
        *common,
        "--status-from",
        f"{served['url']}/eval",
        "--status-from",
        f"{served['url']}/auth",
        "--rules",
        str(base / "rules.json"),
        "--out",
        pack,
    )
    assert built.exit_code == 0, built.output
    assert "2 rule credential(s), 4 status snapshot(s)" in built.stdout and built.stderr == ""

    verified = run(None, "verify", str(base / "p1c.json"), "--trust-pack", pack, "--root", root)
    assert verified.exit_code == 0, verified.output
    rec = base / "rec.json"
    ok(
        served["homes"]["auth"],
        *("issuer", "recognize", str(base / "p1c.json"), "--rule", "CN-SX-L2-TO-INTERMEDIATE"),
        *("--as-of", "2026-07-01", "--declare", "reviewOutcome=selected"),  # Shanxi selects in a review (issue 18)
        *("--trust-pack", pack, "--root", root, "--out", str(rec)),
    )
    explained = run(
        None,
        "explain",
        str(rec),
        "--sources",
        str(base / "p1c.json"),
        "--trust-pack",
        pack,
        "--root",
        root,
        "--now",
        NOW_TEXT,
    )
    assert explained.exit_code == 0, explained.output
    assert "认定链成立 / the recognition chain verifies" in explained.stdout


def test_status_from_a_url_that_is_not_an_issuer_is_one_clear_error(served: dict[str, Any], tmp_path: Path) -> None:
    base = served["base"]
    ok(None, "keys", "generate", "--out", str(tmp_path / "root.json"))
    listing = _template(served, "eval")
    (tmp_path / "issuers.json").write_text(json.dumps(listing), encoding="utf-8")
    ok(
        None,
        "verifier",
        "trust-list",
        "sign",
        str(tmp_path / "issuers.json"),
        "--root-key",
        str(tmp_path / "root.json"),
        "--out",
        str(tmp_path / "tl.json"),
    )
    result = run(
        None,
        *(
            "verifier",
            "pack",
            "build",
            "--root-key",
            str(tmp_path / "root.json"),
            "--trust-list",
            str(tmp_path / "tl.json"),
        ),
        *("--status-from", f"{served['url']}/nowhere", "--out", str(tmp_path / "p.json")),
    )
    assert result.exit_code == 1 and "--status-from" in result.stderr and not (tmp_path / "p.json").exists()
    assert base.exists()


def test_template_refuses_values_that_are_not_allowed() -> None:
    result = run(None, "verifier", "trust-list", "template", "--role", "mayor")
    assert result.exit_code == 2 and "not allowed: mayor" in result.output

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support import NOW, invoke, sign
from tests.world import (
    EVAL,
    REVOKED_INDEX,
    ROGUE,
    ROOT,
    SUSPENDED_INDEX,
    TITLE_BOARD,
    WEB_DID,
    VerifierWorld,
    status_entries,
    status_list,
    web_document,
)
from vccore.jsonld.loader import DocumentLoader, pin_context
from vccore.trust.lists import trust_list_credential
from vccore.trust.pack import StatusSnapshot, build_trust_pack
from verifier.cli import main


def test_verify_with_trust_any_warns_and_passes(world: VerifierWorld, tmp_path: Path) -> None:
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(world.credential(status=False)), encoding="utf-8")
    result = invoke(main, ["verify", str(path), "--trust", "any"])
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.output and "NOT checked" in result.output


def test_verify_with_a_trust_pack_offline(world: VerifierWorld, tmp_path: Path) -> None:
    # the CLI uses the real clock: sign a trust list and a pack that last a century
    century = timedelta(days=36500)
    tl = trust_list_credential(
        world.trust, root_did=ROOT.controller, id="urn:tl", now=NOW - century / 2, valid_for=century
    )
    pack = build_trust_pack(
        trust_lists=[sign(tl, ROOT, created=NOW - century / 2)],
        signer=ROOT,
        loader=world.loader,
        now=NOW - century / 2,
        valid_for=century,
        did_documents={WEB_DID: web_document(TITLE_BOARD)},
        status_snapshots=[StatusSnapshot(u, d, NOW) for u, d in world.lists.items()],
    )
    (tmp_path / "pack.json").write_text(json.dumps(pack), encoding="utf-8")
    (tmp_path / "vc.json").write_text(json.dumps(world.credential(status=False)), encoding="utf-8")
    args = ["verify", str(tmp_path / "vc.json"), "--trust-pack", str(tmp_path / "pack.json")]
    result = invoke(main, [*args, "--root", ROOT.controller, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["info"]["trustPackValidUntil"]
    wrong = invoke(main, [*args, "--root", ROGUE.controller])
    assert wrong.exit_code == 2 and "does not verify" in wrong.output


def test_verify_without_trust_configuration_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    result = invoke(main, ["verify", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "--trust any" in result.output


def test_garbage_file_fails_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_bytes(b'{"a": NaN}')
    result = invoke(main, ["verify", str(tmp_path / "x.json"), "--trust", "any"])
    assert result.exit_code == 1 and "PARSING_ERROR" in result.output


@pytest.fixture
def list_server(world: VerifierWorld) -> Iterator[str]:
    """A plain-HTTP loopback server answering each path with the world's lists re-published at
    ``http://127.0.0.1:PORT/revocation`` and ``/suspension``; yields ``127.0.0.1:PORT``."""
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/vc")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint = f"127.0.0.1:{server.server_address[1]}"
    for name, bit in (("revocation", REVOKED_INDEX), ("suspension", SUSPENDED_INDEX)):
        url = f"http://{endpoint}/{name}"
        served[f"/{name}"] = json.dumps(status_list(url, name, set_bits=(bit,))).encode()  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()


def _with_loopback_status(world: VerifierWorld, tmp_path: Path, endpoint: str, index: int) -> str:
    unsigned = world.unsigned(kind="VerifiableCredential", index=index)
    unsigned["credentialStatus"] = status_entries(
        index, revocation=f"http://{endpoint}/revocation", suspension=f"http://{endpoint}/suspension"
    )
    path = tmp_path / f"vc-{index}.json"
    path.write_text(json.dumps(sign(unsigned, EVAL)), encoding="utf-8")
    return str(path)


def test_allow_fetch_lets_the_verifier_read_a_loopback_status_list(
    world: VerifierWorld, tmp_path: Path, list_server: str
) -> None:
    """``--allow-fetch HOST:PORT`` (issue 17): the status lists on a loopback test server are fetched and
    read (the revoked index is REVOKED, another passes); without it the fetch is refused by the
    private-address policy, as before; without --online it is a usage error."""
    good = _with_loopback_status(world, tmp_path, list_server, 3)
    revoked = _with_loopback_status(world, tmp_path, list_server, REVOKED_INDEX)
    allowed = ["--trust", "any", "--online", "--allow-fetch", list_server, "--json"]
    ok = invoke(main, ["verify", good, *allowed])
    assert ok.exit_code == 0, ok.output
    checks = {c["check"]: c for c in json.loads(ok.output)["checks"]}
    assert checks["status.revocation"]["passed"] and checks["status.suspension"]["passed"]
    refused = invoke(main, ["verify", revoked, *allowed])
    assert refused.exit_code == 1
    assert "REVOKED" in {p["code"] for c in json.loads(refused.output)["checks"] for p in c.get("problems", [])}
    default = invoke(main, ["verify", good, "--trust", "any", "--online", "--json"])
    assert default.exit_code == 1
    codes = {p["code"] for c in json.loads(default.output)["checks"] for p in c.get("problems", [])}
    assert codes == {"STATUS_RETRIEVAL_ERROR"}, default.output
    offline = invoke(main, ["verify", good, "--trust", "any", "--allow-fetch", list_server])
    assert offline.exit_code == 2 and "--allow-fetch needs --online" in offline.output
    bad = invoke(main, ["verify", good, "--trust", "any", "--online", "--allow-fetch", "https://x.example/"])
    assert bad.exit_code == 2 and "--allow-fetch" in bad.output


TRAINING_URL = "https://contexts.example.org/training/v1"
TRAINING = (
    b'{"@context": {"@protected": true, "TrainingCredential": "https://example.org/training#TrainingCredential",'
    b' "course": "https://example.org/training#course"}}'
)
TRAINING_SHA = hashlib.sha256(TRAINING).hexdigest()


def training_credential(subject: str = "did:example:trainee") -> dict[str, Any]:
    """A credential in an operator's own context, signed by EVAL."""
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2", TRAINING_URL],
        "type": ["VerifiableCredential", "TrainingCredential"],
        "issuer": EVAL.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject, "course": "数控车床操作"},
    }
    loader = DocumentLoader(pinned=[pin_context(TRAINING_URL, TRAINING, TRAINING_SHA)])
    return sign(unsigned, EVAL, loader=loader)


def _codes(output: str) -> set[str]:
    return {p["code"] for c in json.loads(output)["checks"] for p in c.get("problems", [])}


def test_verify_takes_operator_contexts_from_the_command_line_and_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "training.jsonld").write_bytes(TRAINING)
    (tmp_path / "vc.json").write_text(json.dumps(training_credential()), encoding="utf-8")
    example = sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential", "ExampleDegreeCredential"],
            "issuer": EVAL.controller,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:graduate", "degree": {"name": "Bachelor of Arts"}},
        },
        EVAL,
        loader=DocumentLoader(examples=True),
    )
    (tmp_path / "example.json").write_text(json.dumps(example), encoding="utf-8")
    base = ["--trust", "any", "--json"]
    refused = invoke(main, ["verify", str(tmp_path / "vc.json"), *base])
    assert refused.exit_code == 1 and _codes(refused.output) == {"CONTEXT_NOT_ALLOWED"}
    pinned = ["--context", TRAINING_URL, str(tmp_path / "training.jsonld"), TRAINING_SHA]
    ok = invoke(main, ["verify", str(tmp_path / "vc.json"), *base, *pinned])
    assert ok.exit_code == 0, ok.output
    assert invoke(main, ["verify", str(tmp_path / "example.json"), *base]).exit_code == 1
    assert invoke(main, ["verify", str(tmp_path / "example.json"), *base, "--examples-contexts"]).exit_code == 0
    config = {
        "contexts": [{"url": TRAINING_URL, "file": "training.jsonld", "sha256": TRAINING_SHA}],
        "examplesContexts": True,
    }
    (tmp_path / "contexts.json").write_text(json.dumps(config), encoding="utf-8")
    for file in ("vc.json", "example.json"):
        got = invoke(
            main, ["verify", str(tmp_path / file), *base, "--contexts-config", str(tmp_path / "contexts.json")]
        )
        assert got.exit_code == 0, got.output
    wrong = invoke(
        main,
        [
            "verify",
            str(tmp_path / "vc.json"),
            *base,
            "--context",
            TRAINING_URL,
            str(tmp_path / "training.jsonld"),
            "0" * 64,
        ],
    )
    assert wrong.exit_code == 2 and "is not the pinned" in wrong.output


def test_verify_takes_inline_contexts_and_vc11_only_when_switched_on(tmp_path: Path) -> None:
    terms = {"AlumniCredential": "https://www.example.org/AlumniCredential"}
    unsigned = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/data-integrity/v2", terms],
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": EVAL.controller,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alumna"},
    }
    (tmp_path / "vc.json").write_text(json.dumps(sign(unsigned, EVAL, loader=DocumentLoader(inline_contexts=True))))
    base = ["verify", str(tmp_path / "vc.json"), "--trust", "any", "--json"]
    refused = invoke(main, base)
    assert refused.exit_code == 1 and _codes(refused.output) == {"CONTEXT_NOT_ALLOWED"}
    ok = invoke(main, [*base, "--inline-contexts"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["checks"][-1]["passed"]

"""``skillcred issuer ...`` through click's runner, with the state in ``tmp_path``: every refusal is one
line with its problem code and exit status 1, usage errors exit 2, and no input shows a traceback."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from issuer.home import IssuerHome, open_issuer
from issuer.tokens import TokenRegistry
from tests.issuer.conftest import FAST, PASSPHRASE, Cli
from tests.support import CLOCK, NOW
from tests.world import issuer_input
from vccore.credentials import verify_issued
from vccore.jsonld.loader import DocumentLoader

SAMPLE = Path(__file__).resolve().parents[2] / "issuer" / "data" / "sample-skill-level.csv"
P1 = issuer_input("P1")


def _data(tmp_path: Path, data: Any = P1, name: str = "p1.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _one_error_line(result: Result, code: str) -> None:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert re.match(rf"错误(：[^/]+)? / Error: {code}: ", lines[-1]), result.stderr


# --- init -------------------------------------------------------------------------------------------


def test_init_creates_the_issuer_and_prints_its_did(cli: Cli) -> None:
    assert cli.init() == "did:web:eval.example-heavy-machine.cn:issuers:cnc"
    config = json.loads((cli.home / "issuer" / "config.json").read_text(encoding="utf-8"))
    assert config["baseUrl"] == "https://eval.example-heavy-machine.cn/issuers/cnc"
    assert PASSPHRASE not in json.dumps(config) and (cli.home / "issuer" / "registry.sqlite3").is_file()
    _one_error_line(cli("init", "--did-key", "--name-zh", "甲", "--name-en", "A"), "CONFLICT")


def test_a_did_key_issuer_issues_verifiable_credentials(cli: Cli, tmp_path: Path) -> None:
    result = cli("init", "--did-key", "--name-zh", "甲", "--name-en", "A", "--key-kdf", "minimal")
    assert result.exit_code == 0 and result.stdout.startswith("did:key:z6Mk")
    issued = cli("issue", "skill-level", "--data", _data(tmp_path), *FAST)
    assert issued.exit_code == 0, issued.output
    assert verify_issued(json.loads(issued.stdout), loader=DocumentLoader(), now=NOW).verified


def test_init_refuses_without_a_passphrase_and_creates_nothing(cli: Cli) -> None:
    result = cli("init", "--did-key", "--name-zh", "甲", "--name-en", "A", passphrase=None)
    _one_error_line(result, "KEY_ERROR")
    assert "SKILLCRED_PASSPHRASE" in result.stderr and not (cli.home / "issuer" / "config.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["init", "--name-zh", "甲", "--name-en", "A"],
        ["init", "--did-key", "--did-web", "a.example", "--name-zh", "甲", "--name-en", "A"],
        ["init", "--did-web", "Not A Domain", "--name-zh", "甲", "--name-en", "A"],
        ["init", "--did-key"],
        ["issue", "no-such-kind", "--data", "x.json"],
        ["batch", "x.csv", "--kind", "skill-level", "--out", "o", "--workers", "0"],
        ["tokens", "create", "--scope", "everything"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    assert cli(*args).exit_code == 2


def test_commands_before_init_say_so(cli: Cli) -> None:
    _one_error_line(cli("revoke", "urn:uuid:x"), "NOT_FOUND")
    _one_error_line(cli("tokens", "create", "--scope", "credentials:read"), "NOT_FOUND")


# --- issue --------------------------------------------------------------------------------------------


def test_issue_writes_a_credential_that_verifies_and_retries_return_the_same_bytes(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    out = tmp_path / "p1.vc.json"
    first = cli("issue", "skill-level", "--data", _data(tmp_path), "--idempotency-key", "p1", "--out", str(out), *FAST)
    assert first.exit_code == 0, first.output
    data = out.read_bytes()
    document = json.loads(data)
    assert first.stdout.strip() == document["id"]
    assert "140105198001010003" not in data.decode("utf-8")
    assert verify_issued(document, loader=cli.loader(), now=NOW).verified
    again = cli("issue", "skill-level", "--data", _data(tmp_path), "--idempotency-key", "p1", *FAST)
    assert again.stdout.encode("utf-8").strip() == data
    changed = cli(
        "issue",
        "skill-level",
        "--data",
        _data(tmp_path, P1 | {"jobType": "--"}, "b.json"),
        "--idempotency-key",
        "p1",
        *FAST,
    )
    _one_error_line(changed, "CONFLICT")


def test_the_jcs_cryptosuite_can_be_chosen(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    result = cli("issue", "skill-level", "--data", _data(tmp_path), "--cryptosuite", "eddsa-jcs-2022", *FAST)
    document = json.loads(result.stdout)
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert verify_issued(document, loader=cli.loader(), now=NOW).verified


@pytest.mark.parametrize(
    ("data", "code", "hidden"),
    [
        (P1 | {"idNumber": "140105198001010004"}, "MALFORMED_VALUE_ERROR", "140105198001010004"),
        (P1 | {"skillLevel": "L9"}, "MALFORMED_VALUE_ERROR", None),
        (P1 | {"jobType": "140105198001010003"}, "PERSONAL_DATA_ERROR", "140105198001010003"),
        (P1 | {"extra": 1}, "MALFORMED_VALUE_ERROR", None),
        ([1, 2], "MALFORMED_VALUE_ERROR", None),
    ],
)
def test_bad_input_is_one_line_with_its_code(
    cli: Cli, tmp_path: Path, data: Any, code: str, hidden: str | None
) -> None:
    cli.init()
    result = cli("issue", "skill-level", "--data", _data(tmp_path, data), *FAST)
    _one_error_line(result, code)
    assert hidden is None or hidden not in result.output


@pytest.mark.parametrize("content", [b"{not json", b'{"a": NaN}', b"\xff\xfe", b""])
def test_unreadable_data_files_are_parsing_errors(cli: Cli, tmp_path: Path, content: bytes) -> None:
    cli.init()
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    _one_error_line(cli("issue", "skill-level", "--data", str(path), *FAST), "PARSING_ERROR")
    assert cli("issue", "skill-level", "--data", str(tmp_path / "missing.json"), *FAST).exit_code == 2


def test_issue_needs_the_passphrase(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    _one_error_line(cli("issue", "skill-level", "--data", _data(tmp_path), passphrase=None), "KEY_ERROR")
    _one_error_line(cli("issue", "skill-level", "--data", _data(tmp_path), *FAST, passphrase="wrong"), "KEY_ERROR")


# --- batch, status, keys, tokens, serve ---------------------------------------------------------------------


def test_batch_issues_the_sample_file(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    result = cli("batch", str(SAMPLE), "--kind", "skill-level", "--out", str(tmp_path / "out"), "--workers", "1", *FAST)
    assert result.exit_code == 0, result.output
    assert "7 issued" in result.stderr
    assert len(list((tmp_path / "out").glob("*.json"))) == 7
    again = cli("batch", str(SAMPLE), "--kind", "skill-level", "--out", str(tmp_path / "out"), *FAST)
    assert again.exit_code == 0 and "0 issued, 7 already issued" in again.stderr


L9 = "'L9' is not one of apprentice, L5, L4, L3, L2, L1, special-technician, chief-technician"


def test_batch_with_bad_rows_lists_them_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",L3,", ",L9,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("batch", str(bad), "--kind", "skill-level", "--out", str(tmp_path / "out"), *FAST)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "第 3 行，skillLevel 列：不是允许的取值（见 skillcred issuer kinds） / line 3, column skillLevel: "
        f"MALFORMED_VALUE_ERROR: {L9}",
        "错误 / Error: MALFORMED_VALUE_ERROR: 有 1 行有误，未签发任何凭证（请改正，或加 --skip-bad 只签发正确的行） / "
        "1 bad row(s); nothing was issued (fix them, or pass --skip-bad)",
    ]
    assert not (tmp_path / "out").exists()
    skipped = cli("batch", str(bad), "--kind", "skill-level", "--out", str(tmp_path / "out"), "--skip-bad", *FAST)
    assert skipped.exit_code == 0 and skipped.stderr.splitlines()[-1] == (
        "已跳过第 3 行，skillLevel 列：不是允许的取值（见 skillcred issuer kinds） / skipped line 3, "
        f"column skillLevel: MALFORMED_VALUE_ERROR: {L9}"
    )


def test_revoke_suspend_unsuspend(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    vc_id = json.loads(cli("issue", "skill-level", "--data", _data(tmp_path), *FAST).stdout)["id"]
    assert cli("suspend", vc_id).stdout.strip() == f"已暂停 / suspended  {vc_id}"
    assert cli("unsuspend", vc_id).stdout.strip() == f"已恢复 / unsuspended  {vc_id}"
    assert cli("revoke", vc_id, "--yes", passphrase=None).stdout.strip() == f"已撤销 / revoked  {vc_id}"
    assert cli("revoke", vc_id).stdout.strip() == f"此前已撤销 / was already revoked  {vc_id}"
    _one_error_line(cli("suspend", vc_id), "CONFLICT")
    _one_error_line(cli("revoke", "urn:uuid:unknown", "--yes"), "NOT_FOUND")


def test_keys_rotate_then_compromise_revokes_what_the_old_key_signed(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    vc = json.loads(cli("issue", "skill-level", "--data", _data(tmp_path), *FAST).stdout)
    old_key = vc["proof"]["verificationMethod"]
    rotated = cli("keys", "rotate")
    assert rotated.exit_code == 0 and rotated.stdout.strip() not in ("", old_key)
    assert verify_issued(vc, loader=cli.loader(), now=NOW).verified  # the retired key still resolves
    result = cli("keys", "compromise", old_key, "--yes")
    assert (
        result.stdout.strip() == f"已撤销该密钥签发的 1 份凭证 / revoked 1 credential(s) signed by the key  {old_key}"
    )
    with open_issuer(IssuerHome(cli.home), passphrase=PASSPHRASE, clock=CLOCK) as opened:
        assert opened.service.status(vc["id"]).revoked
    _one_error_line(cli("keys", "compromise", "did:web:x#nope"), "NOT_FOUND")


def test_a_did_key_issuer_cannot_rotate(cli: Cli) -> None:
    cli("init", "--did-key", "--name-zh", "甲", "--name-en", "A", "--key-kdf", "minimal")
    _one_error_line(cli("keys", "rotate"), "KEY_ERROR")


def test_tokens_create_prints_only_the_token(cli: Cli) -> None:
    cli.init()
    result = cli("tokens", "create", "--scope", "credentials:issue", "--scope", "credentials:read", passphrase=None)
    assert result.exit_code == 0 and result.stderr == ""
    token = result.stdout.strip()
    assert re.fullmatch(r"sc_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", token)
    with open_issuer(IssuerHome(cli.home), need_key=False, clock=CLOCK) as opened:
        assert TokenRegistry(opened.store).verify(token, scope="credentials:read").scopes == {
            "credentials:issue",
            "credentials:read",
        }


def test_serve_runs_uvicorn_on_the_issuer_app(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    cli.init()
    result = cli("serve", "--port", "8499", "--base-url", "http://127.0.0.1:8499")
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8499
    from starlette.testclient import TestClient

    with TestClient(seen["app"]) as client:
        assert client.get("/health").json() == {"status": "ok"}
    _one_error_line(cli("serve", passphrase="wrong"), "KEY_ERROR")


# --- operator-pinned contexts (issue 17) -------------------------------------------------------------

TRAINING_URL = "https://contexts.example.org/training/v1"
TRAINING = (
    b'{"@context": {"@protected": true, "TrainingCredential": "https://example.org/training#TrainingCredential",'
    b' "course": "https://example.org/training#course"}}'
)
TRAINING_SHA = hashlib.sha256(TRAINING).hexdigest()


def _training() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", TRAINING_URL],
        "type": ["VerifiableCredential", "TrainingCredential"],
        "credentialSubject": {"id": "did:example:trainee", "course": "数控车床操作"},
    }


def _examples() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "credentialSubject": {"id": "did:example:graduate", "degree": {"name": "Bachelor of Arts"}},
    }


def _serve_and_issue(cli: Cli, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[int]:
    """``issuer serve ARGS`` (uvicorn replaced), then the training and the examples credential issued
    through its app: their HTTP statuses."""
    import uvicorn
    from starlette.testclient import TestClient

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app))
    result = cli("serve", *args)
    assert result.exit_code == 0, result.output
    token = cli("tokens", "create", "--scope", "credentials:issue", passphrase=None).stdout.strip()
    with TestClient(seen["app"]) as client:
        return [
            client.post(
                "/credentials/issue", json={"credential": c}, headers={"Authorization": f"Bearer {token}"}
            ).status_code
            for c in (_training(), _examples())
        ]


def test_serve_signs_operator_pinned_and_example_contexts_only_when_told(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli.init()
    (tmp_path / "training.jsonld").write_bytes(TRAINING)
    assert _serve_and_issue(cli, monkeypatch) == [422, 422]
    pinned = ["--context", TRAINING_URL, str(tmp_path / "training.jsonld"), TRAINING_SHA]
    assert _serve_and_issue(cli, monkeypatch, *pinned) == [201, 422]
    assert _serve_and_issue(cli, monkeypatch, *pinned, "--examples-contexts") == [201, 201]
    wrong = cli("serve", "--context", TRAINING_URL, str(tmp_path / "training.jsonld"), "0" * 64)
    assert wrong.exit_code == 2 and "is not the pinned" in wrong.output
    shipped = cli(
        "serve", "--context", "https://www.w3.org/ns/credentials/v2", str(tmp_path / "training.jsonld"), TRAINING_SHA
    )
    assert shipped.exit_code == 2 and "cannot be re-pinned" in shipped.output


def test_the_config_file_pins_contexts_and_switches_the_examples_on(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.init()
    root = cli.home / "issuer"
    (root / "training.jsonld").write_bytes(TRAINING)
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    config |= {
        "contexts": [{"url": TRAINING_URL, "file": "training.jsonld", "sha256": TRAINING_SHA}],
        "examplesContexts": True,
    }
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert _serve_and_issue(cli, monkeypatch) == [201, 201]
    config["contexts"][0]["sha256"] = "1" * 64
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    _one_error_line(cli("serve"), "CONTEXT_NOT_ALLOWED")

"""The front door: ``skillcred keys generate``, ``sign`` and ``verify`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillcred.cli import cli
from tests.support import invoke
from tests.world import sample_credential
from vccore.qr import payload as qr


def credential(issuer: str) -> dict[str, Any]:
    """P1's skill-level credential (schema-valid: the verifier checks each skillcred type's schema)."""
    return sample_credential(
        "SkillLevelCredential", issuer=issuer, credential_id="urn:uuid:0b6f1c0e-0d6c-4d1e-9b8a-5b2f2f6b0001"
    )


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    key = tmp_path / "key.json"
    out = invoke(cli, ["keys", "generate", "--seed", "11" * 32, "--out", str(key)])
    assert out.exit_code == 0, out.output
    did = out.output.strip().split("#")[0]
    doc = credential(did)
    (tmp_path / "cred.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = invoke(cli, ["sign", str(tmp_path / "cred.json"), "--key", str(key), "--created", "2026-01-01T00:00:00Z"])
    assert res.exit_code == 0, res.output
    path = tmp_path / "signed.json"
    path.write_text(res.output, encoding="utf-8")
    return path


def test_generate_writes_a_private_key_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    key = tmp_path / "k.json"
    first = invoke(cli, ["keys", "generate", "--out", str(key)])
    assert first.exit_code == 0 and first.output.startswith("did:key:z6Mk")
    assert key.stat().st_mode & 0o777 == 0o600
    assert "secretKeyMultibase" in json.loads(key.read_text(encoding="utf-8"))
    again = invoke(cli, ["keys", "generate", "--out", str(key)])
    assert again.exit_code == 1 and "refusing to overwrite" in again.output


@pytest.mark.parametrize("target", ["dangling symlink", "symlink to a file", "existing file", "missing folder"])
def test_generate_onto_a_symlink_or_a_bad_path_is_one_clear_line(tmp_path: Path, target: str) -> None:
    out = tmp_path / "key.json"
    if target == "dangling symlink":
        out.symlink_to(tmp_path / "nowhere.json")
    elif target == "symlink to a file":
        (tmp_path / "real.json").write_text("{}", encoding="utf-8")
        out.symlink_to(tmp_path / "real.json")
    elif target == "existing file":
        out.write_text("{}", encoding="utf-8")
    else:
        out = tmp_path / "no" / "such" / "key.json"
    result = invoke(cli, ["keys", "generate", "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    expected = {
        "dangling symlink": "is a symbolic link",
        "symlink to a file": "is a symbolic link",
        "existing file": "exists; refusing to overwrite",
        "missing folder": "cannot write",
    }[target]
    assert expected in result.output, result.output
    assert not (tmp_path / "nowhere.json").exists()
    if target == "symlink to a file":
        assert (tmp_path / "real.json").read_text(encoding="utf-8") == "{}"


def test_seed_gives_the_same_did_every_time(tmp_path: Path) -> None:
    a = invoke(cli, ["keys", "generate", "--seed", "00" * 32, "--out", str(tmp_path / "a")])
    assert a.output.strip().startswith("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")


@pytest.mark.parametrize("seed", ["zz", "00" * 31, "00" * 33])
def test_a_bad_seed_is_a_usage_error(tmp_path: Path, seed: str) -> None:
    res = invoke(cli, ["keys", "generate", "--seed", seed, "--out", str(tmp_path / "k")])
    assert res.exit_code == 2 and "--seed" in res.output


def test_a_signed_credential_verifies_with_trust_any_and_says_so(signed: Path) -> None:
    res = invoke(cli, ["verify", str(signed), "--trust", "any", "--now", "2026-06-01T00:00:00Z"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("✓ 验证通过 / VERIFIED"), res.output
    assert "  提示 / warning: UNTRUSTED_ISSUER — trust was NOT checked (--trust any): any issuer is accepted" in lines


def test_without_a_trust_pack_verification_is_a_usage_error(signed: Path) -> None:
    res = invoke(cli, ["verify", str(signed)])
    assert res.exit_code == 2


def test_a_tampered_credential_fails_with_one_line_per_failed_check(signed: Path, tmp_path: Path) -> None:
    doc = json.loads(signed.read_text(encoding="utf-8"))
    doc["credentialSubject"]["skillLevel"] = "special-technician"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = invoke(cli, ["verify", str(bad), "--trust", "any"])
    assert res.exit_code == 1
    assert res.output.splitlines()[0].startswith("✗ 验证未通过 / NOT VERIFIED"), res.output
    assert "  proof: PROOF_VERIFICATION_ERROR — 签名验证失败 / The signature does not verify" in res.output
    assert "dataModel: SCHEMA_VALIDATION_ERROR" in res.output  # not a skill level of its kind, and tampered
    assert "Traceback" not in res.output


def test_json_output_is_the_verification_result(signed: Path) -> None:
    res = invoke(cli, ["verify", str(signed), "--trust", "any", "--json"])
    body = json.loads(res.output)
    assert body["verified"] is True and {c["check"] for c in body["checks"]} >= {"proof", "validity", "trust"}


def test_a_qr_payload_string_verifies_directly(signed: Path) -> None:
    payload = qr.encode(json.loads(signed.read_text(encoding="utf-8")))
    res = invoke(cli, ["verify", payload, "--trust", "any"])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("content", [b"{not json", b'{"a": NaN}', b"[" * 10000, b""])
def test_garbage_input_is_not_verified_and_prints_no_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(content)
    res = invoke(cli, ["verify", str(path), "--trust", "any"])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_a_bad_now_is_a_usage_error(signed: Path) -> None:
    res = invoke(cli, ["verify", str(signed), "--trust", "any", "--now", "2026-01-01"])
    assert res.exit_code == 2


def test_sign_refuses_a_document_with_an_undefined_term(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    invoke(cli, ["keys", "generate", "--out", str(key)])
    doc = dict(credential("did:example:x"), favourite="red")
    (tmp_path / "c.json").write_text(json.dumps(doc), encoding="utf-8")
    res = invoke(cli, ["sign", str(tmp_path / "c.json"), "--key", str(key)])
    assert res.exit_code == 1 and "DATA_LOSS_DETECTION_ERROR" in res.output


def test_sign_with_jcs_then_verify(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    did = invoke(cli, ["keys", "generate", "--out", str(key)]).output.strip().split("#")[0]
    (tmp_path / "c.json").write_text(json.dumps(credential(did)), encoding="utf-8")
    res = invoke(cli, ["sign", str(tmp_path / "c.json"), "--key", str(key), "--cryptosuite", "eddsa-jcs-2022"])
    assert json.loads(res.output)["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    (tmp_path / "s.json").write_text(res.output, encoding="utf-8")
    assert invoke(cli, ["verify", str(tmp_path / "s.json"), "--trust", "any"]).exit_code == 0

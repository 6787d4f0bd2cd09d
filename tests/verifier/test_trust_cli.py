"""``skillcred verifier trust-list sign``, ``pack build`` and ``pack show``, then ``skillcred verify`` offline
with the pack: the operator's path from a list of issuers to an offline verifier."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

from skillcred.cli import cli
from tests.support import NOW, invoke, sign
from tests.world import EVAL, sample_credential
from vccore.timeutil import format_datetime


def test_an_operator_builds_a_pack_and_verifies_offline(tmp_path: Path) -> None:
    root_key = tmp_path / "root.json"
    root_did = invoke(cli, ["keys", "generate", "--out", str(root_key)]).output.strip().split("#")[0]
    now = NOW
    trust = {
        "version": 1,
        "issued": format_datetime(now),
        "issuers": [
            {
                "id": EVAL.controller,
                "name": {"zh": "示例重型机床有限公司", "en": "Example Heavy Machine Tool Co., Ltd."},
                "roles": ["skill-evaluation-organization"],
                "jurisdictions": ["CN-SX"],
                "credentialTypes": ["SkillLevelCredential"],
                "keys": [{"id": EVAL.id, "validFrom": format_datetime(now - timedelta(days=1)), "validUntil": None}],
            }
        ],
    }
    (tmp_path / "issuers.json").write_text(json.dumps(trust, ensure_ascii=False), encoding="utf-8")
    signed = invoke(
        cli,
        [
            "verifier",
            "trust-list",
            "sign",
            str(tmp_path / "issuers.json"),
            "--root-key",
            str(root_key),
            "--out",
            str(tmp_path / "tl.json"),
        ],
    )
    assert signed.exit_code == 0, signed.output
    built = invoke(
        cli,
        [
            "verifier",
            "pack",
            "build",
            "--root-key",
            str(root_key),
            "--trust-list",
            str(tmp_path / "tl.json"),
            "--out",
            str(tmp_path / "pack.json"),
        ],
    )
    assert built.exit_code == 0, built.output
    shown = invoke(cli, ["verifier", "pack", "show", str(tmp_path / "pack.json"), "--root", root_did])
    assert shown.exit_code == 0 and "示例重型机床有限公司" in shown.output, shown.output
    credential = sample_credential(
        "SkillLevelCredential",
        issuer=EVAL.controller,
        credential_id="urn:uuid:3b0e7c54-6f51-4a43-8d8f-2f1f1c2d0001",
        valid_from=format_datetime(now - timedelta(hours=1)),
    )
    doc = sign(credential, EVAL, created=now)
    (tmp_path / "cred.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ok = invoke(
        cli, ["verify", str(tmp_path / "cred.json"), "--trust-pack", str(tmp_path / "pack.json"), "--root", root_did]
    )
    assert ok.exit_code == 0, ok.output
    other = invoke(
        cli,
        [
            "verify",
            str(tmp_path / "cred.json"),
            "--trust-pack",
            str(tmp_path / "pack.json"),
            "--root",
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        ],
    )
    assert other.exit_code == 2 and "does not verify" in other.output


def test_a_malformed_trust_list_is_one_clear_line(tmp_path: Path) -> None:
    key = tmp_path / "root.json"
    invoke(cli, ["keys", "generate", "--out", str(key)])
    (tmp_path / "bad.json").write_text('{"version": 1, "issuers": "x"}', encoding="utf-8")
    res = invoke(
        cli,
        [
            "verifier",
            "trust-list",
            "sign",
            str(tmp_path / "bad.json"),
            "--root-key",
            str(key),
            "--out",
            str(tmp_path / "o.json"),
        ],
    )
    assert res.exit_code == 1 and "MALFORMED_VALUE_ERROR" in res.output and "Traceback" not in res.output


def test_a_pack_carries_the_roots_pinned_contexts_to_every_verifier(tmp_path: Path) -> None:
    """``pack build --context URL FILE SHA256`` puts the context, bytes included, in the signed pack; a
    verifier with the pack reads credentials in it, one without refuses them; a pack whose context bytes
    were changed after signing no longer verifies."""
    from tests.verifier.test_cli import TRAINING, TRAINING_SHA, TRAINING_URL, training_credential

    root_key = tmp_path / "root.json"
    root_did = invoke(cli, ["keys", "generate", "--out", str(root_key)]).output.strip().split("#")[0]
    trust = {
        "version": 1,
        "issued": format_datetime(NOW),
        "issuers": [
            {
                "id": EVAL.controller,
                "name": {"zh": "示例培训中心", "en": "Example Training Centre"},
                "roles": ["skill-evaluation-organization"],
                "jurisdictions": ["CN-SX"],
                "credentialTypes": ["TrainingCredential"],
                "keys": [{"id": EVAL.id, "validFrom": format_datetime(NOW - timedelta(days=1)), "validUntil": None}],
            }
        ],
    }
    (tmp_path / "issuers.json").write_text(json.dumps(trust, ensure_ascii=False), encoding="utf-8")
    tl = ["verifier", "trust-list", "sign", str(tmp_path / "issuers.json"), "--root-key", str(root_key)]
    assert invoke(cli, [*tl, "--out", str(tmp_path / "tl.json")]).exit_code == 0
    (tmp_path / "training.jsonld").write_bytes(TRAINING)
    build = ["verifier", "pack", "build", "--root-key", str(root_key), "--trust-list", str(tmp_path / "tl.json")]
    pinned = ["--context", TRAINING_URL, str(tmp_path / "training.jsonld"), TRAINING_SHA]
    assert invoke(cli, [*build, *pinned, "--out", str(tmp_path / "pack.json")]).exit_code == 0
    assert invoke(cli, [*build, "--out", str(tmp_path / "plain.json")]).exit_code == 0
    (tmp_path / "vc.json").write_text(json.dumps(training_credential()), encoding="utf-8")
    verify = ["verify", str(tmp_path / "vc.json"), "--root", root_did, "--json", "--trust-pack"]
    with_pack = invoke(cli, [*verify, str(tmp_path / "pack.json")])
    assert with_pack.exit_code == 0, with_pack.output
    codes = {p["code"] for c in json.loads(with_pack.output)["checks"] for p in c.get("problems", [])}
    assert "CONTEXT_NOT_ALLOWED" not in codes and {"context", "form", "proof"} <= {
        c["check"] for c in json.loads(with_pack.output)["checks"] if c["passed"]
    }, with_pack.output
    without = invoke(cli, [*verify, str(tmp_path / "plain.json")])
    assert without.exit_code == 1
    assert {p["code"] for c in json.loads(without.output)["checks"] for p in c.get("problems", [])} == {
        "CONTEXT_NOT_ALLOWED"
    }
    pack = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    entry = next(e for e in pack["contexts"] if e["url"] == TRAINING_URL)
    assert entry["sha256"] == TRAINING_SHA and "content" in entry
    entry["content"] = base64.b64encode(TRAINING.replace(b"course", b"cours3")).decode()
    (tmp_path / "tampered.json").write_text(json.dumps(pack), encoding="utf-8")
    tampered = invoke(cli, [*verify, str(tmp_path / "tampered.json")])
    assert tampered.exit_code == 2 and "does not verify" in tampered.output

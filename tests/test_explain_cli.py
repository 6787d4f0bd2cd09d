"""``skillcred explain`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from skillcred.cli import cli
from tests.support import LOADER, NOW, invoke, sign
from tests.world import AUTH_CN, ROOT, mutable, recognitions, signed_trust_list
from vccore.timeutil import format_datetime
from vccore.trust.lists import TrustList
from vccore.trust.pack import build_trust_pack

NOW_TEXT = format_datetime(NOW)


def write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    w = recognitions()
    trust = signed_trust_list(w.trust, id="urn:uuid:tl-cli", now=NOW)
    pack = build_trust_pack(trust_lists=[trust], signer=ROOT, loader=LOADER, now=NOW)
    return {
        "rec": write(tmp_path / "rec.json", w.recognition),
        "step2": write(tmp_path / "step2.json", w.step2),
        "inferred": write(tmp_path / "inferred.json", w.inferred),
        "sources": write(tmp_path / "sources.json", [w.p1, w.recognition]),
        "rules": write(tmp_path / "rules.json", w.rule_credentials),
        "trust": write(tmp_path / "trust.json", trust),
        "pack": write(tmp_path / "pack.json", pack),
    }


def explain(*args: str) -> Result:
    return invoke(cli, ["explain", *args, "--root", ROOT.controller, "--now", NOW_TEXT], prog_name="skillcred")


def common(files: dict[str, str], name: str = "rec") -> list[str]:
    return [files[name], "--sources", files["sources"], "--rules", files["rules"], "--trust-list", files["trust"]]


def test_explain_prints_the_tree_and_exits_0(files: dict[str, str]) -> None:
    result = explain(*common(files), "--lang", "both")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[认定 / recognition]" in out and "[规则 / rule]" in out and "[依据 / source]" in out
    assert "示例重型机床有限公司 / Example Heavy Machine Tool Co., Ltd." in out  # the trust list's name
    assert "CN-ENG-2018-L2-TO-INTERMEDIATE" in out and "2023-06-30 to 2026-07-01 is 3 years" in out
    assert "status was NOT checked" in out
    assert out.strip().endswith("认定链成立 / the recognition chain verifies")


def test_explain_in_one_language_marks_inferred_rules(files: dict[str, str]) -> None:
    zh = explain(*common(files, "inferred"), "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert "推定（非官方）" in zh.output and "inferred" not in zh.output
    en = explain(*common(files, "inferred"), "--lang", "en")
    assert "inferred, not official" in en.output and "认定链" not in en.output


def test_explain_a_two_step_chain(files: dict[str, str]) -> None:
    result = explain(*common(files, "step2"), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.count("[recognition]") == 2 and result.output.count("[rule]") == 2


def test_explain_json(files: dict[str, str]) -> None:
    result = explain(*common(files), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verified"] is True and data["tree"]["kind"] == "recognition"
    rule = data["tree"]["children"][0]
    assert rule["kind"] == "rule" and rule["children"][0]["kind"] == "source"
    assert rule["children"][0]["issuer"]["trusted"] is True


def test_a_failed_chain_exits_1_and_shows_the_problem(files: dict[str, str], tmp_path: Path) -> None:
    higher = mutable(recognitions().recognition)
    higher.pop("proof")
    higher["credentialSubject"]["recognizedAs"]["titleLevel"] = "associate-senior"
    path = write(tmp_path / "higher.json", sign(higher, AUTH_CN))
    result = explain(path, *common(files)[1:], "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "CHAIN_CLAIM_MISMATCH" in result.output and "does NOT verify" in result.output
    assert "Traceback" not in result.output


def test_a_missing_source_is_shown(files: dict[str, str]) -> None:
    result = explain(files["rec"], "--rules", files["rules"], "--trust-list", files["trust"], "--lang", "en")
    assert result.exit_code == 1
    assert "CHAIN_SOURCE_MISSING" in result.output and "source credential not supplied" in result.output


def test_an_issuer_not_on_the_trust_list_is_marked(files: dict[str, str], tmp_path: Path) -> None:
    w = recognitions()
    partial = TrustList(tuple(i for i in w.trust.issuers if i.did != w.p1["issuer"]["id"]), NOW)
    trust = signed_trust_list(partial, id="urn:uuid:tl-2", now=NOW)
    result = explain(*common(files)[:-1], write(tmp_path / "t2.json", trust), "--lang", "en")
    assert result.exit_code == 1
    assert "(not on the trust list)" in result.output and "CHAIN_SOURCE_UNTRUSTED" in result.output


def test_explain_with_a_trust_pack_runs_the_full_pipeline(files: dict[str, str]) -> None:
    args = [files["step2"], "--sources", files["sources"], "--rules", files["rules"], "--trust-pack", files["pack"]]
    result = explain(*args, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "status was NOT checked" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json", "--trust-list", "x"], "missing.json: 文件或目录不存在 / no such file or directory"),
        (["{rec}"], "exactly one of --trust-list or --trust-pack"),
        (["{bad}", "--trust-list", "{trust}"], "PARSING_ERROR"),
        (["{rec}", "--trust-list", "{rec}"], "the trust list does not verify"),
    ],
)
def test_clear_errors_without_tracebacks(files: dict[str, str], tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad.json").write_text('{"a": NaN}', encoding="utf-8")
    files = files | {"bad": str(tmp_path / "bad.json")}
    result = explain(*[a.format(**files) for a in args])
    assert result.exit_code in (1, 2), result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_trust_list_needs_a_root(files: dict[str, str]) -> None:
    result = invoke(cli, ["explain", *common(files), "--now", NOW_TEXT])
    assert result.exit_code == 2 and "--root" in result.output


def test_bad_now_is_a_usage_error(files: dict[str, str]) -> None:
    result = invoke(cli, ["explain", *common(files), "--root", ROOT.controller, "--now", "yesterday"])
    assert result.exit_code == 2


def test_explain_uses_the_rule_credentials_the_trust_pack_carries(tmp_path: Path) -> None:
    """Issue 14: a pack that holds the rule credentials is enough; no ``--rules`` needed (main said
    CHAIN_RULE_MISSING and 认定链不成立)."""
    w = recognitions()
    trust = signed_trust_list(w.trust, id="urn:uuid:tl-cli", now=NOW)
    pack = build_trust_pack(
        trust_lists=[trust], signer=ROOT, loader=LOADER, now=NOW, rule_credentials=w.rule_credentials
    )
    args = [write(tmp_path / "step2.json", w.step2), "--sources", write(tmp_path / "s.json", [w.p1, w.recognition])]
    result = explain(*args, "--trust-pack", write(tmp_path / "pack.json", pack), "--lang", "both")
    assert result.exit_code == 0, result.output
    assert "CHAIN_RULE_MISSING" not in result.output
    assert "认定链成立 / the recognition chain verifies" in result.output

"""One command line (issue 14, bullet 5), through the ``skillcred`` root as a person types it: a missing input
file is exit 2 with one wording in every command; ``qr encode --format payload`` prints the ``SC2:`` text
that ``verify`` takes; the wallet recognizes a credential it already holds however it is spelled; a batch
whose CSV header belongs to another kind says so once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from skillcred.cli import cli
from tests.issuer.conftest import FAST, Cli
from tests.support import invoke, sign
from tests.wallet_demo.conftest import skill_credential
from tests.world import EVAL, sample_credential
from vccore.qr import payload as qr

#: the one wording (skillcred.cli.NO_SUCH_FILE), spelled out: the test says what a person reads
NO_SUCH_FILE = "文件或目录不存在 / no such file or directory"
SAMPLE_CSV = Path(__file__).resolve().parents[1] / "issuer" / "data" / "sample-skill-level.csv"


def _run(home: Path, *args: str) -> Result:
    result = invoke(cli, args, env={"SKILLCRED_HOME": str(home)}, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _write(path: Path, document: object, *, indent: int | None = None) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


# --- a missing input file: exit 2, one wording ---------------------------------------------------------

MISSING = "nowhere/missing-file"
CASES = {
    "qr decode": ["qr", "decode", "{missing}.png"],
    "qr encode": ["qr", "encode", "{missing}.json"],
    "sign": ["sign", "{missing}.json", "--key", "{key}"],
    "sign --key": ["sign", "{doc}", "--key", "{missing}.json"],
    "verify": ["verify", "{missing}.json", "--trust", "any"],
    "verify --trust-pack": ["verify", "{doc}", "--trust-pack", "{missing}.json", "--root", "did:key:z6Mkx"],
    "explain": ["explain", "{missing}.json", "--trust-list", "{doc}"],
    "issuer issue --data": ["issuer", "issue", "skill-level", "--data", "{missing}.json"],
    "verifier pack show": ["verifier", "pack", "show", "{missing}.json", "--root", "did:key:z6Mkx"],
    "verifier pack build": [
        *("verifier", "pack", "build", "--root-key", "{missing}.json"),
        *("--trust-list", "{doc}", "--out", "{tmp}/pack.json"),
    ],
    "verifier trust-list sign": [
        *("verifier", "trust-list", "sign", "{missing}.json"),
        *("--root-key", "{key}", "--out", "{tmp}/tl.json"),
    ],
    "wallet import": ["wallet", "import", "{missing}.json"],
}


@pytest.mark.parametrize("args", list(CASES.values()), ids=list(CASES))
def test_a_missing_input_file_is_exit_2_with_one_wording(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "home"
    key = tmp_path / "key.json"
    assert _run(home, "keys", "generate", "--seed", "22" * 32, "--out", str(key)).exit_code == 0
    assert _run(home, "wallet", "init").exit_code == 0
    names = {"missing": str(tmp_path / MISSING), "key": str(key), "tmp": str(tmp_path)}
    names["doc"] = str(_write(tmp_path / "doc.json", {"a": 1}))
    filled = [a.format(**names) for a in args]
    missing = next(a for a in filled if MISSING in a)
    result = _run(home, *filled)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines()[-1] == f"Error: {missing}: {NO_SUCH_FILE}"


def test_a_batch_of_a_missing_file_is_exit_2_and_issues_nothing(tmp_path: Path) -> None:
    issuer = Cli(tmp_path / "home")
    issuer.init()
    missing = str(tmp_path / "missing.csv")
    result = issuer("batch", missing, "--kind", "skill-level", "--out", str(tmp_path / "out"), *FAST)
    assert result.exit_code == 2 and result.stderr.strip().splitlines()[-1] == f"Error: {missing}: {NO_SUCH_FILE}"
    assert "nothing is issued twice" not in result.stderr and not (tmp_path / "out").exists()


# --- qr encode --format payload -----------------------------------------------------------------------


def test_qr_encode_prints_the_payload_text_that_verify_and_decode_take(tmp_path: Path) -> None:
    credential = sign(
        sample_credential(
            "SkillLevelCredential",
            issuer=EVAL.controller,
            credential_id="urn:uuid:0b6f1c0e-0d6c-4d1e-9b8a-5b2f2f6b0014",
        ),
        EVAL,
    )
    path = _write(tmp_path / "signed.json", credential, indent=2)
    encoded = _run(tmp_path, "qr", "encode", str(path), "--format", "payload")
    assert encoded.exit_code == 0, encoded.output
    payload = encoded.stdout.strip()
    assert payload == qr.encode(credential) and payload.startswith("SC2:") and "\n" not in payload
    verified = _run(tmp_path, "verify", payload, "--trust", "any")
    assert verified.exit_code == 0 and "VERIFIED" in verified.stdout, verified.output
    assert json.loads(_run(tmp_path, "qr", "decode", payload).stdout) == credential


# --- the wallet compares content, not bytes --------------------------------------------------------------


def test_reimporting_a_held_credential_from_its_qr_or_pretty_printed_is_not_a_conflict(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run(home, "wallet", "init").exit_code == 0
    credential = skill_credential()
    first = _run(home, "wallet", "import", str(_write(tmp_path / "compact.json", credential)))
    assert first.exit_code == 0, first.output
    local_id = first.stdout.split("]")[0].lstrip("[")
    png = tmp_path / "cred.png"
    encoded = _run(home, "qr", "encode", str(tmp_path / "compact.json"), "--format", "png", "--out", str(png))
    assert encoded.exit_code == 0
    wrote, version = encoded.stderr.splitlines()
    assert wrote == f"已写入 {png} / wrote {png}" and version.startswith("二维码版本 "), encoded.stderr
    for again in (_write(tmp_path / "pretty.json", credential, indent=4), png):
        result = _run(home, "wallet", "import", str(again))
        assert result.exit_code == 0, result.output
        assert result.stdout.split("]")[0].lstrip("[") == local_id
    listed = json.loads((home / "wallet" / "index.json").read_text(encoding="utf-8"))
    assert [entry["localId"] for entry in listed] == [local_id]
    changed = credential | {"description": "另一份内容 / other content"}
    conflict = _run(home, "wallet", "import", str(_write(tmp_path / "changed.json", changed)))
    assert conflict.exit_code == 1 and conflict.stderr.strip().splitlines()[-1].startswith("错误 / Error: CONFLICT: ")


# --- a CSV header that belongs to another kind ---------------------------------------------------------


def test_a_skill_level_csv_given_as_title_says_once_that_the_header_does_not_fit(tmp_path: Path) -> None:
    issuer = Cli(tmp_path / "home")
    issuer.init()
    result = issuer("batch", str(SAMPLE_CSV), "--kind", "title", "--out", str(tmp_path / "out"), *FAST)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: identity hash")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "错误 / Error: MALFORMED_VALUE_ERROR: 表头与 --kind title 不符，它是 --kind skill-level 的表头"
    )
    assert "the CSV header does not fit --kind title: it is the header of --kind skill-level" in lines[0]
    assert "bad row" not in result.stderr and not (tmp_path / "out").exists()


def test_a_misspelled_header_names_the_columns_that_do_not_fit(tmp_path: Path) -> None:
    issuer = Cli(tmp_path / "home")
    issuer.init()
    header, *rows = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()
    typo = tmp_path / "typo.csv"
    typo.write_text("\n".join([header.replace("skillLevel", "skilLevel"), *rows]) + "\n", encoding="utf-8")
    result = issuer("batch", str(typo), "--kind", "skill-level", "--out", str(tmp_path / "out"), *FAST)
    assert result.exit_code == 1 and "bad row" not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "the CSV header does not fit --kind skill-level (unknown column(s): skilLevel; missing column(s): "
            "skillLevel); nothing was issued"
        )
    )


# --- a refusal is Chinese first: the error's own sentence, else its code's Chinese title ----------------


def test_a_refusal_reads_chinese_first_then_the_code_and_the_english_detail(tmp_path: Path) -> None:
    issuer = Cli(tmp_path / "home")
    issuer.init()
    data = json.loads(issuer("kinds", "skill-level", "--example").stdout)
    wrong = "0" if data["idNumber"][-1] != "0" else "1"
    data["idNumber"] = data["idNumber"][:-1] + wrong
    bad = issuer("issue", "skill-level", "--data", str(_write(tmp_path / "bad.json", data)), *FAST)
    assert bad.exit_code == 1
    assert (
        bad.stderr.strip()
        .splitlines()[-1]
        .startswith("错误：身份证号最后一位校验码不对，请核对号码 / Error: MALFORMED_VALUE_ERROR: idNumber: ")
    ), bad.stderr
    unknown = issuer("revoke", "--yes", "urn:uuid:00000000-0000-4000-8000-000000000000")
    assert unknown.exit_code == 1 and unknown.stderr.strip().splitlines()[-1] == (
        "错误：未找到 / Error: NOT_FOUND: "
        "no credential 'urn:uuid:00000000-0000-4000-8000-000000000000' in this registry"
    )

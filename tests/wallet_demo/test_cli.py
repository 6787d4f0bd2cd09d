"""``skillcred wallet`` and ``skillcred qr`` through click's runner, with SKILLCRED_HOME in tmp_path."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from skillcred.cli import cli
from tests.support import LOADER, NOW, invoke
from tests.wallet_demo.conftest import recognition_credential, skill_credential, write_json
from vccore.di.proofs import verify_proofs
from vccore.di.purposes import AuthenticationPurpose
from vccore.qr import payload as qr
from vccore.qr.read import read_qr
from vccore.qr.render import render_png
from wallet_demo.present import PresentationRequest, encode_request


@pytest.fixture
def run(tmp_path: Path) -> Any:

    def run_cli(*args: str) -> Result:
        return invoke(cli, args, env={"SKILLCRED_HOME": str(tmp_path / "home")}, catch_exceptions=False)

    return run_cli


@pytest.fixture
def imported(run: Any, tmp_path: Path) -> str:
    assert run("wallet", "init").exit_code == 0
    result = run("wallet", "import", str(write_json(tmp_path / "cred.json", skill_credential())))
    assert result.exit_code == 0, result.output
    return str(result.output).split("]")[0].lstrip("[")


def test_init_import_list_show(run: Any, tmp_path: Path, imported: str) -> None:
    assert (tmp_path / "home" / "wallet" / "holder-key.json").is_file()
    listing = run("wallet", "list")
    assert listing.exit_code == 0
    assert imported in listing.output and "车工 · 二级/技师" in listing.output and "凭证自述" in listing.output
    english = run("wallet", "list", "--lang", "en")
    assert "Level 2 / technician" in english.output and "Status unknown" not in english.output
    shown = run("wallet", "show", imported, "--lang", "en")
    assert "Y000014000031232000158" in shown.output
    text_qr = run("wallet", "show", imported, "--qr", "text")
    assert text_qr.exit_code == 0 and "█" in text_qr.output
    svg = tmp_path / "card.svg"
    assert run("wallet", "show", imported, "--qr", "svg", "--out", str(svg)).exit_code == 0
    assert svg.read_text().startswith("<svg")


def test_present_writes_a_verifiable_presentation(run: Any, tmp_path: Path, imported: str) -> None:
    out = tmp_path / "vp.json"
    result = run(
        "wallet",
        "present",
        imported,
        "--domain",
        "hr.example.test",
        "--days",
        "3",
        "--challenge",
        "nonce-12345678",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    vp = json.loads(out.read_text())
    purpose = AuthenticationPurpose(challenge="nonce-12345678", domain="hr.example.test", controller=vp["holder"])
    assert verify_proofs(vp, loader=LOADER, purpose=purpose, now=NOW).passed
    late = verify_proofs(vp, loader=LOADER, purpose=purpose, now=NOW + timedelta(days=4))
    assert not late.passed


def test_answer_a_request_given_as_text_or_image(run: Any, tmp_path: Path, imported: str) -> None:
    request = PresentationRequest(
        "c-1a2b3c4d5e6f", "hr.example.test", "https://verify.example.test/a", NOW + timedelta(hours=1)
    )
    payload = encode_request(request)
    result = run("wallet", "answer", payload, imported)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["proof"]["challenge"] == "c-1a2b3c4d5e6f"
    image = tmp_path / "request.png"
    image.write_bytes(render_png(payload, box_size=5))
    from_image = run("wallet", "answer", str(image), imported, "--qr", "text")
    assert from_image.exit_code == 0 and "█" in from_image.output


def test_print_a_certificate_whose_qr_code_is_the_credential(run: Any, tmp_path: Path, imported: str) -> None:
    out = tmp_path / "cert.png"
    result = run("wallet", "print", imported, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert qr.decode(read_qr(out.read_bytes())) == skill_credential()
    pdf = tmp_path / "cert.pdf"
    assert run("wallet", "print", imported, "--out", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_present_a_recognition_without_its_source_is_one_clear_line(run: Any, tmp_path: Path) -> None:
    run("wallet", "init")
    recog = run("wallet", "import", str(write_json(tmp_path / "r.json", recognition_credential(skill_credential()))))
    local_id = recog.output.split("]")[0].lstrip("[")
    result = run("wallet", "present", local_id, "--domain", "hr.example.test")
    assert result.exit_code == 1
    assert "CHAIN_SOURCE_MISSING" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["wallet", "list"], 1, "init"),
        (["wallet", "show", "ffff0000"], 1, "NOT_FOUND"),
        (["wallet", "import", "/nonexistent/file.json"], 2, "/nonexistent/file.json: 文件或目录不存在"),
        (["wallet", "import", "http://issuer.example.test/c"], 1, "https"),
        (["wallet", "present", "x", "--domain", "d", "--days", "31"], 2, "31"),
        (["wallet", "present", "x"], 2, "--domain"),
        (["wallet", "print", "x", "--out", "cert.jpg"], 2, ".png or .pdf"),
        (["wallet", "answer", "SC1:garbage", "x"], 1, ""),
    ],
)
def test_errors_are_one_line_and_exit_codes_are_right(run: Any, args: list[str], code: int, message: str) -> None:
    if args[1] not in ("list",) and code == 1 and args[1] != "import":
        run("wallet", "init")
    if args[1] == "import":
        run("wallet", "init")
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


# --- skillcred qr ------------------------------------------------------------------------------


def test_qr_encode_and_decode(run: Any, tmp_path: Path) -> None:
    document = write_json(tmp_path / "cred.json", skill_credential())
    text = run("qr", "encode", str(document))
    assert text.exit_code == 0 and "█" in text.output
    png = tmp_path / "cred.png"
    assert run("qr", "encode", str(document), "--format", "png", "--out", str(png)).exit_code == 0
    decoded = run("qr", "decode", str(png))
    assert decoded.exit_code == 0
    assert json.loads(decoded.output) == skill_credential()
    payload = qr.encode(skill_credential())
    assert json.loads(run("qr", "decode", payload).output)["id"] == skill_credential()["id"]
    ref = qr.encode_reference("https://wallet.example.test/p/abc", "0" * 64)
    assert json.loads(run("qr", "decode", ref).output)["reference"]["sha256"] == "0" * 64


def test_qr_encode_refuses_a_document_too_large_for_a_reliable_code(run: Any, tmp_path: Path) -> None:
    import secrets

    big = {"type": "Blob", "data": [secrets.token_hex(32) for _ in range(40)]}
    result = run("qr", "encode", str(write_json(tmp_path / "big.json", big)))
    assert result.exit_code == 1
    assert "QR_TOO_LARGE" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["qr", "decode", "not a payload"], 2),  # neither a payload nor a file: a missing file
        (["qr", "decode", "SC2:not-base45"], 1),
        (["qr", "encode", "/nonexistent.json"], 2),
        (["qr", "encode", "cred.json", "--format", "png"], 2),
    ],
)
def test_qr_errors(run: Any, tmp_path: Path, args: list[str], code: int) -> None:
    write_json(tmp_path / "cred.json", skill_credential())
    args = [str(tmp_path / a) if a == "cred.json" else a for a in args]
    result = run(*args)
    assert result.exit_code == code
    assert "Traceback" not in result.output


def test_serve_builds_the_app_and_hands_it_to_uvicorn(run: Any, imported: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    result = run("wallet", "serve", "--port", "8765")
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765
    assert seen["app"].routes

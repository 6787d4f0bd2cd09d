from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.support import NOW, invoke, sign
from tests.world import ROGUE, ROOT, TITLE_BOARD, WEB_DID, VerifierWorld, web_document
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

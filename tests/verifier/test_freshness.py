"""Freshness is counted per answer (issue 14): ``skillcred verifier serve`` with a trust pack reports the
pack's age at the instant of each request, by its injected clock, not the age it had at start-up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support import NOW, invoke, sign
from tests.world import ROOT, TITLE_BOARD, WEB_DID, VerifierWorld, web_document
from vccore.trust.lists import trust_list_credential
from vccore.trust.pack import StatusSnapshot, build_trust_pack
from verifier.cli import main


class MovingClock:
    """A clock the test moves forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _pack(world: VerifierWorld, tmp_path: Path) -> Path:
    made = NOW - timedelta(hours=1)
    tl = trust_list_credential(world.trust, root_did=ROOT.controller, id="urn:tl", now=made)
    pack = build_trust_pack(
        trust_lists=[sign(tl, ROOT, created=made)],
        signer=ROOT,
        loader=world.loader,
        now=made,
        did_documents={WEB_DID: web_document(TITLE_BOARD)},
        status_snapshots=[StatusSnapshot(u, d, NOW) for u, d in world.lists.items()],
    )
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack), encoding="utf-8")
    return path


def test_trust_pack_age_is_counted_at_each_request(
    world: VerifierWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app))
    clock = MovingClock(NOW)
    args = ["serve", "--trust-pack", str(_pack(world, tmp_path)), "--root", ROOT.controller]
    result = invoke(main, [*args, "--challenges", str(tmp_path / "challenges.db")], clock=clock)
    assert result.exit_code == 0, result.output
    with TestClient(served["app"]) as client:
        assert client.get("/health").json()["freshness"]["trustPackAgeSeconds"] == 3600
        clock.now = NOW + timedelta(minutes=10)
        assert client.get("/health").json()["freshness"]["trustPackAgeSeconds"] == 3600 + 600
        answer = client.post("/credentials/verify", json={"verifiableCredential": world.credential()}).json()
        assert answer["verified"] is True, answer
        assert answer["info"]["trustPackAgeSeconds"] == 3600 + 600
        clock.now = NOW + timedelta(days=1)
        answer = client.post("/credentials/verify", json={"verifiableCredential": world.credential()}).json()
        assert answer["info"]["trustPackAgeSeconds"] == 3600 + 86400

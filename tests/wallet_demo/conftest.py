"""The wallet tests' credentials and wallet: P1 张试一's technician credential as her wallet (:data:`HOLDER`)
holds it, and a recognition citing it (tests/world.py; people from ../shared/domain/samples.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import CONTEXTS, NOW, sign
from tests.world import AUTH_SX, EVAL, HOLDER, SIGNED, issued_credential
from vccore.clock import SettableClock
from vccore.recognition.credential import digest_multibase
from wallet_demo.store import Wallet

SKILL_ID = "urn:uuid:6c1a0e52-3b7d-4f0e-9a55-1d2c3b4a5f01"
RECOGNITION_ID = "urn:uuid:6c1a0e52-3b7d-4f0e-9a55-1d2c3b4a5f02"


def skill_credential(holder: str = HOLDER.controller, *, cid: str = SKILL_ID) -> dict[str, Any]:
    """P1 张试一: 车工 二级/技师, Shanxi, issued by :data:`EVAL` to ``holder``."""
    return issued_credential("P1", 0, EVAL, cid, subject_did=holder)


def recognition_credential(source: dict[str, Any], holder: str = HOLDER.controller) -> dict[str, Any]:
    """CN-SX-L2-TO-INTERMEDIATE (inferred): 张试一's 技师 deemed equivalent to 中级职称 (工程师) in Shanxi, as a
    recognition service claims it (the wallet shows what a credential says; it does not re-check chains)."""
    names = [
        {"@value": "示例认定服务", "@language": "zh"},
        {"@value": "Example recognition service", "@language": "en"},
    ]
    return sign(
        {
            "@context": list(CONTEXTS),
            "id": RECOGNITION_ID,
            "type": ["VerifiableCredential", "RecognitionCredential"],
            "issuer": {"id": AUTH_SX.controller, "name": names},
            "validFrom": "2026-07-01T00:00:00+08:00",
            "credentialSubject": {
                "id": holder,
                "name": "张试一",
                "recognizedAs": {
                    "type": "RecognitionOutcome",
                    "kind": "title",
                    "titleSeries": "工程系列",
                    "titleLevel": "intermediate",
                    "titleName": "工程师",
                },
                "grants": ["deemed-equivalent"],
                "jurisdiction": "CN-SX",
                "recognitionRule": "CN-SX-L2-TO-INTERMEDIATE",
                "ruleVersion": "1",
                "ruleStanding": "inferred",
                "recognitionDate": "2026-07-01",
                "recognizedFrom": [source["id"]],
            },
            "relatedResource": [{"id": source["id"], "digestMultibase": digest_multibase(source)}],
        },
        AUTH_SX,
        created=SIGNED,
    )


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(NOW)


@pytest.fixture
def wallet(tmp_path: Path, clock: SettableClock) -> Wallet:
    return Wallet.create(tmp_path / "wallet", key=HOLDER, clock=clock)


def write_json(path: Path, document: Any, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path

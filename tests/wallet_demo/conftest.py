"""Test credentials for the wallet, signed with did:key issuers. People from shared/domain/samples.md
(fictional; P1 张试一)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import NOW
from vccore import multibase
from vccore.clock import SettableClock
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from wallet_demo.store import Wallet

LOADER = DocumentLoader()
EVALUATOR = did_key_pair(KeyPair.from_seed(b"\x41" * 32))
RECOGNIZER = did_key_pair(KeyPair.from_seed(b"\x43" * 32))
HOLDER = did_key_pair(KeyPair.from_seed(b"\x42" * 32))
OTHER = did_key_pair(KeyPair.from_seed(b"\x44" * 32))
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"]
SKILL_ID = "urn:uuid:6c1a0e52-3b7d-4f0e-9a55-1d2c3b4a5f01"
RECOGNITION_ID = "urn:uuid:6c1a0e52-3b7d-4f0e-9a55-1d2c3b4a5f02"


def _names(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}]


def sign(document: dict[str, Any], signer: KeyPair = EVALUATOR) -> dict[str, Any]:
    return add_proof(document, signer=signer, loader=LOADER, options=ProofOptions(created=NOW - timedelta(days=30)))


def skill_credential(holder: str = HOLDER.controller, *, cid: str = SKILL_ID) -> dict[str, Any]:
    """P1 张试一: 车工 二级/技师, Shanxi."""
    return sign(
        {
            "@context": CONTEXTS,
            "id": cid,
            "type": ["VerifiableCredential", "SkillLevelCredential"],
            "issuer": {
                "id": EVALUATOR.controller,
                "name": _names("示例重型机床有限公司", "Example Heavy Machine Tool Co."),
            },
            "validFrom": "2023-06-30T00:00:00+08:00",
            "credentialSubject": {
                "id": holder,
                "name": "张试一",
                "occupationCode": "6-18-01-01",
                "occupationName": "车工",
                "jobType": "数控车工",
                "skillLevel": "L2",
                "skillLevelText": "二级/技师",
                "skillLevelOrder": 5,
                "certificateNumber": "Y000014000031232000158",
                "credentialForm": "职业技能等级证书",
                "evaluationOrganization": {
                    "type": "Organization",
                    "name": "示例重型机床有限公司",
                    "organizationCategory": "Y",
                    "organizationCode": "0000",
                },
                "assessmentDate": "2023-06-30",
            },
        }
    )


def digest_multibase(document: dict[str, Any]) -> str:
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return multibase.encode_z(b"\x12\x20" + hashlib.sha256(raw).digest())


def recognition_credential(source: dict[str, Any], holder: str = HOLDER.controller) -> dict[str, Any]:
    """CN-SX-L2-TO-INTERMEDIATE (inferred): 张试一's 技师 deemed equivalent to 中级职称 in Shanxi."""
    return sign(
        {
            "@context": CONTEXTS,
            "id": RECOGNITION_ID,
            "type": ["VerifiableCredential", "RecognitionCredential"],
            "issuer": {"id": RECOGNIZER.controller, "name": _names("示例认定服务", "Example recognition service")},
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
                "ruleConfidence": "inferred",
                "recognitionDate": "2026-07-01",
                "recognizedFrom": [source["id"]],
            },
            "relatedResource": [{"id": source["id"], "digestMultibase": digest_multibase(source)}],
        },
        RECOGNIZER,
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

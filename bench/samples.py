"""A realistic skill-level credential (P1 张试一 of ../shared/domain/samples.md, fictional) for benchmarks."""

from __future__ import annotations

from typing import Any


def skill_level_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
        "id": "urn:uuid:4f1d8c8e-4d2b-4b8e-9a63-2b5f0f0e0158",
        "type": ["VerifiableCredential", "SkillLevelCredential"],
        "name": [
            {"@value": "职业技能等级凭证", "@language": "zh"},
            {"@value": "Skill level credential", "@language": "en"},
        ],
        "issuer": {
            "id": issuer,
            "name": [
                {"@value": "示例重型机床有限公司", "@language": "zh"},
                {"@value": "Example Heavy Machine Tool Co., Ltd.", "@language": "en"},
            ],
        },
        "validFrom": "2023-06-30T00:00:00+08:00",
        "credentialSchema": {"id": "https://w3id.org/skillcred/schemas/skill-level-v1.json", "type": "JsonSchema"},
        "credentialStatus": [
            {
                "id": "https://issuer.example-machine.test/status/1#94567",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "94567",
                "statusListCredential": "https://issuer.example-machine.test/status/1",
            },
            {
                "id": "https://issuer.example-machine.test/status/2#23452",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": "23452",
                "statusListCredential": "https://issuer.example-machine.test/status/2",
            },
        ],
        "credentialSubject": {
            "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "name": "张试一",
            "identityHash": {
                "type": "Argon2idIdentityHash",
                "identityType": "nationalIdentityNumber",
                "hashValue": "3q0Jp7m4Yt0b6tq3m9o2bqXr6qk1e7m0h0bV8n8b3cA",
                "salt": "c2tpbGxjcmVkLXNhbHQtMQ",
                "opsLimit": 3,
                "memLimit": 67108864,
            },
            "occupationCode": "6-18-01-01",
            "occupationClassification": "中华人民共和国职业分类大典（2022年版）",
            "occupationName": "车工",
            "jobType": "数控车工",
            "skillLevel": "L2",
            "skillLevelText": "二级/技师",
            "skillLevelOrder": 4,
            "certificateNumber": "Y000014000031232000158",
            "credentialForm": "职业技能等级证书",
            "evaluationOrganization": {
                "type": "Organization",
                "name": "示例重型机床有限公司",
                "organizationCategory": "Y",
                "filingAuthority": "CN-SX",
                "organizationCode": "0000",
            },
            "assessmentDate": "2023-06-30",
        },
    }

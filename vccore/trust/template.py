"""A starting trust list (the JSON ``skillcred verifier trust-list sign`` takes), with its allowed values
written beside it (``_about``, which the parser ignores).

With no issuer named it holds one example entry to edit; each DID named gets an entry of its own, whose keys
are derived for a did:key and left as a placeholder to fill in from the DID document for a did:web.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vccore.did.resolver import DidResolver
from vccore.timeutil import format_datetime
from vccore.trust.lists import FORMAT_VERSION, ROLES

#: what an entry's credentialTypes may name
CREDENTIAL_TYPES = (
    "SkillLevelCredential",
    "ProfessionalQualificationCredential",
    "ProfessionalTitleCredential",
    "DegreeCredential",
    "TechnicalSchoolDiplomaCredential",
    "RecognitionRuleCredential",
    "RecognitionCredential",
)
EXAMPLE_DID = "did:web:eval.example-heavy-machine.cn"

ABOUT = {
    "zh": "签发机构信任列表：编辑后用 skillcred verifier trust-list sign 签名。_about 在签名时被忽略。",
    "en": "A trust list of issuers: edit, then sign with skillcred verifier trust-list sign. _about is ignored.",
    "issuers[].id": "the issuer's DID (did:web:DOMAIN[:PATH] or did:key:…)",
    "issuers[].name": "{zh, en}: the names verifiers show for this issuer (not the names in its credentials)",
    "issuers[].roles": sorted(ROLES),
    "issuers[].jurisdictions": "CN, or ISO 3166-2:CN codes such as CN-SX, CN-GD (CN covers every province)",
    "issuers[].credentialTypes": list(CREDENTIAL_TYPES),
    "issuers[].keys": "[{id: DID#KEY (a verificationMethod of its DID document), validFrom, validUntil (null: open)}]",
    "dates": "ISO 8601 with an offset, e.g. 2026-01-01T00:00:00+08:00",
}


def _keys(did: str, since: datetime) -> list[dict[str, Any]]:
    if did.startswith("did:key:"):
        method = DidResolver().resolve(did)["assertionMethod"][0]
        key_id = method if isinstance(method, str) else method["id"]
    else:
        key_id = f"{did}#KEY-ID-FROM-ITS-DID-DOCUMENT"
    return [{"id": key_id, "validFrom": format_datetime(since), "validUntil": None}]


def trust_list_template(
    dids: Sequence[str] = (),
    *,
    now: datetime,
    keys_since: datetime,
    name_zh: str = "（机构中文名称）",
    name_en: str = "(issuer's English name)",
    roles: Sequence[str] = ("skill-evaluation-organization",),
    jurisdictions: Sequence[str] = ("CN",),
    credential_types: Sequence[str] = ("SkillLevelCredential",),
) -> dict[str, Any]:
    """The template (see the module docstring); raises ``ValueError`` for a role or type not allowed."""
    unknown = [r for r in roles if r not in ROLES] + [t for t in credential_types if t not in CREDENTIAL_TYPES]
    if unknown:
        raise ValueError(f"not allowed: {', '.join(unknown)} (see _about in the template)")
    entries = [
        {
            "id": did,
            "name": {"zh": name_zh, "en": name_en},
            "roles": list(roles),
            "jurisdictions": list(jurisdictions),
            "credentialTypes": list(credential_types),
            "keys": _keys(did, keys_since),
        }
        for did in (dids or (EXAMPLE_DID,))
    ]
    return {"_about": ABOUT, "version": FORMAT_VERSION, "issued": format_datetime(now), "issuers": entries}

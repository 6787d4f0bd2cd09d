"""A starting trust list (the JSON ``skillcred verifier trust-list sign`` takes), with its allowed values
written beside it (``_about``, which the parser ignores).

With no issuer named it holds one example entry to edit; each DID named gets an entry of its own, whose keys
are the ``assertionMethod`` keys of its DID document (derived for a did:key; for a did:web given in
``documents``, or left as a placeholder to fill in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def _keys(did: str, since: datetime, document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if document is None and did.startswith("did:key:"):
        document = DidResolver().resolve(did)
    methods = list(document.get("assertionMethod") or []) if document is not None else []
    ids = [m if isinstance(m, str) else str(m.get("id")) for m in methods if isinstance(m, (str, Mapping))]
    ids = [i if i.startswith("did:") else f"{did}{i}" for i in ids] or [f"{did}#KEY-ID-FROM-ITS-DID-DOCUMENT"]
    return [{"id": key_id, "validFrom": format_datetime(since), "validUntil": None} for key_id in ids]


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
    documents: Mapping[str, Mapping[str, Any]] | None = None,
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
            "keys": _keys(did, keys_since, (documents or {}).get(did)),
        }
        for did in (dids or (EXAMPLE_DID,))
    ]
    return {"_about": ABOUT, "version": FORMAT_VERSION, "issued": format_datetime(now), "issuers": entries}

"""What the scan page shows about one verified (or not) document: a plain, bilingual view model.

The page never decides anything itself: the verdict is :class:`VerificationResult` ``verified``,
and this module only arranges what the result and the document say for a person to read
(SECURITY.md item 16, "Display"):

* the state is ``verified`` only when the result is; a failure made only of checks that could not
  run (a status list out of reach) is ``unchecked`` ("could not check"), never a pass;
* the issuer is named as the *trust list* names it (the ``trust`` check's ``info.names``, else the
  verifier's own trust list); the name the credential claims is shown only as claimed, and flagged
  when it differs;
* every failed check is listed with its zh/en title (:data:`vccore.errors.TITLES`) and detail;
* a recognition's chain (the ``recognition`` check's nested results) becomes a small tree.

Every string taken from the document is truncated; the page renders them as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from vccore.credentials import issuer_id, types_of
from vccore.display import DATE_LABELS, date_text, moment_text, region_name
from vccore.errors import SkillcredError
from vccore.recognition.text import INFERRED_MARK, LABELS, describe_outcome
from vccore.recognition.wording import describe_grant, outcome_of, recognition_rows, rule_standing, shipped_rule
from vccore.result import Check, CheckName, VerificationResult
from vccore.text import Text
from vccore.timeutil import parse_datetime
from vccore.trust.lists import TrustList
from verifier.pages.verdict import presentation_verdict, tone_of, verdict

MAX_TEXT: Final = 200
MAX_LIST: Final = 16
MAX_TREE_DEPTH: Final = 6

KIND_LABELS: Final[dict[str, tuple[str, str]]] = {
    "SkillLevelCredential": ("职业技能等级凭证", "Skill level credential"),
    "ProfessionalQualificationCredential": ("职业资格凭证", "Professional qualification credential"),
    "ProfessionalTitleCredential": ("职称凭证", "Professional title credential"),
    "DegreeCredential": ("学历学位凭证", "Degree credential"),
    "TechnicalSchoolDiplomaCredential": ("技工院校毕业凭证", "Technical school diploma credential"),
    "RecognitionCredential": ("认定凭证", "Recognition credential"),
    "RecognitionRuleCredential": ("认定规则集凭证", "Recognition rule set credential"),
    "VerifiablePresentation": ("凭证出示", "Presentation"),
}

#: (subject field, zh label, en label) in display order; values that are codes get LABELS
FIELDS: Final[tuple[tuple[str, str, str], ...]] = (
    ("occupationName", "职业（工种）", "Occupation"),
    ("occupationCode", "职业编码", "Occupation code"),
    ("jobType", "工种", "Job type"),
    ("skillLevel", "技能等级", "Skill level"),
    ("skillLevelText", "证书所载等级", "Level as printed"),
    ("credentialForm", "证书形式", "Certificate form"),
    ("qualificationName", "资格名称", "Qualification"),
    ("qualificationGrade", "资格等级", "Qualification grade"),
    ("registrationNumber", "注册编号", "Registration number"),
    ("titleSeries", "职称系列", "Title series"),
    ("titleSpecialty", "专业", "Specialty"),
    ("titleLevel", "职称级别", "Title level"),
    ("titleName", "职称名称", "Title"),
    ("educationLevel", "学历层次", "Education level"),
    ("institutionName", "院校", "Institution"),
    ("major", "专业", "Major"),
    ("technicalSchoolClass", "技工院校班级", "Technical school class"),
    ("schoolName", "学校", "School"),
    ("specialty", "专业", "Specialty"),
    ("certificateNumber", "证书编号", "Certificate number"),
    *((key, label.zh, label.en) for key, label in DATE_LABELS.items() if key != "recognitionDate"),
    ("jurisdiction", "适用地区", "Region"),
    ("recognitionDate", DATE_LABELS["recognitionDate"].zh, DATE_LABELS["recognitionDate"].en),
    ("recognitionRule", "认定规则", "Recognition rule"),
    ("ruleVersion", "规则版本", "Rule version"),
)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text[:MAX_TEXT]


def _pair(zh: str, en: str) -> dict[str, str]:
    return {"zh": _text(zh), "en": _text(en)}


def _coded(value: Any) -> dict[str, str]:
    text = _text(value)
    zh, en = LABELS.get(text, (text, text))
    return _pair(zh, en)


def _language_map(value: Any) -> dict[str, str] | None:
    """A name as a credential writes it (a string or ``[{"@value", "@language"}]``) as ``{zh, en}``."""
    if isinstance(value, str):
        return _pair(value, value)
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return None
    found: dict[str, str] = {}
    for item in value[:MAX_LIST]:
        if isinstance(item, Mapping) and isinstance(item.get("@value"), str):
            lang = str(item.get("@language", "")).lower()
            found.setdefault("en" if lang.startswith("en") else "zh" if lang.startswith("zh") else "", item["@value"])
    if not found:
        return None
    zh = found.get("zh") or found.get("") or found.get("en", "")
    return _pair(zh, found.get("en") or zh)


def problems_of(result: VerificationResult) -> list[dict[str, Any]]:
    """Every failed check of ``result`` (not its nested results), one entry per problem."""
    return [{"check": c.name, **p.to_json()} for c in result.checks for p in c.problems]


def state_of(result: VerificationResult) -> str:
    """``verified``, ``incomplete`` (only a recognition's source is missing: :mod:`verifier.pages.verdict`),
    ``unchecked`` (every problem is one of :data:`UNCHECKED_CODES`) or ``failed``."""
    if not result.checks:
        return "failed"
    return tone_of({p.code for p in result.problems()}, result.verified)


def _subject(document: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and subject:
        subject = subject[0]
    return subject if isinstance(subject, Mapping) else {}


def _shown(text: Text) -> dict[str, str]:
    return _pair(text.zh, text.en)


#: subject fields a recognition's own rows show (region by name, rule with its version): not repeated above them
RECOGNITION_ROW_FIELDS: Final = frozenset({"jurisdiction", "recognitionRule", "ruleVersion"})


def _fields(subject: Mapping[str, Any], *, omit: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key, zh, en in FIELDS:
        if key in omit:
            continue
        value = subject.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            if key in DATE_LABELS and isinstance(value, str):
                shown = _shown(date_text(value[:MAX_TEXT]))  # 2023年6月30日, one label per date (vccore.display)
            elif key == "jurisdiction" and isinstance(value, str):
                shown = _shown(region_name(value[:MAX_TEXT]))  # 山西省, not CN-SX
            else:
                shown = _coded(value)
            out.append({"key": key, "label": _pair(zh, en), "value": shown})
    org = subject.get("evaluationOrganization")
    if isinstance(org, Mapping) and org.get("name"):
        name = _language_map(org.get("name")) or _pair("", "")
        out.append(
            {"key": "evaluationOrganization", "label": _pair("评价机构", "Evaluation organization"), "value": name}
        )
    # a recognition's standing, 依据 (原文件未取得 when empty) and note are its rows (vccore.recognition.wording)
    return out


def _recognition(document: Mapping[str, Any]) -> dict[str, Any] | None:
    subject = _subject(document)
    recognized = outcome_of(subject)
    if recognized is None:
        return None
    grants, purposes = subject.get("grants"), subject.get("purposes")
    basis = subject.get("legalBasis")
    basis_text = ""
    if isinstance(basis, Mapping) and isinstance(basis.get("documentName"), str):
        basis_text = " ".join(
            _text(basis.get(k))
            for k in ("issuingAuthority", "documentName", "documentNumber", "documentDate")
            if isinstance(basis.get(k), str)
        )
    inferred = rule_standing(subject) == "inferred"
    rows = recognition_rows(document, shipped_rule(document))
    return {
        "grant": _shown(describe_grant(subject)),  # what it grants, never the bare outcome
        "rows": [{"label": _shown(label), "value": _shown(value)} for label, value in rows][:MAX_LIST],
        "outcome": _pair(describe_outcome(recognized, "zh"), describe_outcome(recognized, "en")),
        "grants": [_coded(g) for g in (grants if isinstance(grants, list) else [])[:MAX_LIST]],
        "purposes": [_coded(p) for p in (purposes if isinstance(purposes, list) else [])[:MAX_LIST]],
        "legalBasis": _text(basis_text),
        "standing": _text(subject.get("ruleStanding")),
        "inferred": inferred,
        "inferredMark": _pair(INFERRED_MARK.zh, INFERRED_MARK.en) if inferred else None,
    }


def _trust_names(result: VerificationResult, trust: TrustList | None, did: str) -> dict[str, str] | None:
    check = result.check(CheckName.TRUST)
    names = check.info.get("names") if check is not None else None
    if not isinstance(names, Mapping) and trust is not None and did:
        names = trust.names(did)
    if not isinstance(names, Mapping):
        return None
    return _pair(str(names.get("zh", "")), str(names.get("en", "")))


def issuer_view(document: Mapping[str, Any], result: VerificationResult, trust: TrustList | None) -> dict[str, Any]:
    """The issuer as the trust list names it, and the claimed name only as claimed."""
    did = issuer_id(document) or ""
    raw = document.get("issuer")
    claimed = _language_map(raw.get("name")) if isinstance(raw, Mapping) else None
    listed = _trust_names(result, trust, did)
    differs = claimed is not None and (listed is None or claimed != listed)
    return {"did": _text(did), "listed": listed, "claimed": claimed, "claimedDiffers": differs}


def _proof_created(document: Mapping[str, Any]) -> str:
    proofs = document.get("proof")
    for p in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(p, Mapping) and isinstance(p.get("created"), str):
            return _text(p["created"])
    return ""


def _age_seconds(stamp: Any, now: datetime) -> int | None:
    try:
        return int((now - parse_datetime(stamp, field="issued")).total_seconds())
    except SkillcredError:  # a malformed stamp only means no age is shown
        return None


_STATUS_LABELS: Final = {
    "revocation": ("撤销状态列表", "Revocation list"),
    "suspension": ("暂停状态列表", "Suspension list"),
}
_SOURCES: Final = {
    "online": ("在线获取", "fetched online"),
    "cache": ("缓存", "cached"),
    "cached": ("缓存", "cached"),
    "offline": ("离线副本", "offline copy"),
}


def _purposes(document: Mapping[str, Any]) -> dict[str, str]:
    """Status list URL -> its purpose (``revocation``, ``suspension``), from the credential's entries."""
    entries = document.get("credentialStatus")
    out: dict[str, str] = {}
    for entry in (entries if isinstance(entries, list) else [entries])[:MAX_LIST]:
        if isinstance(entry, Mapping):
            url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
            if isinstance(url, str) and isinstance(purpose, str):
                out[url] = purpose
    return out


def freshness_view(
    result: VerificationResult, now: datetime, purposes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """How old the verifier's knowledge was: the trust list's age and each status list's."""
    info = result.info
    lists = info.get("statusLists")
    statuses = []
    for item in lists if isinstance(lists, list) else []:
        if isinstance(item, Mapping):
            url = _text(item.get("url"))
            purpose = (purposes or {}).get(url, "")
            statuses.append(
                {
                    "url": url,
                    "label": _pair(*_STATUS_LABELS.get(purpose, ("状态列表", "Status list"))),
                    "sourceLabel": _pair(*_SOURCES.get(_text(item.get("source")), (_text(item.get("source")),) * 2)),
                    "source": _text(item.get("source")),
                    "ageSeconds": item.get("ageSeconds") if isinstance(item.get("ageSeconds"), int) else None,
                    "validUntil": _text(item.get("validUntil")),
                }
            )
    issued = info.get("trustListIssued")
    return {
        "trustListIssued": _text(issued),
        "trustListIssuedShown": _shown(moment_text(_text(issued))) if issued else None,
        "trustListAgeSeconds": _age_seconds(issued, now) if issued else None,
        "statusLists": statuses,
    }


def chain_tree(check: Check | None, depth: int = 0) -> dict[str, Any] | None:
    """``recognition -> rule -> sources`` from a ``recognition`` check's links and nested results."""
    if check is None:
        return None
    links = check.info.get("links")
    roles = (
        [str(link.get("role", "source")) for link in links if isinstance(link, Mapping)]
        if isinstance(links, list)
        else []
    )
    ids = [str(link.get("id") or "") for link in links if isinstance(link, Mapping)] if isinstance(links, list) else []
    sources = roles.count("source")
    nodes: list[dict[str, Any]] = []
    for i, child in enumerate(check.children[:MAX_LIST]):
        role = "source" if i < sources else "rule"
        trust = child.check(CheckName.TRUST)
        kinds = trust.info.get("credentialTypes") if trust is not None else None
        kind = kinds[0] if isinstance(kinds, list) and kinds and isinstance(kinds[0], str) else ""
        names = trust.info.get("names") if trust is not None else None
        sub = chain_tree(child.check(CheckName.RECOGNITION), depth + 1) if depth < MAX_TREE_DEPTH else None
        nodes.append(
            {
                "role": role,
                "id": _text(child.subject or (ids[i] if i < len(ids) else "")),
                "kind": _pair(*KIND_LABELS.get(kind, (kind, kind))),
                "issuer": _pair(str(names.get("zh", "")), str(names.get("en", "")))
                if isinstance(names, Mapping)
                else None,
                "state": state_of(child),
                "problems": problems_of(child)[:MAX_LIST],
                "chain": sub,
            }
        )
    rule = [n for n in nodes if n["role"] == "rule"]
    return {
        "state": "verified" if check.passed else "failed",
        "rule": _text(check.info.get("recognitionRule")),
        "ruleVersion": _text(check.info.get("ruleVersion")),
        "standing": _text(check.info.get("ruleStanding")),
        "problems": [{"check": check.name, **p.to_json()} for p in check.problems][:MAX_LIST],
        "nodes": rule + [n for n in nodes if n["role"] == "source"],
    }


def _kind(document: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    kinds = [t for t in types_of(document) if t != "VerifiableCredential"]
    kind = next((k for k in kinds if k in KIND_LABELS), kinds[0] if kinds else "VerifiableCredential")
    return _text(kind), _pair(*KIND_LABELS.get(kind, (kind, kind)))


def credential_view(
    document: Any, result: VerificationResult, trust: TrustList | None, now: datetime
) -> dict[str, Any]:
    """The card for one credential and its result. When the credential's own proof does not verify, what it
    says is withheld (holder, fields, recognition, the issuer's listed name): only the verdict is shown."""
    doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
    subject = _subject(doc)
    kind, label = _kind(doc)
    judged = verdict(result, subject, now)
    issuer = issuer_view(doc, result, trust)
    if not judged["trusted"]:
        subject = {}
        issuer = {**issuer, "listed": None, "claimed": None, "claimedDiffers": False}
    identity = subject.get("identityHash")
    recognition = _recognition(doc) if judged["trusted"] else None  # withheld with the rest
    return {
        "type": kind,
        "kindLabel": label,
        "id": _text(doc.get("id")),
        "state": state_of(result),
        "verdict": judged,
        "holder": {"name": _text(subject.get("name")), "id": _text(subject.get("id"))},
        "identityHash": dict(identity) if isinstance(identity, Mapping) else None,
        "fields": _fields(subject, omit=RECOGNITION_ROW_FIELDS if recognition is not None else frozenset()),
        "recognition": recognition,
        "issuer": issuer,
        "dates": {
            "validFrom": _text(doc.get("validFrom")),
            "validUntil": _text(doc.get("validUntil")),
            "signed": _proof_created(doc),
            # the same moments as a person reads them: Beijing time, Chinese form (vccore.display)
            "shown": {
                key: _shown(moment_text(value)) if value else None
                for key, value in (
                    ("validFrom", _text(doc.get("validFrom"))),
                    ("validUntil", _text(doc.get("validUntil"))),
                    ("signed", _proof_created(doc)),
                )
            },
        },
        "freshness": freshness_view(result, now, _purposes(doc)),
        "checks": [{"check": c.name, "passed": c.passed} for c in result.checks],
        "problems": problems_of(result),
        "warnings": [w.to_json() for w in result.warnings],
        "chain": chain_tree(result.check(CheckName.RECOGNITION)),
    }


def presentation_view(
    document: Any, result: VerificationResult, trust: TrustList | None, now: datetime
) -> dict[str, Any]:
    """The presentation's own checks, then one card per embedded credential."""
    doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
    creds = doc.get("verifiableCredential", [])
    items: Sequence[Any] = creds if isinstance(creds, list) else [creds]
    holder_check = result.check(CheckName.CREDENTIALS)
    children = holder_check.children if holder_check is not None else ()
    cards = [credential_view(item, child, trust, now) for item, child in zip(items, children, strict=False)]
    holder = doc.get("holder")
    judged = presentation_verdict(result, cards)
    return {
        "type": "VerifiablePresentation",
        "kindLabel": _pair(*KIND_LABELS["VerifiablePresentation"]),
        "state": judged["tone"],
        "verdict": judged,
        "holder": _text(holder.get("id") if isinstance(holder, Mapping) else holder),
        "checks": [{"check": c.name, "passed": c.passed} for c in result.checks],
        "problems": [p for p in problems_of(result) if p["check"] != "credentials"],
        "warnings": [w.to_json() for w in result.warnings],
        "credentials": cards,
    }

"""Card view models: what a worker sees of each credential, in Chinese and English.

A card shows what the credential *says*. Nothing here is verified: the issuer's id and name are the
credential's own claim (flagged ``claimed``), the status is unknown offline, and a recognition
based on an ``inferred`` rule says so ("推定（非官方）/ inferred, not official"). Codes are labelled
from the tables below (docs/credentials.md); an unknown code is shown as is, never guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from vccore.credentials import issuer_id, types_of
from vccore.display import DATE_LABELS, SIGNED_LABEL, VALID_UNTIL_LABEL, date_text, moment_text
from vccore.recognition.text import LABELS
from vccore.recognition.wording import describe_grant, recognition_rows, rule_standing, shipped_rule
from vccore.text import Text

__all__ = ["Card", "Field", "card_for", "card_lines", "lang_text"]


@dataclass(frozen=True)
class Field:
    label: Text
    value: Text


def _t(zh: str, en: str) -> Text:
    return Text(zh, en)


KINDS: Final = {
    "SkillLevelCredential": _t("职业技能等级", "Skill level"),
    "ProfessionalQualificationCredential": _t("职业资格", "Professional qualification"),
    "ProfessionalTitleCredential": _t("职称", "Professional title"),
    "DegreeCredential": _t("学历", "Education"),
    "TechnicalSchoolDiplomaCredential": _t("技工院校毕业", "Technical school diploma"),
    "RecognitionCredential": _t("贯通认定", "Recognition"),
    "RecognitionRuleCredential": _t("认定规则", "Recognition rule"),
    "TrustListCredential": _t("信任列表", "Trust list"),
}
SKILL_LEVELS: Final = {
    "apprentice": _t("学徒", "Apprentice"),
    "L5": _t("五级/初级工", "Level 5 / junior worker"),
    "L4": _t("四级/中级工", "Level 4 / intermediate worker"),
    "L3": _t("三级/高级工", "Level 3 / senior worker"),
    "L2": _t("二级/技师", "Level 2 / technician"),
    "L1": _t("一级/高级技师", "Level 1 / senior technician"),
    "special-technician": _t("特级技师", "Special technician"),
    "chief-technician": _t("首席技师", "Chief technician"),
}
TITLE_LEVELS: Final = {
    "yuanji": _t("员级", "Technician grade (yuanji)"),
    "assistant": _t("助理级", "Assistant grade"),
    "intermediate": _t("中级", "Intermediate grade"),
    "associate-senior": _t("副高级", "Associate senior grade"),
    "full-senior": _t("正高级", "Full senior grade"),
}
EDUCATION: Final = {
    "zhongzhuan": _t("中专", "Secondary vocational"),
    "dazhuan": _t("大专", "Junior college"),
    "benke": _t("本科", "Bachelor's level"),
    "master": _t("硕士", "Master's"),
    "doctor": _t("博士", "Doctorate"),
}
#: the technical-school classes, worded as vccore's recognition texts word them (one table), capitalized for a card
SCHOOL_CLASSES: Final = {
    code: _t(LABELS[code][0], LABELS[code][1].capitalize())
    for code in ("intermediate-worker-class", "advanced-worker-class", "preparatory-technician-class")
}
GRANTS: Final = {
    "deemed-equivalent": _t("视同具备", "Deemed equivalent"),
    "eligibility-to-apply": _t("可申报评审", "Eligible to apply"),
    "equal-treatment": _t("享受同等待遇", "Equal treatment"),
    "education-equivalent-treatment": _t("享受同等学历待遇", "Treated as the equivalent education"),
}
INFERRED: Final = _t("推定（非官方）", "inferred, not official")
CLAIMED: Final = _t("（凭证自述，未核验）", "(as the credential claims; not verified)")
STATUS_UNKNOWN: Final = _t("状态未知（离线，未查询）", "Status unknown (offline, not checked)")
NO_STATUS: Final = _t("无状态登记", "No status entry")
#: the subject's date fields, each with its one label (vccore.display)
DATE_FIELDS: Final = tuple(DATE_LABELS.items())


def lang_text(value: Any) -> Text:
    """A plain string, or a list of ``{"@value", "@language"}`` objects, as zh/en text."""
    if isinstance(value, str):
        return Text(value, value)
    if isinstance(value, Mapping) and "@value" in value:
        value = [value]
    if isinstance(value, list):
        found = {
            str(v.get("@language", "")).split("-")[0]: str(v.get("@value", "")) for v in value if isinstance(v, Mapping)
        }
        zh = found.get("zh") or found.get("en") or next(iter(found.values()), "")
        return Text(zh, found.get("en") or zh)
    return Text("", "")


def _coded(table: Mapping[str, Text], code: Any) -> Text:
    if isinstance(code, str) and code in table:
        return table[code]
    return Text(str(code), str(code)) if code not in (None, "") else Text("", "")


def _join(*parts: Text, sep: str = " · ") -> Text:
    kept = [p for p in parts if p.zh or p.en]
    return Text(sep.join(p.zh for p in kept), sep.join(p.en for p in kept))


@dataclass(frozen=True)
class Card:
    local_id: str
    credential_id: str
    kind: str
    kind_label: Text
    headline: Text
    holder_name: str
    fields: tuple[Field, ...]
    issuer_id: str
    issuer_name: Text
    valid_from: Text  # the electronic credential's signing time, in Beijing time
    valid_until: Text
    status: Text
    inferred: bool = False


def _headline_and_fields(
    kind: str, subject: Mapping[str, Any], rows: list[tuple[Text, Text]] | None = None
) -> tuple[Text, list[Field]]:
    s = subject
    fields: list[Field] = []

    def add(zh: str, en: str, value: Text | str) -> None:
        text = value if isinstance(value, Text) else Text(value, value)
        if text.zh or text.en:
            fields.append(Field(Text(zh, en), text))

    if kind == "SkillLevelCredential":
        level = Text(str(s.get("skillLevelText", "")), "") if s.get("skillLevelText") else Text("", "")
        coded = _coded(SKILL_LEVELS, s.get("skillLevel"))
        level = Text(level.zh or coded.zh, coded.en or level.zh)
        headline = _join(lang_text(s.get("occupationName")), level)
        add("职业", "Occupation", f"{s.get('occupationName', '')} ({s.get('occupationCode', '')})")
        if s.get("jobType") not in (None, "", "--"):
            add("工种/职业方向", "Job type", str(s["jobType"]))
        add("等级", "Level", level)
        add("证书编号", "Certificate no.", str(s.get("certificateNumber", "")))
        org = s.get("evaluationOrganization")
        if isinstance(org, Mapping):
            add("评价机构", "Evaluation organization", lang_text(org.get("name")))
    elif kind == "ProfessionalQualificationCredential":
        headline = _join(lang_text(s.get("qualificationName")), lang_text(s.get("qualificationGrade")))
        add("证书编号", "Certificate no.", str(s.get("certificateNumber", "")))
        if s.get("registrationNumber"):
            add("注册编号", "Registration no.", str(s["registrationNumber"]))
    elif kind == "ProfessionalTitleCredential":
        headline = _join(lang_text(s.get("titleName")), _coded(TITLE_LEVELS, s.get("titleLevel")))
        series = f"{s.get('titleSeries', '')} {s.get('titleSpecialty', '')}".strip()
        add("系列/专业", "Series / specialty", series)
        add("证书编号", "Certificate no.", str(s.get("certificateNumber", "")))
    elif kind == "DegreeCredential":
        headline = _join(_coded(EDUCATION, s.get("educationLevel")), lang_text(s.get("major")))
        add("院校", "Institution", lang_text(s.get("institutionName")))
        add("证书编号", "Certificate no.", str(s.get("certificateNumber", "")))
    elif kind == "TechnicalSchoolDiplomaCredential":
        headline = _join(_coded(SCHOOL_CLASSES, s.get("technicalSchoolClass")), lang_text(s.get("specialty")))
        add("学校", "School", lang_text(s.get("schoolName")))
        add("证书编号", "Certificate no.", str(s.get("certificateNumber", "")))
    elif kind == "RecognitionCredential":
        # the grant, never the bare outcome (vccore.recognition.wording); the rows beside it
        headline = describe_grant(s)
        fields += [Field(label, value) for label, value in rows[1:]] if rows else []
    else:
        headline = lang_text(s.get("name"))
    return headline, fields


def card_for(document: Mapping[str, Any], *, local_id: str = "") -> Card:
    """The card of one credential (never raises for odd shapes: missing values are left blank)."""
    kinds = [t for t in types_of(document) if t != "VerifiableCredential"]
    kind = next((k for k in kinds if k in KINDS), kinds[0] if kinds else "VerifiableCredential")
    subj = document.get("credentialSubject")
    subject: Mapping[str, Any] = (
        subj
        if isinstance(subj, Mapping)
        else (subj[0] if isinstance(subj, list) and subj and isinstance(subj[0], Mapping) else {})
    )
    rows = recognition_rows(document, shipped_rule(document)) if kind == "RecognitionCredential" else None
    headline, fields = _headline_and_fields(kind, subject, rows)
    for name, label in DATE_FIELDS:
        if isinstance(subject.get(name), str):
            fields.append(Field(label, date_text(subject[name])))
    iss = document.get("issuer")
    status = STATUS_UNKNOWN if document.get("credentialStatus") else NO_STATUS
    return Card(
        local_id=local_id,
        credential_id=str(document.get("id", "")),
        kind=kind,
        kind_label=KINDS.get(kind, Text(kind, kind)),
        headline=headline,
        holder_name=lang_text(subject.get("name")).zh,
        fields=tuple(fields),
        issuer_id=issuer_id(document) or "",
        issuer_name=lang_text(iss.get("name")) if isinstance(iss, Mapping) else Text("", ""),
        valid_from=moment_text(str(document.get("validFrom", ""))),
        valid_until=moment_text(str(document["validUntil"])) if document.get("validUntil") else Text("", ""),
        status=status,
        inferred=kind == "RecognitionCredential" and rule_standing(subject) == "inferred",
    )


def card_lines(card: Card, *, lang: str = "zh", detail: bool = True) -> list[str]:
    """The card as terminal lines."""
    title = f"[{card.local_id}] {card.kind_label.get(lang)}: {card.headline.get(lang)}"
    if card.inferred:
        title += f" ({INFERRED.get(lang)})"
    lines = [title]
    if not detail:
        return lines
    if card.holder_name:
        lines.append(f"  {'持有人' if lang == 'zh' else 'Holder'}: {card.holder_name}")
    lines += [f"  {f.label.get(lang)}: {f.value.get(lang)}" for f in card.fields]
    issuer = card.issuer_name.get(lang)
    lines.append(
        f"  {'签发方' if lang == 'zh' else 'Issuer'}: {issuer + ' ' if issuer else ''}"
        f"<{card.issuer_id}> {CLAIMED.get(lang)}"
    )
    lines.append(f"  {SIGNED_LABEL.get(lang)}: {card.valid_from.get(lang)}")
    if card.valid_until.zh:
        lines.append(f"  {VALID_UNTIL_LABEL.get(lang)}: {card.valid_until.get(lang)}")
    lines.append(f"  {'状态' if lang == 'zh' else 'Status'}: {card.status.get(lang)}")
    return lines


def cards_for(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Card]:
    return [card_for(doc, local_id=lid) for lid, doc in documents]

"""What a recognition grants, in words a worker and an HR clerk read the same way.

Contract: pure functions from a recognition credential's subject (and, when known, its rule's JSON) to
zh/en :class:`~vccore.text.Text`. The headline is the *grant*, never the bare outcome: P2's
eligibility-to-apply reads "可申报 工程系列 工程师（中级）职称评审", not "工程师 · 中级"; P5's
education-equivalent treatment reads "在广东入户、职称评审、招聘、定级中按本科学历落实待遇（不是学历证书）", not
"本科". :func:`recognition_rows` gives the rows every surface shows beside it (the wallet card, the scan
page, the printout): the grant, the rule's standing, the region's name, the legal basis, the rule's notes
and the inputs the holder declared. Whatever the rule or the credential carries is shown generically (an
unknown grant code, standing value or basis field as written), so new rule data shows up without a change
here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from vccore.display import region_name, region_short
from vccore.recognition.model import RecognizedAs
from vccore.recognition.rulesets import find_rule
from vccore.recognition.text import (
    BASIS_ROW,
    LABELS,
    NOTE_ROW,
    STANDING_LABELS,
    STANDING_ROW,
    basis_text,
    describe_outcome,
)
from vccore.text import Text

__all__ = [
    "describe_grant",
    "outcome_of",
    "recognition_rows",
    "rule_standing",
    "shipped_rule",
    "standing_text",
]

NOT_A_DEGREE: Final = Text("（不是学历证书）", " (not an education certificate)")


def _label(code: str) -> Text:
    zh, en = LABELS.get(code, (code, code))
    return Text(zh, en)


def outcome_of(subject: Mapping[str, Any]) -> RecognizedAs | None:
    """The ``recognizedAs`` of a recognition credential's subject, or None."""
    outcome = subject.get("recognizedAs")
    if not isinstance(outcome, Mapping):
        return None
    s = {k: v for k, v in outcome.items() if isinstance(v, str)}
    return RecognizedAs(
        kind=s.get("kind", ""),
        title_series=s.get("titleSeries"),
        title_level=s.get("titleLevel"),
        title_name=s.get("titleName"),
        skill_level=s.get("skillLevel"),
        education_level=s.get("educationLevel"),
        treatment=s.get("treatment"),
    )


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _one_grant(grant: str, outcome: RecognizedAs, purposes: Sequence[str], region: str) -> Text:
    what = Text(describe_outcome(outcome, "zh"), describe_outcome(outcome, "en"))
    where = region_short(region) if region else Text("", "")
    used_zh = "、".join(purposes)
    used_en = ", ".join(purposes)
    if outcome.kind == "education":
        level = _label(outcome.education_level or "")
        if grant == "education-equivalent-treatment":
            place = f"在{where.zh}" if where.zh else ""
            zh = f"{place}{used_zh}中按{level.zh}学历落实待遇" if used_zh else f"{place}按{level.zh}学历落实待遇"
            en_where = f"in {where.en}, " if where.en else ""
            en_used = f" for {used_en}" if used_en else ""
            return Text(zh + NOT_A_DEGREE.zh, f"{en_where}treated as {level.en} education{en_used}{NOT_A_DEGREE.en}")
        if grant == "education-equivalence-for-application":
            zh = f"申报{used_zh}时按{level.zh}学历对待" if used_zh else f"申报时按{level.zh}学历对待"
            en = f"counts as {level.en} education when applying" + (f" for {used_en}" if used_en else "")
            return Text(zh + NOT_A_DEGREE.zh, en + NOT_A_DEGREE.en)
        if grant == "deemed-equivalent":
            return Text(f"视同具备{level.zh}学历" + NOT_A_DEGREE.zh, f"deemed {level.en} education" + NOT_A_DEGREE.en)
    if outcome.kind == "title":
        title = what.zh if what.zh.endswith("职称") else what.zh + "职称"
        if grant == "eligibility-to-apply":
            return Text(f"可申报 {title}评审", f"eligible to apply for review for the {what.en}")
        if grant == "deemed-equivalent":
            return Text(f"视同具备 {title}", f"deemed to hold the {what.en}")
        if grant == "basis-for-next-level":
            return Text(f"可作为申报 {what.zh}以上职称的依据", f"counts towards applying above the {what.en}")
    if outcome.kind == "skill-level":
        level = _label(outcome.skill_level or "")
        if grant == "eligibility-to-apply":
            return Text(f"可申报 {level.zh} 职业技能等级评价", f"eligible to apply for assessment at {level.en}")
        if grant == "deemed-equivalent":
            return Text(f"视同具备 {level.zh} 职业技能等级", f"deemed to hold {level.en}")
        if grant == "exam-exemption":
            return Text(f"申报 {level.zh} 时可免理论考试", f"exempt from the theory exam when applying for {level.en}")
    if grant == "exam-exemption":
        return Text(f"申报 {what.zh} 时可免理论考试", f"exempt from the theory exam when applying for {what.en}")
    if grant == "green-channel":
        return Text(f"申报 {what.zh} 可走绿色通道", f"green channel when applying for {what.en}")
    if outcome.kind == "treatment":
        treatment = _label(outcome.treatment or "")
        return Text(treatment.zh, treatment.en)
    if grant == "equal-treatment":
        return Text(f"享受 {what.zh} 同等待遇", f"equal treatment with {what.en}")
    code = _label(grant)
    return Text(f"{code.zh}：{what.zh}", f"{code.en}: {what.en}")


def describe_grant(subject: Mapping[str, Any]) -> Text:
    """The grant of a recognition credential's subject as one sentence (several grants joined by "；")."""
    outcome = outcome_of(subject)
    if outcome is None:
        return Text("", "")
    grants = _strings(subject.get("grants")) or [""]
    purposes = _strings(subject.get("purposes"))
    region = subject.get("jurisdiction") if isinstance(subject.get("jurisdiction"), str) else ""
    parts = [_one_grant(g, outcome, purposes, str(region)) for g in grants]
    return Text("；".join(p.zh for p in parts), "; ".join(p.en for p in parts))


def standing_text(value: Any) -> Text:
    """A rule standing (``sourced``/``reported``/``inferred``, or a new value as written) in words; empty for
    none (the labels are :data:`vccore.recognition.text.STANDING_LABELS`)."""
    if not isinstance(value, str) or not value:
        return Text("", "")
    return STANDING_LABELS.get(value, Text(value, value))


def rule_standing(subject: Mapping[str, Any], rule: Mapping[str, Any] | None = None) -> str | None:
    """The standing a recognition's subject (or its rule) states: ``ruleStanding``/``standing``, else the
    older ``ruleConfidence``/``confidence``."""
    for source in (subject, rule or {}):
        for key in ("ruleStanding", "standing", "ruleConfidence", "confidence"):
            value = source.get(key)
            if isinstance(value, str):
                return value
    return None


def _condition_saying(rule: Mapping[str, Any] | None, name: str, value: str) -> Text | None:
    """The words of the rule's condition that holds when the holder declares ``name`` = ``value`` (its logic
    is ``{"==": [{"var": "declared.<name>"}, value]}``): a declared ``workField`` of ``engineering`` reads as
    the rule's own 在工程技术领域生产一线岗位从事相应专业技术技能工作, not as the code."""
    for condition in rule.get("conditions", []) if rule else []:
        if not isinstance(condition, Mapping):
            continue
        logic = condition.get("logic")
        if logic == {"==": [{"var": f"declared.{name}"}, value]}:
            zh, en = condition.get("zh"), condition.get("en")
            if isinstance(zh, str) and isinstance(en, str):
                return Text(zh, en)
    return None


def _declared(document: Mapping[str, Any], rule: Mapping[str, Any] | None) -> Text:
    evidence = document.get("evidence")
    items = evidence if isinstance(evidence, list) else [evidence]
    declared: dict[str, str] = {}
    for item in items:
        met = item.get("conditionsMet") if isinstance(item, Mapping) else None
        got = met.get("declared") if isinstance(met, Mapping) else None
        if isinstance(got, Mapping):
            declared |= {k: v for k, v in got.items() if isinstance(k, str) and isinstance(v, str)}
    if not declared:
        return Text("", "")
    labels: dict[str, Text] = {}
    for slot in rule.get("declaredInputs", []) if rule else []:
        if isinstance(slot, Mapping) and isinstance(slot.get("name"), str):
            labels[slot["name"]] = Text(str(slot.get("zh", slot["name"])), str(slot.get("en", slot["name"])))
    answers = {"yes": Text("是", "yes"), "no": Text("否", "no")}
    zh, en = [], []
    for name, value in declared.items():
        label = labels.get(name, Text(name, name))
        shown = answers.get(value) or _condition_saying(rule, name, value) or Text(value, value)
        zh.append(f"{label.zh}：{shown.zh}")
        en.append(f"{label.en}: {shown.en}")
    return Text("；".join(zh) + "（本人申报，未核验）", "; ".join(en) + " (declared by the holder, not checked)")


def recognition_rows(document: Mapping[str, Any], rule: Mapping[str, Any] | None = None) -> list[tuple[Text, Text]]:
    """(label, value) rows of a recognition credential, grant first; ``rule`` is the rule's JSON when the
    caller has it (its notes and declared-input labels). Empty values are left out."""
    raw = document.get("credentialSubject")
    subject: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    region = subject.get("jurisdiction")
    rule_id = " ".join(str(subject.get(k, "")) for k in ("recognitionRule", "ruleVersion")).strip()
    note = subject.get("ruleNote")  # the note the recognition carries (checked against its rule), else the rule's
    notes = note if isinstance(note, Mapping | str) else (rule.get("notes") if rule else None)
    if isinstance(notes, str):
        notes = {"zh": notes, "en": notes}
    rows = [
        (Text("认定结果", "What it grants"), describe_grant(subject)),
        (STANDING_ROW, standing_text(rule_standing(subject, rule))),
        (Text("适用地区", "Region"), region_name(region) if isinstance(region, str) else Text("", "")),
        (BASIS_ROW, basis_text(subject.get("legalBasis"))),
        (
            NOTE_ROW,
            Text(str(notes.get("zh", "")), str(notes.get("en", ""))) if isinstance(notes, Mapping) else Text("", ""),
        ),
        (Text("申报信息", "Declared by the holder"), _declared(document, rule)),
        (Text("认定规则", "Rule"), Text(rule_id, rule_id)),
    ]
    return [(label, value) for label, value in rows if value.zh or value.en]


def shipped_rule(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON of the shipped rule a recognition credential names, when its id *and* version match (a
    wallet or printout offline has only the shipped sets; another version's notes would not be this rule's)."""
    raw = document.get("credentialSubject")
    subject: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    rule_id, version = subject.get("recognitionRule"), subject.get("ruleVersion")
    if not isinstance(rule_id, str):
        return None
    rule = find_rule(rule_id)
    return rule.to_json() if rule is not None and rule.version == version else None

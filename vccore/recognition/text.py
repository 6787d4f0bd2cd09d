"""Readable explanations of recognition rules and evaluations, in Chinese (``zh``) and English.

Contract: pure functions from the rule model (:mod:`vccore.recognition.model`) and an
:class:`vccore.recognition.evaluate.Evaluation` to text. :data:`LABELS` names every code of ``docs/rules.md``
in both languages (an unknown code is shown as itself); an inferred rule is always marked
(:data:`INFERRED_MARK`) so that it is never presented as official. ``lang`` is ``"zh"`` for
Chinese, anything else for English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from vccore.display import date_text
from vccore.recognition.evaluate import Evaluation
from vccore.recognition.model import RecognitionRule, RecognizedAs
from vccore.text import Text

LABELS: Final[dict[str, tuple[str, str]]] = {
    "apprentice": ("学徒工", "apprentice"),
    "L5": ("五级/初级工", "level 5/junior worker"),
    "L4": ("四级/中级工", "level 4/intermediate worker"),
    "L3": ("三级/高级工", "level 3/senior worker"),
    "L2": ("二级/技师", "level 2/technician"),
    "L1": ("一级/高级技师", "level 1/senior technician"),
    "special-technician": ("特级技师", "special technician"),
    "chief-technician": ("首席技师", "chief technician"),
    "yuanji": ("员级", "entry level"),
    "assistant": ("助理级", "assistant level"),
    "intermediate": ("中级", "intermediate"),
    "associate-senior": ("副高级", "associate senior"),
    "full-senior": ("正高级", "full senior"),
    "zhongzhuan": ("中专", "secondary specialised (zhongzhuan)"),
    "dazhuan": ("大专", "junior college (dazhuan)"),
    "benke": ("本科", "bachelor (benke)"),
    "master": ("硕士研究生", "master"),
    "doctor": ("博士研究生", "doctor"),
    "intermediate-worker-class": ("中级工班", "intermediate-worker class"),
    "advanced-worker-class": ("高级工班", "advanced-worker class"),
    "preparatory-technician-class": ("预备技师班", "preparatory-technician class"),
    "eligibility-to-apply": ("可申报评审", "eligible to apply"),
    "deemed-equivalent": ("视同具备", "deemed equivalent"),
    "basis-for-next-level": ("可作为申报上一级的依据", "basis for applying for the next level"),
    "education-equivalence-for-application": ("按相应学历申报", "counts as that education when applying"),
    "education-equivalent-treatment": ("按相应学历落实待遇", "treated as that education level"),
    "equal-treatment": ("享受同等待遇", "equal treatment"),
    "exam-exemption": ("可免理论考试", "exam exemption"),
    "green-channel": ("绿色通道", "green channel"),
    "full-senior-title-treatment": ("比照正高级职称人员享受同等待遇", "same treatment as full-senior title holders"),
    "chief-technician-pay": (
        "薪酬参照本单位高级管理人员标准确定，不低于特级技师",
        "pay set by reference to senior managers, not below special technicians",
    ),
    "same-level-graduate-equality": (
        "与同层次普通学校毕业生享有平等机会",
        "equal opportunity with same-level general-school graduates",
    ),
}
INFERRED_MARK: Final = Text("推定（非官方）", "inferred, not official")
#: The standing of a rule (docs/rules.md "Standing"), as every surface names it.
STANDING_LABELS: Final = {
    "sourced": Text("有原文件（已取得并引用）", "sourced (instrument retrieved and cited)"),
    "reported": Text("据报道（原文件未取得）", "reported (instrument not retrieved)"),
    "inferred": Text("推定（非官方）", "inferred, not official"),
}
STANDING_ROW: Final = Text("依据状态", "Standing")
BASIS_ROW: Final = Text("依据", "Legal basis")
NOTE_ROW: Final = Text("规则说明", "Rule note")
NOT_RETRIEVED: Final = Text("原文件未取得", "instrument not retrieved")


def standing_text(standing: Any) -> Text:
    """The label of a standing code; an unknown value is shown as itself."""
    text = STANDING_LABELS.get(standing) if isinstance(standing, str) else None
    return text or Text(str(standing or "—"), str(standing or "—"))


def basis_text(basis: Any) -> Text:
    """A ``legalBasis`` object (as a recognition carries it) as one line; 原文件未取得 when it names no
    document: an authority or date alone is not a basis anyone can read."""
    b: Mapping[str, Any] = basis if isinstance(basis, Mapping) else {}
    name, number, when, who = (
        b.get(k) if isinstance(b.get(k), str) else None
        for k in ("documentName", "documentNumber", "documentDate", "issuingAuthority")
    )
    if not name:
        return NOT_RETRIEVED
    day = date_text(when) if when else Text("", "")
    zh = f"{who or ''}《{name}》" + (f" {number}" if number else "") + (f"（{day.zh}）" if day.zh else "")
    en = name + (f", {who}" if who else "") + (f" {number}" if number else "") + (f" ({day.en})" if day.en else "")
    return Text(zh, en)


def _label(code: str | None, lang: str) -> str:
    if code is None:
        return ""
    pair = LABELS.get(code)
    return code if pair is None else pair[0] if lang == "zh" else pair[1]


def describe_outcome(outcome: RecognizedAs, lang: str = "zh") -> str:
    """``工程系列 工程师（中级）`` / ``intermediate title 工程师 (工程系列)``."""
    zh = lang == "zh"
    if outcome.kind == "title":
        level = _label(outcome.title_level, lang)
        name = " ".join(x for x in (outcome.title_series, outcome.title_name) if x)
        if zh:
            return f"{name}（{level}）" if name else f"{level}职称"
        return f"{level} title" + (f" ({name})" if name else "")
    if outcome.kind == "skill-level":
        return _label(outcome.skill_level, lang) if zh else f"skill {_label(outcome.skill_level, lang)}"
    if outcome.kind == "education":
        level = _label(outcome.education_level, lang)
        return f"相当于{level}" if zh else f"equivalent to {level}"
    treatment = _label(outcome.treatment, lang)
    return f"待遇：{treatment}" if zh else f"treatment: {treatment}"


def summarize_rule(rule: RecognitionRule, lang: str = "zh") -> str:
    """One line: id, jurisdiction, name, legal basis, in-force window, and the inferred marker."""
    zh = lang == "zh"
    b = rule.legal_basis
    where = rule.jurisdiction + (f" {rule.locality}" if rule.locality else "")
    if b.document_name:
        doc = (
            f"{b.issuing_authority or ''}《{b.document_name}》"
            if zh
            else f"{b.document_name}" + (f", {b.issuing_authority}" if b.issuing_authority else "")
        )
        doc += (f" {b.document_number}" if b.document_number else "") + (
            f"（{b.document_date}）" if zh and b.document_date else ""
        )
        doc += f" ({b.document_date})" if not zh and b.document_date else ""
    else:
        doc = (
            f"原文件未取得（{rule.provenance.document}）"
            if zh
            else f"document not retrieved ({rule.provenance.document})"
        )
    start = rule.in_force_from
    force = (
        (f"自 {start} 起施行" if start else "生效日期不详")
        if zh
        else (f"in force from {start}" if start else "in-force date unknown")
    )
    if rule.in_force_until:
        force += f"，至 {rule.in_force_until} 止" if zh else f" until {rule.in_force_until}"
    if zh:
        line = f"{rule.id}（{where}）：{rule.name.zh}。依据：{doc}；{force}"
    else:
        line = f"{rule.id} ({where}): {rule.name.en}. Basis: {doc}; {force}"
    if not rule.evaluable:
        line += "；不能机械判定" if zh else "; not mechanically evaluable"
    standing = standing_text(rule.standing)
    line += f"。依据状态：{standing.zh}" if zh else f". Standing: {standing.en}"
    if rule.notes is not None:
        line += f"。说明：{rule.notes.zh}" if zh else f". Note: {rule.notes.en}"
    return line


def explain_evaluation(evaluation: Evaluation, lang: str = "zh") -> list[str]:
    """Readable lines: the rule summary, the result, then one line per check (✓ met, ✗ not met)."""
    zh = lang == "zh"
    rule, when = evaluation.rule, evaluation.as_of
    lines = [summarize_rule(rule, lang)]
    if evaluation.holds and evaluation.recognized_as is not None:
        grants = (
            "、".join(_label(g, lang) for g in evaluation.grants)
            if zh
            else ", ".join(_label(g, lang) for g in evaluation.grants)
        )
        what = describe_outcome(evaluation.recognized_as, lang)
        if zh:
            purposes = f"；适用事项：{'、'.join(evaluation.purposes)}" if evaluation.purposes else ""
            lines.append(f"结论（{when}）：满足 → {what}；效力：{grants}{purposes}")
        else:
            purposes = f"; purposes: {', '.join(evaluation.purposes)}" if evaluation.purposes else ""
            lines.append(f"Result on {when}: holds → {what}; grants: {grants}{purposes}")
    else:
        lines.append(f"结论（{when}）：不满足" if zh else f"Result on {when}: does not hold")
    lines += [f"{'✓' if r.met else '✗'} {r.zh if zh else r.en}" for r in evaluation.results]
    return lines

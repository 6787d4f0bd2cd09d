"""The grant of a recognition in words (vccore.recognition.wording): never the bare outcome."""

from __future__ import annotations

from typing import Any

from vccore.recognition.wording import describe_grant, recognition_rows, shipped_rule, standing_text
from vccore.text import Text

P2 = {
    "recognizedAs": {"kind": "title", "titleSeries": "工程系列", "titleLevel": "intermediate", "titleName": "工程师"},
    "grants": ["eligibility-to-apply"],
    "jurisdiction": "CN",
    "recognitionRule": "CN-ENG-2018-L2-TO-INTERMEDIATE",
    "ruleVersion": "1",
    "ruleStanding": "reported",  # issue 18: the 2018 opinion was not retrieved
    "legalBasis": {
        "issuingAuthority": "人力资源社会保障部",
        "documentName": "关于在工程技术领域实现高技能人才与工程技术人才职业发展贯通的意见（试行）",
        "documentDate": "2018-11",
    },
}
P5 = {
    "recognizedAs": {"kind": "education", "educationLevel": "benke"},
    "grants": ["education-equivalent-treatment"],
    "purposes": ["入户", "职称评审", "招聘", "定级"],
    "jurisdiction": "CN-GD",
    "recognitionRule": "CN-GD-YUBEIJISHI-TO-BENKE",
    "ruleVersion": "1",
    "ruleConfidence": "sourced",
}


def _doc(subject: dict[str, Any], declared: dict[str, str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": ["VerifiableCredential", "RecognitionCredential"], "credentialSubject": subject}
    if declared is not None:
        doc["evidence"] = {"type": "RecognitionEvidence", "conditionsMet": {"declared": declared}}
    return doc


def test_eligibility_to_apply_reads_as_eligibility_not_as_the_title() -> None:
    assert describe_grant(P2).zh == "可申报 工程系列 工程师（中级）职称评审"
    assert "eligible to apply" in describe_grant(P2).en


def test_education_treatment_names_the_region_and_the_purposes_and_is_not_a_degree() -> None:
    assert describe_grant(P5).zh == "在广东入户、职称评审、招聘、定级中按本科学历落实待遇（不是学历证书）"
    assert describe_grant(P5).en.endswith("(not an education certificate)")


def test_several_grants_are_each_worded() -> None:
    subject = {**P2, "recognizedAs": {"kind": "skill-level", "skillLevel": "L2"}}
    subject["grants"] = ["eligibility-to-apply", "exam-exemption"]
    assert describe_grant(subject).zh == "可申报 二级/技师 职业技能等级评价；申报 二级/技师 时可免理论考试"


def test_an_unknown_grant_code_is_shown_as_written_beside_the_outcome() -> None:
    assert describe_grant({**P2, "grants": ["new-grant"]}).zh == "new-grant：工程系列 工程师（中级）"


def test_standing_is_worded_and_a_new_value_shows_as_written() -> None:
    assert standing_text("inferred").zh == "推定（非官方）"
    assert standing_text("reported").zh == "据报道（原文件未取得）"
    assert standing_text("sourced").zh == "有原文件（已取得并引用）"
    assert standing_text("provisional") == Text("provisional", "provisional")


def test_rows_show_grant_standing_region_basis_notes_and_declared_inputs() -> None:
    doc = _doc(P2, declared={"workField": "engineering"})
    rows = {label.zh: value.zh for label, value in recognition_rows(doc, shipped_rule(doc))}
    assert rows["认定结果"] == "可申报 工程系列 工程师（中级）职称评审"
    assert rows["依据状态"] == "据报道（原文件未取得）"
    assert rows["适用地区"] == "全国"
    assert rows["依据"].startswith("人力资源社会保障部《关于在工程技术领域")
    assert rows["依据"].endswith("（2018年11月）")
    assert rows["规则说明"]  # the shipped rule's notes
    assert rows["申报信息"] == "岗位领域：在工程技术领域生产一线岗位从事相应专业技术技能工作（本人申报，未核验）"
    other = _doc(P2, declared={"workField": "other"})  # no condition says it: shown as declared
    assert dict((k.zh, v.zh) for k, v in recognition_rows(other, shipped_rule(other)))["申报信息"] == (
        "岗位领域：other（本人申报，未核验）"
    )


def test_a_standing_field_the_rule_carries_wins_over_the_old_confidence() -> None:
    rows = dict((k.zh, v.zh) for k, v in recognition_rows(_doc({**P5, "ruleStanding": "reported"})))
    assert rows["依据状态"] == "据报道（原文件未取得）"
    assert rows["适用地区"] == "广东省"


def test_a_rule_of_another_version_is_not_taken_for_this_one() -> None:
    assert shipped_rule(_doc({**P2, "ruleVersion": "99"})) is None
    assert shipped_rule(_doc(P2)) is not None

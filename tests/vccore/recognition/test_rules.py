"""Recognition rules: shipped sets, the sample persons P1-P6 (shared/domain/samples.md, fictional),
explanations, strict parsing, and (property tests) totality and determinism of evaluation."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import REPO, SHARED
from vccore.errors import Code, SkillcredError
from vccore.recognition.evaluate import Evaluation, evaluate
from vccore.recognition.model import RecognitionRule, RecognizedAs
from vccore.recognition.rules import load_ruleset, parse_rule, parse_ruleset
from vccore.recognition.rulesets import find_rule, find_ruleset, load_shipped, shipped_rules
from vccore.recognition.text import explain_evaluation, summarize_rule

DATA = REPO / "vccore" / "data"
RESEARCH = SHARED / "domain" / "rules.json"
NOT_SHIPPED = {
    "CN-LN-SY-2024-TITLE-TO-SKILL",
    "CN-BJ-2025-QUAL-54",
    "CN-SH-INTL-C-LIST",
    # issue 18: the 会计专业技术资格 *is* the 会计 title (以考代评, DOMAIN.md §3 CN-HL): identity, not recognition
    "CN-HL-KUAIJI-CHUJI",
    "CN-HL-KUAIJI-ZHONGJI",
}
#: shipped rules the research table does not have (issue 18: GD skill levels, HL 注册会计师, article.txt)
ADDED = {"CN-GD-L4-TO-ZHONGZHUAN", "CN-GD-L3-TO-DAZHUAN", "CN-HL-ZHUCE-KUAIJISHI"}


# --- fictional source credentials (samples.md) -----------------------------------------------------


def cred(kind: str, ident: str, day: str, **subject: Any) -> dict[str, Any]:
    field = {
        "SkillLevelCredential": "assessmentDate",
        "ProfessionalQualificationCredential": "issueDate",
        "ProfessionalTitleCredential": "awardDate",
    }.get(kind, "graduationDate")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
        "id": f"urn:uuid:{ident}",
        "type": ["VerifiableCredential", kind],
        "validFrom": f"{day}T00:00:00+08:00",
        "credentialSubject": {**subject, field: day},
    }


def skill(
    ident: str,
    day: str,
    level: str,
    text: str,
    number: str,
    *,
    form: str = "职业技能等级证书",
    code: str = "6-18-01-01",
    name: str = "车工",
) -> dict[str, Any]:
    return cred(
        "SkillLevelCredential",
        ident,
        day,
        name="张试一",
        occupationCode=code,
        occupationName=name,
        skillLevel=level,
        skillLevelText=text,
        certificateNumber=number,
        credentialForm=form,
    )


P1_L2 = skill("p1-l2", "2023-06-30", "L2", "二级/技师", "Y000014000031232000158")
P1_L3 = skill("p1-l3", "2018-07-01", "L3", "三级/高级工", "1814014031300412", form="职业资格证书")
P2_L1 = skill("p2-l1", "2024-11-15", "L1", "一级/高级技师", "S000044000123241000007", code="6-18-02-04", name="焊工")
P2_L3 = skill(
    "p2-l3",
    "2013-06-01",
    "L3",
    "三级/高级工",
    "1337021020300057",
    form="职业资格证书",
    code="6-18-02-04",
    name="焊工",
)
P3_L3 = skill(
    "p3-l3",
    "2015-05-20",
    "L3",
    "三级/高级",
    "1523012020300123",
    form="职业资格证书",
    code="6-31-01-03",
    name="电工",
)
P3_L2 = skill("p3-l2", "2022-09-15", "L2", "二级/技师", "Y000023000008222000045", code="6-31-01-03", name="电工")
P4_QUAL = cred(
    "ProfessionalQualificationCredential",
    "p4",
    "2019-10-01",
    name="赵试四",
    qualificationName="注册测绘师",
    qualificationCategory="access",
    registered=True,
    registrationNumber="TEST-REG-0001",
    certificateNumber="TEST-ZCCHS-2019-000001",
)
P5_DIPLOMA = cred(
    "TechnicalSchoolDiplomaCredential",
    "p5-diploma",
    "2021-07-01",
    name="陈试五",
    technicalSchoolClass="preparatory-technician-class",
    schoolName="示例市技师学院",
    specialty="数控加工",
    certificateNumber="TEST-JSXY-2021-0001",
)
P5_L3 = skill("p5-l3", "2021-06-20", "L3", "三级/高级工", "S000044000456213000019")
P6_TITLE = cred(
    "ProfessionalTitleCredential",
    "p6",
    "2019-12-01",
    name="孙试六",
    titleSeries="工程系列",
    titleSpecialty="电气",
    titleLevel="intermediate",
    titleName="工程师",
    acquisitionMethod="review",
    certificateNumber="TEST-LN-GCS-2019-000321",
)

ENG = {"workField": "engineering"}


def rules_of(*sets: str) -> list[RecognitionRule]:
    shipped = load_shipped()
    return [r for s in sets for r in shipped[s].rules]


def holding(
    sets: tuple[str, ...],
    sources: list[dict[str, Any]],
    as_of: date,
    declarations: Mapping[str, str] | None = None,
) -> set[str]:
    return {r.id for r in rules_of(*sets) if evaluate(r, sources, as_of=as_of, declarations=declarations).holds}


def ev(rule_id: str, sources: list[dict[str, Any]], as_of: date, **kw: Any) -> Evaluation:
    rule = find_rule(rule_id)
    assert rule is not None, rule_id
    return evaluate(rule, sources, as_of=as_of, **kw)


# --- shipped sets ----------------------------------------------------------------------------------


def test_shipped_sets_load_and_ids_are_unique() -> None:
    shipped = load_shipped()
    assert set(shipped) == {"CN", "CN-SX", "CN-HL", "CN-GD", "CN-SD"}
    ids = [r.id for r in shipped_rules()]
    assert len(ids) == len(set(ids)) == 44
    assert {k: len(v.rules) for k, v in shipped.items()} == {
        "CN": 24,
        "CN-SX": 2,
        "CN-HL": 6,
        "CN-GD": 8,
        "CN-SD": 4,
    }
    for ruleset in shipped.values():
        assert all(r.jurisdiction == ruleset.jurisdiction for r in ruleset.rules)
    assert find_ruleset("CN-SX-L2-TO-INTERMEDIATE") is shipped["CN-SX"]
    assert find_rule("NO-SUCH-RULE") is None and find_ruleset("NO-SUCH-RULE") is None


def test_shipped_sets_match_the_json_schema() -> None:
    schema = json.loads((DATA / "ruleset.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted((DATA / "rulesets").glob("*.json")):
        jsonschema.Draft202012Validator(schema).validate(json.loads(path.read_text(encoding="utf-8")))


def test_shipped_sets_round_trip_through_json() -> None:
    for ruleset in load_shipped().values():
        assert parse_ruleset(json.loads(json.dumps(ruleset.to_json()))) == ruleset


def test_every_researched_rule_is_shipped_with_its_provenance() -> None:
    research = {r["id"]: r for r in json.loads(RESEARCH.read_text(encoding="utf-8"))["rules"]}
    assert set(research) | ADDED == {r.id for r in shipped_rules()} | NOT_SHIPPED
    for rule in shipped_rules():
        if rule.id in ADDED:
            continue
        src = research[rule.id]
        assert (rule.jurisdiction, rule.direction) == (src["jurisdiction"], src["direction"])
        # the standing never claims more than the research table: its inferred rules stay inferred, except
        # those the starting article states (evidence 'seed'), which are 'reported' where they say no more
        assert rule.inferred or src["confidence"] == "sourced" or src["evidence"] == "seed", rule.id
        assert rule.standing != "sourced" or src["confidence"] == "sourced", rule.id
        assert list(rule.grants) == src["grants"]
        p = rule.provenance
        assert (p.document, p.number, p.date, list(p.urls), list(p.refs), p.evidence, p.note) == (
            src["source"]["document"],
            src["source"]["number"],
            src["source"]["date"],
            src["source"]["url"],
            src["source"]["refs"],
            src["evidence"],
            src["source"].get("note"),
        )
        # a legal basis links only to a named document's pages (issue 18: no URL of a page without the rule)
        expected_urls = src["source"]["url"] if rule.legal_basis.document_name else []
        assert list(rule.legal_basis.urls) == expected_urls
        assert rule.locality == src.get("locality")


def test_inferred_rules_are_marked_in_summaries() -> None:
    for rule in shipped_rules():
        zh, en = summarize_rule(rule, "zh"), summarize_rule(rule, "en")
        assert ("推定（非官方）" in zh) is rule.inferred
        assert ("inferred, not official" in en) is rule.inferred


def test_rules_that_are_not_evaluable_never_hold_and_say_why() -> None:
    rules = [r for r in shipped_rules() if not r.evaluable]
    assert {r.id for r in rules} == {
        "CN-ENG-2018-TITLE-TO-SKILL-ENCOURAGE",
        "CN-2020-96-FIELD-EXTENSION",
        "CN-2020-96-GREEN-CHANNEL",
        "CN-2020-96-SKILL-TO-PROFQUAL",
        "CN-2024-TWO-WAY-FRAMEWORK",
        "CN-HL-JINGSUANSHI",
        "CN-SD-2020-SCHOOL-EQUIV",
    }
    for rule in rules:
        result = evaluate(rule, [P1_L2, P2_L1, P4_QUAL, P5_DIPLOMA, P6_TITLE], as_of=date(2030, 1, 1))
        assert not result.holds and result.failed[0].condition_id == "evaluable"


# --- P1: technician, Shanxi ------------------------------------------------------------------------


def test_p1_technician_is_eligible_for_engineer_three_years_after_level_2() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), work_field="engineering")
    assert result.holds and result.failed == ()
    assert result.recognized_as == RecognizedAs("title", "工程系列", "intermediate", "工程师")
    assert result.grants == ("eligibility-to-apply",)
    assert dict(result.conditions_met) == {
        "in-force": True,
        "input:source": True,
        "years-since-level": True,
        "work-field": True,
    }
    assert result.facts["years"] == {"years-since-level": 3}
    assert result.facts["inputs"]["source"] == {
        "index": 0,
        "kind": "SkillLevelCredential",
        "id": "urn:uuid:p1-l2",
        "date": "2023-06-30",
    }
    assert result.facts["declared"] == {"workField": "engineering"}


def test_p1_is_not_yet_eligible_at_the_end_of_2025_and_the_reason_names_the_years() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2025, 12, 31), work_field="engineering")
    assert not result.holds and result.recognized_as is None and result.grants == ()
    assert [f.condition_id for f in result.failed] == ["years-since-level"]
    assert result.failed[0].zh == "取得二级/技师后满3年（2023-06-30 起，至 2025-12-31 为 2 年）"
    assert result.failed[0].en == "3 years after level 2/technician (2023-06-30 to 2025-12-31 is 2 years)"


def test_p1_in_a_warehouse_post_fails_the_work_field_condition() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), work_field="warehouse")
    assert not result.holds
    assert [f.condition_id for f in result.failed] == ["work-field"]
    assert "warehouse" in result.failed[0].en and "warehouse" in result.failed[0].zh


def test_p1_without_a_declared_work_field_is_told_it_must_be_declared() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1))
    assert [f.condition_id for f in result.failed] == ["work-field"]
    assert "未声明岗位领域（workField）" in result.failed[0].zh and "用人单位证明" in result.failed[0].zh
    assert "not declared" in result.failed[0].en and "no credential carries it" in result.failed[0].en


def test_p1_shanxi_rule_is_selective_and_reported() -> None:
    # issue 18 / article.txt: *outstanding* technicians *can be* recognized: a review outcome is an input
    unreviewed = ev("CN-SX-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1))
    assert not unreviewed.holds and [f.condition_id for f in unreviewed.failed] == ["review-selected"]
    assert "未声明评审结果" in unreviewed.failed[0].zh
    not_selected = ev("CN-SX-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), declarations={"reviewOutcome": "no"})
    assert not not_selected.holds
    result = ev("CN-SX-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), declarations={"reviewOutcome": "selected"})
    assert result.holds and result.standing == "reported" and not result.rule.inferred
    assert result.recognized_as == RecognizedAs("title", title_level="intermediate")
    assert result.grants == ("deemed-equivalent",)
    assert result.rule.in_force_from is None
    summary_zh, summary_en = explain_evaluation(result, "zh")[0], explain_evaluation(result, "en")[0]
    assert "原文件未取得" in summary_zh and "据报道（原文件未取得）" in summary_zh and "择优" in summary_zh
    assert "reported (instrument not retrieved)" in summary_en and "selective" in summary_en
    assert "生效日期不详" in explain_evaluation(result, "zh")[2]


def test_p1_picks_the_level_3_credential_for_the_assistant_rule() -> None:
    result = ev("CN-ENG-2018-L3-TO-ASSISTANT", [P1_L2, P1_L3], date(2026, 7, 1), work_field="engineering")
    assert result.holds and result.facts["inputs"]["source"]["index"] == 1


# --- expected outcomes per person ------------------------------------------------------------------

PERSONS: list[tuple[str, tuple[str, ...], list[dict[str, Any]], date, dict[str, str] | None, set[str]]] = [
    (
        "P1 2026-07-01",
        ("CN", "CN-SX"),
        [P1_L2, P1_L3],
        date(2026, 7, 1),
        ENG,
        {"CN-ENG-2018-L3-TO-ASSISTANT", "CN-ENG-2018-L2-TO-INTERMEDIATE"},
    ),
    # issue 18: the Shanxi rule holds only with an attested review outcome (selective, article.txt)
    (
        "P1 reviewed",
        ("CN", "CN-SX"),
        [P1_L2, P1_L3],
        date(2026, 7, 1),
        {"workField": "engineering", "reviewOutcome": "selected"},
        {"CN-ENG-2018-L3-TO-ASSISTANT", "CN-ENG-2018-L2-TO-INTERMEDIATE", "CN-SX-L2-TO-INTERMEDIATE"},
    ),
    (
        "P1 2025-12-31",
        ("CN", "CN-SX"),
        [P1_L2, P1_L3],
        date(2025, 12, 31),
        ENG,
        {"CN-ENG-2018-L3-TO-ASSISTANT"},
    ),
    (
        "P1 warehouse",
        ("CN", "CN-SX"),
        [P1_L2, P1_L3],
        date(2026, 7, 1),
        {"workField": "warehouse", "reviewOutcome": "not-selected"},
        set(),
    ),
    (
        "P2 2028-11-15",
        ("CN", "CN-GD"),
        [P2_L1, P2_L3],
        date(2028, 11, 15),
        ENG,
        {"CN-ENG-2018-L1-TO-ASSOCIATE-SENIOR", "CN-ENG-2018-L3-TO-ASSISTANT", "CN-GD-L3-TO-DAZHUAN"},
    ),
    (
        "P2 2028-11-14",
        ("CN", "CN-GD"),
        [P2_L1, P2_L3],
        date(2028, 11, 14),
        ENG,
        {"CN-ENG-2018-L3-TO-ASSISTANT", "CN-GD-L3-TO-DAZHUAN"},
    ),
    # samples.md: "the national eligibility rule only" = no Heilongjiang skill rule; the 2015 level 3
    # also keeps its (lower) assistant-engineer route open.
    (
        "P3 2025-09-15",
        ("CN", "CN-HL"),
        [P3_L3, P3_L2],
        date(2025, 9, 15),
        ENG,
        {"CN-ENG-2018-L2-TO-INTERMEDIATE", "CN-ENG-2018-L3-TO-ASSISTANT"},
    ),
    (
        "P3 2025-09-14",
        ("CN", "CN-HL"),
        [P3_L3, P3_L2],
        date(2025, 9, 14),
        ENG,
        {"CN-ENG-2018-L3-TO-ASSISTANT"},
    ),
    (
        "P4",
        ("CN", "CN-HL"),
        [P4_QUAL],
        date(2026, 7, 1),
        None,
        {"CN-QUAL-ZHUCE-CEHUISHI", "CN-HL-ZHUCE-CEHUISHI"},
    ),
    (
        "P5 2026-03-01",
        ("CN", "CN-GD"),
        [P5_DIPLOMA, P5_L3],
        date(2026, 3, 1),
        None,
        {
            "CN-ENG-2018-SCHOOL-YUBEIJISHI",
            "CN-GD-YUBEIJISHI-TO-BENKE",
            "CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY",
            "CN-GD-L3-TO-DAZHUAN",
        },
    ),
    (
        "P5 2026-02-28",
        ("CN", "CN-GD"),
        [P5_DIPLOMA, P5_L3],
        date(2026, 2, 28),
        None,
        {"CN-ENG-2018-SCHOOL-YUBEIJISHI", "CN-GD-YUBEIJISHI-TO-BENKE", "CN-GD-L3-TO-DAZHUAN"},
    ),
    ("P6", ("CN",), [P6_TITLE], date(2026, 7, 1), {"occupationMatch": "yes"}, {"CN-REV-INTERMEDIATE-TO-L2"}),
    ("P6 no match declared", ("CN",), [P6_TITLE], date(2026, 7, 1), None, set()),
]


@pytest.mark.parametrize(
    ("label", "sets", "sources", "as_of", "declarations", "expected"), PERSONS, ids=[p[0] for p in PERSONS]
)
def test_exactly_the_expected_rules_hold_for_each_person(
    label: str,
    sets: tuple[str, ...],
    sources: list[dict[str, Any]],
    as_of: date,
    declarations: dict[str, str] | None,
    expected: set[str],
) -> None:
    assert holding(sets, sources, as_of, declarations) == expected
    for rule in rules_of(*sets):
        result = evaluate(rule, sources, as_of=as_of, declarations=declarations)
        assert result.holds == (rule.id in expected)
        if not result.holds:  # every miss is explained in both languages
            assert result.failed and all(f.zh and f.en for f in result.failed)


# --- P2: senior technician, Guangdong --------------------------------------------------------------


def test_p2_may_apply_for_senior_engineer_from_2028_11_15_not_before() -> None:
    assert ev("CN-ENG-2018-L1-TO-ASSOCIATE-SENIOR", [P2_L1], date(2028, 11, 15), work_field="engineering").holds
    early = ev("CN-ENG-2018-L1-TO-ASSOCIATE-SENIOR", [P2_L1], date(2028, 11, 14), work_field="engineering")
    assert not early.holds and "至 2028-11-14 为 3 年" in early.failed[0].zh


def test_p2_special_technician_treatment_needs_an_appointment_credential() -> None:
    certificate = skill(
        "p2-st",
        "2026-01-10",
        "special-technician",
        "特级技师",
        "AB00004400012326000001",
        form="职业技能等级证书",
    )
    appointment = skill(
        "p2-st-post",
        "2026-01-10",
        "special-technician",
        "特级技师",
        "AB00004400012326000002",
        form="特级技师聘任",
    )
    no = ev("CN-2022-14-SPECIAL-TECHNICIAN-TREATMENT", [certificate], date(2026, 7, 1))
    assert not no.holds and [f.condition_id for f in no.failed] == ["appointed"]
    yes = ev("CN-2022-14-SPECIAL-TECHNICIAN-TREATMENT", [certificate, appointment], date(2026, 7, 1))
    assert yes.holds and yes.grants == ("equal-treatment",)
    assert yes.recognized_as == RecognizedAs(
        "treatment", title_level="full-senior", treatment="full-senior-title-treatment"
    )
    assert "比照正高级职称人员享受同等待遇" in explain_evaluation(yes, "zh")[1]


# --- P3: legacy and new certificates ---------------------------------------------------------------


def test_p3_new_format_level_2_opens_the_engineer_route_three_years_after_issue() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P3_L3, P3_L2], date(2025, 9, 15), work_field="engineering")
    assert result.holds and result.facts["inputs"]["source"]["id"] == "urn:uuid:p3-l2"


def test_the_credential_form_filter_accepts_legacy_and_new_certificates_only() -> None:
    other = skill("p3-x", "2015-05-20", "L3", "三级", "X", form="专项职业能力证书")
    assert ev("CN-ENG-2018-L3-TO-ASSISTANT", [P3_L3], date(2026, 1, 1), work_field="engineering").holds
    miss = ev("CN-ENG-2018-L3-TO-ASSISTANT", [other], date(2026, 1, 1), work_field="engineering")
    assert [f.condition_id for f in miss.failed] == ["input:source"]


# --- P4: registered surveyor -----------------------------------------------------------------------


def test_p4_national_and_heilongjiang_surveyor_rules_agree() -> None:
    national = ev("CN-QUAL-ZHUCE-CEHUISHI", [P4_QUAL], date(2026, 7, 1))
    provincial = ev("CN-HL-ZHUCE-CEHUISHI", [P4_QUAL], date(2026, 7, 1))
    assert national.holds and provincial.holds
    assert (
        national.recognized_as
        == provincial.recognized_as
        == RecognizedAs("title", "工程系列", "intermediate", "工程师")
    )
    assert national.grants == provincial.grants == ("deemed-equivalent",)
    assert (national.standing, provincial.standing) == ("reported", "inferred")


def test_p4_unregistered_fails_the_inferred_registration_condition_only_nationally() -> None:
    unregistered = copy.deepcopy(P4_QUAL)
    unregistered["credentialSubject"]["registered"] = False
    national = ev("CN-QUAL-ZHUCE-CEHUISHI", [unregistered], date(2026, 7, 1))
    assert [f.condition_id for f in national.failed] == ["registered"]
    assert "［推定条件］" in national.failed[0].zh and "[inferred condition]" in national.failed[0].en
    assert ev("CN-HL-ZHUCE-CEHUISHI", [unregistered], date(2026, 7, 1)).holds


# --- P5: preparatory-technician class graduate, Guangzhou ------------------------------------------


def test_p5_is_treated_as_benke_in_guangdong_for_the_related_treatment() -> None:
    before = copy.deepcopy(P5_DIPLOMA)
    result = ev("CN-GD-YUBEIJISHI-TO-BENKE", [P5_DIPLOMA], date(2026, 7, 1))
    assert result.holds and result.rule.jurisdiction == "CN-GD"
    assert result.recognized_as == RecognizedAs("education", education_level="benke")
    assert result.grants == ("education-equivalent-treatment",)
    # issue 18: the source says 落实相关待遇 and lists no purposes, so the rule lists none (and says so)
    assert result.purposes == () and result.standing == "reported"
    assert result.rule.notes is not None and "未列明事项" in result.rule.notes.zh
    assert P5_DIPLOMA == before and "educationLevel" not in P5_DIPLOMA["credentialSubject"]
    assert "相当于本科" in explain_evaluation(result, "zh")[1]


def test_p5_guangzhou_equality_applies_only_from_2026_03_01() -> None:
    assert ev("CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY", [P5_DIPLOMA], date(2026, 3, 1)).holds
    early = ev("CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY", [P5_DIPLOMA], date(2026, 2, 28))
    assert [f.condition_id for f in early.failed] == ["in-force"]
    assert "自 2026-03-01 起" in early.failed[0].zh and "from 2026-03-01" in early.failed[0].en


def test_p5_may_apply_for_titles_as_if_holding_benke() -> None:
    result = ev("CN-ENG-2018-SCHOOL-YUBEIJISHI", [P5_DIPLOMA], date(2026, 7, 1))
    assert result.holds and result.grants == ("education-equivalence-for-application",)
    assert result.recognized_as == RecognizedAs("education", education_level="benke")


# --- P6: engineer seeking a skill level (reverse direction) ----------------------------------------


def test_p6_engineer_may_apply_for_level_2_under_the_inferred_pattern() -> None:
    result = ev("CN-REV-INTERMEDIATE-TO-L2", [P6_TITLE], date(2026, 7, 1), declarations={"occupationMatch": "yes"})
    assert result.holds and result.standing == "inferred"
    assert result.recognized_as == RecognizedAs("skill-level", skill_level="L2")
    assert result.grants == ("eligibility-to-apply", "exam-exemption")
    missing = ev("CN-REV-INTERMEDIATE-TO-L2", [P6_TITLE], date(2026, 7, 1))
    assert [f.condition_id for f in missing.failed] == ["occupation-match"]
    assert "occupationMatch" in missing.failed[0].en


SHENYANG = {  # CN-LN is not a shipped set; the rule is translated here as rules.json states it
    "type": "RecognitionRuleSet",
    "id": "CN-LN",
    "version": "test",
    "jurisdiction": "CN-LN",
    "legalBasis": {"issuingAuthority": None, "standing": "reported"},
    "rules": [
        {
            "id": "CN-LN-SY-2024-TITLE-TO-SKILL",
            "version": "1",
            "jurisdiction": "CN-LN",
            "locality": "沈阳市",
            "direction": "title-to-skill",
            "name": {
                "zh": "工程技术人才满1年可申报技能评价",
                "en": "Engineers may apply for skill evaluation after 1 year",
            },
            "legalBasis": {
                "issuingAuthority": None,
                "documentName": None,
                "documentNumber": None,
                "documentDate": "2024-06-26",
                "urls": ["http://en.people.cn/n3/2024/1017/c90000-20230629.html"],
            },
            "inputs": [
                {
                    "name": "source",
                    "kinds": ["ProfessionalTitleCredential"],
                    "match": {"titleSeries": ["工程系列"]},
                    "zh": "工程系列职称",
                    "en": "an engineering-series title",
                }
            ],
            "declaredInputs": [{"name": "specialtyField", "zh": "专业领域", "en": "specialty field"}],
            "conditions": [
                {
                    "id": "years-related-work",
                    "zh": "从事相关工作满1年",
                    "en": "1 year of related work",
                    "logic": {">=": [{"yearsSince": {"var": "sourceDate"}}, 1]},
                },
                {
                    "id": "field",
                    "zh": "专业属机电、交通、建筑、检验、信息通信、检测之一",
                    "en": "one of the six fields",
                    "logic": {
                        "in": [
                            {"var": "declared.specialtyField"},
                            ["机电", "交通", "建筑", "检验", "信息通信", "检测"],
                        ]
                    },
                },
            ],
            "recognizedAs": {"kind": "treatment", "treatment": "skill-evaluation-eligibility"},
            "grants": ["eligibility-to-apply", "exam-exemption"],
            "purposes": [],
            "inForceFrom": "2024-06-26",
            "inForceUntil": None,
            "evaluable": True,
            "standing": "reported",
            "provenance": {
                "document": "沈阳市人社局 policy (reported by People's Daily Online)",
                "number": None,
                "date": "2024-06-26",
                "urls": ["http://en.people.cn/n3/2024/1017/c90000-20230629.html"],
                "refs": ["S36"],
                "evidence": "read",
                "instrumentRetrieved": False,
            },
        }
    ],
}


def test_p6_shenyang_route_is_date_sensitive() -> None:
    rule = parse_ruleset(SHENYANG).rules[0]
    declared = {"specialtyField": "机电"}
    assert evaluate(rule, [P6_TITLE], as_of=date(2024, 6, 26), declarations=declared).holds
    early = evaluate(rule, [P6_TITLE], as_of=date(2024, 6, 25), declarations=declared)
    assert [f.condition_id for f in early.failed] == ["in-force"]


# --- explanations ----------------------------------------------------------------------------------


def test_explanations_list_every_check_in_both_languages() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2025, 12, 31))
    zh, en = explain_evaluation(result, "zh"), explain_evaluation(result, "en")
    assert zh[1] == "结论（2025-12-31）：不满足" and en[1] == "Result on 2025-12-31: does not hold"
    assert "✗ 取得二级/技师后满3年（2023-06-30 起，至 2025-12-31 为 2 年）" in zh
    assert "✗ 3 years after level 2/technician (2023-06-30 to 2025-12-31 is 2 years)" in en
    assert zh[2].startswith("✓ 规则在 2025-12-31 有效") and len(zh) == len(en) == 2 + len(result.results)
    ok = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), work_field="engineering")
    assert explain_evaluation(ok, "zh")[1] == "结论（2026-07-01）：满足 → 工程系列 工程师（中级）；效力：可申报评审"
    assert explain_evaluation(ok, "en")[1] == (
        "Result on 2026-07-01: holds → intermediate title (工程系列 工程师); grants: eligible to apply"
    )


def test_a_missing_or_bad_date_is_explained() -> None:
    broken = copy.deepcopy(P1_L2)
    broken["credentialSubject"]["assessmentDate"] = "not a date"
    broken["validFrom"] = "2023-13-40"
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [broken], date(2026, 7, 1), work_field="engineering")
    assert not result.holds and result.failed[0].en.endswith("(no valid date)")


def test_valid_from_is_the_fallback_date() -> None:
    fallback = copy.deepcopy(P1_L2)
    del fallback["credentialSubject"]["assessmentDate"]
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [fallback], date(2026, 6, 30), work_field="engineering")
    assert result.holds and result.facts["inputs"]["source"]["date"] == "2023-06-30"


def test_evaluation_json_is_plain_json() -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), work_field="engineering")
    doc = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert doc["recognitionRule"] == "CN-ENG-2018-L2-TO-INTERMEDIATE" and doc["ruleStanding"] == "reported"
    assert doc["recognizedAs"] == {
        "type": "RecognitionOutcome",
        "kind": "title",
        "titleSeries": "工程系列",
        "titleLevel": "intermediate",
        "titleName": "工程师",
    }
    assert doc["conditionsMet"]["years-since-level"] is True and doc["evaluatedOn"] == "2026-07-01"


def test_as_of_must_be_a_date() -> None:
    rule = find_rule("CN-SX-L2-TO-INTERMEDIATE")
    assert rule is not None
    with pytest.raises(TypeError, match=r"^as_of must be a datetime\.date, got '2026-07-01'"):
        evaluate(rule, [P1_L2], as_of="2026-07-01")  # type: ignore[arg-type]


# --- strict parsing --------------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    return copy.deepcopy(load_shipped()["CN"].to_json())


def _rule0(mutate: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda doc: mutate(doc["rules"][1])  # CN-ENG-2018-L2-TO-INTERMEDIATE


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return _rule0(lambda r: r.__setitem__(key, value))


NEGATIVES: list[tuple[str, Callable[[dict[str, Any]], None], str, bool]] = [
    ("set type", lambda d: d.__setitem__("type", "RuleSet"), "/type", True),
    ("set extra member", lambda d: d.__setitem__("extra", 1), "/extra", True),
    ("set bad jurisdiction", lambda d: d.__setitem__("jurisdiction", "China"), "/jurisdiction", True),
    ("rule jurisdiction differs", _set("jurisdiction", "CN-SX"), "/rules/1/jurisdiction", False),
    ("duplicate rule ids", lambda d: d["rules"].append(copy.deepcopy(d["rules"][1])), "/rules", False),
    ("rule extra member", _set("colour", "red"), "/rules/1/colour", True),
    ("rule missing member", _rule0(lambda r: r.pop("standing")), "/rules/1/standing", True),
    ("bad rule id", _set("id", "cn-lower"), "/rules/1/id", True),
    ("bad standing", _set("standing", "seed"), "/rules/1/standing", True),
    ("confidence is now standing", _set("confidence", "sourced"), "/rules/1/confidence", True),
    (
        "sourced without a retrieved instrument",
        _rule0(lambda r: r.update(standing="sourced", provenance=r["provenance"] | {"instrumentRetrieved": False})),
        "/rules/1/standing",
        True,
    ),
    (
        "quote from an unknown source",
        _rule0(lambda r: r["provenance"].update(quotes=[{"source": "blog", "text": "x", "supports": ["outcome"]}])),
        "/rules/1/provenance/quotes/0/source",
        True,
    ),
    ("bad grant", _set("grants", ["title-conferred"]), "/rules/1/grants/0", True),
    ("no grants", _set("grants", []), "/rules/1/grants", True),
    ("bad direction", _set("direction", "sideways"), "/rules/1/direction", True),
    ("bad in-force date", _set("inForceFrom", "2018-11"), "/rules/1/inForceFrom", True),
    ("impossible date", _set("inForceFrom", "2018-02-30"), "/rules/1/inForceFrom", False),
    ("window ends first", _set("inForceUntil", "2010-01-01"), "/rules/1/inForceUntil", False),
    ("evaluable without outcome", _set("recognizedAs", None), "/rules/1", True),
    (
        "title without level",
        _set("recognizedAs", {"kind": "title"}),
        "/rules/1/recognizedAs/titleLevel",
        True,
    ),
    (
        "unknown skill level",
        _rule0(lambda r: r["inputs"][0]["match"].__setitem__("skillLevel", ["L9"])),
        "/rules/1/inputs/0/match/skillLevel/0",
        True,
    ),
    (
        "unknown match field",
        _rule0(lambda r: r["inputs"][0]["match"].__setitem__("colour", ["red"])),
        "/rules/1/inputs/0/match/colour",
        True,
    ),
    (
        "unknown kind",
        _rule0(lambda r: r["inputs"][0].__setitem__("kinds", ["DriverLicence"])),
        "/rules/1/inputs/0/kinds/0",
        True,
    ),
    (
        "reserved input name",
        _rule0(lambda r: r["inputs"][0].__setitem__("name", "asOf")),
        "/rules/1/inputs/0/name",
        True,
    ),
    (
        "unknown operator",
        _rule0(lambda r: r["conditions"][0].__setitem__("logic", {"regex": ["a", "b"]})),
        "/rules/1/conditions/0/logic",
        True,
    ),
    (
        "too deep",
        _rule0(lambda r: r["conditions"][0].__setitem__("logic", json.loads('{"!":' * 40 + "true" + "}" * 40))),
        "/rules/1/conditions/0/logic" + "/!/0" * 16,
        False,
    ),
    (
        "too many nodes",
        _rule0(lambda r: r["conditions"][0].__setitem__("logic", {"in": ["x", ["y"] * 300]})),
        "/rules/1/conditions/0/logic/in/1/253",
        False,
    ),
    (
        "unknown variable",
        _rule0(lambda r: r["conditions"][0].__setitem__("logic", {"var": "credential.x"})),
        "/rules/1/conditions/0/logic",
        False,
    ),
    (
        "undeclared declaration",
        _rule0(lambda r: r.__setitem__("declaredInputs", [])),
        "/rules/1/conditions/1/logic",
        False,
    ),
    (
        "duplicate condition ids",
        _rule0(lambda r: r["conditions"][1].__setitem__("id", "years-since-level")),
        "/rules/1/conditions",
        False,
    ),
    (
        "bad evidence",
        _rule0(lambda r: r["provenance"].__setitem__("evidence", "rumour")),
        "/rules/1/provenance/evidence",
        True,
    ),
    ("empty text", _rule0(lambda r: r["name"].__setitem__("zh", " ")), "/rules/1/name/zh", True),
]


@pytest.mark.parametrize(("label", "mutate", "pointer", "schema_rejects"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_malformed_rule_sets_are_rule_errors(
    label: str, mutate: Callable[[dict[str, Any]], None], pointer: str, schema_rejects: bool
) -> None:
    doc = _base()
    mutate(doc)
    with pytest.raises(SkillcredError) as info:
        parse_ruleset(doc)
    assert info.value.code is Code.RULE_ERROR
    assert info.value.pointer == pointer
    if schema_rejects:
        schema = json.loads((DATA / "ruleset.schema.json").read_text(encoding="utf-8"))
        assert not jsonschema.Draft202012Validator(schema).is_valid(doc)


@pytest.mark.parametrize("text", [b'{"type": "RecognitionRuleSet", "type": "x"}', b"[NaN]", b"{", "\ud800"])
def test_bad_json_text_is_a_rule_error(text: str | bytes) -> None:
    with pytest.raises(SkillcredError) as info:
        load_ruleset(text)
    assert info.value.code is Code.RULE_ERROR


def test_parse_rule_rejects_non_objects() -> None:
    values: list[Any] = [None, [], "rule", 3]
    for value in values:
        with pytest.raises(SkillcredError) as info:
            parse_rule(value)
        assert info.value.code is Code.RULE_ERROR


# --- properties: any credential-shaped input -------------------------------------------------------

DATEISH = st.dates().map(date.isoformat) | st.sampled_from(
    ["2023-06-30T00:00:00+08:00", "2023-02-30", "", "2023", "9999-12-31"]
)
LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10) | DATEISH
JUNK = st.recursive(
    LEAVES,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=12,
)
KINDS = [
    "SkillLevelCredential",
    "ProfessionalQualificationCredential",
    "ProfessionalTitleCredential",
    "DegreeCredential",
    "TechnicalSchoolDiplomaCredential",
]


def _field(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values) | JUNK


SUBJECT = st.fixed_dictionaries(
    {},
    optional={
        "skillLevel": _field(["L3", "L2", "L1", "special-technician", "chief-technician"]),
        "credentialForm": _field(["职业资格证书", "职业技能等级证书", "特级技师聘任"]),
        "assessmentDate": DATEISH | JUNK,
        "issueDate": DATEISH | JUNK,
        "awardDate": DATEISH | JUNK,
        "graduationDate": DATEISH | JUNK,
        "qualificationName": _field(["注册测绘师", "建造师", "拍卖师"]),
        "qualificationGrade": _field(["一级", "二级", "中级"]),
        "registered": _field([True, False]),
        "titleSeries": _field(["工程系列"]),
        "titleLevel": _field(["assistant", "intermediate"]),
        "technicalSchoolClass": _field(["preparatory-technician-class", "advanced-worker-class"]),
    },
)
CREDENTIAL = st.fixed_dictionaries(
    {
        "type": st.lists(st.sampled_from(["VerifiableCredential", *KINDS]), max_size=3) | JUNK,
        "credentialSubject": SUBJECT | JUNK,
    },
    optional={"validFrom": DATEISH | JUNK, "id": st.text(max_size=8) | JUNK},
)
SOURCES = st.lists(CREDENTIAL | JUNK, max_size=4)
DECLARATIONS = st.dictionaries(
    st.sampled_from(["workField", "occupationMatch", "annualAssessment"]) | st.text(max_size=5),
    st.sampled_from(["engineering", "yes"]) | JUNK,
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(SOURCES, st.dates(), DECLARATIONS, st.none() | st.text(max_size=12))
def test_evaluation_never_raises_and_is_deterministic(
    sources: list[Any], as_of: date, declarations: dict[Any, Any], work_field: str | None
) -> None:
    for rule in shipped_rules():
        first = evaluate(rule, sources, as_of=as_of, declarations=declarations, work_field=work_field)
        second = evaluate(rule, copy.deepcopy(sources), as_of=as_of, declarations=declarations, work_field=work_field)
        text = json.dumps(first.to_json(), sort_keys=True, ensure_ascii=False)
        assert text == json.dumps(second.to_json(), sort_keys=True, ensure_ascii=False)
        assert explain_evaluation(first, "zh") == explain_evaluation(second, "zh")
        assert explain_evaluation(first, "en") == explain_evaluation(second, "en")
        assert first.holds == (not first.failed)
        assert (first.recognized_as is not None) == first.holds


def test_rules_and_sets_are_hashable_values() -> None:
    assert len(set(shipped_rules())) == 44
    assert len({*load_shipped().values()}) == 5
    assert hash(find_rule("CN-SX-L2-TO-INTERMEDIATE")) == hash(find_rule("CN-SX-L2-TO-INTERMEDIATE"))


@pytest.mark.parametrize("reserved", ["in-force", "evaluable"])
def test_condition_ids_cannot_shadow_engine_checks(reserved: str) -> None:
    doc = _base()
    doc["rules"][1]["conditions"][0]["id"] = reserved
    with pytest.raises(SkillcredError) as info:
        parse_ruleset(doc)
    assert info.value.code is Code.RULE_ERROR and info.value.pointer == "/rules/1/conditions"


@pytest.mark.parametrize("declarations", [["workField"], "engineering", 42, {1: "x", "workField": 7}])
def test_malformed_declarations_count_as_not_declared(declarations: Any) -> None:
    result = ev("CN-ENG-2018-L2-TO-INTERMEDIATE", [P1_L2], date(2026, 7, 1), declarations=declarations)
    assert [f.condition_id for f in result.failed] == ["work-field"]
    assert "not declared" in result.failed[0].en

# ruff: noqa: E501  (a translation table: one rule per entry reads better than wrapped lines)
"""Build ``vccore/data/rulesets/*.json`` from the research table ``shared/domain/rules.json``.

Run: ``python scripts/build_rulesets.py ../shared/domain/rules.json``. The JSON files are the
shipped artefacts; this script is the record of how each draft rule was translated. Provenance
(document, number, date, urls, refs, note), ``evidence`` and ``confidence`` are copied verbatim; the
inputs, conditions, names, normalised legal basis and in-force dates are the translation below
(policy in ``docs/rules.md``). Rules of jurisdictions without a shipped set are skipped and listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

VERSION = "0.1"
SETS = {
    "CN": ("人力资源社会保障部", "Ministry of Human Resources and Social Security"),
    "CN-SX": ("山西省人力资源和社会保障厅", "Shanxi Provincial Department of Human Resources and Social Security"),
    "CN-HL": (
        "黑龙江省人力资源和社会保障厅",
        "Heilongjiang Provincial Department of Human Resources and Social Security",
    ),
    "CN-GD": ("广东省人力资源和社会保障厅", "Guangdong Provincial Department of Human Resources and Social Security"),
    "CN-SD": ("山东省人力资源和社会保障厅", "Shandong Provincial Department of Human Resources and Social Security"),
}
LEVEL = {
    "L3": ("三级/高级工", "level 3/senior worker"),
    "L2": ("二级/技师", "level 2/technician"),
    "L1": ("一级/高级技师", "level 1/senior technician"),
    "special-technician": ("特级技师", "special technician"),
    "chief-technician": ("首席技师", "chief technician"),
}
FORMS = ["职业资格证书", "职业技能等级证书"]
ENG = "工程系列"

# legal basis by rules.json source.document: authority, name, number, date; and inForceFrom
LEGAL: dict[str, tuple[str | None, str | None, str | None, str | None, str | None]] = {
    "人力资源社会保障部《关于在工程技术领域实现高技能人才与工程技术人才职业发展贯通的意见（试行）》": (
        "人力资源社会保障部",
        "关于在工程技术领域实现高技能人才与工程技术人才职业发展贯通的意见（试行）",
        None,
        "2018-11",
        "2018-11-30",
    ),
    "人力资源社会保障部《关于进一步加强高技能人才与专业技术人才职业发展贯通的实施意见》": (
        "人力资源社会保障部",
        "关于进一步加强高技能人才与专业技术人才职业发展贯通的实施意见",
        "人社部发〔2020〕96号",
        "2021-01-06",
        "2021-01-06",
    ),
    "人力资源社会保障部《关于健全完善新时代技能人才职业技能等级制度的意见（试行）》": (
        "人力资源社会保障部",
        "关于健全完善新时代技能人才职业技能等级制度的意见（试行）",
        "人社部发〔2022〕14号",
        "2022-03",
        "2022-03-31",
    ),
    "中共中央 国务院《关于深化产业工人队伍建设改革的意见》": (
        "中共中央 国务院",
        "关于深化产业工人队伍建设改革的意见",
        None,
        "2024-10-21",
        "2024-10-21",
    ),
    "人社部 工信部《关于深化工程技术人才职称制度改革的指导意见》 (as cited in a correspondence table)": (
        "人力资源社会保障部 工业和信息化部",
        "关于深化工程技术人才职称制度改革的指导意见",
        "人社部发〔2019〕16号",
        "2019-02",
        "2019-02-01",
    ),
    "山东省人力资源和社会保障厅《关于工程技术领域高技能人才与工程技术人才职业贯通发展的实施意见》 (forwarded by 枣庄市人社局)": (
        "山东省人力资源和社会保障厅",
        "关于工程技术领域高技能人才与工程技术人才职业贯通发展的实施意见",
        "鲁人社发〔2020〕16号",
        "2020",
        "2020-12-31",
    ),
    "广东省人力资源和社会保障厅《关于做好2020年度职称评审工作的通知》": (
        "广东省人力资源和社会保障厅",
        "关于做好2020年度职称评审工作的通知",
        None,
        "2020-08-03",
        "2020-08-03",
    ),
    "《广州市职业教育促进条例》": (None, "广州市职业教育促进条例", None, None, "2026-03-01"),
}


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def skill(level: str | None = None, *, forms: list[str] | None = FORMS, minimum: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {}
    if level:
        match["skillLevel"] = [level]
    if forms:
        match["credentialForm"] = forms
    zh, en = LEVEL[level or minimum or "L3"]
    slot: dict[str, Any] = {"name": "source", "kinds": ["SkillLevelCredential"]}
    if match:
        slot["match"] = match
    if minimum:
        slot["minSkillLevel"] = minimum
        zh, en = zh + "及以上", en + " or above"
    suffix = (
        ("（职业资格证书或职业技能等级证书）", " (qualification or skill-level certificate)") if forms else ("", "")
    )
    return {**slot, "zh": zh + suffix[0], "en": en + suffix[1]}


def title(level: str | None, name: str | None) -> dict[str, Any]:
    match: dict[str, Any] = {"titleSeries": [ENG]}
    if level:
        match["titleLevel"] = [level]
    return {
        "name": "source",
        "kinds": ["ProfessionalTitleCredential"],
        "match": match,
        "zh": f"{ENG}{name or ''}职称",
        "en": f"title in the engineering series{' (' + name + ')' if name else ''}",
    }


def qual(names: list[str], grade: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"qualificationName": names}
    if grade:
        match["qualificationGrade"] = [grade]
    label = f"{names[0]}{'（' + grade + '）' if grade else ''}"
    return {
        "name": "source",
        "kinds": ["ProfessionalQualificationCredential"],
        "match": match,
        "zh": f"{label}职业资格",
        "en": f"professional qualification {label}",
    }


SCHOOL = {
    "intermediate-worker-class": ("中级工班", "intermediate-worker class"),
    "advanced-worker-class": ("高级工班", "advanced-worker class"),
    "preparatory-technician-class": ("预备技师(技师)班", "preparatory-technician class"),
}


def school(cls: str | None) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": "source", "kinds": ["TechnicalSchoolDiplomaCredential"]}
    if cls is None:
        return {**slot, "zh": "技工院校毕业", "en": "graduation from a technical school"}
    zh, en = SCHOOL[cls]
    return {
        **slot,
        "match": {"technicalSchoolClass": [cls]},
        "zh": f"技工院校{zh}毕业",
        "en": f"graduation from a technical school's {en}",
    }


def years(n: int, level: str) -> dict[str, Any]:
    zh, en = LEVEL[level]
    return {
        "id": "years-since-level",
        "zh": f"取得{zh}后满{n}年",
        "en": f"{n} years after {en}",
        "logic": {">=": [{"yearsSince": {"var": "sourceDate"}}, n]},
    }


def declared_is(cid: str, name: str, value: str, zh: str, en: str) -> dict[str, Any]:
    return {"id": cid, "zh": zh, "en": en, "logic": {"==": [{"var": f"declared.{name}"}, value]}}


WORK_FIELD_DECL = {"name": "workField", "zh": "岗位领域", "en": "work field", "values": ["engineering", "other"]}
WORK_FIELD = declared_is(
    "work-field",
    "workField",
    "engineering",
    "在工程技术领域生产一线岗位从事相应专业技术技能工作",
    "works in a production-line post in the engineering field, in the corresponding specialty",
)
YES_NO = ["yes", "no"]
SD_DECL = [
    WORK_FIELD_DECL,
    {"name": "annualAssessment", "zh": "近3年年度考核", "en": "annual assessments", "values": YES_NO},
    {"name": "continuingEducation", "zh": "继续教育", "en": "continuing education", "values": YES_NO},
    {
        "name": "provincialStandard",
        "zh": "山东省工程系列职称评价标准",
        "en": "Shandong's title standard",
        "values": YES_NO,
    },
]
SD_CONDS = [
    WORK_FIELD,
    declared_is(
        "annual-assessment",
        "annualAssessment",
        "yes",
        "现岗位近3年年度考核均为合格以上",
        "annual assessment qualified in each of the last 3 years in the current post",
    ),
    declared_is("continuing-education", "continuingEducation", "yes", "完成继续教育", "continuing education completed"),
    declared_is(
        "provincial-standard",
        "provincialStandard",
        "yes",
        "符合山东省工程技术职称评价标准条件",
        "meets Shandong's engineering title standards",
    ),
]
MATCH_DECL = {
    "name": "occupationMatch",
    "zh": "职称专业与申报职业（工种）对应",
    "en": "specialty-occupation match",
    "values": YES_NO,
}
APPOINTED = {
    "id": "appointed",
    "zh": "已被用人单位聘任到相应技能岗位（聘任凭证）",
    "en": "appointed to the post by the employer (an appointment credential)",
    "logic": {"in": ["聘任", {"var": "source.credentialSubject.credentialForm"}]},
}
REGISTERED = {
    "id": "registered",
    "zh": "已注册（该资格须注册）",
    "en": "registered (the qualification requires it)",
    "logic": {"==": [{"var": "source.credentialSubject.registered"}, True]},
    "confidence": "inferred",
}
ENG_NOTE = text(
    "另须“具有高超技能和精深技能、能够进行创造性劳动并作出贡献”，由评审委员会判断，不作机械判定。",
    "The rule also requires outstanding skills and contributions; the evaluation committee judges "
    "that, so it is not evaluated here.",
)
GD_PURPOSES = ["入户", "职称评审", "招聘", "定级"]
EVAL_NOTE = text(
    "来源未给出具体等级或条件，作为依据收录，不能机械判定。",
    "The sources give no concrete levels or conditions: kept as a basis, not evaluable.",
)


def out_title(level: str, name: str | None = None, series: str | None = ENG) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "title", "titleLevel": level}
    if series:
        out["titleSeries"] = series
    if name:
        out["titleName"] = name
    return out


def eng_ladder(
    level: str, n: int, to: str, name: str, conds: list[dict[str, Any]], decl: list[dict[str, Any]], zh: str, en: str
) -> dict[str, Any]:
    return {
        "name": text(zh, en),
        "inputs": [skill(level)],
        "declaredInputs": decl,
        "conditions": [years(n, level), *conds],
        "recognizedAs": out_title(to, name),
        "notes": ENG_NOTE,
    }


def school_rule(
    cls: str, edu: str, zh: str, en: str, purposes: list[str], note: dict[str, str] | None = None
) -> dict[str, Any]:
    r: dict[str, Any] = {
        "name": text(zh, en),
        "inputs": [school(cls)],
        "conditions": [],
        "recognizedAs": {"kind": "education", "educationLevel": edu},
        "purposes": purposes,
    }
    if note:
        r["notes"] = note
    return r


def qual_rule(
    names: list[str],
    grade: str | None,
    level: str,
    name: str,
    series: str,
    zh: str,
    en: str,
    conds: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": text(zh, en),
        "inputs": [qual(names, grade)],
        "conditions": conds or [],
        "recognizedAs": out_title(level, name, series),
    }


def not_evaluable(inputs: list[dict[str, Any]], zh: str, en: str) -> dict[str, Any]:
    return {
        "name": text(zh, en),
        "inputs": inputs,
        "conditions": [],
        "recognizedAs": None,
        "evaluable": False,
        "notes": EVAL_NOTE,
    }


def rev(level: str, title_name: str, to: str) -> dict[str, Any]:
    zh, en = LEVEL[to]
    return {
        "name": text(f"{title_name}可申报{zh}（推定通行做法）", f"{title_name} may apply for {en} (inferred)"),
        "inputs": [title(level, title_name)],
        "declaredInputs": [MATCH_DECL],
        "conditions": [
            {
                "id": "years-related-work",
                "zh": "取得职称后从事相关工作满1年",
                "en": "1 year of related work after obtaining the title",
                "logic": {">=": [{"yearsSince": {"var": "sourceDate"}}, 1]},
            },
            declared_is(
                "occupation-match",
                "occupationMatch",
                "yes",
                "职称专业与申报职业（工种）相对应",
                "the title's specialty corresponds to the occupation applied for",
            ),
        ],
        "recognizedAs": {"kind": "skill-level", "skillLevel": to},
        "notes": text(
            "年限自取得职称之日起算（解释）。", "Years are counted from the title's award date (an interpretation)."
        ),
    }


T: dict[str, dict[str, Any]] = {
    "CN-ENG-2018-L3-TO-ASSISTANT": eng_ladder(
        "L3",
        2,
        "assistant",
        "助理工程师",
        [WORK_FIELD],
        [WORK_FIELD_DECL],
        "高级工满2年可申报助理工程师",
        "Senior worker + 2 years may apply for Assistant Engineer",
    ),
    "CN-ENG-2018-L2-TO-INTERMEDIATE": eng_ladder(
        "L2",
        3,
        "intermediate",
        "工程师",
        [WORK_FIELD],
        [WORK_FIELD_DECL],
        "技师满3年可申报工程师",
        "Technician + 3 years may apply for Engineer",
    ),
    "CN-ENG-2018-L1-TO-ASSOCIATE-SENIOR": eng_ladder(
        "L1",
        4,
        "associate-senior",
        "高级工程师",
        [WORK_FIELD],
        [WORK_FIELD_DECL],
        "高级技师满4年可申报高级工程师",
        "Senior technician + 4 years may apply for Senior Engineer",
    ),
    "CN-ENG-2018-SCHOOL-ZHONGJIGONG": school_rule(
        "intermediate-worker-class",
        "zhongzhuan",
        "中级工班毕业按中专学历申报职称",
        "Intermediate-worker class counts as zhongzhuan for title applications",
        ["职称评审"],
    ),
    "CN-ENG-2018-SCHOOL-GAOJIGONG": school_rule(
        "advanced-worker-class",
        "dazhuan",
        "高级工班毕业按大专学历申报职称",
        "Advanced-worker class counts as dazhuan for title applications",
        ["职称评审"],
    ),
    "CN-ENG-2018-SCHOOL-YUBEIJISHI": school_rule(
        "preparatory-technician-class",
        "benke",
        "预备技师(技师)班毕业按本科学历申报职称",
        "Preparatory-technician class counts as benke for title applications",
        ["职称评审"],
    ),
    "CN-ENG-2018-TITLE-TO-SKILL-ENCOURAGE": not_evaluable(
        [title(None, None)], "鼓励专业技术人才参加职业技能评价", "Title holders are encouraged to take skill evaluation"
    ),
    "CN-2020-96-FIELD-EXTENSION": not_evaluable(
        [skill(None, minimum="L3")],
        "贯通领域扩展至农业、工艺美术等系列（推定比照2018阶梯）",
        "Extension to agriculture, arts and crafts and other series (ladder inferred by analogy)",
    ),
    "CN-2020-96-GREEN-CHANNEL": not_evaluable(
        [skill(None, forms=None, minimum="L1")],
        "高技能领军人才职称评审绿色通道",
        "Green channel to titles for leading high-skill talents",
    ),
    "CN-2020-96-SKILL-TO-PROFQUAL": not_evaluable(
        [skill(None, forms=None, minimum="L3")],
        "支持高技能人才取得专业技术人员职业资格",
        "High-skill workers may obtain professional qualifications",
    ),
    "CN-2022-14-SPECIAL-TECHNICIAN-TREATMENT": {
        "name": text(
            "聘任的特级技师比照正高级职称人员享受同等待遇",
            "Appointed special technicians get the treatment of full-senior title holders",
        ),
        "inputs": [skill("special-technician", forms=None)],
        "conditions": [APPOINTED],
        "recognizedAs": {"kind": "treatment", "titleLevel": "full-senior", "treatment": "full-senior-title-treatment"},
    },
    "CN-2022-14-CHIEF-TECHNICIAN-PAY": {
        "name": text(
            "首席技师薪酬参照本单位高级管理人员标准", "Chief technicians' pay set by reference to senior managers"
        ),
        "inputs": [skill("chief-technician", forms=None)],
        "conditions": [APPOINTED],
        "recognizedAs": {"kind": "treatment", "treatment": "chief-technician-pay"},
    },
    "CN-2024-TWO-WAY-FRAMEWORK": {
        **not_evaluable(
            [],
            "职业资格、职业技能等级与职称、学历双向比照认定（框架）",
            "Two-way comparison and recognition (framework)",
        ),
        "inputs": [
            {
                "name": "source",
                "kinds": ["SkillLevelCredential", "ProfessionalQualificationCredential"],
                "zh": "职业资格或职业技能等级",
                "en": "a qualification or skill level",
            }
        ],
    },
    "CN-QUAL-ZHUCE-CEHUISHI": qual_rule(
        ["注册测绘师"],
        None,
        "intermediate",
        "工程师",
        ENG,
        "注册测绘师对应工程师",
        "Registered surveyor corresponds to Engineer",
        [REGISTERED],
    ),
    "CN-QUAL-ZHUCE-CHENGXIANG-GUIHUASHI": qual_rule(
        ["注册城乡规划师"],
        None,
        "intermediate",
        "工程师",
        ENG,
        "注册城乡规划师对应工程师",
        "Registered urban planner corresponds to Engineer",
        [REGISTERED],
    ),
    "CN-QUAL-ZHUCE-JIANZHUSHI-1": qual_rule(
        ["注册建筑师"],
        "一级",
        "intermediate",
        "工程师",
        ENG,
        "一级注册建筑师对应工程师",
        "Class 1 registered architect corresponds to Engineer",
        [REGISTERED],
    ),
    "CN-QUAL-ZHUCE-JIANZHUSHI-2": qual_rule(
        ["注册建筑师"],
        "二级",
        "assistant",
        "助理工程师",
        ENG,
        "二级注册建筑师对应助理工程师",
        "Class 2 registered architect corresponds to Assistant Engineer",
        [REGISTERED],
    ),
    "CN-QUAL-ZHUCE-HEANQUAN": qual_rule(
        ["注册核安全工程师"],
        None,
        "intermediate",
        "工程师",
        ENG,
        "注册核安全工程师对应工程师",
        "Registered nuclear safety engineer corresponds to Engineer",
        [REGISTERED],
    ),
    "CN-QUAL-HE-WUSUN-III": qual_rule(
        ["民用核安全设备无损检验人员资格"],
        "III级",
        "intermediate",
        "工程师",
        ENG,
        "民用核安全设备无损检验III级对应工程师",
        "Nuclear NDT level III corresponds to Engineer",
    ),
    "CN-QUAL-HE-WUSUN-II": qual_rule(
        ["民用核安全设备无损检验人员资格"],
        "II级",
        "assistant",
        "助理工程师",
        ENG,
        "民用核安全设备无损检验II级对应助理工程师",
        "Nuclear NDT level II corresponds to Assistant Engineer",
    ),
    "CN-QUAL-HE-WUSUN-I": qual_rule(
        ["民用核安全设备无损检验人员资格"],
        "I级",
        "yuanji",
        "技术员",
        ENG,
        "民用核安全设备无损检验I级对应技术员",
        "Nuclear NDT level I corresponds to Technician",
    ),
    "CN-REV-ASSISTANT-TO-L3": rev("assistant", "助理工程师", "L3"),
    "CN-REV-INTERMEDIATE-TO-L2": rev("intermediate", "工程师", "L2"),
    "CN-REV-ASSOCIATE-SENIOR-TO-L1": rev("associate-senior", "高级工程师", "L1"),
    "CN-SD-2020-L3-TO-ASSISTANT": eng_ladder(
        "L3",
        2,
        "assistant",
        "助理工程师",
        SD_CONDS,
        SD_DECL,
        "高级工满2年可申报助理工程师（山东）",
        "Senior worker + 2 years may apply for Assistant Engineer (Shandong)",
    ),
    "CN-SD-2020-L2-TO-INTERMEDIATE": eng_ladder(
        "L2",
        3,
        "intermediate",
        "工程师",
        SD_CONDS,
        SD_DECL,
        "技师满3年可申报工程师（山东）",
        "Technician + 3 years may apply for Engineer (Shandong)",
    ),
    "CN-SD-2020-L1-TO-ASSOCIATE-SENIOR": eng_ladder(
        "L1",
        4,
        "associate-senior",
        "高级工程师",
        SD_CONDS,
        SD_DECL,
        "高级技师满4年可申报高级工程师（山东，年限推定）",
        "Senior technician + 4 years may apply for Senior Engineer (Shandong; years inferred)",
    ),
    "CN-SD-2020-SCHOOL-EQUIV": {
        **not_evaluable(
            [school(None)],
            "技工院校中级工班/高级工班/预备技师班按中专/大专/本科申报职称（山东）",
            "Technical-school classes count as zhongzhuan/dazhuan/benke for titles (Shandong)",
        ),
        "purposes": ["申报评审相应专业职称"],
        "notes": text(
            "一条规则对应三个班级与三个学历层次，不能给出单一结果；同等映射见 CN-ENG-2018-SCHOOL-*。",
            "One rule maps three classes to three levels, so it has no single outcome; the same "
            "mapping is evaluable as CN-ENG-2018-SCHOOL-*.",
        ),
    },
    "CN-SX-L2-TO-INTERMEDIATE": {
        "name": text(
            "技师对应中级职称（山西，推定）", "Technician corresponds to an intermediate title (Shanxi, inferred)"
        ),
        "inputs": [skill("L2")],
        "conditions": [],
        "recognizedAs": out_title("intermediate", series=None),
        "notes": text(
            "条件与生效日期不详；是“认定为”还是“比照享受待遇”不详。",
            "Conditions and effective date unknown; whether it recognises or only compares is unknown.",
        ),
    },
    "CN-SX-L1-TO-ASSOCIATE-SENIOR": {
        "name": text(
            "高级技师对应副高级职称（山西，推定）",
            "Senior technician corresponds to an associate-senior title (Shanxi, inferred)",
        ),
        "inputs": [skill("L1")],
        "conditions": [],
        "recognizedAs": out_title("associate-senior", series=None),
        "notes": text("条件与生效日期不详。", "Conditions and effective date unknown."),
    },
    "CN-HL-ZHUCE-CEHUISHI": qual_rule(
        ["注册测绘师"],
        None,
        "intermediate",
        "工程师",
        ENG,
        "注册测绘师对应工程师（黑龙江）",
        "Registered surveyor corresponds to Engineer (Heilongjiang)",
    ),
    "CN-HL-PAIMAISHI": qual_rule(
        ["拍卖师"],
        None,
        "assistant",
        "助理经济师",
        "经济系列",
        "拍卖师对应助理经济师（黑龙江）",
        "Auctioneer corresponds to Assistant Economist (Heilongjiang)",
    ),
    "CN-HL-DAOYOU": qual_rule(
        ["导游资格"],
        None,
        "assistant",
        "助理经济师",
        "经济系列",
        "导游资格对应助理经济师（黑龙江）",
        "Tour guide qualification corresponds to Assistant Economist (Heilongjiang)",
    ),
    "CN-HL-SHEBEI-JIANLISHI": qual_rule(
        ["设备监理师", "注册设备监理师"],
        None,
        "intermediate",
        "工程师",
        ENG,
        "设备监理师对应工程师（黑龙江）",
        "Equipment supervisor corresponds to Engineer (Heilongjiang)",
    ),
    "CN-HL-KUAIJI-CHUJI": qual_rule(
        ["会计专业技术资格"],
        "初级",
        "assistant",
        "助理会计师",
        "会计系列",
        "初级会计专业技术资格即助理会计师（黑龙江）",
        "Junior accounting qualification is Assistant Accountant (Heilongjiang)",
    ),
    "CN-HL-KUAIJI-ZHONGJI": qual_rule(
        ["会计专业技术资格"],
        "中级",
        "intermediate",
        "会计师",
        "会计系列",
        "中级会计专业技术资格即会计师（黑龙江）",
        "Intermediate accounting qualification is Accountant (Heilongjiang)",
    ),
    "CN-HL-JINGSUANSHI": not_evaluable(
        [qual(["精算师"])],
        "精算师对应职称（黑龙江，层级不详）",
        "Actuary corresponds to a title (Heilongjiang, level unknown)",
    ),
    "CN-GD-2020-JIANZAOSHI-2": {
        **qual_rule(
            ["建造师"],
            "二级",
            "assistant",
            "助理工程师",
            ENG,
            "二级建造师视同助理工程师",
            "Class 2 constructor is deemed Assistant Engineer",
        ),
        "notes": text("不另发职称证书。", "No separate title certificate is issued."),
    },
    "CN-GD-2020-JIANZAOSHI-1": {
        **qual_rule(
            ["建造师"],
            "一级",
            "intermediate",
            "工程师",
            ENG,
            "一级建造师视同工程师",
            "Class 1 constructor is deemed Engineer",
        ),
        "notes": text("不另发职称证书。", "No separate title certificate is issued."),
    },
    "CN-GD-ZHONGJIGONG-TO-ZHONGZHUAN": school_rule(
        "intermediate-worker-class",
        "zhongzhuan",
        "中级工班毕业按中专落实待遇（广东）",
        "Intermediate-worker class treated as zhongzhuan (Guangdong)",
        GD_PURPOSES,
        text(
            "原表另列“及相应技能等级（四级/中级工）”，未作为输入。",
            "The table also names the matching skill level (L4); it is not taken as an input.",
        ),
    ),
    "CN-GD-GAOJIGONG-TO-DAZHUAN": school_rule(
        "advanced-worker-class",
        "dazhuan",
        "高级工班毕业按大专落实待遇（广东）",
        "Advanced-worker class treated as dazhuan (Guangdong)",
        GD_PURPOSES,
        text(
            "原表另列“及相应技能等级（三级/高级工）”（种子信息），未作为输入。",
            "The table also names the matching skill level (L3, seed only); it is not taken as an input.",
        ),
    ),
    "CN-GD-YUBEIJISHI-TO-BENKE": school_rule(
        "preparatory-technician-class",
        "benke",
        "预备技师班毕业按本科落实待遇（广东）",
        "Preparatory-technician class treated as benke (Guangdong)",
        GD_PURPOSES,
        text(
            "原表另列“及相应技能等级（二级/技师）”（种子信息），未作为输入。",
            "The table also names the matching skill level (L2, seed only); it is not taken as an input.",
        ),
    ),
    "CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY": {
        "name": text(
            "职业学校毕业生与同层次普通学校毕业生享有平等机会（广州）",
            "Vocational graduates have equal opportunity with same-level general graduates (Guangzhou)",
        ),
        "inputs": [school(None)],
        "conditions": [],
        "recognizedAs": {"kind": "treatment", "treatment": "same-level-graduate-equality"},
        "purposes": ["落户", "应征入伍", "就业创业扶持", "公务员招录", "企事业单位招聘", "职称评审", "职级晋升"],
        "notes": text(
            "来源为“职业学校毕业生”，此处仅以技工院校毕业凭证为输入。",
            "The source covers vocational-school graduates; only technical-school diplomas are inputs here.",
        ),
    },
}


def translate(raw: dict[str, Any]) -> dict[str, Any]:
    t, src = T[raw["id"]], raw["source"]
    authority, name, number, doc_date, start = LEGAL.get(src["document"], (None, None, None, None, None))
    rule: dict[str, Any] = {
        "id": raw["id"],
        "version": "1",
        "jurisdiction": raw["jurisdiction"],
        "direction": raw["direction"],
        "name": t["name"],
        "legalBasis": {
            "issuingAuthority": authority,
            "documentName": name,
            "documentNumber": number,
            "documentDate": doc_date,
            "urls": src["url"],
        },
        "inputs": t["inputs"],
        "declaredInputs": t.get("declaredInputs", []),
        "conditions": t["conditions"],
        "recognizedAs": t["recognizedAs"],
        "grants": raw["grants"],
        "purposes": t.get("purposes", []),
        "inForceFrom": start,
        "inForceUntil": None,
        "evaluable": t.get("evaluable", True),
        "confidence": raw["confidence"],
        "provenance": {
            "document": src["document"],
            "number": src["number"],
            "date": src["date"],
            "urls": src["url"],
            "refs": src["refs"],
            "evidence": raw["evidence"],
            "note": src.get("note"),
        },
    }
    if raw.get("locality"):
        rule["locality"] = raw["locality"]
    if "notes" in t:
        rule["notes"] = t["notes"]
    return rule


def build(table: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    sets: dict[str, dict[str, Any]] = {
        j: {
            "type": "RecognitionRuleSet",
            "id": j,
            "version": VERSION,
            "jurisdiction": j,
            "authority": text(*SETS[j]),
            "rules": [],
        }
        for j in SETS
    }
    skipped: list[str] = []
    for raw in table["rules"]:
        if raw["jurisdiction"] not in sets:
            skipped.append(raw["id"])
            continue
        sets[raw["jurisdiction"]]["rules"].append(translate(raw))
    return sets, skipped


def main(argv: list[str]) -> int:
    table = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    sets, skipped = build(table)
    out = Path(__file__).resolve().parents[1] / "vccore" / "data" / "rulesets"
    out.mkdir(exist_ok=True)
    for j, doc in sets.items():
        (out / f"{j}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{j}: {len(doc['rules'])} rules")
    print("skipped (no shipped set for the jurisdiction):", ", ".join(skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

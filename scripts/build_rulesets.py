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
#: each set's cited authority and its standing (docs/rules.md "Standing"); None when no source names
#: the issuing body. The set credential's issuer is whoever signs it, never this authority.
SETS: dict[str, tuple[tuple[str, str] | None, str]] = {
    "CN": (("人力资源社会保障部", "Ministry of Human Resources and Social Security"), "reported"),
    "CN-SX": (None, "reported"),
    "CN-HL": (None, "reported"),
    "CN-GD": (None, "reported"),
    "CN-SD": (
        ("山东省人力资源和社会保障厅", "Shandong Provincial Department of Human Resources and Social Security"),
        "sourced",
    ),
}
LEVEL = {
    "L4": ("四级/中级工", "level 4/intermediate worker"),
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


REVIEW_DECL = {
    "name": "reviewOutcome",
    "zh": "评审结果（择优认定，须由组织评审的单位证明）",
    "en": "review outcome (selective recognition, attested by the body that ran the review)",
    "values": ["selected", "not-selected"],
}
SX_NOTE = text(
    "据报道：优秀者“可”认定，择优，须经评审；是“认定为”还是“比照享受待遇”不详；原文件未取得。",
    "Reported: outstanding holders *can be* recognized, selectively, after a review; whether as the title or "
    "only its treatment is unknown; instrument not retrieved.",
)


def shanxi(level: str, to: str, zh: str, en: str) -> dict[str, Any]:
    return {
        "name": text(zh, en),
        "inputs": [skill(level)],
        "declaredInputs": [REVIEW_DECL],
        "conditions": [
            declared_is(
                "review-selected",
                "reviewOutcome",
                "selected",
                "经评审择优认定（评审结果须由组织评审的单位证明）",
                "selected in a review (the outcome attested by the body that ran it)",
            )
        ],
        "recognizedAs": out_title(to, series=None),
        "notes": SX_NOTE,
    }


GD_SCHOOL_NOTE = text(
    "来源称“落实相关待遇”，未列明事项；原文件未取得。",
    "The source says 'the related treatment' and lists no purposes; instrument not retrieved.",
)
GD_SKILL_PURPOSES = ["入户", "职称评审", "职级晋升"]
GD_SKILL = {
    "L4": ("四级/中级工", "level 4/intermediate worker", "中专", "zhongzhuan"),
    "L3": ("三级/高级工", "level 3/senior worker", "大专", "dazhuan"),
}


def gd_skill(level: str, edu: str) -> dict[str, Any]:
    lzh, len_, ezh, een = GD_SKILL[level]
    return {
        "name": text(
            f"取得{lzh}职业资格或职业技能等级，在入户、职称评审、职级晋升中享受{ezh}学历同等待遇（广东，层级推定）",
            f"Holders of {len_} (qualification or skill level) get the treatment of {een} for household "
            "registration, title evaluation and rank promotion (Guangdong; level pairing inferred)",
        ),
        "inputs": [{**skill(level), "zh": f"{lzh}（职业资格证书或职业技能等级证书）"}],
        "conditions": [],
        "recognizedAs": {"kind": "education", "educationLevel": edu},
        "purposes": GD_SKILL_PURPOSES,
        "notes": text(
            f"{lzh}对应{ezh}为种子表的配对（推定）；原文件未取得。",
            f"Pairing {len_} with {een} follows the seed table (inferred); instrument not retrieved.",
        ),
    }


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
    "CN-SX-L2-TO-INTERMEDIATE": shanxi(
        "L2",
        "intermediate",
        "优秀技师经评审可择优认定中级职称（山西）",
        "Outstanding technicians may be selected, after review, for an intermediate title (Shanxi)",
    ),
    "CN-SX-L1-TO-ASSOCIATE-SENIOR": shanxi(
        "L1",
        "associate-senior",
        "优秀高级技师经评审可择优认定副高级职称（山西）",
        "Outstanding senior technicians may be selected, after review, for an associate-senior title (Shanxi)",
    ),
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
    "CN-HL-ZHUCE-KUAIJISHI": qual_rule(
        ["注册会计师"],
        None,
        "intermediate",
        "会计师",
        "会计系列",
        "注册会计师对应会计师（黑龙江，层级借自他表）",
        "Certified public accountant corresponds to Accountant (Heilongjiang; level borrowed from other tables)",
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
        "中级工班毕业按中专落实待遇（广东，推定）",
        "Intermediate-worker class treated as zhongzhuan (Guangdong, inferred)",
        [],
        GD_SCHOOL_NOTE,
    ),
    "CN-GD-GAOJIGONG-TO-DAZHUAN": school_rule(
        "advanced-worker-class",
        "dazhuan",
        "高级工班毕业按相当于大专学历落实相关待遇（广东）",
        "Advanced-worker class graduates get the treatment of dazhuan (Guangdong)",
        [],
        GD_SCHOOL_NOTE,
    ),
    "CN-GD-YUBEIJISHI-TO-BENKE": school_rule(
        "preparatory-technician-class",
        "benke",
        "预备技师班毕业按相当于本科学历落实相关待遇（广东）",
        "Preparatory-technician class graduates get the treatment of benke (Guangdong)",
        [],
        GD_SCHOOL_NOTE,
    ),
    "CN-GD-L4-TO-ZHONGZHUAN": gd_skill("L4", "zhongzhuan"),
    "CN-GD-L3-TO-DAZHUAN": gd_skill("L3", "dazhuan"),
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


# --- standing and quoted sources (docs/rules.md "Standing") ------------------------------------
# standing: sourced (the instrument's own text was retrieved: an official page, a government forwarding
# or a copy of it), reported (a reliable secondary source describes it: the starting article, a news
# report, an explainer; the instrument was not retrieved), inferred (our reading, or a part of the rule
# such as its level or years is ours). Each quote is a verbatim line of ../shared/domain/<source> and names
# what of the rule it supports; tests/vccore/recognition/test_standing.py checks both.
D, A = "DOMAIN.md", "article.txt"
Q_ENG_GRANT = (
    D,
    "**Eligibility to apply** (申报资格) for evaluation. It does **not** confer the title automatically.",
    ["grant:eligibility-to-apply"],
)
Q_ENG_SCHOOL = (
    D,
    "技工院校 中级工班 / 高级工班 / 预备技师(技师)班 graduates may apply for titles *as if* holding 中专 / 大专 / 本科 respectively [S1].",
    ["grant:education-equivalence-for-application", "purpose:职称评审", "outcome"],
)
Q_96 = (D, "I could not retrieve the operative text of 人社部发〔2020〕96号 itself", ["not-retrieved"])
Q_QUAL_GRANT = (D, "Typically: deemed to hold the title (视同/对应)", ["grant:deemed-equivalent"])
Q_HL = (
    A,
    "Heilongjiang Province has standardized the recognition of 50 professional qualifications with titles, adding more to the list, such as registered surveyors and accountants, tour guides, auctioneers, equipment supervisors, and actuaries.",
    ["grant:deemed-equivalent", "input"],
)
Q_HL_LEVELS = (
    D,
    "**Per-item level evidence from other official-style tables, usable as defaults until the HL list is obtained:**",
    ["outcome"],
)
Q_SX = (
    A,
    "In Shanxi, for example, outstanding skilled workers classified as technicians can be recognized with intermediate titles, while senior technicians may receive associate senior titles.",
    ["grant:deemed-equivalent", "outcome", "condition:review-selected"],
)
Q_SX_GAP = (D, "Neither could be verified: no Shanxi document with this text was retrieved.", ["not-retrieved"])
Q_GD_ARTICLE = (
    A,
    "In Guangdong, skilled workers who achieve intermediate or advanced vocational qualifications will be eligible for benefits equivalent to those holding relevant educational degrees concerning household registration, title evaluation, and rank promotion.",
    ["grant:education-equivalent-treatment", "purpose:入户", "purpose:职称评审", "purpose:职级晋升", "input"],
)
Q_GD_SEED = (
    D,
    "**Seed:** Guangdong treats 技工院校 中级工班 / 高级工班 / 预备技师班 graduates, and the corresponding skill levels, as 中专 / 大专 / 本科",
    ["outcome"],
)
Q_GD_S33 = (
    D,
    '高级工班 and 预备技师班 graduates "分别按相当于大专、本科学历落实相关待遇".',
    ["grant:education-equivalent-treatment", "outcome"],
)
Q_GD_2020 = (
    D,
    "holders are **deemed to hold the corresponding series and level** and may use it to apply for the next level;",
    ["grant:deemed-equivalent", "grant:basis-for-next-level"],
)
Q_GD_2020_RETRIEVED = (
    D,
    "Guangdong HRSS 《关于做好2020年度职称评审工作的通知》, 2020-08-03, read via a translated copy [S32]",
    ["retrieved"],
)
Q_SD_RETRIEVED = (
    D,
    "This is the only retrieved provincial text that states 职业技能等级 (not just 职业资格) explicitly as the qualifying credential.",
    ["retrieved"],
)
Q_SD_LADDER = (
    D,
    "高级工 + 2 years → 助理工程师; 技师 + 3 years → 工程师; 高级技师 + … → (truncated; by the national rule, 4 years → 高级工程师).",
    ["outcome", "condition:years-since-level", "grant:eligibility-to-apply"],
)
Q_SD_CONDS = (
    D,
    "annual assessment qualified for the **last 3 years** in the current post;",
    ["condition:annual-assessment"],
)
Q_SD_SCHOOL = (
    D,
    "技工院校 中级工班 / 高级工班 / 预备技师(技师)班 count as 中专 / 大专 / 本科;",
    ["grant:education-equivalence-for-application", "purpose:申报评审相应专业职称", "outcome"],
)
Q_REV = (D, "**Common provincial pattern [inferred, not read]:**", ["outcome"])
Q_22 = (
    D,
    'Staff appointed to **特级技师** posts "比照正高级职称人员享受同等待遇" (same treatment as 正高级 title holders).',
    ["grant:equal-treatment", "outcome", "condition:appointed"],
)
Q_CHIEF = (
    D,
    '**首席技师** pay "可参照本单位高级管理人员标准确定", and not lower than 特级技师 pay.',
    ["grant:equal-treatment", "outcome", "condition:appointed"],
)
Q_2024 = (
    A,
    "The “mutual recognition” system allows those who have obtained national vocational qualifications or skill levels to also be regarded as having the corresponding professional titles or educational degrees.",
    ["grant:deemed-equivalent"],
)
Q_GZ = (
    D,
    "requires equal opportunity with same-level general-school graduates in 落户, 应征入伍, 就业创业扶持, 公务员招录, 企事业单位招聘, 职称评审, 职级晋升 [S34].",
    [
        "grant:education-equivalent-treatment",
        "outcome",
        "purpose:落户",
        "purpose:应征入伍",
        "purpose:就业创业扶持",
        "purpose:公务员招录",
        "purpose:企事业单位招聘",
        "purpose:职称评审",
        "purpose:职级晋升",
    ],
)


def ladder_row(row: str) -> tuple[str, str, list[str]]:
    return (D, row, ["outcome", "condition:years-since-level"])


def qual_row(row: str) -> tuple[str, str, list[str]]:
    return (D, row, ["outcome", "input"])


Standing = tuple[str, bool, list[tuple[str, str, list[str]]]]
STANDING: dict[str, Standing] = {
    "CN-ENG-2018-L3-TO-ASSISTANT": (
        "reported",
        False,
        [ladder_row("| 高级工 | 2 | 助理工程师 (助理级) |"), Q_ENG_GRANT],
    ),
    "CN-ENG-2018-L2-TO-INTERMEDIATE": ("reported", False, [ladder_row("| 技师 | 3 | 工程师 (中级) |"), Q_ENG_GRANT]),
    "CN-ENG-2018-L1-TO-ASSOCIATE-SENIOR": (
        "reported",
        False,
        [ladder_row("| 高级技师 | 4 | 高级工程师 (副高级) |"), Q_ENG_GRANT],
    ),
    "CN-ENG-2018-SCHOOL-ZHONGJIGONG": ("reported", False, [Q_ENG_SCHOOL]),
    "CN-ENG-2018-SCHOOL-GAOJIGONG": ("reported", False, [Q_ENG_SCHOOL]),
    "CN-ENG-2018-SCHOOL-YUBEIJISHI": ("reported", False, [Q_ENG_SCHOOL]),
    "CN-ENG-2018-TITLE-TO-SKILL-ENCOURAGE": (
        "reported",
        False,
        [(D, 'The same document "鼓励专业技术人才参加职业技能评价" [S1].', ["grant:eligibility-to-apply"])],
    ),
    "CN-2020-96-FIELD-EXTENSION": (
        "inferred",
        False,
        [
            (
                D,
                "I *infer* that the same 2/3/4-year ladder applies by analogy in the new series",
                ["grant:eligibility-to-apply"],
            ),
            Q_96,
        ],
    ),
    "CN-2020-96-GREEN-CHANNEL": (
        "reported",
        False,
        [
            (
                D,
                "Creates a **green channel (绿色通道)** for high-skill leading talents (高技能领军人才) on front-line posts.",
                ["grant:green-channel"],
            ),
            Q_96,
        ],
    ),
    "CN-2020-96-SKILL-TO-PROFQUAL": (
        "reported",
        False,
        [(D, "Supports high-skill workers in obtaining 专业技术人员职业资格.", ["grant:eligibility-to-apply"]), Q_96],
    ),
    "CN-2022-14-SPECIAL-TECHNICIAN-TREATMENT": ("reported", False, [Q_22]),
    "CN-2022-14-CHIEF-TECHNICIAN-PAY": ("reported", False, [Q_CHIEF]),
    "CN-2024-TWO-WAY-FRAMEWORK": ("reported", False, [Q_2024]),
    "CN-QUAL-ZHUCE-CEHUISHI": (
        "reported",
        False,
        [qual_row("| 注册测绘师 | 工程师 | 国人部发〔2007〕14号 + 人社部发〔2019〕16号 |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-ZHUCE-CHENGXIANG-GUIHUASHI": (
        "reported",
        False,
        [qual_row("| 注册城乡规划师 | 工程师 | 人社部发〔2019〕16号 |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-ZHUCE-JIANZHUSHI-1": (
        "reported",
        False,
        [qual_row("| 注册建筑师 | 一级 工程师 / 二级 助理工程师 | |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-ZHUCE-JIANZHUSHI-2": (
        "reported",
        False,
        [qual_row("| 注册建筑师 | 一级 工程师 / 二级 助理工程师 | |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-ZHUCE-HEANQUAN": ("reported", False, [qual_row("| 注册核安全工程师 | 工程师 | |"), Q_QUAL_GRANT]),
    "CN-QUAL-HE-WUSUN-III": (
        "reported",
        False,
        [qual_row("| 民用核安全设备无损检验人员 | III级 工程师 / II级 助理工程师 / I级 技术员 | |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-HE-WUSUN-II": (
        "reported",
        False,
        [qual_row("| 民用核安全设备无损检验人员 | III级 工程师 / II级 助理工程师 / I级 技术员 | |"), Q_QUAL_GRANT],
    ),
    "CN-QUAL-HE-WUSUN-I": (
        "reported",
        False,
        [qual_row("| 民用核安全设备无损检验人员 | III级 工程师 / II级 助理工程师 / I级 技术员 | |"), Q_QUAL_GRANT],
    ),
    "CN-REV-ASSISTANT-TO-L3": ("inferred", False, [Q_REV]),
    "CN-REV-INTERMEDIATE-TO-L2": ("inferred", False, [Q_REV]),
    "CN-REV-ASSOCIATE-SENIOR-TO-L1": ("inferred", False, [Q_REV]),
    "CN-SD-2020-L3-TO-ASSISTANT": ("sourced", True, [Q_SD_LADDER, Q_SD_CONDS, Q_SD_RETRIEVED]),
    "CN-SD-2020-L2-TO-INTERMEDIATE": ("sourced", True, [Q_SD_LADDER, Q_SD_CONDS, Q_SD_RETRIEVED]),
    "CN-SD-2020-L1-TO-ASSOCIATE-SENIOR": ("inferred", True, [Q_SD_LADDER, Q_SD_CONDS, Q_SD_RETRIEVED]),
    "CN-SD-2020-SCHOOL-EQUIV": ("sourced", True, [Q_SD_SCHOOL, Q_SD_RETRIEVED]),
    "CN-SX-L2-TO-INTERMEDIATE": ("reported", False, [Q_SX, Q_SX_GAP]),
    "CN-SX-L1-TO-ASSOCIATE-SENIOR": ("reported", False, [Q_SX, Q_SX_GAP]),
    "CN-HL-ZHUCE-CEHUISHI": (
        "inferred",
        False,
        [Q_HL, Q_HL_LEVELS, qual_row("| 注册测绘师 | 工程师 (中级) | [S29][S30] |")],
    ),
    "CN-HL-PAIMAISHI": (
        "inferred",
        False,
        [Q_HL, Q_HL_LEVELS, qual_row("| 拍卖师 | 助理经济师 (助理级) | [S30][S31] |")],
    ),
    "CN-HL-DAOYOU": ("inferred", False, [Q_HL, Q_HL_LEVELS, qual_row("| 导游 | 助理经济师 (助理级) |")]),
    "CN-HL-SHEBEI-JIANLISHI": (
        "inferred",
        False,
        [Q_HL, Q_HL_LEVELS, qual_row("| 注册设备监理师 / 设备监理师 | 工程师 (中级) | [S30] |")],
    ),
    "CN-HL-ZHUCE-KUAIJISHI": (
        "inferred",
        False,
        [Q_HL, Q_HL_LEVELS, qual_row("| 注册会计师 | 会计师 (中级) | [S30] |")],
    ),
    "CN-HL-JINGSUANSHI": ("inferred", False, [Q_HL, (D, "**精算师**: no correspondence found.", ["not-evaluable"])]),
    "CN-GD-2020-JIANZAOSHI-2": (
        "sourced",
        True,
        [(D, "二级建造师 → 助理工程师, 一级建造师 → 工程师;", ["outcome", "input"]), Q_GD_2020, Q_GD_2020_RETRIEVED],
    ),
    "CN-GD-2020-JIANZAOSHI-1": (
        "sourced",
        True,
        [(D, "二级建造师 → 助理工程师, 一级建造师 → 工程师;", ["outcome", "input"]), Q_GD_2020, Q_GD_2020_RETRIEVED],
    ),
    "CN-GD-ZHONGJIGONG-TO-ZHONGZHUAN": ("inferred", False, [Q_GD_SEED]),
    "CN-GD-GAOJIGONG-TO-DAZHUAN": ("reported", False, [Q_GD_S33]),
    "CN-GD-YUBEIJISHI-TO-BENKE": ("reported", False, [Q_GD_S33]),
    "CN-GD-L4-TO-ZHONGZHUAN": ("inferred", False, [Q_GD_ARTICLE, Q_GD_SEED]),
    "CN-GD-L3-TO-DAZHUAN": ("inferred", False, [Q_GD_ARTICLE, Q_GD_SEED]),
    "CN-GD-GZ-2026-VOC-GRADUATE-EQUALITY": ("reported", False, [Q_GZ]),
}

# rules the research table does not have, translated from the article (raw rows in rules.json's shape)
GD_SKILL_SOURCE = {
    "document": "Guangdong rule on skill levels / vocational qualifications ↔ 学历 treatment (instrument not retrieved; reported by the starting article)",
    "number": None,
    "date": None,
    "url": [],
    "refs": ["seed"],
    "note": "article.txt: intermediate or advanced vocational qualifications; the level pairing follows the seed table",
}
EXTRA: list[dict[str, Any]] = [
    {
        "id": "CN-GD-L4-TO-ZHONGZHUAN",
        "jurisdiction": "CN-GD",
        "direction": "school-or-skill-to-degree-equivalence",
        "grants": ["education-equivalent-treatment"],
        "source": GD_SKILL_SOURCE,
        "evidence": "seed",
    },
    {
        "id": "CN-GD-L3-TO-DAZHUAN",
        "jurisdiction": "CN-GD",
        "direction": "school-or-skill-to-degree-equivalence",
        "grants": ["education-equivalent-treatment"],
        "source": GD_SKILL_SOURCE,
        "evidence": "seed",
    },
    {
        "id": "CN-HL-ZHUCE-KUAIJISHI",
        "jurisdiction": "CN-HL",
        "direction": "qualification-to-title",
        "grants": ["deemed-equivalent"],
        "source": {
            "document": "Heilongjiang list of 50 专业技术人员职业资格 recognised as 职称 (document not retrieved)",
            "number": None,
            "date": None,
            "url": ["http://www.szzx.org.cn/contents/88/3085.html"],
            "refs": ["seed", "S30"],
            "note": "article.txt names registered accountants; the level 会计师 (中级) is borrowed from the S30 table (DOMAIN.md §3 CN-HL)",
        },
        "evidence": "seed",
    },
]
#: rules.json rows that are not recognitions: the 会计专业技术资格 *is* the 会计 title (以考代评), DOMAIN.md §3 CN-HL
IDENTITY = ("CN-HL-KUAIJI-CHUJI", "CN-HL-KUAIJI-ZHONGJI")
#: how many items the article says the Heilongjiang list has (article.txt; the list itself was not retrieved)
HL_LIST_SIZE = 50


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
            "urls": src["url"] if name else [],
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
        "standing": STANDING[raw["id"]][0],
        "provenance": {
            "document": src["document"],
            "number": src["number"],
            "date": src["date"],
            "urls": src["url"],
            "refs": src["refs"],
            "evidence": raw["evidence"],
            "note": src.get("note"),
            "instrumentRetrieved": STANDING[raw["id"]][1],
            "quotes": [{"source": q[0], "text": q[1], "supports": q[2]} for q in STANDING[raw["id"]][2]],
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
            "legalBasis": {
                "issuingAuthority": authority(SETS[j][0]),
                "standing": SETS[j][1],
            },
            "rules": [],
        }
        for j in SETS
    }
    sets["CN-HL"]["coverage"] = {
        "listed": HL_LIST_SIZE,
        "zh": "文章称黑龙江将50项专业技术人员职业资格与职称对应；清单原文件未取得",
        "en": "the article says Heilongjiang maps 50 professional qualifications to titles; the list was not retrieved",
    }
    skipped: list[str] = []
    for raw in [*table["rules"], *EXTRA]:
        if raw["jurisdiction"] not in sets or raw["id"] in IDENTITY:
            skipped.append(raw["id"])
            continue
        sets[raw["jurisdiction"]]["rules"].append(translate(raw))
    return sets, skipped


def authority(names: tuple[str, str] | None) -> dict[str, str] | None:
    return None if names is None else text(*names)


def check_quotes(domain: Path) -> None:
    """Every quote is verbatim in its file of ../shared/domain (the build refuses otherwise)."""
    texts = {name: (domain / name).read_text(encoding="utf-8") for name in ("article.txt", "DOMAIN.md")}
    for rule_id, (_, _, quotes) in STANDING.items():
        for source, quote, _ in quotes:
            if quote not in texts[source]:
                raise SystemExit(f"{rule_id}: quote not found in {source}: {quote!r}")


def main(argv: list[str]) -> int:
    table = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    check_quotes(Path(argv[1]).parent)
    sets, skipped = build(table)
    out = Path(__file__).resolve().parents[1] / "vccore" / "data" / "rulesets"
    out.mkdir(exist_ok=True)
    for j, doc in sets.items():
        (out / f"{j}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{j}: {len(doc['rules'])} rules")
    print("skipped (no shipped set for the jurisdiction, or identity not recognition):", ", ".join(skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

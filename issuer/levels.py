"""The enumerations the credential builders check against, as codes with zh/en labels.

The same codes, with definitions and sources, are in ``contexts/skillcred-vocab-v1.json``; a test
keeps the two in step. Codes are the ones ``../shared/domain/rules.json`` uses (docs/credentials.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SkillLevel:
    """One rung of the eight-level ladder (DOMAIN.md 1.1, 人社部发〔2022〕14号 [S6])."""

    code: str
    order: int
    printed: str
    zh: str
    en: str
    #: the level digit in a certificate number (1 = 一级 ... 5 = 五级), None where there is none
    digit: int | None


SKILL_LEVELS: dict[str, SkillLevel] = {
    s.code: s
    for s in (
        SkillLevel("apprentice", 0, "学徒工", "学徒工", "apprentice", None),
        SkillLevel("L5", 1, "五级/初级工", "初级工", "Level 5 / junior worker", 5),
        SkillLevel("L4", 2, "四级/中级工", "中级工", "Level 4 / intermediate worker", 4),
        SkillLevel("L3", 3, "三级/高级工", "高级工", "Level 3 / senior worker", 3),
        SkillLevel("L2", 4, "二级/技师", "技师", "Level 2 / technician (skill level 2)", 2),
        SkillLevel("L1", 5, "一级/高级技师", "高级技师", "Level 1 / senior technician", 1),
        SkillLevel("special-technician", 6, "特级技师", "特级技师", "special technician", None),
        SkillLevel("chief-technician", 7, "首席技师", "首席技师", "chief technician", None),
    )
}

#: 职称层级, lowest first (DOMAIN.md 1.2)
TITLE_LEVELS: dict[str, tuple[str, str]] = {
    "yuanji": ("员级", "entry level"),
    "assistant": ("助理级", "assistant level"),
    "intermediate": ("中级", "intermediate"),
    "associate-senior": ("副高级", "associate senior"),
    "full-senior": ("正高级", "full senior"),
}

#: title names of the engineering series per level [S25][S41]; checked when titleSeries is 工程系列
ENGINEERING_SERIES = "工程系列"
ENGINEERING_TITLES: dict[str, str] = {
    "yuanji": "技术员",
    "assistant": "助理工程师",
    "intermediate": "工程师",
    "associate-senior": "高级工程师",
    "full-senior": "正高级工程师",
}

EDUCATION_LEVELS: dict[str, tuple[str, str]] = {
    "zhongzhuan": ("中专", "secondary specialised (vocational)"),
    "dazhuan": ("大专", "junior college (associate)"),
    "benke": ("本科", "bachelor"),
    "master": ("硕士研究生", "master"),
    "doctor": ("博士研究生", "doctorate"),
}

TECHNICAL_SCHOOL_CLASSES: dict[str, tuple[str, str]] = {
    "intermediate-worker-class": ("中级工班", "intermediate-worker class"),
    "advanced-worker-class": ("高级工班", "advanced-worker class"),
    "preparatory-technician-class": ("预备技师(技师)班", "preparatory-technician (technician) class"),
}

QUALIFICATION_CATEGORIES: dict[str, tuple[str, str]] = {
    "access": ("准入类", "access (licensing)"),
    "level-evaluation": ("水平评价类", "level evaluation"),
}

ACQUISITION_METHODS: dict[str, tuple[str, str]] = {
    "review": ("评审", "review"),
    "exam": ("考试(以考代评)", "examination"),
    "accreditation": ("认定", "accreditation"),
    "correspondence": ("职业资格对应", "correspondence from a professional qualification"),
}

#: 证书形式 of a skill-level credential, and the certificate-number format each one uses
CREDENTIAL_FORMS: dict[str, tuple[str, str]] = {
    "职业技能等级证书": ("skill-level", "vocational skill level certificate (2019+)"),
    "职业资格证书": ("legacy", "vocational qualification certificate (before 2020)"),
    "特级技师聘任": ("special-technician", "special-technician appointment"),
    "首席技师聘任": ("opaque", "chief-technician appointment"),
    "企业新型学徒制": ("opaque", "enterprise apprenticeship"),
}

#: the form a certificate-number format implies, when the input does not say
DEFAULT_FORM_BY_FORMAT: dict[str, str] = {
    "skill-level": "职业技能等级证书",
    "legacy": "职业资格证书",
    "special-technician": "特级技师聘任",
}

DEFAULT_FORM_BY_LEVEL: dict[str, str] = {
    "apprentice": "企业新型学徒制",
    "chief-technician": "首席技师聘任",
}

ORGANIZATION_CATEGORIES: dict[str, tuple[str, str]] = {
    "Y": ("用人单位", "employer"),
    "S": ("社会培训评价组织", "social training and evaluation organisation"),
}

#: filingAuthority: MOHRSS or an ISO 3166-2:CN province code [S20]
FILING_AUTHORITY_PATTERN = r"^(MOHRSS|CN-[A-Z]{2})$"

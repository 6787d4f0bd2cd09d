"""Typed, validated inputs of the five credential builders (one frozen dataclass per kind).

Each input is validated when it is constructed (STYLE.md rule 5), with the checks of
:mod:`issuer.validation`: ``MALFORMED_VALUE_ERROR`` naming the field (camelCase, as in the
credential) and the value, or ``PERSONAL_DATA_ERROR`` for a clear resident ID number anywhere but
``idNumber``. :func:`issuer.validation.from_mapping` builds an input from a camelCase mapping and
refuses unknown fields, so a typo cannot silently drop data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from issuer import certnumbers, levels
from issuer.validation import (
    bad,
    camel,
    check_date,
    check_enum,
    check_holder,
    check_no_clear_id,
    check_opaque_number,
    check_text,
)

_FILING = re.compile(levels.FILING_AUTHORITY_PATTERN, re.ASCII)
_ORG_CODE = re.compile(r"^\d{4}$", re.ASCII)


@dataclass(frozen=True)
class EvaluationOrganization:
    name: str
    organization_category: str
    filing_authority: str
    organization_code: str

    PREFIX: ClassVar[str] = "evaluationOrganization."

    def __post_init__(self) -> None:
        check_no_clear_id(self.PREFIX, self)
        check_text(self.PREFIX + "name", self.name)
        check_enum(self.PREFIX + "organizationCategory", self.organization_category, levels.ORGANIZATION_CATEGORIES)
        if not isinstance(self.filing_authority, str) or not _FILING.match(self.filing_authority):
            raise bad(
                self.PREFIX + "filingAuthority",
                f"{self.filing_authority!r} does not match {levels.FILING_AUTHORITY_PATTERN}",
                zh="备案机关须为 MOHRSS 或省级代码（如 CN-SX）",
            )
        if not isinstance(self.organization_code, str) or not _ORG_CODE.match(self.organization_code):
            raise bad(
                self.PREFIX + "organizationCode", f"{self.organization_code!r} is not 4 digits", zh="须为 4 位数字"
            )
        if (self.organization_code == "0000") != (self.filing_authority != "MOHRSS"):
            raise bad(
                self.PREFIX + "organizationCode",
                f"{self.organization_code!r} does not fit filingAuthority {self.filing_authority!r}: "
                "0000 means filed with a province, 0001-9999 means filed with MOHRSS",
                zh="与备案机关不符：向省级备案为 0000，向人社部备案为 0001–9999",
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Organization",
            "name": self.name,
            "organizationCategory": self.organization_category,
            "filingAuthority": self.filing_authority,
            "organizationCode": self.organization_code,
        }


@dataclass(frozen=True)
class SkillLevelInput:
    """职业技能等级: the level digit of the certificate number must agree with ``skill_level``."""

    name: str
    id_number: str = field(repr=False)
    occupation_code: str
    occupation_classification: str
    occupation_name: str
    job_type: str
    skill_level: str
    certificate_number: str
    assessment_date: str
    #: required with a 22-character number (its category and code must agree); optional otherwise
    evaluation_organization: EvaluationOrganization | None = field(
        default=None, metadata={"nested": EvaluationOrganization}
    )
    #: as printed, e.g. "二级/技师"; defaults to the standard printed form of ``skill_level``
    skill_level_text: str | None = None
    #: defaults to the form the certificate-number format implies
    credential_form: str | None = None

    def __post_init__(self) -> None:
        check_holder(self)
        certnumbers.check_occupation_code(self.occupation_code)
        for name in ("occupation_classification", "occupation_name", "job_type"):
            check_text(camel(name), getattr(self, name))
        level = levels.SKILL_LEVELS[check_enum("skillLevel", self.skill_level, levels.SKILL_LEVELS)]
        org = self.evaluation_organization
        if org is not None and not isinstance(org, EvaluationOrganization):
            raise bad("evaluationOrganization", f"expected an EvaluationOrganization, got {org!r}")
        check_date("assessmentDate", self.assessment_date)
        if self.skill_level_text is None:
            object.__setattr__(self, "skill_level_text", level.printed)
        check_text("skillLevelText", self.skill_level_text, max_len=40)
        number_format = self._check_certificate_number(level)
        if number_format in ("skill-level", "legacy"):  # issue 18: the form must fit the date (DOMAIN.md §6)
            certnumbers.check_form_date(
                certnumbers.parse_certificate_number(self.certificate_number),
                date.fromisoformat(self.assessment_date),
            )
        if self.credential_form is None:
            default = levels.DEFAULT_FORM_BY_FORMAT.get(number_format) or levels.DEFAULT_FORM_BY_LEVEL[level.code]
            object.__setattr__(self, "credential_form", default)
        form = check_enum("credentialForm", self.credential_form, levels.CREDENTIAL_FORMS)
        if levels.CREDENTIAL_FORMS[form][0] != number_format:
            raise bad(
                "credentialForm",
                f"{form!r} does not fit certificateNumber {self.certificate_number!r} ({number_format} format)",
                zh="证书形式与证书编号的格式不符",
            )

    def _check_certificate_number(self, level: levels.SkillLevel) -> str:
        """The number's format, after checking it against the level and the evaluation organisation."""
        number = self.certificate_number
        if level.code in levels.DEFAULT_FORM_BY_LEVEL:  # apprentice, chief technician: no national format
            check_opaque_number("certificateNumber", number)
            if certnumbers.is_skill_certificate_number(number):
                raise bad(
                    "certificateNumber",
                    f"{number!r} is a graded certificate number, but skillLevel is {level.code!r}",
                    zh="这是分级证书的编号，与 skillLevel 不符",
                )
            return "opaque"
        parsed = certnumbers.parse_certificate_number(number)
        if parsed.format == "special-technician" or level.code == "special-technician":
            if parsed.format != level.code:
                raise bad(
                    "certificateNumber",
                    f"{number!r} ({parsed.format} format) does not fit skillLevel {level.code!r}",
                    zh="证书编号的格式与 skillLevel 不符",
                )
            return parsed.format
        if parsed.level_digit != level.digit:
            position = 16 if parsed.format == "skill-level" else 11
            raise bad(
                "certificateNumber",
                f"{number!r} has level digit {parsed.level_digit} at position "
                f"{position}, but skillLevel {level.code!r} is digit {level.digit}",
                zh=f"证书编号第 {position} 位（等级）与 skillLevel 不符",
            )
        org = self.evaluation_organization
        if parsed.format != "skill-level":
            return parsed.format
        if org is None:
            raise bad(
                "evaluationOrganization",
                f"required with a 22-character number ({number!r})",
                zh="22 位证书编号须填写评价机构各列",
            )
        if (parsed.organization_category, parsed.organization_code) != (
            org.organization_category,
            org.organization_code,
        ):
            raise bad(
                "certificateNumber",
                f"{number!r} names organisation {parsed.organization_category}"
                f"{parsed.organization_code}, but evaluationOrganization is "
                f"{org.organization_category}{org.organization_code}",
                zh="证书编号中的机构类别和代码与评价机构不符",
            )
        return parsed.format


@dataclass(frozen=True)
class QualificationInput:
    """专业技术人员职业资格 (国家职业资格目录 2021)."""

    name: str
    id_number: str = field(repr=False)
    qualification_name: str
    qualification_category: str
    registered: bool
    certificate_number: str
    issue_date: str
    qualification_grade: str | None = None
    registration_number: str | None = None

    def __post_init__(self) -> None:
        check_holder(self)
        check_text("qualificationName", self.qualification_name)
        check_enum("qualificationCategory", self.qualification_category, levels.QUALIFICATION_CATEGORIES)
        if not isinstance(self.registered, bool):
            raise bad("registered", f"expected true or false, got {self.registered!r}", zh="须为 true 或 false")
        check_opaque_number("certificateNumber", self.certificate_number)
        check_date("issueDate", self.issue_date)
        if self.qualification_grade is not None:
            check_text("qualificationGrade", self.qualification_grade, max_len=40)
        if self.registration_number is not None:
            check_opaque_number("registrationNumber", self.registration_number)
            if not self.registered:
                raise bad(
                    "registrationNumber",
                    f"{self.registration_number!r} given but registered is false",
                    zh="registered 为 false 时不应填写注册编号",
                )


@dataclass(frozen=True)
class TitleInput:
    """职称. In the engineering series the title name must be the one for the level [S25]."""

    name: str
    id_number: str = field(repr=False)
    title_series: str
    title_specialty: str
    title_level: str
    title_name: str
    acquisition_method: str
    certificate_number: str
    award_date: str

    def __post_init__(self) -> None:
        check_holder(self)
        for name in ("title_series", "title_specialty", "title_name"):
            check_text(camel(name), getattr(self, name), max_len=60)
        check_enum("titleLevel", self.title_level, levels.TITLE_LEVELS)
        check_enum("acquisitionMethod", self.acquisition_method, levels.ACQUISITION_METHODS)
        check_opaque_number("certificateNumber", self.certificate_number)
        check_date("awardDate", self.award_date)
        expected = levels.ENGINEERING_TITLES[self.title_level]
        if self.title_series == levels.ENGINEERING_SERIES and self.title_name != expected:
            raise bad(
                "titleName",
                f"{self.title_name!r} is not the {levels.ENGINEERING_SERIES} title of "
                f"level {self.title_level!r} ({expected!r})",
                zh=f"与职称级别不符，应为「{expected}」",
            )


@dataclass(frozen=True)
class DegreeInput:
    """学历 from a 国民教育 institution."""

    name: str
    id_number: str = field(repr=False)
    education_level: str
    institution_name: str
    major: str
    certificate_number: str
    graduation_date: str

    def __post_init__(self) -> None:
        check_holder(self)
        check_enum("educationLevel", self.education_level, levels.EDUCATION_LEVELS)
        check_text("institutionName", self.institution_name)
        check_text("major", self.major, max_len=60)
        check_opaque_number("certificateNumber", self.certificate_number)
        check_date("graduationDate", self.graduation_date)


@dataclass(frozen=True)
class TechnicalSchoolInput:
    """技工院校 graduation. Not 学历 [S53]: any education equivalence is a RecognitionCredential."""

    name: str
    id_number: str = field(repr=False)
    technical_school_class: str
    school_name: str
    specialty: str
    certificate_number: str
    graduation_date: str

    def __post_init__(self) -> None:
        check_holder(self)
        check_enum("technicalSchoolClass", self.technical_school_class, levels.TECHNICAL_SCHOOL_CLASSES)
        check_text("schoolName", self.school_name)
        check_text("specialty", self.specialty, max_len=60)
        check_opaque_number("certificateNumber", self.certificate_number)
        check_date("graduationDate", self.graduation_date)

"""Skill certificate numbers: the three printed formats, parsed into their parts.

Sources (DOMAIN.md section 6, samples.md "Regular expressions for tests"):

* 职业技能等级证书 (2019+), 22 characters [S20]: category ``Y``/``S``, organisation code (4,
  ``0000`` = filed with a province), province (2), site (6), year (2), level (1: 1 = 一级 ... 5 = 五级),
  serial (6). The level is character 16.
* legacy 职业资格证书 (before 2020), 16 digits [S22]: year (2), province or industry code (2), city
  (2), appraisal-body type (1: 0 指导中心, 1 国家鉴定所, 2 地方鉴定站, 3 行业特有工种鉴定站, 4 企业内鉴定),
  appraisal-body sequence (3), level (1), serial (5). The level is digit 11.
* 特级技师 (special technician), 2 upper-case letters + 20 digits [S21]. The meaning of the letters
  and the split of the digits were not retrieved, so only the letters and digits are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from vccore.errors import Code, SkillcredError

CertificateFormat = Literal["skill-level", "legacy", "special-technician"]

SKILL_LEVEL_PATTERN = r"^[YS]\d{4}\d{2}\d{6}\d{2}[1-5]\d{6}$"
LEGACY_PATTERN = r"^\d{2}\d{2}\d{2}[0-4]\d{3}[1-5]\d{5}$"
SPECIAL_TECHNICIAN_PATTERN = r"^[A-Z]{2}\d{20}$"
OCCUPATION_CODE_PATTERN = r"^[1-8]-\d{2}-\d{2}-\d{2}$"

_NEW = re.compile(r"^([YS])(\d{4})(\d{2})(\d{6})(\d{2})([1-5])(\d{6})$", re.ASCII)
_LEGACY = re.compile(r"^(\d{2})(\d{2})(\d{2})([0-4])(\d{3})([1-5])(\d{5})$", re.ASCII)
_SPECIAL = re.compile(r"^([A-Z]{2})(\d{20})$", re.ASCII)
_OCCUPATION = re.compile(OCCUPATION_CODE_PATTERN, re.ASCII)

#: legacy appraisal-body types (digit 7) [S22]
LEGACY_BODY_TYPES: dict[str, str] = {
    "0": "指导中心",
    "1": "国家鉴定所",
    "2": "地方鉴定站",
    "3": "行业特有工种鉴定站",
    "4": "企业内鉴定",
}


@dataclass(frozen=True)
class CertificateNumber:
    """A parsed certificate number. Parts a format does not have are ``None``.

    ``organization_category`` is ``Y``/``S`` (new format) or the appraisal-body type digit (legacy);
    ``organization_code`` is the 4-digit organisation code (new) or the 3-digit appraisal-body
    sequence (legacy); ``site`` is the 6-digit site code (new) and ``city`` the 2-digit city (legacy).
    """

    value: str
    format: CertificateFormat
    organization_category: str | None
    organization_code: str | None
    province: str | None
    site: str | None
    year: str | None
    level_digit: int | None
    serial: str | None
    city: str | None = None
    prefix: str | None = None

    @property
    def skill_level(self) -> str | None:
        """The skill-level code (``L1`` ... ``L5``) the level digit stands for, if the format has one."""
        return None if self.level_digit is None else f"L{self.level_digit}"

    @property
    def provincially_filed(self) -> bool | None:
        """New format only: organisation code ``0000`` means filed with a province, not MOHRSS."""
        if self.format != "skill-level":
            return None
        return self.organization_code == "0000"


def parse_certificate_number(value: str, *, field: str = "certificateNumber") -> CertificateNumber:
    """Parse one of the three formats, or raise ``MALFORMED_VALUE_ERROR`` naming ``field`` and the value."""
    if not isinstance(value, str):
        raise SkillcredError(
            f"{field}: expected a string, got {type(value).__name__}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
        )
    if m := _NEW.match(value):
        category, org, province, site, year, level, serial = m.groups()
        return CertificateNumber(value, "skill-level", category, org, province, site, year, int(level), serial)
    if m := _LEGACY.match(value):
        year, province, city, body_type, body_seq, level, serial = m.groups()
        return CertificateNumber(
            value, "legacy", body_type, body_seq, province, None, year, int(level), serial, city=city
        )
    if m := _SPECIAL.match(value):
        letters, digits = m.groups()
        return CertificateNumber(
            value, "special-technician", None, None, None, None, None, None, digits, prefix=letters
        )
    raise SkillcredError(
        f"{field}: {value!r} is not a skill certificate number (22-character {SKILL_LEVEL_PATTERN}, "
        f"16-digit legacy {LEGACY_PATTERN} or special-technician {SPECIAL_TECHNICIAN_PATTERN})",
        code=Code.MALFORMED_VALUE_ERROR,
        pointer=f"/{field}",
        zh="不是技能证书编号（22 位、16 位或特级技师编号）",
    )


#: the first year a 22-character 职业技能等级证书 number can carry: its coding rule is 人社鉴发〔2019〕2号
#: (DOMAIN.md section 6 [S23]); before the 2019-2020 switch a skill certificate was a 职业资格证书 with the
#: 16-digit number [S22]
SKILL_LEVEL_FORM_FROM = 2019


def check_form_date(parsed: CertificateNumber, issued: date, *, field: str = "assessmentDate") -> None:
    """Could a certificate of this number's form have been issued on ``issued``? Both graded forms carry
    their year of issue (two digits) and must agree with it; a 22-character number cannot predate
    :data:`SKILL_LEVEL_FORM_FROM`. ``MALFORMED_VALUE_ERROR`` naming ``field`` otherwise."""
    if parsed.format not in ("skill-level", "legacy") or parsed.year is None:
        return
    if parsed.format == "skill-level" and issued.year < SKILL_LEVEL_FORM_FROM:
        raise SkillcredError(
            f"{field}: {issued.isoformat()} is before {SKILL_LEVEL_FORM_FROM}, when 职业技能等级证书 numbers began "
            f"(人社鉴发〔2019〕2号); a certificate of that date is a 职业资格证书 with a 16-digit number, "
            f"not {parsed.value!r}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
            zh=f"早于 {SKILL_LEVEL_FORM_FROM} 年，那时还没有 22 位的职业技能等级证书编号",
        )
    if int(parsed.year) != issued.year % 100:
        raise SkillcredError(
            f"{field}: {issued.isoformat()} is not in the year (..{parsed.year}) that certificate number "
            f"{parsed.value!r} carries",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
            zh="与证书编号所载的年份不符",
        )


def is_skill_certificate_number(value: str) -> bool:
    """True if ``value`` has one of the three skill certificate number formats."""
    return bool(_NEW.match(value) or _LEGACY.match(value) or _SPECIAL.match(value))


def check_occupation_code(value: str, *, field: str = "occupationCode") -> str:
    """A 大典 code ``D-DD-DD-DD`` (major group 1-8), or ``MALFORMED_VALUE_ERROR`` naming the field."""
    if not isinstance(value, str) or not _OCCUPATION.match(value):
        raise SkillcredError(
            f"{field}: {value!r} does not match {OCCUPATION_CODE_PATTERN}",
            code=Code.MALFORMED_VALUE_ERROR,
            pointer=f"/{field}",
            zh="职业编码须写作 D-DD-DD-DD，如 6-18-01-01",
        )
    return value

"""The input of each credential kind (``skillcred issuer issue KIND --data FILE``), described from its
dataclass (:mod:`issuer.inputs`) with the allowed values of :mod:`issuer.levels`, and one example per kind
(fictional people of ``../shared/domain/samples.md``; every example is valid input).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Mapping
from typing import Any

from issuer import levels
from issuer.kinds import KINDS
from issuer.validation import camel

_SX_ORG = {
    "name": "示例重型机床有限公司",
    "organizationCategory": "Y",
    "filingAuthority": "CN-SX",
    "organizationCode": "0000",
}

#: one valid input per kind (camelCase, as ``--data`` takes it)
EXAMPLES: dict[str, dict[str, Any]] = {
    "skill-level": {
        "name": "张试一",
        "idNumber": "140105198001010003",
        "occupationCode": "6-18-01-01",
        "occupationClassification": "中华人民共和国职业分类大典（2022年版）",
        "occupationName": "车工",
        "jobType": "数控车工",
        "skillLevel": "L2",
        "certificateNumber": "Y000014000031232000158",
        "evaluationOrganization": _SX_ORG,
        "assessmentDate": "2023-06-30",
    },
    "qualification": {
        "name": "赵试四",
        "idNumber": "230102198802020001",
        "qualificationName": "注册测绘师",
        "qualificationCategory": "access",
        "registered": True,
        "certificateNumber": "TEST-ZCCHS-2019-000001",
        "issueDate": "2019-12-01",
    },
    "title": {
        "name": "孙试六",
        "idNumber": "210102198706070005",
        "titleSeries": "工程系列",
        "titleSpecialty": "电气（机电）",
        "titleLevel": "intermediate",
        "titleName": "工程师",
        "acquisitionMethod": "review",
        "certificateNumber": "TEST-LN-GCS-2019-000321",
        "awardDate": "2019-12-20",
    },
    "degree": {
        "name": "孙试六",
        "idNumber": "210102198706070005",
        "educationLevel": "benke",
        "institutionName": "示例理工大学",
        "major": "电气工程及其自动化",
        "certificateNumber": "TEST-BK-2009-000001",
        "graduationDate": "2009-07-01",
    },
    "technical-school": {
        "name": "陈试五",
        "idNumber": "440115199909090005",
        "technicalSchoolClass": "preparatory-technician-class",
        "schoolName": "示例市技师学院",
        "specialty": "数控加工",
        "certificateNumber": "TEST-JSXY-2021-000001",
        "graduationDate": "2021-07-01",
    },
}

#: the fields whose values come from a fixed list
_ALLOWED: dict[str, Mapping[str, Any]] = {
    "skillLevel": levels.SKILL_LEVELS,
    "credentialForm": levels.CREDENTIAL_FORMS,
    "organizationCategory": levels.ORGANIZATION_CATEGORIES,
    "qualificationCategory": levels.QUALIFICATION_CATEGORIES,
    "titleLevel": levels.TITLE_LEVELS,
    "acquisitionMethod": levels.ACQUISITION_METHODS,
    "educationLevel": levels.EDUCATION_LEVELS,
    "technicalSchoolClass": levels.TECHNICAL_SCHOOL_CLASSES,
}
_NOTES: dict[str, str] = {
    "name": "持证人姓名 / holder's name",
    "idNumber": "居民身份证号，只以加盐 Argon2id 哈希写入凭证 / resident ID number, only its salted Argon2id hash "
    "enters the credential",
    "evaluationOrganization": "22 位证书编号时必填 / required with a 22-character certificateNumber",
    "evaluationOrganization.name": "评价机构名称 / the organisation's name",
    "evaluationOrganization.filingAuthority": f"备案机关 / filed with: {levels.FILING_AUTHORITY_PATTERN}",
    "evaluationOrganization.organizationCode": "4 位数字；向省级备案为 0000 / "
    "4 digits; 0000 when filed with a province",
    "occupationCode": "职业编码，如 6-18-01-01 / occupation code, e.g. 6-18-01-01",
}


def _type_name(hint: Any) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args:
        return _type_name(args[0])
    if dataclasses.is_dataclass(hint):
        return "object"
    return {str: "string", bool: "true|false", int: "integer"}.get(hint, str(hint))


def _lines(input_type: type[Any], indent: str, prefix: str = "") -> list[str]:
    hints = typing.get_type_hints(input_type)
    out = []
    for f in dataclasses.fields(input_type):
        name = camel(f.name)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        kind = _type_name(hints[f.name])
        if name.endswith("Date"):
            kind = "YYYY-MM-DD"
        line = f"{indent}{name}  {kind}  {'必填 / required' if required else '可选 / optional'}"
        if name in _ALLOWED:
            line += f"  {{{', '.join(_ALLOWED[name])}}}"
        if prefix + name in _NOTES:
            line += f"  — {_NOTES[prefix + name]}"
        out.append(line)
        nested = f.metadata.get("nested")
        if nested is not None:
            out.extend(_lines(nested, indent + "    ", f"{prefix}{name}."))
    return out


def describe(kind: str) -> str:
    """The kind's input fields (name, type, required or not, allowed values) and its example."""
    k = KINDS[kind]
    head = f"{k.name}  ({k.type_name}: {k.name_zh} / {k.name_en})"
    example = json.dumps(EXAMPLES[kind], ensure_ascii=False, indent=2)
    return "\n".join(
        [head, "  字段 / fields:", *_lines(k.input_type, "    "), "  示例 / example:", _indent(example, "    ")]
    )


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())

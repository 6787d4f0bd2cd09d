"""Pure builders of the five source-credential kinds (docs/credentials.md). No I/O, no signing.

Each builder takes the kind's input (its frozen dataclass from :mod:`issuer.inputs`, or a camelCase
mapping validated strictly), the issuer, ``validFrom`` and the credential id, and returns the unsigned
credential as a new dict. The holder's ID number goes in only as an Argon2id ``identityHash``
(:mod:`vccore.kinds.identity`); status entries are added by the issuing service, not here.

:data:`KINDS` maps the CLI names (``skill-level``, ``qualification``, ``title``, ``degree``,
``technical-school``) to the builder, the credential type, the schema and the display names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contexts import CREDENTIALS_V2, SKILLCRED_V1
from issuer import validation
from issuer.inputs import (
    DegreeInput,
    QualificationInput,
    SkillLevelInput,
    TechnicalSchoolInput,
    TitleInput,
)
from issuer.levels import SKILL_LEVELS
from vccore.errors import Code, SkillcredError
from vccore.kinds import identity

SCHEMA_BASE = "https://w3id.org/skillcred/schemas/"
CONTEXT = (CREDENTIALS_V2, SKILLCRED_V1)

#: computes the identityHash object of a (validated) ID number; tests pass cheap parameters
Hasher = Callable[[str], dict[str, Any]]

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+(#[^\s]*)?$")


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation: its DID and its name in Chinese and English."""

    id: str
    name_zh: str
    name_en: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _DID.match(self.id) or "#" in self.id:
            raise validation.bad("issuer.id", f"{self.id!r} is not a DID")
        validation.check_text("issuer.name_zh", self.name_zh)
        validation.check_text("issuer.name_en", self.name_en)
        validation.check_no_clear_id("issuer.", self)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": bilingual(self.name_zh, self.name_en)}


def bilingual(zh: str, en: str) -> list[dict[str, str]]:
    """A JSON-LD language-tagged pair, Chinese first."""
    return [{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}]


class Builder(Protocol):
    def __call__(
        self,
        data: Any,
        /,
        *,
        issuer: Issuer,
        valid_from: datetime | str,
        credential_id: str,
        subject_did: str | None = None,
        hasher: Hasher | None = None,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Kind:
    """One credential kind: CLI name, credential type, input dataclass, schema and display names."""

    name: str
    type_name: str
    input_type: type[Any]
    schema_file: str
    name_zh: str
    name_en: str
    build: Builder

    @property
    def schema_id(self) -> str:
        return SCHEMA_BASE + self.schema_file


def _valid_from(value: datetime | str) -> str:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as err:
            raise validation.bad("validFrom", f"{value!r} is not an ISO 8601 date-time") from err
        if "T" not in value:
            raise validation.bad("validFrom", f"{value!r} is a date, not a date-time")
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise validation.bad("validFrom", f"expected a datetime or an ISO string, got {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise validation.bad("validFrom", f"{value!r} has no time zone")
    return parsed.isoformat()


def _envelope(
    kind: Kind,
    subject: dict[str, Any],
    *,
    issuer: Issuer,
    valid_from: datetime | str,
    credential_id: str,
    subject_did: str | None,
) -> dict[str, Any]:
    if not isinstance(issuer, Issuer):
        raise validation.bad("issuer", f"expected an Issuer, got {issuer!r}")
    if not isinstance(credential_id, str) or not _URI.match(credential_id):
        raise validation.bad("id", f"{credential_id!r} is not an absolute URI")
    if subject_did is not None and (not isinstance(subject_did, str) or not _DID.match(subject_did)):
        raise validation.bad("credentialSubject.id", f"{subject_did!r} is not a DID")
    credential_subject = ({"id": subject_did} if subject_did is not None else {}) | subject
    credential = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", kind.type_name],
        "name": bilingual(kind.name_zh, kind.name_en),
        "issuer": issuer.to_json(),
        "validFrom": _valid_from(valid_from),
        "credentialSchema": {"id": kind.schema_id, "type": "JsonSchema"},
        "credentialSubject": credential_subject,
    }
    leaks = identity.clear_id_pointers(credential)
    if leaks:  # every input was checked already; this guards the builder code itself
        raise SkillcredError(f"clear resident ID number at {leaks[0]}", code=Code.PERSONAL_DATA_ERROR, pointer=leaks[0])
    return credential


def _coerce(input_type: type[Any], data: Any) -> Any:
    if isinstance(data, input_type):
        return data
    if isinstance(data, Mapping):
        return validation.from_mapping(input_type, data)
    raise validation.bad("input", f"expected {input_type.__name__} or a mapping, got {type(data).__name__}")


def _holder(data: Any, hasher: Hasher | None) -> dict[str, Any]:
    identity_hash = (hasher or identity.hash_identity)(data.id_number)
    return {"name": data.name, "identityHash": identity_hash}


def _optional(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _skill_level_subject(d: SkillLevelInput) -> dict[str, Any]:
    org = d.evaluation_organization
    return (
        {
            "occupationCode": d.occupation_code,
            "occupationClassification": d.occupation_classification,
            "occupationName": d.occupation_name,
            "jobType": d.job_type,
            "skillLevel": d.skill_level,
            "skillLevelText": d.skill_level_text,
            "skillLevelOrder": SKILL_LEVELS[d.skill_level].order,
            "certificateNumber": d.certificate_number,
            "credentialForm": d.credential_form,
        }
        | ({"evaluationOrganization": org.to_json()} if org is not None else {})
        | {
            "assessmentDate": d.assessment_date,
        }
    )


def _qualification_subject(d: QualificationInput) -> dict[str, Any]:
    return (
        {"qualificationName": d.qualification_name, "qualificationCategory": d.qualification_category}
        | (_optional(qualificationGrade=d.qualification_grade))
        | {"registered": d.registered}
        | (_optional(registrationNumber=d.registration_number))
        | {"certificateNumber": d.certificate_number, "issueDate": d.issue_date}
    )


def _title_subject(d: TitleInput) -> dict[str, Any]:
    return {
        "titleSeries": d.title_series,
        "titleSpecialty": d.title_specialty,
        "titleLevel": d.title_level,
        "titleName": d.title_name,
        "acquisitionMethod": d.acquisition_method,
        "certificateNumber": d.certificate_number,
        "awardDate": d.award_date,
    }


def _degree_subject(d: DegreeInput) -> dict[str, Any]:
    return {
        "educationLevel": d.education_level,
        "institutionName": d.institution_name,
        "major": d.major,
        "certificateNumber": d.certificate_number,
        "graduationDate": d.graduation_date,
    }


def _technical_school_subject(d: TechnicalSchoolInput) -> dict[str, Any]:
    return {
        "technicalSchoolClass": d.technical_school_class,
        "schoolName": d.school_name,
        "specialty": d.specialty,
        "certificateNumber": d.certificate_number,
        "graduationDate": d.graduation_date,
    }


_SUBJECTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "skill-level": _skill_level_subject,
    "qualification": _qualification_subject,
    "title": _title_subject,
    "degree": _degree_subject,
    "technical-school": _technical_school_subject,
}


def _builder(kind_name: str) -> Builder:
    def build(
        data: Any,
        /,
        *,
        issuer: Issuer,
        valid_from: datetime | str,
        credential_id: str,
        subject_did: str | None = None,
        hasher: Hasher | None = None,
    ) -> dict[str, Any]:
        kind = KINDS[kind_name]
        checked = _coerce(kind.input_type, data)
        subject = _holder(checked, hasher) | _SUBJECTS[kind_name](checked)
        return _envelope(
            kind, subject, issuer=issuer, valid_from=valid_from, credential_id=credential_id, subject_did=subject_did
        )

    build.__name__ = f"build_{kind_name.replace('-', '_')}"
    build.__doc__ = f"Build an unsigned {kind_name} credential (see the module docstring)."
    return build


build_skill_level = _builder("skill-level")
build_qualification = _builder("qualification")
build_title = _builder("title")
build_degree = _builder("degree")
build_technical_school = _builder("technical-school")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "skill-level",
            "SkillLevelCredential",
            SkillLevelInput,
            "skill-level-v1.json",
            "职业技能等级凭证",
            "Skill level credential",
            build_skill_level,
        ),
        Kind(
            "qualification",
            "ProfessionalQualificationCredential",
            QualificationInput,
            "qualification-v1.json",
            "专业技术人员职业资格凭证",
            "Professional qualification credential",
            build_qualification,
        ),
        Kind(
            "title",
            "ProfessionalTitleCredential",
            TitleInput,
            "title-v1.json",
            "职称凭证",
            "Professional title credential",
            build_title,
        ),
        Kind(
            "degree",
            "DegreeCredential",
            DegreeInput,
            "degree-v1.json",
            "学历凭证",
            "Education (degree) credential",
            build_degree,
        ),
        Kind(
            "technical-school",
            "TechnicalSchoolDiplomaCredential",
            TechnicalSchoolInput,
            "technical-school-v1.json",
            "技工院校毕业凭证",
            "Technical school diploma credential",
            build_technical_school,
        ),
    )
}

KINDS_BY_TYPE: dict[str, Kind] = {k.type_name: k for k in KINDS.values()}


def build(
    kind: str,
    data: Any,
    /,
    *,
    issuer: Issuer,
    valid_from: datetime | str,
    credential_id: str,
    subject_did: str | None = None,
    hasher: Hasher | None = None,
) -> dict[str, Any]:
    """Build a credential of the kind named ``kind`` (a CLI name or a type name)."""
    entry = KINDS.get(kind) or KINDS_BY_TYPE.get(kind)
    if entry is None:
        raise validation.bad("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    return entry.build(
        data, issuer=issuer, valid_from=valid_from, credential_id=credential_id, subject_did=subject_did, hasher=hasher
    )

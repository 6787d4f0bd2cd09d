"""The five credential builders, certificate numbers, the schemas and the companion vocabulary."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest

import contexts
from issuer import certnumbers, kinds, levels
from issuer.inputs import EvaluationOrganization, SkillLevelInput
from issuer.kinds import KINDS, Issuer
from vccore.errors import Code, SkillcredError
from vccore.kinds import identity, schemas

DATA = json.loads((Path(__file__).parent.parent / "data" / "people.json").read_text(encoding="utf-8"))
PEOPLE: dict[str, Any] = DATA["people"]
FAST = functools.partial(identity.hash_identity, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)
CASES = [(pid, i) for pid, person in PEOPLE.items() for i in range(len(person["credentials"]))]
SUBJECT_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _issuer(key: str) -> Issuer:
    return Issuer(**DATA["issuers"][key])


def _case(pid: str, index: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    person = PEOPLE[pid]
    cred = person["credentials"][index]
    data = {"name": person["name"], "idNumber": person["idNumber"]} | copy.deepcopy(cred["input"])
    return cred["kind"], data, cred


def _build(pid: str, index: int, data: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    kind, default, cred = _case(pid, index)
    args: dict[str, Any] = {
        "issuer": _issuer(cred["issuer"]),
        "valid_from": cred["validFrom"],
        "credential_id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "hasher": FAST,
    }
    return kinds.build(kind, default if data is None else data, **(args | overrides))


# --- building from the samples ---------------------------------------------------------------------


@pytest.mark.parametrize(("pid", "index"), CASES)
def test_each_sample_builds_and_validates_against_its_schema(pid: str, index: int) -> None:
    kind_name, data, cred = _case(pid, index)
    credential = _build(pid, index, subject_did=SUBJECT_DID)
    kind = KINDS[kind_name]
    assert schemas.validate(credential) == []
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"]
    assert credential["type"] == ["VerifiableCredential", kind.type_name]
    assert credential["credentialSchema"] == {
        "id": f"https://w3id.org/skillcred/schemas/{kind_name}-v1.json",
        "type": "JsonSchema",
    }
    assert [n["@language"] for n in credential["name"]] == ["zh", "en"]
    assert credential["issuer"]["id"] == DATA["issuers"][cred["issuer"]]["id"]
    assert "credentialStatus" not in credential and "proof" not in credential
    subject = credential["credentialSubject"]
    assert subject["id"] == SUBJECT_DID and subject["name"] == data["name"]
    assert identity.matches(subject["identityHash"], data["idNumber"])
    assert not identity.contains_clear_id(credential)
    for key, value in cred["input"].items():
        if key != "evaluationOrganization":
            assert subject[key] == value


def test_p1_subject_is_exactly_the_documented_shape() -> None:
    subject = _build("P1", 0)["credentialSubject"]
    del subject["identityHash"]
    assert subject == {
        "name": "张试一",
        "occupationCode": "6-18-01-01",
        "occupationClassification": "中华人民共和国职业分类大典（2022年版）",
        "occupationName": "车工",
        "jobType": "数控车工",
        "skillLevel": "L2",
        "skillLevelText": "二级/技师",
        "skillLevelOrder": 4,
        "certificateNumber": "Y000014000031232000158",
        "credentialForm": "职业技能等级证书",
        "evaluationOrganization": {
            "type": "Organization",
            "name": "示例重型机床有限公司",
            "organizationCategory": "Y",
            "filingAuthority": "CN-SX",
            "organizationCode": "0000",
        },
        "assessmentDate": "2023-06-30",
    }


def test_typed_input_gives_the_same_credential_as_the_mapping() -> None:
    _, data, cred = _case("P1", 0)
    org = data.pop("evaluationOrganization")
    typed = SkillLevelInput(
        name=data["name"],
        id_number=data["idNumber"],
        occupation_code=data["occupationCode"],
        occupation_classification=data["occupationClassification"],
        occupation_name=data["occupationName"],
        job_type=data["jobType"],
        skill_level=data["skillLevel"],
        certificate_number=data["certificateNumber"],
        assessment_date=data["assessmentDate"],
        evaluation_organization=EvaluationOrganization(
            name=org["name"],
            organization_category=org["organizationCategory"],
            filing_authority=org["filingAuthority"],
            organization_code=org["organizationCode"],
        ),
    )
    fixed = functools.partial(identity.hash_identity, salt=bytes(16), opslimit=1, memlimit=8192)
    from_typed = kinds.build_skill_level(
        typed, issuer=_issuer(cred["issuer"]), valid_from=cred["validFrom"], credential_id="urn:uuid:x", hasher=fixed
    )
    from_mapping = _build("P1", 0, credential_id="urn:uuid:x", hasher=fixed)
    assert from_typed == from_mapping


def test_builders_do_not_mutate_their_input() -> None:
    _, data, _ = _case("P3", 1)
    before = copy.deepcopy(data)
    _build("P3", 1, data)
    assert data == before


def test_legacy_certificate_keeps_printed_text_and_implies_its_form() -> None:
    subject = _build("P2", 1)["credentialSubject"]
    assert subject["credentialForm"] == "职业资格证书"
    assert subject["skillLevelText"] == "高级（国家职业资格三级）"
    assert subject["skillLevelOrder"] == 3
    assert "evaluationOrganization" not in subject


def test_valid_from_accepts_an_aware_datetime_and_subject_id_is_optional() -> None:
    from datetime import datetime, timedelta, timezone

    when = datetime(2023, 6, 30, tzinfo=timezone(timedelta(hours=8)))
    credential = _build("P1", 0, valid_from=when)
    assert credential["validFrom"] == "2023-06-30T00:00:00+08:00"
    assert "id" not in credential["credentialSubject"]


def test_registry_names_types_schemas_and_display_names() -> None:
    assert list(KINDS) == ["skill-level", "qualification", "title", "degree", "technical-school"]
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.schema_file == f"{name}-v1.json"
        assert schemas.schema_for(kind.type_name)["$id"] == kind.schema_id
        assert kind.name_zh and kind.name_en
        assert kinds.KINDS_BY_TYPE[kind.type_name] is kind
    assert _build("P4", 0)["type"] == ["VerifiableCredential", "ProfessionalQualificationCredential"]


def test_build_accepts_the_type_name_and_refuses_unknown_kinds() -> None:
    _, data, cred = _case("P6", 0)
    args: dict[str, Any] = {
        "issuer": _issuer(cred["issuer"]),
        "valid_from": cred["validFrom"],
        "credential_id": "urn:uuid:t",
        "hasher": FAST,
    }
    built = kinds.build("ProfessionalTitleCredential", data, **args)
    assert built["credentialSubject"]["titleName"] == "工程师"
    with pytest.raises(SkillcredError) as info:
        kinds.build("diploma", data, **args)
    assert info.value.code is Code.MALFORMED_VALUE_ERROR and "kind" in info.value.detail


# --- refused inputs ---------------------------------------------------------------------------------


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for p in parents:
            target = target[p]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()
CN = "certificateNumber"
ORG = "evaluationOrganization"
MAL = Code.MALFORMED_VALUE_ERROR
PII = Code.PERSONAL_DATA_ERROR

NEGATIVES = [
    ("P1", 0, _set("foo", "bar"), MAL, "foo", "'bar'"),
    ("P1", 0, _set("evaluationOrganization.phone", "123"), MAL, "evaluationOrganization.phone", "'123'"),
    ("P1", 0, _set(CN, "Y00001400003123200015"), MAL, CN, "Y00001400003123200015"),
    ("P1", 0, _set("certificateNumber", "X000014000031232000158"), MAL, "certificateNumber", "X0000140000"),
    ("P1", 0, _set("skillLevel", "L3"), MAL, "certificateNumber", "position 16"),
    ("P3", 0, _set("skillLevel", "L2"), MAL, "certificateNumber", "position 11"),
    ("P1", 0, _set(CN, "AB12345678901234567890"), MAL, CN, "special-technician"),
    ("P1", 0, _set("certificateNumber", "S000014000031232000158"), MAL, "certificateNumber", "S0000"),
    ("P1", 0, _set("occupationCode", "6-18-1-01"), MAL, "occupationCode", "'6-18-1-01'"),
    ("P1", 0, _set("occupationCode", "9-18-01-01"), MAL, "occupationCode", "'9-18-01-01'"),
    ("P1", 0, _set("occupationCode", "6180101"), MAL, "occupationCode", "'6180101'"),
    ("P1", 0, _set("skillLevel", "L6"), MAL, "skillLevel", "'L6'"),
    ("P1", 0, _set("assessmentDate", "2023-6-30"), MAL, "assessmentDate", "'2023-6-30'"),
    ("P1", 0, _set("assessmentDate", "2023-02-30"), MAL, "assessmentDate", "'2023-02-30'"),
    ("P1", 0, _set("jobType", ""), MAL, "jobType", "''"),
    ("P1", 0, _set("occupationName", 42), MAL, "occupationName", "42"),
    ("P1", 0, _set("assessmentDate", _DELETE), MAL, "assessmentDate", "missing"),
    ("P1", 0, _set(ORG, _DELETE), MAL, ORG, "Y000014000031232000158"),
    ("P1", 0, _set(f"{ORG}.filingAuthority", "MOHRSS"), MAL, f"{ORG}.organizationCode", "'0000'"),
    (
        "P1",
        0,
        _set("evaluationOrganization.filingAuthority", "Shanxi"),
        MAL,
        "evaluationOrganization.filingAuthority",
        "'Shanxi'",
    ),
    ("P1", 0, _set("credentialForm", "职业资格证书"), MAL, "credentialForm", "职业资格证书"),
    ("P1", 0, _set("idNumber", "230102198802020008"), MAL, "idNumber", "230102********0008"),
    ("P1", 0, _set("jobType", "数控车工 140105198001010003"), PII, "jobType", "数控车工 140105********0003"),
    ("P1", 0, _set(f"{ORG}.name", "140105198001010003"), PII, f"{ORG}.name", "140105********0003"),
    ("P1", 0, _set("note", "370202198512129996"), PII, "note", "****"),
    ("P2", 0, _set("certificateNumber", "T370202198512129996"), PII, "certificateNumber", "****"),
    ("P4", 0, _set("certificateNumber", "T370202198512129996"), PII, "certificateNumber", "****"),
    ("P4", 0, _set("registered", "yes"), MAL, "registered", "'yes'"),
    ("P4", 0, _set("qualificationCategory", "licence"), MAL, "qualificationCategory", "'licence'"),
    ("P6", 0, _set("titleName", "高级工程师"), MAL, "titleName", "'高级工程师'"),
    ("P6", 0, _set("titleLevel", "senior"), MAL, "titleLevel", "'senior'"),
    ("P6", 0, _set("acquisitionMethod", "purchase"), MAL, "acquisitionMethod", "'purchase'"),
    ("P6", 1, _set("educationLevel", "bachelor"), MAL, "educationLevel", "'bachelor'"),
    ("P6", 1, _set("major", "x" * 61), MAL, "major", "xxxx"),
    ("P5", 0, _set("technicalSchoolClass", "technician"), MAL, "technicalSchoolClass", "'technician'"),
    ("P5", 0, _set("certificateNumber", "TEST JSXY"), MAL, "certificateNumber", "'TEST JSXY'"),
    ("P5", 0, _set("graduationDate", "2021-07"), MAL, "graduationDate", "'2021-07'"),
]


@pytest.mark.parametrize(("pid", "index", "change", "code", "field", "shown"), NEGATIVES)
def test_bad_input_is_refused_with_its_code_naming_field_and_value(
    pid: str, index: int, change: Any, code: Code, field: str, shown: str
) -> None:
    _, data, _ = _case(pid, index)
    change(data)
    with pytest.raises(SkillcredError) as info:
        _build(pid, index, data)
    assert info.value.code is code
    assert info.value.detail.startswith(f"{field}: "), info.value.detail
    assert shown in info.value.detail
    if code is PII:
        assert not identity.contains_clear_id(info.value.detail)


def test_registration_number_needs_registration() -> None:
    _, data, _ = _case("P4", 0)
    data |= {"registered": False, "registrationNumber": "TEST-ZC-1"}
    with pytest.raises(SkillcredError) as info:
        _build("P4", 0, data)
    assert info.value.detail.startswith("registrationNumber: ")


@pytest.mark.parametrize(
    ("level", "number", "ok"),
    [
        ("special-technician", "AB12345678901234567890", True),
        ("special-technician", "Y000014000031232000158", False),
        ("L1", "AB12345678901234567890", False),
        ("chief-technician", "TEST-SX-CHIEF-0001", True),
        ("chief-technician", "Y000014000031232000158", False),
        ("apprentice", "TEST-XTZ-2024-01", True),
    ],
)
def test_levels_without_a_digit_use_their_own_numbers(level: str, number: str, ok: bool) -> None:
    _, data, _ = _case("P1", 0)
    data |= {"skillLevel": level, "certificateNumber": number}
    if ok:
        subject = _build("P1", 0, data)["credentialSubject"]
        assert subject["skillLevelOrder"] == levels.SKILL_LEVELS[level].order
        assert schemas.validate(_build("P1", 0, data)) == []
    else:
        with pytest.raises(SkillcredError) as info:
            _build("P1", 0, data)
        assert info.value.detail.startswith("certificateNumber: ")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"valid_from": "2023-06-30T00:00:00"}, "validFrom"),
        ({"valid_from": "2023-06-30"}, "validFrom"),
        ({"credential_id": "not a uri"}, "id"),
        ({"subject_did": "z6Mk-not-a-did"}, "credentialSubject.id"),
    ],
)
def test_envelope_arguments_are_checked(override: dict[str, Any], field: str) -> None:
    with pytest.raises(SkillcredError) as info:
        _build("P1", 0, **override)
    assert info.value.code is MAL and info.value.detail.startswith(f"{field}: ")


def test_issuer_is_checked() -> None:
    with pytest.raises(SkillcredError) as info:
        Issuer("https://example.test", "示例", "Example")
    assert info.value.detail.startswith("issuer.id: ")
    with pytest.raises(SkillcredError) as info:
        Issuer("did:web:x.test", "示例 140105198001010003", "Example")
    assert info.value.code is PII


def test_typed_input_is_validated_at_construction() -> None:
    with pytest.raises(SkillcredError) as info:
        EvaluationOrganization(
            name="示例", organization_category="X", filing_authority="CN-SX", organization_code="0000"
        )
    assert info.value.detail.startswith("evaluationOrganization.organizationCategory: ")


# --- certificate numbers (samples.md P3: both formats parse; level from digit 11 / 16) -----------------


def test_new_format_parses_into_its_seven_parts() -> None:
    n = certnumbers.parse_certificate_number("Y000023000008222000045")
    assert (
        n.format,
        n.organization_category,
        n.organization_code,
        n.province,
        n.site,
        n.year,
        n.level_digit,
        n.serial,
    ) == ("skill-level", "Y", "0000", "23", "000008", "22", 2, "000045")
    assert n.skill_level == "L2" and n.provincially_filed is True


def test_legacy_format_parses_with_the_level_at_digit_11() -> None:
    n = certnumbers.parse_certificate_number("1523012020300123")
    assert (
        n.format,
        n.year,
        n.province,
        n.city,
        n.organization_category,
        n.organization_code,
        n.level_digit,
        n.serial,
    ) == ("legacy", "15", "23", "01", "2", "020", 3, "00123")
    assert n.skill_level == "L3" and n.provincially_filed is None
    assert certnumbers.LEGACY_BODY_TYPES[n.organization_category or ""] == "地方鉴定站"


@pytest.mark.parametrize(
    ("number", "level"),
    [
        ("Y000014000031232000158", 2),
        ("Y000014000031183000412", 3),
        ("S000044000123241000007", 1),
        ("S000044000456213000019", 3),
        ("1337021020300057", 3),
        ("1523012020300123", 3),
    ],
)
def test_sample_numbers_carry_their_levels(number: str, level: int) -> None:
    assert certnumbers.parse_certificate_number(number).level_digit == level


def test_special_technician_format_keeps_letters_and_digits_only() -> None:
    n = certnumbers.parse_certificate_number("AB12345678901234567890")
    assert (n.format, n.prefix, n.serial, n.level_digit) == ("special-technician", "AB", "12345678901234567890", None)


@pytest.mark.parametrize(
    "number",
    [
        "Y00001400003123200015",
        "Y0000140000312320001580",
        "Z000014000031232000158",
        "Y000014000031236000158",
        "152301202030012",
        "1523015020300123",
        "1523012020600123",
        "Ab12345678901234567890",
        "",
        "TEST-1",
        "Y00001400003123200015８",
    ],
)
def test_malformed_numbers_are_refused_naming_field_and_value(number: str) -> None:
    with pytest.raises(SkillcredError) as info:
        certnumbers.parse_certificate_number(number)
    assert info.value.code is MAL
    assert info.value.detail.startswith(f"certificateNumber: {number!r}")


# --- schemas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda c: c["credentialSubject"].update(extra="x"), "/credentialSubject"),
        (lambda c: c["credentialSubject"].update(skillLevel="L3", skillLevelOrder=3), f"/credentialSubject/{CN}"),
        (lambda c: c["credentialSubject"].update(skillLevelOrder=5), "/credentialSubject/skillLevelOrder"),
        (lambda c: c["credentialSubject"].pop(ORG), "/credentialSubject"),
        (lambda c: c["credentialSubject"].update(occupationCode="6-1-1"), "/credentialSubject/occupationCode"),
        (lambda c: c["credentialSubject"]["identityHash"].update(memLimit=2**30), "/credentialSubject/identity"),
        (
            lambda c: c.update(credentialSchema={"id": "https://x.test/s.json", "type": "JsonSchema"}),
            "/credentialSchema/id",
        ),
        (lambda c: c.update(unknownTopLevel=1), "/"),
        (lambda c: c["credentialSubject"].pop("identityHash"), "/credentialSubject"),
    ],
)
def test_schema_refuses_changed_credentials(change: Any, where: str) -> None:
    credential = _build("P1", 0)
    change(credential)
    problems = schemas.validate(credential)
    assert problems and any(p.startswith(where) for p in problems), problems


def test_schema_allows_status_and_proof_added_later() -> None:
    credential = _build("P1", 0) | {
        "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}],
        "proof": {"type": "DataIntegrityProof"},
    }
    assert schemas.validate(credential) == []


def _recognition() -> dict[str, Any]:
    source = "urn:uuid:00000000-0000-4000-8000-000000000000"
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
        "id": "urn:uuid:11111111-1111-4111-8111-111111111111",
        "type": ["VerifiableCredential", "RecognitionCredential"],
        "name": [{"@value": "贯通认定凭证", "@language": "zh"}, {"@value": "Recognition", "@language": "en"}],
        "issuer": {"id": "did:web:toolkit.example.test"},
        "validFrom": "2026-07-01T00:00:00+08:00",
        "credentialSchema": {"id": "https://w3id.org/skillcred/schemas/recognition-v1.json", "type": "JsonSchema"},
        "credentialSubject": {
            "id": SUBJECT_DID,
            "recognizedAs": {
                "type": "RecognitionOutcome",
                "kind": "title",
                "titleSeries": "工程系列",
                "titleLevel": "intermediate",
                "titleName": "工程师",
            },
            "grants": ["eligibility-to-apply"],
            "purposes": ["职称评审"],
            "jurisdiction": "CN",
            "recognitionRule": "CN-ENG-2018-L2-TO-INTERMEDIATE",
            "ruleVersion": "0.1-draft",
            "ruleStanding": "sourced",
            "recognitionDate": "2026-07-01",
            "recognizedFrom": [source],
            "legalBasis": {
                "type": "LegalBasis",
                "issuingAuthority": "人力资源社会保障部",
                "documentName": "关于在工程技术领域实现高技能人才与工程技术人才职业发展贯通的意见（试行）",
                "documentDate": "2018-11",
            },
        },
        "relatedResource": [{"id": source, "digestMultibase": "uEiBtest"}],
        "evidence": [
            {
                "type": "RecognitionEvidence",
                "recognitionRule": "CN-ENG-2018-L2-TO-INTERMEDIATE",
                "ruleVersion": "0.1-draft",
                "ruleStanding": "sourced",
                "evaluatedOn": "2026-07-01",
                "conditionsMet": {"minYearsAfterSkillLevel": 3},
            }
        ],
    }


def test_recognition_schema_accepts_the_documented_shape_and_refuses_unknown_fields() -> None:
    assert schemas.validate(_recognition()) == []
    bad = _recognition()
    bad["credentialSubject"]["grants"] = ["equivalence"]
    bad["credentialSubject"]["educationLevel"] = "benke"
    problems = schemas.validate(bad)
    assert any(p.startswith("/credentialSubject/grants/0") for p in problems)
    assert any("educationLevel" in p for p in problems)


def test_validate_needs_one_known_type() -> None:
    assert schemas.validate([]) == ["/: a credential must be a JSON object"]
    assert schemas.validate({"type": ["VerifiableCredential"]})[0].startswith("/type: ")
    with pytest.raises(KeyError, match=r"^'NoSuchCredential'"):
        schemas.schema_for("NoSuchCredential")


def test_schema_for_returns_a_copy() -> None:
    schemas.schema_for("DegreeCredential")["title"] = "changed"
    assert schemas.schema_for("DegreeCredential")["title"] != "changed"


# --- the companion vocabulary -------------------------------------------------------------------------

VOCAB = contexts.vocabulary()
CONTEXT_TERMS = {
    k: v
    for k, v in contexts.load(contexts.SKILLCRED_V1)["@context"].items()
    if not k.startswith("@") and k not in ("id", "type")
}


@pytest.mark.parametrize("term", sorted(CONTEXT_TERMS))
def test_vocabulary_covers_every_context_term(term: str) -> None:
    iri = CONTEXT_TERMS[term] if isinstance(CONTEXT_TERMS[term], str) else CONTEXT_TERMS[term]["@id"]
    entry = VOCAB["classes" if term[0].isupper() else "properties"][term]
    assert entry["iri"] == iri
    for part in ("label", "definition"):
        assert entry[part]["zh"].strip() and entry[part]["en"].strip()
    assert entry["source"]


def _values(name: str) -> dict[str, Any]:
    return {v["code"]: v for v in VOCAB["enumerations"][name]["values"]}


def test_vocabulary_skill_levels_agree_with_the_builders() -> None:
    values = _values("skillLevel")
    assert list(values) == list(levels.SKILL_LEVELS)
    for code, level in levels.SKILL_LEVELS.items():
        v = values[code]
        assert (v["printed"], v["order"], v["certificateDigit"]) == (level.printed, level.order, level.digit)
    assert values["L2"]["printed"] == "二级/技师" and "skill level 2" in values["L2"]["label"]["en"]


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("titleLevel", levels.TITLE_LEVELS),
        ("educationLevel", levels.EDUCATION_LEVELS),
        ("technicalSchoolClass", levels.TECHNICAL_SCHOOL_CLASSES),
        ("qualificationCategory", levels.QUALIFICATION_CATEGORIES),
        ("acquisitionMethod", levels.ACQUISITION_METHODS),
        ("credentialForm", levels.CREDENTIAL_FORMS),
        ("organizationCategory", levels.ORGANIZATION_CATEGORIES),
    ],
)
def test_vocabulary_enumerations_agree_with_the_builders(name: str, table: dict[str, Any]) -> None:
    values = _values(name)
    assert list(values) == list(table)
    for v in values.values():
        assert v["label"]["zh"] and v["label"]["en"]


def test_vocabulary_keeps_the_technician_terms_apart() -> None:
    titles = _values("titleLevel")
    assert titles["yuanji"]["engineeringTitle"] == {"zh": "技术员", "en": "Engineering technician (entry-level title)"}
    assert [titles[c]["engineeringTitle"]["zh"] for c in levels.ENGINEERING_TITLES] == list(
        levels.ENGINEERING_TITLES.values()
    )
    health = _values("titleSeries")["卫生系列（技）"]
    assert health["titles"]["assistant"] == "技师"
    assert {t["term"] for t in VOCAB["terminologyTraps"]} >= {"技师", "technician"}


def test_vocabulary_lists_grants_and_purposes_of_the_rule_table() -> None:
    assert "eligibility-to-apply" in _values("grants") and "green-channel" in _values("grants")
    expected = {"入户", "招聘", "职称评审", "定级", "职级晋升", "公务员招录", "应征入伍"}
    assert expected <= set(_values("purposes"))

"""Issue 18: demo and test data that could exist. A skill certificate's number form must fit its date:
职业技能等级证书 numbers (22 characters, 人社鉴发〔2019〕2号) begin in 2019; before the 2019-2020 switch a
certificate was a 职业资格证书 with the 16-digit number; both forms carry their year of issue (DOMAIN.md §6)."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import pytest

from issuer import certnumbers
from issuer.kinds import Issuer, build
from skillcred.world import ISSUERS, WORKERS
from tests.support import NOW, REPO
from tests.world import PEOPLE, fast_hash
from vccore.errors import Code, SkillcredError

ISSUER = Issuer("did:example:appraisal", "示例市职业技能鉴定站", "Example appraisal station")


def _fits(number: str, when: str) -> None:
    certnumbers.check_form_date(certnumbers.parse_certificate_number(number), date.fromisoformat(when))


@pytest.mark.parametrize(
    ("number", "when", "why"),
    [
        ("S000044000123182000031", "2018-11-15", "before 2019"),  # P2's 2018 certificate as it was once shipped
        ("Y000014000031183000412", "2018-06-30", "before 2019"),  # P1's earlier certificate in samples.md
        ("Y000014000031232000158", "2024-06-30", "not in the year"),
        ("1844012020200031", "2019-11-15", "not in the year"),
    ],
)
def test_a_number_whose_form_cannot_have_that_date_is_refused(number: str, when: str, why: str) -> None:
    with pytest.raises(SkillcredError, match=why) as err:
        _fits(number, when)
    assert err.value.code is Code.MALFORMED_VALUE_ERROR and err.value.pointer == "/assessmentDate"


@pytest.mark.parametrize(
    ("number", "when"),
    [
        ("Y000014000031232000158", "2023-06-30"),
        ("S000044000123241000007", "2024-11-15"),
        ("1844012020200031", "2018-11-15"),
        ("1337021020300057", "2013-12-20"),
        ("1523012020300123", "2015-06-01"),
        ("Y000023000008222000045", "2022-05-01"),
    ],
)
def test_numbers_of_the_form_their_date_allows_pass(number: str, when: str) -> None:
    _fits(number, when)


def _skill_input(number: str, when: str, form: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "王试二",
        "idNumber": "370202198512129996",
        "occupationCode": "6-18-02-04",
        "occupationClassification": "中华人民共和国职业分类大典（2015年版）",
        "occupationName": "焊工",
        "jobType": "--",
        "skillLevel": "L2",
        "certificateNumber": number,
        "assessmentDate": when,
    }
    if number.startswith("S"):
        data["evaluationOrganization"] = {
            "name": "示例焊接技术培训评价中心",
            "organizationCategory": "S",
            "filingAuthority": "CN-GD",
            "organizationCode": "0000",
        }
    if form:
        data["credentialForm"] = form
    return data


def test_the_issuer_refuses_a_2018_skill_level_certificate_and_issues_the_legacy_form() -> None:
    with pytest.raises(SkillcredError, match="before 2019") as err:
        build(
            "skill-level",
            _skill_input("S000044000123182000031", "2018-11-15"),
            issuer=ISSUER,
            valid_from=NOW,
            credential_id="urn:uuid:p2-2018",
            hasher=fast_hash,
        )
    assert err.value.code is Code.MALFORMED_VALUE_ERROR
    doc = build(
        "skill-level",
        _skill_input("1844012020200031", "2018-11-15"),
        issuer=ISSUER,
        valid_from=NOW,
        credential_id="urn:uuid:p2-2018",
        hasher=fast_hash,
    )
    assert doc["credentialSubject"]["credentialForm"] == "职业资格证书"


def _dated_numbers() -> list[tuple[str, str, str]]:
    out = []
    for worker in WORKERS:
        for islug, kind, fields in worker.credentials:
            if kind == "skill-level":
                out.append((f"demo {worker.slug} {islug}", fields["certificateNumber"], fields["assessmentDate"]))
    for person, who in PEOPLE["people"].items():
        for cred in who["credentials"]:
            given = cred["input"]
            if cred["kind"] == "skill-level":
                out.append((f"people.json {person}", given["certificateNumber"], given["assessmentDate"]))
    with (REPO / "issuer" / "data" / "sample-skill-level.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((f"sample csv {row['name']}", row["certificateNumber"], row["assessmentDate"]))
    return out


@pytest.mark.parametrize(("where", "number", "when"), _dated_numbers(), ids=lambda v: str(v))
def test_every_shipped_and_test_certificate_has_a_form_its_date_allows(where: str, number: str, when: str) -> None:
    if certnumbers.is_skill_certificate_number(number):
        _fits(number, when)


def test_p2s_2018_certificate_in_the_demo_is_a_legacy_qualification_from_an_appraisal_station() -> None:
    p2 = next(w for w in WORKERS if w.slug == "p2")
    islug, _, fields = p2.credentials[1]
    assert fields["assessmentDate"] == "2018-11-15" and fields["credentialForm"] == "职业资格证书"
    parsed = certnumbers.parse_certificate_number(fields["certificateNumber"])
    assert parsed.format == "legacy" and parsed.year == "18" and parsed.level_digit == 2
    assert certnumbers.LEGACY_BODY_TYPES[str(parsed.organization_category)] == "地方鉴定站"
    station = next(s for s in ISSUERS if s.slug == islug)
    assert "鉴定" in station.name_zh and "evaluationOrganization" not in fields

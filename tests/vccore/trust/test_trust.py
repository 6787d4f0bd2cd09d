from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import LOADER, NOW, sign
from tests.world import AUTH_SX, ROOT
from vccore.keys import KeyPair
from vccore.trust.lists import (
    KeyPeriod,
    TrustedIssuer,
    TrustList,
    jurisdiction_covers,
    trust_list_credential,
    verify_trust_list_credential,
)

OLD_KEY = f"{AUTH_SX.controller}#old"


def authority() -> TrustedIssuer:
    return TrustedIssuer(
        AUTH_SX.controller,
        "山西省人力资源和社会保障厅",
        "Shanxi HRSS",
        ("recognition-authority",),
        ("CN-SX",),
        ("RecognitionRuleCredential", "RecognitionCredential"),
        (
            KeyPeriod(OLD_KEY, datetime(2020, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)),
            KeyPeriod(AUTH_SX.id, datetime(2025, 1, 1, tzinfo=UTC)),
        ),
    )


TRUST = TrustList((authority(),), NOW - timedelta(days=1), "urn:tl:1")


def trusted(**kw: Any) -> tuple[bool, str]:
    args: dict[str, Any] = {
        "credential_type": "RecognitionRuleCredential",
        "jurisdiction": "CN-SX",
        "key_id": AUTH_SX.id,
        "at": NOW,
    }
    args.update(kw)
    did = args.pop("did", AUTH_SX.controller)
    return TRUST.is_trusted(did, **args)


def test_a_listed_authority_is_trusted_for_its_rule_credentials() -> None:
    assert trusted()[0] is True
    assert trusted(jurisdiction=None)[0] is True
    assert trusted(jurisdiction="CN-SX-TY")[0] is True


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"did": ROOT.controller}, "not on the trust list"),
        ({"credential_type": "SkillLevelCredential"}, "not trusted to issue"),
        ({"jurisdiction": "CN"}, "jurisdiction"),
        ({"jurisdiction": "CN-BJ"}, "jurisdiction"),
        ({"jurisdiction": "CN-SXX"}, "jurisdiction"),
        ({"key_id": f"{AUTH_SX.controller}#other"}, "not a listed key"),
        ({"at": datetime(2024, 12, 31, tzinfo=UTC)}, "was not valid"),
        ({"key_id": OLD_KEY, "at": datetime(2025, 1, 1, tzinfo=UTC)}, "was not valid"),
    ],
)
def test_refusals_say_why(kw: dict[str, Any], reason: str) -> None:
    ok, why = trusted(**kw)
    assert ok is False and reason in why


def test_a_retired_key_still_verifies_what_it_signed_while_valid() -> None:
    assert trusted(key_id=OLD_KEY, at=datetime(2023, 6, 1, tzinfo=UTC))[0] is True


def test_jurisdictions_are_hierarchical_by_prefix() -> None:
    assert jurisdiction_covers("CN", "CN-SX") and not jurisdiction_covers("CN-SX", "CN")


def test_names_come_from_the_trust_list() -> None:
    assert TRUST.names(AUTH_SX.controller) == {"zh": "山西省人力资源和社会保障厅", "en": "Shanxi HRSS"}
    assert TRUST.names(ROOT.controller) is None


def test_json_round_trip() -> None:
    assert TrustList.from_json(TRUST.to_json()) == TRUST


@pytest.mark.parametrize(
    "edit",
    [
        lambda j: j.update(version=2),
        lambda j: j.update(issuers="x"),
        lambda j: j.update(issued="2026-01-01T00:00:00"),
        lambda j: j["issuers"][0].update(roles=["king"]),
        lambda j: j["issuers"][0].update(keys=[]),
        lambda j: j["issuers"][0].update(keys=[{"id": "did:key:zOther#k", "validFrom": "2020-01-01T00:00:00Z"}]),
        lambda j: j["issuers"][0]["keys"][0].update(validUntil="2019-01-01T00:00:00Z"),
        lambda j: j["issuers"][0].update(name="x"),
        lambda j: j["issuers"][0].update(jurisdictions=[5]),
        lambda j: j["issuers"].append(copy.deepcopy(j["issuers"][0])),
    ],
)
def test_malformed_trust_lists_are_refused(edit: Any) -> None:
    from vccore.errors import SkillcredError

    data = TRUST.to_json()
    edit(data)
    with pytest.raises(SkillcredError) as err:
        TrustList.from_json(data)
    assert err.value.code.value == "MALFORMED_VALUE_ERROR"


def _signed(key: KeyPair = ROOT, **kw: Any) -> dict[str, Any]:
    doc = trust_list_credential(
        TRUST,
        root_did=kw.pop("root", ROOT.controller),
        id="urn:tl:1",
        now=kw.pop("now", NOW - timedelta(days=1)),
        **kw,
    )
    return sign(doc, key, created=NOW - timedelta(days=1))


def test_a_trust_list_credential_signed_by_the_root_verifies() -> None:
    doc = _signed()
    assert doc["credentialSubject"]["type"] == "TrustList"
    parsed, result = verify_trust_list_credential(doc, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert result.verified and parsed == TRUST


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        (_signed(AUTH_SX, root=AUTH_SX.controller), "UNTRUSTED_ISSUER"),
        (_signed(AUTH_SX), "ISSUER_KEY_MISMATCH"),
        (_signed(now=NOW - timedelta(days=60)), "EXPIRED"),
    ],
)
def test_a_trust_list_not_from_the_root_or_stale_is_refused(doc: dict[str, Any], code: str) -> None:
    parsed, result = verify_trust_list_credential(doc, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert parsed is None and code in {c.value for c in result.codes()}


def test_an_edited_trust_list_does_not_verify() -> None:
    doc = _signed()
    doc["credentialSubject"]["trustList"]["issuers"][0]["jurisdictions"] = ["CN"]
    parsed, result = verify_trust_list_credential(doc, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert parsed is None and "PROOF_VERIFICATION_ERROR" in {c.value for c in result.codes()}


@pytest.mark.parametrize("doc", [None, [], "x", {}, {"@context": ["https://www.w3.org/ns/credentials/v2"]}])
def test_garbage_never_raises(doc: Any) -> None:
    parsed, result = verify_trust_list_credential(doc, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert parsed is None and not result.verified


# --- the one trust decision (vccore.trust.decision) -------------------------------------------------------


def _rule_credential(**subject: Any) -> dict[str, Any]:
    """A reading of a rule credential signed by AUTH_SX (the proof's signature is not what is decided here)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1"],
        "type": ["VerifiableCredential", "RecognitionRuleCredential"],
        "issuer": AUTH_SX.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:skillcred:ruleset:CN-SX:1", **subject},
        "proof": {"type": "DataIntegrityProof", "verificationMethod": AUTH_SX.id, "created": "2026-01-01T00:00:00Z"},
    }


def test_the_decision_checks_the_jurisdiction_the_credential_claims() -> None:
    from vccore.trust.decision import decide

    assert decide(_rule_credential(jurisdiction="CN-SX"), TRUST, now=NOW).trusted
    refused = decide(_rule_credential(jurisdiction="CN"), TRUST, now=NOW)
    assert not refused.trusted and "jurisdiction CN" in refused.reasons[0].detail


@pytest.mark.parametrize("value", [["CN"], ["CN-SX", "CN"], {"@value": "CN"}, 5, ""])
def test_a_jurisdiction_that_is_not_one_region_code_fails_closed(value: Any) -> None:
    """Red-team finding: read as "no jurisdiction", a respelled one dropped the jurisdiction rule."""
    from vccore.errors import Code
    from vccore.trust.decision import decide

    decision = decide(_rule_credential(jurisdiction=value), TRUST, now=NOW)
    assert not decision.trusted
    assert [(p.code, p.pointer) for p in decision.reasons] == [
        (Code.MALFORMED_VALUE_ERROR, "/credentialSubject/jurisdiction")
    ]


def test_every_subjects_jurisdiction_is_checked_not_only_the_first() -> None:
    from vccore.trust.decision import decide

    doc = _rule_credential()
    doc["credentialSubject"] = [{"id": "urn:a", "jurisdiction": "CN-SX"}, {"id": "urn:b", "jurisdiction": "CN"}]
    decision = decide(doc, TRUST, now=NOW)
    assert not decision.trusted and decision.jurisdictions == ("CN-SX", "CN")
    doc["credentialSubject"].reverse()  # array order is not signed: it must not choose what is checked
    assert not decide(doc, TRUST, now=NOW).trusted


def test_a_role_is_required_when_asked_for() -> None:
    from vccore.trust.decision import decide

    assert decide(_rule_credential(jurisdiction="CN-SX"), TRUST, now=NOW, role="recognition-authority").trusted
    refused = decide(_rule_credential(jurisdiction="CN-SX"), TRUST, now=NOW, role="title-board")
    assert not refused.trusted and "is not a title-board" in refused.reasons[0].detail
